"""Reconnect resync from the outbox, and a burst arriving complete and in order."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from runtime import journal
from runtime.realtime import resync
from tests.conftest import login
from tests.integration.test_realtime_support import (
    build_app,
    create_case,
    listening,
    live_server,
    token_of,
)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Any]:
    # no built-in workers or jobs: the case's process must not add events of its own
    application = build_app(f"sqlite:///{tmp_path}/casestudio.db", tmp_path,
                            run_workers=False, run_jobs=False)
    yield application
    application.extensions["casestudio"].stop()


@pytest.fixture
def url(app: Any) -> Iterator[str]:
    with live_server(app) as base:
        yield base


def comment(app: Any, case_id: str, body: str) -> None:
    response = login(app.test_client(), "manager").post(
        f"/api/v1/cases/{case_id}/comments", {"body": body})
    assert response.status_code == 201


def test_resync_after_disconnect_returns_missed_events_in_order(app: Any, url: str) -> None:
    case = create_case(login(app.test_client(), "worker"))
    room, token = f"case:{case['id']}", token_of(app, "worker")
    with listening(url, auth={"token": token}) as first:
        assert first.subscribe(room) == {"ok": True}
        comment(app, case["id"], "before")
        first.wait_for(lambda w: "comment.added" in w.types(room))
    last_seen = max(e["seq"] for e in first.events)
    for body in ("one", "two", "three"):
        comment(app, case["id"], body)
    login(app.test_client(), "worker").patch(f"/api/v1/cases/{case['id']}",
                                              {"data": {"plate": "QQ-1"}})
    app.extensions["casestudio"].relay.drain()  # published while nobody listened
    with listening(url, auth={"token": token}) as second:
        assert second.subscribe(room) == {"ok": True}
        assert second.subscribe("cases") == {"ok": True}
        answer = second.call("resync", {"since": last_seen})
    assert answer["ok"] is True
    missed = [(m["name"], m["data"]["room"], m["data"]["type"]) for m in answer["events"]]
    assert missed == [("event", room, "comment.added")] * 3 + [
        ("event", room, "case.updated"), ("event", "cases", "case.updated")]
    assert [m["data"]["data"].get("body") for m in answer["events"][:3]] == [
        "one", "two", "three"]
    seqs = [m["data"]["seq"] for m in answer["events"]]
    assert seqs == sorted(seqs) and min(seqs) > last_seen
    feed_changes = answer["events"][-1]["data"]["data"].get("changes", [])
    assert all(not c["path"].startswith("/data") for c in feed_changes)


def test_resync_beyond_the_cap_asks_for_a_reload(app: Any, url: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resync, "RESYNC_LIMIT", 2)
    case = create_case(login(app.test_client(), "worker"))
    for body in ("a", "b", "c"):
        comment(app, case["id"], body)
    app.extensions["casestudio"].relay.drain()
    with listening(url, auth={"token": token_of(app, "worker")}) as worker:
        assert worker.subscribe(f"case:{case['id']}") == {"ok": True}
        assert worker.call("resync", {"since": 0}) == {"ok": True, "reload": True}
        assert worker.call("resync", {"since": "x"})["ok"] is False
        assert worker.call("resync", {"since": -1})["ok"] is False


def test_a_burst_of_100_events_arrives_complete_and_in_order(app: Any, url: str) -> None:
    case = create_case(login(app.test_client(), "worker"))
    room = f"case:{case['id']}"
    container = app.extensions["casestudio"]
    with listening(url, auth={"token": token_of(app, "worker")}) as worker:
        assert worker.subscribe(room) == {"ok": True}
        with container.db.session() as s:  # one commit, 100 events: the relay's worst case
            for n in range(100):
                journal.record(s, tenant="default", case_id=case["id"], actor="manager",
                               action="commented", event="comment.added",
                               data={"commentId": str(n), "body": f"burst {n}"})
        worker.wait_for(lambda w: w.types(room).count("comment.added") >= 100)
    burst = [e for e in worker.events if e["type"] == "comment.added"]
    assert [e["data"]["body"] for e in burst] == [f"burst {n}" for n in range(100)]
    seqs = [e["seq"] for e in burst]
    assert seqs == sorted(seqs) and len(set(seqs)) == 100
