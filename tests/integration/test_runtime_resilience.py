"""Resilience of the case runtime, on SQLite and PostgreSQL.

Locks that expire, workers that fail until an incident opens, workers racing
for one task, a task completion racing case patches, a process whose start
fails, the SLA sweep, and a server restart in the middle of running cases.
Workers and timers are driven by the test, so each scenario is deterministic;
most scenarios share one app per database (each uses its own cases).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bpmn.engine import ExternalTaskQuery, IncidentQuery, TopicRequest
from bpmn.engine_errors import ExternalTaskLockedByOther
from models.cases import Case
from models.engine import EngineInstance
from models.events import OutboxEvent
from runtime import sla, workers
from tests.conftest import make_app
from tests.drive import Driver, driven_app
from tests.integration.resilience_bundles import BROKEN, CLAIM, FAULTY, claim_bundle
from tests.support import Api

CHARGE = "billing.charge"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def driver(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[Driver]:
    with driven_app(request.param, tmp_path_factory.mktemp("resilience")) as d:
        for key, body in (("claim", CLAIM), ("faulty", FAULTY), ("broken", BROKEN)):
            assert d.api("analyst").deploy(claim_bundle(key, body)).status_code == 201
        yield d


def charge_ready(driver: Driver) -> dict[str, Any]:
    """A claim case waiting at its ``billing.charge`` external task."""
    case = driver.create("claim", {"holder": "Ann Lee"})
    driver.drain()
    return case


def fetch(driver: Driver, worker: str, case_id: str, lock_ms: int = 60_000) -> list[Any]:
    topic = TopicRequest(topic=CHARGE, lock_duration_ms=lock_ms, business_key=case_id)
    return list(driver.container.engine.fetch_and_lock(worker, [topic], 1))


def sleep_until(moment: datetime | None) -> None:
    """Wait until a lock taken with the engine's (real, UTC) clock has expired."""
    assert moment is not None
    time.sleep(max((moment - datetime.now(UTC)).total_seconds(), 0) + 0.05)


