"""The case REST API end to end, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from bpmn.engine_types import InstanceQuery
from tests.conftest import login, make_app
from tests.support import ROOT, Api, zip_folder

PERMIT = ROOT / "tests" / "fixtures" / "bundles" / "permit"
VALID = {"applicant": {"name": "Rosa Diaz", "email": "rosa@example.org"}, "plate": "AB-123"}


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Any]:
    """Built-in workers off: these tests assert exact histories and revisions."""
    application = make_app(database_url, tmp_path, run_workers=False, run_jobs=False)
    yield application
    application.extensions["casestudio"].stop()


@pytest.fixture
def permit(as_analyst: Api) -> dict[str, Any]:
    response = as_analyst.deploy(zip_folder(PERMIT))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def create(api: Api, data: dict[str, Any] | None = None) -> Any:
    return api.post("/api/v1/cases", {"caseType": "permit", "data": data or VALID})


def test_create_case_starts_in_first_stage_with_number_title_and_defaults(
        permit: dict[str, Any], as_worker: Api) -> None:
    response = create(as_worker)
    assert response.status_code == 201, response.get_json()
    case = response.get_json()
    assert case["number"] == f"PP-{datetime.now(UTC).year}-0001"
    assert (case["stage"], case["status"], case["queue"]) == ("intake", "open", "standard")
    assert case["title"] == "Rosa Diaz — AB-123"
    assert case["data"]["zone"] == "A" and case["data"]["disabled"] is False
    assert response.headers["Location"] == f"/api/v1/cases/{case['id']}"
    assert response.headers["ETag"] == '"1"'
    second = create(as_worker).get_json()
    assert second["number"].endswith("-0002")


def test_invalid_data_reports_each_field_at_its_own_path(permit: Any, as_worker: Api) -> None:
    data = {"applicant": {"name": "R"}, "plate": "ab 1", "disabled": True}
    response = create(as_worker, data)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    paths = {e["path"]: e["message"] for e in response.get_json()["errors"]}
    assert set(paths) == {"/applicant/email", "/applicant/name", "/plate", "/badgeNumber"}
    assert "required" in paths["/applicant/email"]


def test_patch_merges_validates_and_uses_etags(permit: Any, as_worker: Api) -> None:
    case = create(as_worker, {**VALID, "badgeNumber": "B-7"}).get_json()
    url = f"/api/v1/cases/{case['id']}"
    ok = as_worker.patch(url, {"data": {"amount": 5, "badgeNumber": None}, "queue": "priority"},
                         headers={"If-Match": '"1"'})
    assert ok.status_code == 200, ok.get_json()
    body = ok.get_json()
    assert body["data"]["amount"] == 5 and "badgeNumber" not in body["data"]
    assert body["queue"] == "priority" and ok.headers["ETag"] == '"2"'
    stale = as_worker.patch(url, {"data": {"amount": 6}}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    bad = as_worker.patch(url, {"data": {"applicant": {"email": "nope"}}})
    assert bad.status_code == 422
    assert bad.get_json()["errors"][0]["path"] == "/applicant/email"
    assert as_worker.patch(url, {"queue": "vip"}).status_code == 422
    assert as_worker.patch(url, {"status": "closed"}).get_json()["errors"][0]["path"] == "/status"
    assert as_worker.get(url).get_json()["data"]["amount"] == 5


def test_a_new_case_is_written_once_carrying_its_process_instance(
        app: Any, permit: Any, as_worker: Api) -> None:
    """The engine names the instance before anything is written, so the case's INSERT
    carries it: no UPDATE of the case follows (and its ETag stays "1")."""
    statements: list[str] = []
    event.listen(app.extensions["casestudio"].db.engine, "before_cursor_execute",
                 lambda _c, _cur, sql, *_a: statements.append(sql.split("(")[0].strip()))
    response = create(as_worker)
    case = response.get_json()
    engine = app.extensions["casestudio"].engine
    [instance] = engine.instances(InstanceQuery(business_key=case["id"]))
    assert case["processInstanceId"] == instance.id and response.headers["ETag"] == '"1"'
    assert statements.count("INSERT INTO cases") == 1
    assert not [s for s in statements if s.startswith("UPDATE cases")]


def test_history_records_who_changed_what(permit: Any, as_worker: Api) -> None:
    case = create(as_worker).get_json()
    url = f"/api/v1/cases/{case['id']}"
    as_worker.patch(url, {"data": {"plate": "XY-9"}, "stage": "review"})
    items = as_worker.get(url + "/history").get_json()["items"]
    actions = [i["action"] for i in items]
    assert actions == ["created", "updated", "stage_changed"]
    changes = items[1]["changes"]["changes"]
    assert {"path": "/data/plate", "from": "AB-123", "to": "XY-9"} in changes
    assert all(i["actor"] == "worker" for i in items)


def test_list_filters_search_and_keyset_pages(permit: Any, as_worker: Api) -> None:
    ids = [create(as_worker, {**VALID, "plate": f"PL-{i}"}).get_json()["id"] for i in range(5)]
    as_worker.patch(f"/api/v1/cases/{ids[0]}", {"queue": "priority"})
    seen, cursor = [], None
    while True:
        page = as_worker.get("/api/v1/cases", query_string={
            "limit": 2, **({"cursor": cursor} if cursor else {})}).get_json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["nextCursor"]
        if not cursor:
            break
    assert seen == list(reversed(ids))
    prio = as_worker.get("/api/v1/cases?queue=priority").get_json()["items"]
    assert [c["id"] for c in prio] == [ids[0]]
    found = as_worker.get("/api/v1/cases?q=pl-3").get_json()["items"]
    assert [c["id"] for c in found] == [ids[3]]
    assert as_worker.get("/api/v1/cases?q=%25").get_json()["items"] == []
    assert as_worker.get("/api/v1/cases?cursor=garbage").status_code == 400


def test_policy_scope_filters_lists_and_forbids_reads(permit: Any, as_worker: Api,
                                                      as_analyst: Api) -> None:
    case = create(as_worker).get_json()
    assert as_analyst.get("/api/v1/cases").get_json()["items"] == []
    assert as_analyst.get(f"/api/v1/cases/{case['id']}").status_code == 403
    assert create(as_analyst).status_code == 403


def test_close_reopen_and_comments(permit: Any, as_worker: Api, client: Any) -> None:
    case = create(as_worker).get_json()
    url = f"/api/v1/cases/{case['id']}"
    closed = as_worker.post(url + "/close").get_json()
    assert closed["status"] == "closed" and closed["closedAt"]
    assert as_worker.post(url + "/close").status_code == 409
    assert as_worker.post(url + "/reopen").get_json()["status"] == "open"
    manager = login(client, "manager")
    assert manager.post(url + "/comments", {"body": "Call the applicant"}).status_code == 201
    assert as_worker.post(url + "/comments", {"body": "  "}).status_code == 422
    comments = as_worker.get(url + "/comments").get_json()["items"]
    assert [(c["author"], c["body"]) for c in comments] == [("manager", "Call the applicant")]


def test_errors_for_auth_and_unknown_ids(permit: Any, client: Any, as_worker: Api) -> None:
    response = client.get("/api/v1/cases")
    assert response.status_code == 401 and response.mimetype == "application/problem+json"
    assert client.post("/api/v1/auth/token", json={"username": "worker", "password": "x"}
                       ).status_code == 401
    assert Api(client, "forged").get("/api/v1/cases").status_code == 401
    assert as_worker.get("/api/v1/cases/nope").status_code == 404
    assert as_worker.post("/api/v1/cases", {"caseType": "nope", "data": {}}).status_code == 404
    assert as_worker.post("/api/v1/cases", {"caseType": "permit", "data": []}).status_code == 422
    broken = as_worker.client.post("/api/v1/cases", data="{", headers={
        "Authorization": f"Bearer {as_worker.token}", "Content-Type": "application/json"})
    assert broken.status_code == 400


def test_basic_auth_and_health(permit: Any, client: Any) -> None:
    import base64

    basic = base64.b64encode(b"worker:demo").decode()
    assert client.get("/api/v1/case-types", headers={"Authorization": f"Basic {basic}"}
                      ).status_code == 200
    health = client.get("/health").get_json()
    assert health["status"] == "up"
    assert {"database", "policy", "storage", "events", "identity"} <= set(health["components"])
