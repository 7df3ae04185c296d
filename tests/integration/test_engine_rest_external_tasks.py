"""`/engine-rest/external-task`: fetch-and-lock (nulls, filters, long polling), lock
ownership, failures, retries, BPMN errors — and that refusals leave nothing changed."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.engine_rest_support import RISKY_BPMN, WORK_BPMN, CamundaClient, rest_app
from tests.engine_rest_support import start as started

TICK_NEVER = {"ENGINE_REST_LONG_POLL_TICK": 30.0}


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Any]:
    """Both databases: locking differs (SKIP LOCKED on PostgreSQL, one writer on SQLite)."""
    application = rest_app(database_url, tmp_path, config=TICK_NEVER)
    yield application
    application.extensions["casestudio"].stop()


@pytest.fixture
def api(app: Any) -> CamundaClient:
    client = CamundaClient(app.test_client())
    client.deploy({"work.bpmn": WORK_BPMN, "risky.bpmn": RISKY_BPMN})
    return client


@pytest.fixture
def sqlite_api(tmp_path: Path) -> Iterator[CamundaClient]:
    """For request validation, which no database can influence."""
    application = rest_app(f"sqlite:///{tmp_path}/v.db", tmp_path)
    client = CamundaClient(application.test_client())
    client.deploy({"work.bpmn": WORK_BPMN})
    yield client
    application.extensions["casestudio"].stop()


def start(api: CamundaClient, key: str = "work", **body: Any) -> str:
    return started(api, key, **body)["id"]  # type: ignore[no-any-return]


def fetch(api: CamundaClient, worker: str = "w1", topic: str = "crunch",
          options: dict[str, Any] | None = None) -> Any:
    body = {"workerId": worker, "maxTasks": 10,
            "topics": [{"topicName": topic, "lockDuration": 60000, **(options or {})}]}
    return api.json_of("POST", "/external-task/fetchAndLock", json=body)


def test_explicit_nulls_and_untyped_variables_are_accepted(api: CamundaClient) -> None:
    """What camunda-external-task-client-python3 sends, field for field."""
    start(api, businessKey="N-1", variables={"n": {"value": 41}})
    body = {"workerId": "py", "maxTasks": 1, "asyncResponseTimeout": 0, "usePriority": False,
            "sorting": None, "topics": [{"topicName": "crunch", "lockDuration": 300000,
                                         "processVariables": {},
                                         "includeExtensionProperties": True,
                                         "deserializeValues": True, "variables": None}]}
    task = api.json_of("POST", "/external-task/fetchAndLock", json=body)[0]
    assert task["variables"]["n"] == {"value": 41, "type": "Integer", "valueInfo": {}}
    assert task["extensionProperties"] == {} and task["businessKey"] == "N-1"
    done = api.post(f"/external-task/{task['id']}/complete",
                    {"workerId": "py", "variables": {"n": {"value": 42}},
                     "localVariables": None})
    assert done.status_code == 204
    user_task = api.json_of("GET", "/task")[0]
    assert api.json_of("GET", f"/task/{user_task['id']}/variables/n")["value"] == 42


def test_each_task_goes_to_one_worker_and_filters_apply(api: CamundaClient) -> None:
    first, second = start(api, businessKey="A"), start(api, businessKey="B")
    assert [t["processInstanceId"] for t in fetch(api, options={"businessKey": "B"})] == [second]
    assert [t["processInstanceId"] for t in fetch(api, "w2")] == [first]
    assert fetch(api, "w3") == []
    assert fetch(api, "w3", options={"tenantIdIn": ["acme"]}) == []
    third = start(api, variables={"color": {"value": "red"}})
    assert fetch(api, "w4", options={"processVariables": {"color": "blue"}}) == []
    got = fetch(api, "w4", options={"processVariables": {"color": "red"}, "variables": ["color"]})
    assert [(t["processInstanceId"], list(t["variables"])) for t in got] == [(third,
                                                                             ["color"])]
    listed = api.json_of("GET", "/external-task?locked=true&sortBy=id&sortOrder=asc")
    assert len(listed) == 3
    assert api.json_of("GET", "/external-task/count?workerId=w2") == {"count": 1}
    assert api.json_of("POST", "/external-task/count", json={"topicName": "crunch"}) == {
        "count": 3}
    assert api.json_of("GET", "/external-task/topic-names") == ["crunch"]


@pytest.mark.parametrize(("body", "problem"), [
    ({"maxTasks": 1, "topics": []}, "'workerId' is mandatory"),
    ({"workerId": "w", "topics": [{"topicName": "crunch"}]}, "'lockDuration' is mandatory"),
    ({"workerId": "w", "topics": [{"lockDuration": 5}]}, "'topicName' is mandatory"),
    ({"workerId": "w", "maxTasks": -1, "topics": []}, "must not be negative"),
    ({"workerId": "w", "asyncResponseTimeout": 1_800_001, "topics": []}, "1800000"),
    ({"workerId": "w", "topics": "crunch"}, "'topics' must be a list"),
])
def test_bad_fetch_requests_are_400(sqlite_api: CamundaClient, body: dict,
                                    problem: str) -> None:
    start(sqlite_api)
    refused = sqlite_api.json_of("POST", "/external-task/fetchAndLock", json=body, status=400)
    assert problem in refused["message"]
    assert sqlite_api.json_of("GET", "/external-task/count?locked=true") == {"count": 0}


def test_locks_of_another_worker_are_respected_and_nothing_moves(api: CamundaClient) -> None:
    pid = start(api)
    task = fetch(api, "owner")[0]
    tid = task["id"]
    for path, body in ((f"/external-task/{tid}/complete", {"workerId": "thief"}),
                       (f"/external-task/{tid}/failure", {"workerId": "thief", "retries": 0}),
                       (f"/external-task/{tid}/bpmnError", {"workerId": "thief",
                                                            "errorCode": "X"}),
                       (f"/external-task/{tid}/extendLock", {"workerId": "thief",
                                                             "newDuration": 1000})):
        refused = api.json_of("POST", path, json=body, status=400)
        assert refused["type"] == "InvalidRequestException"
        assert "owner" in refused["message"] and "thief" in refused["message"]
    assert api.json_of("POST", f"/external-task/{tid}/complete", json={}, status=400)
    still = api.json_of("GET", f"/external-task/{tid}")
    assert (still["workerId"], still["retries"], still["errorMessage"]) == ("owner", None, None)
    assert api.json_of("GET", "/task/count") == {"count": 0}
    assert api.json_of("GET", "/incident/count") == {"count": 0}
    assert api.post(f"/external-task/{tid}/extendLock", {"workerId": "owner",
                                                         "newDuration": 120000}
                    ).status_code == 204
    assert api.json_of("POST", f"/external-task/{tid}/extendLock", status=400, json={
        "workerId": "owner", "newDuration": 0})
    assert api.post(f"/external-task/{tid}/complete", {"workerId": "owner"}).status_code == 204
    assert api.json_of("GET", f"/task?processInstanceId={pid}")[0]["taskDefinitionKey"] == (
        "after")
    assert api.json_of("GET", f"/external-task/{tid}", status=404)


def test_failures_retries_and_unlock(api: CamundaClient) -> None:
    start(api)
    tid = fetch(api)[0]["id"]
    negative = api.json_of("POST", f"/external-task/{tid}/failure", status=400, json={
        "workerId": "w1", "retries": -1})
    assert "negative" in negative["message"]
    assert api.json_of("GET", f"/external-task/{tid}")["retries"] is None
    assert api.post(f"/external-task/{tid}/failure", {
        "workerId": "w1", "errorMessage": "timeout", "errorDetails": "stack...",
        "retries": 2, "retryTimeout": 0}).status_code == 204
    failed = api.json_of("GET", f"/external-task/{tid}")
    assert (failed["retries"], failed["errorMessage"]) == (2, "timeout")
    details = api.get(f"/external-task/{tid}/errorDetails")
    assert details.get_data(as_text=True) == "stack..."
    again = fetch(api, "w2")
    assert [t["id"] for t in again] == [tid] and again[0]["errorDetails"] == "stack..."
    assert api.post(f"/external-task/{tid}/unlock").status_code == 204
    assert api.json_of("GET", f"/external-task/{tid}")["workerId"] is None
    assert api.json_of("PUT", f"/external-task/{tid}/retries", json={"retries": -3}, status=400)
    assert api.json_of("PUT", "/external-task/retries", json={"externalTaskIds": [tid],
                                                               "retries": 0},
                       status=204) is None
    assert api.json_of("GET", f"/external-task/{tid}")["retries"] == 0
    assert fetch(api, "w3") == []
    assert api.json_of("PUT", "/external-task/nope/retries", json={"retries": 1},
                       status=404)["type"] == "InvalidRequestException"


def test_bpmn_error_is_caught_by_the_boundary_event(api: CamundaClient) -> None:
    pid = start(api, "risky")
    tid = fetch(api, topic="risky")[0]["id"]
    assert api.json_of("POST", f"/external-task/{tid}/bpmnError", status=400,
                       json={"workerId": "w1"})
    assert api.post(f"/external-task/{tid}/bpmnError", {
        "workerId": "w1", "errorCode": "NO_STOCK", "errorMessage": "sold out",
        "variables": {"sku": {"value": "A-1"}}}).status_code == 204
    task = api.json_of("GET", f"/task?processInstanceId={pid}")[0]
    assert task["taskDefinitionKey"] == "handle"
    assert api.json_of("GET", f"/process-instance/{pid}/variables/sku")["value"] == "A-1"


def _fetch_in_thread(app: Any, body: dict) -> tuple[threading.Thread, dict]:
    out: dict[str, Any] = {}

    def run() -> None:
        began = time.monotonic()
        response = CamundaClient(app.test_client()).post("/external-task/fetchAndLock", body)
        out.update(status=response.status_code, tasks=response.get_json(),
                   seconds=time.monotonic() - began)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, out


WAITING = {"workerId": "lp", "maxTasks": 1, "asyncResponseTimeout": 8000,
           "topics": [{"topicName": "crunch", "lockDuration": 5000}]}


def test_long_poll_wakes_when_a_task_is_created(app: Any, api: CamundaClient) -> None:
    thread, out = _fetch_in_thread(app, WAITING)
    time.sleep(0.4)
    assert thread.is_alive()  # waiting: nothing to fetch yet
    pid = start(api)
    thread.join(timeout=10)
    assert out["status"] == 200 and [t["processInstanceId"] for t in out["tasks"]] == [pid]
    assert out["seconds"] < 4  # woken by the new task, not by the 30 s tick or the timeout


def test_long_poll_times_out_empty(api: CamundaClient) -> None:
    began = time.monotonic()
    assert api.json_of("POST", "/external-task/fetchAndLock",
                       json={**WAITING, "asyncResponseTimeout": 300}) == []
    assert 0.25 < time.monotonic() - began < 5


def test_waiting_requests_are_capped(tmp_path: Path) -> None:
    app = rest_app(f"sqlite:///{tmp_path}/cap.db", tmp_path,
                   config={**TICK_NEVER, "ENGINE_REST_MAX_WAITERS": 1})
    try:
        api = CamundaClient(app.test_client())
        api.deploy({"work.bpmn": WORK_BPMN})
        thread, out = _fetch_in_thread(app, WAITING)
        time.sleep(0.4)
        began = time.monotonic()
        assert api.json_of("POST", "/external-task/fetchAndLock", json={
            **WAITING, "workerId": "second"}) == []
        assert time.monotonic() - began < 2  # answered at once: no free waiting slot
        start(api)
        thread.join(timeout=10)
        assert len(out["tasks"]) == 1
    finally:
        app.extensions["casestudio"].stop()
