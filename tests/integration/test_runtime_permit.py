"""Cases run their processes end to end: stages, tasks, forms, hooks, built-in topics."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import login, make_app
from tests.integration.test_api_cases import PERMIT, VALID
from tests.support import Api, zip_folder


@pytest.fixture
def rt(database_url: str, tmp_path: Path) -> Iterator[Any]:
    """An app whose workers/jobs are driven by the test (deterministic)."""
    app = make_app(database_url, tmp_path, run_workers=False, run_jobs=False)
    yield app
    app.extensions["casestudio"].stop()


def drain(app: Any) -> None:
    """Run the built-in workers until no external task is left."""
    workers = app.extensions["casestudio"].workers
    while workers.run_once():
        pass


def start_case(app: Any) -> tuple[Api, dict[str, Any]]:
    client = app.test_client()
    assert login(client, "analyst").deploy(zip_folder(PERMIT)).status_code == 201
    worker = login(client, "worker")
    response = worker.post("/api/v1/cases", {"caseType": "permit", "data": VALID})
    assert response.status_code == 201, response.get_json()
    return worker, response.get_json()


def the_task(api: Api, case_id: str) -> dict[str, Any]:
    items = api.get(f"/api/v1/tasks?caseId={case_id}").get_json()["items"]
    assert len(items) == 1, items
    return items[0]


def test_approved_path_moves_stages_and_closes(rt: Any) -> None:
    worker, case = start_case(rt)
    assert case["processInstanceId"]
    drain(rt)
    url = f"/api/v1/cases/{case['id']}"
    assert worker.get(url).get_json()["stage"] == "review"
    task = the_task(worker, case["id"])
    assert (task["name"], task["candidateGroups"], task["assignee"]) == (
        "Review", ["worker"], None)
    full = worker.get(f"/api/v1/tasks/{task['id']}").get_json()
    assert full["form"]["schema"]["required"] == ["approved"]
    assert worker.post(f"/api/v1/tasks/{task['id']}/claim").get_json()["assignee"] == "worker"
    bad = worker.post(f"/api/v1/tasks/{task['id']}/complete", {"data": {"approved": "yes"}})
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["path"] == "/approved"
    done = worker.post(f"/api/v1/tasks/{task['id']}/complete", {"data": {"approved": True}})
    assert done.status_code == 204, done.get_json()
    assert worker.get(url).get_json()["stage"] == "done"  # the hook
    drain(rt)
    final = worker.get(url).get_json()
    assert final["status"] == "closed"
    actions = [h["action"] for h in worker.get(url + "/history").get_json()["items"]]
    for expected in ("created", "stage_changed", "task_created", "task_completed",
                     "status_changed", "closed"):
        assert expected in actions


def test_rejected_path_keeps_the_case_open(rt: Any) -> None:
    worker, case = start_case(rt)
    drain(rt)
    task = the_task(worker, case["id"])
    worker.post(f"/api/v1/tasks/{task['id']}/claim")
    assert worker.post(f"/api/v1/tasks/{task['id']}/complete",
                       {"data": {"approved": False}}).status_code == 204
    drain(rt)
    final = worker.get(f"/api/v1/cases/{case['id']}").get_json()
    assert (final["stage"], final["status"]) == ("done", "open")
    assert worker.get(f"/api/v1/tasks?caseId={case['id']}").get_json()["items"] == []


def test_only_candidates_may_claim_and_complete(rt: Any) -> None:
    worker, case = start_case(rt)
    drain(rt)
    task = the_task(worker, case["id"])
    assert [t["id"] for t in worker.get("/api/v1/tasks?candidate=me").get_json()["items"]] == [
        task["id"]]
    analyst = login(rt.test_client(), "analyst")
    assert analyst.post(f"/api/v1/tasks/{task['id']}/claim").status_code == 403
    manager = login(rt.test_client(), "manager")
    assert manager.post(f"/api/v1/tasks/{task['id']}/claim").status_code == 200
    assert worker.post(f"/api/v1/tasks/{task['id']}/complete",
                       {"data": {"approved": True}}).status_code == 403
    assert worker.post(f"/api/v1/tasks/{task['id']}/claim").status_code == 409
    mine = manager.get("/api/v1/tasks?assignee=me").get_json()["items"]
    assert [t["id"] for t in mine] == [task["id"]]
    # like Camunda, candidate queries leave out tasks someone has claimed
    assert worker.get("/api/v1/tasks?candidate=me").get_json()["items"] == []


def test_background_workers_run_in_process(database_url: str, tmp_path: Path) -> None:
    app = make_app(database_url, tmp_path)
    try:
        worker, case = start_case(app)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if worker.get(f"/api/v1/cases/{case['id']}").get_json()["stage"] == "review":
                break
            time.sleep(0.05)
        assert worker.get(f"/api/v1/cases/{case['id']}").get_json()["stage"] == "review"
    finally:
        app.extensions["casestudio"].stop()


def test_documents_upload_download_and_limits(rt: Any, tmp_path: Path) -> None:
    import io

    worker, case = start_case(rt)
    url = f"/api/v1/cases/{case['id']}/documents"
    payload = b"%PDF-1.4 fake pdf \x00\x01" * 100
    response = worker.client.post(url, data={"file": (io.BytesIO(payload), "Zeugnis ü.pdf")},
                                  headers={"Authorization": f"Bearer {worker.token}"},
                                  content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    doc = response.get_json()
    assert (doc["name"], doc["size"], doc["contentType"]) == ("Zeugnis ü.pdf", len(payload),
                                                              "application/pdf")
    content = worker.get(doc["href"])
    assert content.data == payload and content.mimetype == "application/pdf"
    assert "filename*=UTF-8''Zeugnis%20%C3%BC.pdf" in content.headers["Content-Disposition"]
    assert [d["id"] for d in worker.get(url).get_json()["items"]] == [doc["id"]]
    history = worker.get(f"/api/v1/cases/{case['id']}/history").get_json()["items"]
    assert history[-1]["action"] == "document_added"
    assert worker.get(url + "/nope/content").status_code == 404