def in_threads(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` in ``count`` threads released together; results in order."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(i)
        except Exception as exc:  # reported to the test, which asserts on it
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_expired_lock_passes_to_another_worker_then_retries_end_in_an_incident(
        driver: Driver) -> None:
    case = charge_ready(driver)
    engine = driver.container.engine
    [task] = fetch(driver, "worker-a", case["id"], lock_ms=1500)
    assert fetch(driver, "worker-b", case["id"]) == []  # still locked by A
    sleep_until(task.lock_expiration)
    [again] = fetch(driver, "worker-b", case["id"])
    assert (again.id, again.worker_id) == (task.id, "worker-b")
    with pytest.raises(ExternalTaskLockedByOther):  # A lost its lock and cannot complete
        engine.complete_external(task.id, "worker-a")
    for retries in (2, 1, 0):
        engine.handle_failure(task.id, "worker-b", "bank unreachable", "timeout", retries, 0)
        fetched = fetch(driver, "worker-b", case["id"])
        assert [t.retries for t in fetched] == ([retries] if retries else [])
    [incident] = engine.incidents(IncidentQuery(process_instance_id=case["processInstanceId"]))
    assert (incident.type, incident.activity_id, incident.message) == (
        "failedExternalTask", "Task_Charge", "bank unreachable")
    [entry] = [h for h in driver.history(case["id"]) if h["action"] == "incident_created"]
    assert entry["changes"]["activity_id"] == "Task_Charge"
    assert driver.event_types(case["id"]).count("incident.created") == 1
    # an operator gives retries back: the incident resolves and the process goes on
    engine.set_external_retries(task.id, 1)
    assert engine.incidents(IncidentQuery(process_instance_id=case["processInstanceId"])) == []
    [last] = fetch(driver, "worker-c", case["id"])
    engine.complete_external(last.id, "worker-c")
    assert driver.task_keys(case["id"]) == ["Task_Assess"]


def test_builtin_worker_failures_count_down_to_an_incident(
        driver: Driver, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "RETRY_TIMEOUT_MS", 0)  # retry at once, not in 5 s
    case = driver.create("faulty", {"holder": "Ann Lee"})
    handled = [driver.container.workers.run_once() for _ in range(4)]
    assert handled == [1, 1, 1, 0]
    [incident] = driver.container.engine.incidents(
        IncidentQuery(process_instance_id=case["processInstanceId"]))
    assert incident.message == "unknown stage 'nowhere'"
    assert driver.case(case["id"])["stage"] == "intake"  # the failed change left no trace
    types = driver.event_types(case["id"])
    assert types == ["case.created", "incident.created"]


def test_racing_workers_lock_each_task_exactly_once(driver: Driver) -> None:
    engine = driver.container.engine
    for contenders in (2, 2, 4, 4):
        case = charge_ready(driver)
        results = in_threads(contenders, lambda i, c=case: fetch(driver, f"w{i}", c["id"]))
        assert not [r for r in results if isinstance(r, Exception)], results
        winners = [r[0].worker_id for r in results if r]
        assert len(winners) == 1, results
        query = ExternalTaskQuery(process_instance_id=case["processInstanceId"])
        assert [t.worker_id for t in engine.external_tasks(query)] == winners


def race_completion_and_patches(driver: Driver, n: int) -> tuple[str, list[Any]]:
    """Complete a claim's task while three PATCHes hit the same case; status codes."""
    case = charge_ready(driver)
    [task] = fetch(driver, "billing", case["id"])
    driver.container.engine.complete_external(task.id, "billing")
    [assess] = driver.tasks(case["id"])
    worker = driver.api("worker")
    assert worker.post(f"/api/v1/tasks/{assess['id']}/claim").status_code == 200
    url = f"/api/v1/cases/{case['id']}"
    calls = [("post", f"/api/v1/tasks/{assess['id']}/complete",
              {"data": {"approved": True, "assessor_note": f"round {n}"}}),
             ("patch", url, {"data": {"amount": 100 + n}}),
             ("patch", url, {"data": {"policy": "P-1"}, "queue": "fast-track"}),
             ("patch", url, {"data": {"region": "north"}})]

    def send(i: int) -> int:
        method, path, body = calls[i]
        api = Api(driver.app.test_client(), worker.token)  # a client per thread
        return int(getattr(api, method)(path, body).status_code)

    return case["id"], in_threads(len(calls), send)


def test_task_completion_and_case_patches_race_without_lost_updates(driver: Driver) -> None:
    for n in range(3):
        case_id, results = race_completion_and_patches(driver, n)
        assert results == [204, 200, 200, 200]
        final = driver.case(case_id)
        assert final["data"] == {"holder": "Ann Lee", "assessor_note": f"round {n}",
                                 "amount": 100 + n, "policy": "P-1", "region": "north"}
        assert final["queue"] == "fast-track" and driver.tasks(case_id) == []
        updates = [h for h in driver.history(case_id) if h["action"] == "updated"]
        assert len(updates) == 5  # the stage change and the four racing writers


def test_patch_with_a_stale_etag_is_refused(driver: Driver) -> None:
    case = driver.create("claim", {"holder": "Ann Lee"})
    url = f"/api/v1/cases/{case['id']}"
    api = driver.api("worker")
    etag = api.get(url).headers["ETag"]
    assert api.patch(url, {"data": {"amount": 1}}, headers={"If-Match": etag}).status_code == 200
    stale = api.patch(url, {"data": {"amount": 2}}, headers={"If-Match": etag})
    assert stale.status_code == 412 and stale.mimetype == "application/problem+json"
    assert driver.case(case["id"])["data"]["amount"] == 1


def test_failed_process_start_leaves_no_case_behind(driver: Driver) -> None:
    db = driver.container.db
    outbox_before = _count(db, OutboxEvent)
    response = driver.api("worker").post("/api/v1/cases", {"caseType": "broken",
                                                            "data": {"holder": "Bob Ray"}})
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert "could not start" in problem["detail"] and "risk_score" in problem["detail"]
    assert _count(db, Case, Case.case_type == "broken") == 0
    assert _count(db, EngineInstance, EngineInstance.definition_key == "broken") == 0
    assert _count(db, OutboxEvent) == outbox_before


def test_sla_sweep_flags_each_breach_once(driver: Driver) -> None:
    case = charge_ready(driver)  # in "assessment", whose SLA is one day
    due = datetime.fromisoformat(driver.case(case["id"])["stageDue"])
    assert timedelta(hours=23) < due - datetime.now(UTC) <= timedelta(days=1)
    sla.sweep(driver.container.db, now=due - timedelta(minutes=1))  # (older cases may breach)
    assert driver.case(case["id"])["slaBreached"] is False
    assert sla.sweep(driver.container.db, now=due + timedelta(minutes=1)) >= 1
    assert driver.case(case["id"])["slaBreached"] is True
    sla.sweep(driver.container.db, now=due + timedelta(days=3))
    assert driver.event_types(case["id"]).count("case.sla_breached") == 1  # flagged once
    [breach] = [h for h in driver.history(case["id"]) if h["action"] == "sla_breached"]
    assert breach["changes"]["stage"] == "assessment"
    patched = driver.api("worker").patch(f"/api/v1/cases/{case['id']}", {"stage": "settled"})
    assert patched.get_json()["slaBreached"] is False  # a new stage, a new clock
    # the bundle's case.stage_changed hook (stage: settled) closed the case
    assert driver.case(case["id"])["status"] == "closed"
    assert driver.event_types(case["id"])[-2:] == ["case.status_changed", "case.closed"]


def _count(db: Any, model: Any, *where: Any) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_restart_loses_nothing_and_resumes_timers_tasks_and_locks(
        database_url: str, tmp_path: Path) -> None:
    first = Driver(make_app(database_url, tmp_path, run_workers=False, run_jobs=False))
    try:
        first.deploy("complaint")
        waiting = first.create("complaint")  # will wait for documents (message or 14 days)
        first.run(waiting["id"], {"triage": "standard-with-documents"})
        triage = first.create("complaint")  # will wait at its triage task
        first.drain()
        fresh = first.create("complaint")  # its first external task is locked by a worker
        [locked] = first.container.engine.fetch_and_lock(         # that dies with the server
            "crashed", [TopicRequest(topic="email.send", lock_duration_ms=300)], 1)
        assert locked.business_key == fresh["id"]
        outbox = len(first.events(waiting["id"]))
    finally:
        first.container.stop()
    second = Driver(make_app(database_url, tmp_path, run_workers=False, run_jobs=False))
    try:
        assert len(second.events(waiting["id"])) == outbox
        assert second.case(waiting["id"])["stage"] == "awaiting-customer"
        sleep_until(locked.lock_expiration)  # then the new server's workers take over
        second.drain()
        assert second.task_keys(fresh["id"]) == ["Task_Triage"]
        second.fire_timers(timedelta(days=15))
        assert second.task_keys(waiting["id"]) == ["Task_Investigate"]
        assert len(second.notifications("worker", waiting["id"])) == 1  # no documents
        assert len(second.notifications("manager", triage["id"])) == 1  # triage reminder
        second.run(triage["id"], {"triage": "priority-no-documents", "resolution": []})
        assert second.case(triage["id"])["queue"] == "priority-services"
        assert second.task_keys(triage["id"]) == ["Task_Investigate"]
        assert second.create("complaint")["number"].endswith("-00004")  # numbering goes on
        second.container.relay.drain()  # events written before and after: all published
        assert _count(second.container.db, OutboxEvent, OutboxEvent.published_at.is_(None)) == 0
    finally:
        second.container.stop()
