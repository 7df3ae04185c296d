"""Live updates over a real websocket: authentication, policy-checked rooms, fan-out."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio

from connectors.identity import Principal
from tests.conftest import login
from tests.integration.test_realtime_support import (
    Listener,
    build_app,
    create_case,
    listening,
    live_server,
    token_of,
)


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Any]:
    application = build_app(database_url, tmp_path)
    yield application
    application.extensions["casestudio"].stop()


@pytest.fixture
def url(app: Any) -> Iterator[str]:
    with live_server(app) as base:
        yield base


def refused(url: str, origin: str | None = None, **kwargs: Any) -> str:
    listener = Listener(origin)
    with pytest.raises(socketio.exceptions.ConnectionError):
        listener.connect(url, **kwargs)
    return str(listener.refusals)


def test_anonymous_forged_and_cross_origin_connections_are_refused(app: Any, url: str) -> None:
    assert "authentication required" in refused(url)
    assert "authentication required" in refused(url, auth={"token": "forged"})
    token = token_of(app, "worker")
    refused(url, origin="http://evil.example", auth={"token": token})
    with listening(url, auth={"token": token}) as same_origin:  # sends Origin: <url>
        assert same_origin.subscribe("cases") == {"ok": True}


def test_polling_transport_is_refused(app: Any, url: str) -> None:
    response = requests.get(f"{url}/socket.io/?EIO=4&transport=polling", timeout=5)
    assert response.status_code == 400


def session_cookie(app: Any, username: str) -> str:
    """The signed cookie a browser holds after logging in (same code path as /login)."""
    from flask import session

    from runtime.api.security import login_session

    principal = app.extensions["casestudio"].identity.authenticate(username, "demo")
    with app.test_request_context():
        login_session(principal)
        response = app.response_class()
        app.session_interface.save_session(app, session, response)
    cookie = response.headers["Set-Cookie"].split(";")[0]
    assert cookie.startswith("casestudio_session=")
    return cookie


def test_browser_session_cookie_authenticates(app: Any, url: str) -> None:
    cookie = session_cookie(app, "worker")
    assert "authentication required" in refused(url, headers={"Cookie": cookie + "x"})
    with listening(url, headers={"Cookie": cookie}) as worker:
        assert worker.subscribe("tasks") == {"ok": True}
        case = create_case(login(app.test_client(), "worker"))
        worker.wait_for(lambda w: "task.created" in w.types("tasks"))
        task = next(e for e in worker.events if e["type"] == "task.created")
        assert task["caseId"] == case["id"] and task["data"]["caseType"] == "permit"
        assert task["data"]["candidate_groups"] == ["worker"]


def by_manager(event: dict[str, Any], room: str, kind: str) -> bool:
    """The case's process also changes it in the background: pick the manager's change."""
    return (event["room"], event["type"], event["actor"]) == (room, kind, "manager")


def test_case_room_and_feed_receive_changes_made_by_another_user(app: Any, url: str) -> None:
    client = app.test_client()
    case = create_case(login(client, "worker"))
    room = f"case:{case['id']}"
    with listening(url, auth={"token": token_of(app, "worker")}) as worker:
        assert worker.subscribe(room) == {"ok": True}
        assert worker.subscribe("cases") == {"ok": True}
        manager = login(client, "manager")
        patched = manager.patch(f"/api/v1/cases/{case['id']}",
                                {"data": {"plate": "ZZ-9"}, "queue": "priority"})
        assert patched.status_code == 200, patched.get_json()
        assert manager.post(f"/api/v1/cases/{case['id']}/comments",
                            {"body": "Call the applicant"}).status_code == 201
        worker.wait_for(lambda w: "comment.added" in w.types(room)
                        and any(by_manager(e, "cases", "case.updated") for e in w.events))
    in_room = {e["type"]: e for e in worker.events if e["room"] == room
               and e["actor"] == "manager"}
    assert in_room["comment.added"]["data"]["body"] == "Call the applicant"
    assert in_room["comment.added"]["actor"] == "manager"
    paths = {c["path"] for c in in_room["case.updated"]["data"]["changes"]}
    assert paths == {"/data/plate", "/queue"}
    feed = next(e for e in worker.events if by_manager(e, "cases", "case.updated"))
    assert [c["path"] for c in feed["data"]["changes"]] == ["/queue"]
    assert feed["data"]["queue"] == "priority" and "comment.added" not in worker.types("cases")
    seqs = [e["seq"] for e in worker.events if e["room"] == room]
    assert seqs == sorted(seqs)


def test_reader_without_permission_is_refused_and_sees_nothing(app: Any, url: str) -> None:
    client = app.test_client()
    worker_api = login(client, "worker")
    case = create_case(worker_api)
    with listening(url, auth={"token": token_of(app, "analyst")}) as analyst, \
            listening(url, auth={"token": token_of(app, "worker")}) as worker:
        denied = analyst.subscribe(f"case:{case['id']}")
        assert denied["ok"] is False and "may not" in denied["error"]
        assert analyst.subscribe("cases") == {"ok": True}
        assert analyst.subscribe("tasks") == {"ok": True}
        assert analyst.subscribe("nonsense")["ok"] is False
        assert worker.subscribe("cases") == {"ok": True}
        create_case(worker_api)
        worker_api.patch(f"/api/v1/cases/{case['id']}", {"queue": "priority"})
        worker.wait_for(lambda w: any(e["type"] == "case.updated" and e["caseId"] == case["id"]
                                      for e in w.events))
        assert worker.call("resync", {"since": 0})["ok"] is True  # a round trip: flushes
        missed = analyst.call("resync", {"since": 0})["events"]
        assert [(m["data"]["type"], m["data"]["caseId"]) for m in missed] == [
            ("deployment.created", None)]
    assert [e for e in analyst.events if e["caseId"]] == [] and analyst.notifications == []


def test_another_tenant_never_receives_anything(app: Any, url: str) -> None:
    identity = app.extensions["casestudio"].identity
    identity.add_user("ann", "acme-password-1", ["admin"], tenant="acme")
    token = identity.issue_token(Principal(id="ann", roles=("admin",), tenant="acme"))
    worker_api = login(app.test_client(), "worker")
    case = create_case(worker_api)
    with listening(url, auth={"token": token}) as ann, \
            listening(url, auth={"token": token_of(app, "admin")}) as admin:
        assert ann.subscribe(f"case:{case['id']}")["ok"] is False
        assert ann.subscribe("cases") == {"ok": True}
        assert ann.subscribe("tasks") == {"ok": True}
        assert admin.subscribe("cases") == {"ok": True}
        create_case(worker_api)
        worker_api.post(f"/api/v1/cases/{case['id']}/comments", {"body": "hi"})
        admin.wait_for(lambda a: "case.created" in a.types("cases"))
        assert admin.call("resync", {"since": 0})["ok"] is True
        assert ann.call("resync", {"since": 0}) == {"ok": True, "events": []}
    assert ann.events == [] and ann.notifications == []


def test_notifications_reach_only_their_recipient(app: Any, url: str) -> None:
    from models.cases import Case
    from runtime import topics

    container = app.extensions["casestudio"]
    case = create_case(login(app.test_client(), "worker"))
    with listening(url, auth={"token": token_of(app, "worker")}) as worker, \
            listening(url, auth={"token": token_of(app, "manager")}) as manager:
        with container.db.session() as s:
            row = s.get(Case, case["id"])
            topics.notify(s, None, row, {"to": "user:worker", "title": "Documents missing"})
        worker.wait_for(lambda w: bool(w.notifications))
        assert manager.call("resync", {"since": 0})["ok"] is True
    note = worker.notifications[0]
    assert (note["type"], note["room"], note["caseId"]) == (
        "notification.created", "user", case["id"])
    assert note["data"] == {"title": "Documents missing"}
    assert manager.notifications == []
