"""The complaint demo bundle end to end through the HTTP API, on SQLite and PostgreSQL.

Covers priority and standard routing, the document request with both exits of
the event-based gateway (the ``documents-received`` message and the 14-day
timer), compensation within and above the EUR 250 approval limit, the triage
SLA reminder, and triage/resolution forms updating the case.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from bpmn.engine_errors import EngineError
from tests.drive import Driver, driven_app, sample

DOCUMENTS = "documents-received"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def driver(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[Driver]:
    with driven_app(request.param, tmp_path_factory.mktemp("complaint"), "complaint") as d:
        yield d


def test_documents_received_then_goodwill_within_limit(driver: Driver) -> None:
    case = driver.create("complaint")
    contact = case["data"]["contact_email"]
    steps = driver.run(case["id"], {"triage": "standard-with-documents"})
    assert [s.task for s in steps] == ["Task_Triage"]
    waiting = driver.case(case["id"])
    assert (waiting["stage"], waiting["queue"]) == ("awaiting-customer", "general")
    # triage fields that are case fields update the case; the others stay process variables
    assert (waiting["data"]["category"], waiting["data"]["severity"]) == ("billing", "medium")
    assert "needs_documents" not in waiting["data"]
    assert driver.tasks(case["id"]) == []
    assert [subject for _, subject in driver.emails(case["id"])] == [
        "We have received your complaint", "Documents needed for your complaint"]
    driver.correlate(DOCUMENTS, case["id"])
    assert driver.task_keys(case["id"]) == ["Task_Investigate"]
    assert driver.case(case["id"])["stage"] == "investigation"
    steps = driver.run(case["id"], {"resolution": "small-goodwill"})
    assert [s.task for s in steps] == ["Task_Investigate"]  # no approval at EUR 50
    final = driver.case(case["id"])
    assert (final["status"], final["stage"]) == ("closed", "resolution")  # stage via the hook
    assert final["data"]["compensation_offered"] == 50
    assert (final["data"]["outcome"], final["data"]["final_response_sent"]) == ("upheld", True)
    assert [to for to, _ in driver.emails(case["id"])] == [contact] * 3
    assert driver.stages(case["id"]) == ["triage", "awaiting-customer", "investigation",
                                         "resolution"]


def test_priority_customer_and_compensation_above_limit(driver: Driver) -> None:
    case = driver.create("complaint", {**sample("complaint", "valid"),
                                       "vulnerable_customer": True})
    steps = driver.run(case["id"], {"triage": "priority-no-documents",
                                    "resolution": "needs-approval",
                                    "compensation-approval": []})
    assert [s.task for s in steps] == ["Task_Triage", "Task_Investigate"]
    assert driver.task_keys(case["id"]) == ["Task_ApproveCompensation"]
    waiting = driver.case(case["id"])
    assert (waiting["queue"], waiting["stage"], waiting["status"]) == (
        "priority-services", "resolution", "open")
    assert waiting["data"]["compensation_offered"] == 450
    steps = driver.run(case["id"], {"compensation-approval": "approved"})
    assert [(s.task, s.user) for s in steps] == [("Task_ApproveCompensation", "manager")]
    final = driver.case(case["id"])
    assert final["status"] == "closed" and final["data"]["final_response_sent"] is True
    assert "awaiting-customer" not in driver.stages(case["id"])
    events = driver.events(case["id"])
    queue_changes = [c for e in events if e["type"] == "case.updated"
                     for c in e["data"]["changes"] if c["path"] == "/queue"]
    assert queue_changes == [{"path": "/queue", "from": "general", "to": "priority-services"}]
    assert [e["type"] for e in events].count("task.completed") == 3
    # the bundle's case.reopened hook sends a reopened complaint back to investigation
    reopened = driver.api("worker").post(f"/api/v1/cases/{case['id']}/reopen")
    assert reopened.status_code == 200, reopened.get_json()
    assert {k: reopened.get_json()[k] for k in ("status", "stage", "queue")} == {
        "status": "open", "stage": "investigation", "queue": "general"}


def test_no_documents_within_14_days_times_out(driver: Driver) -> None:
    case = driver.create("complaint")
    driver.run(case["id"], {"triage": "standard-with-documents"})
    assert driver.case(case["id"])["stage"] == "awaiting-customer"
    driver.fire_timers(timedelta(days=13))
    assert driver.tasks(case["id"]) == []
    driver.fire_timers(timedelta(days=15))
    [note] = driver.notifications("worker", case["id"])
    assert "14" in note["body"]
    assert driver.task_keys(case["id"]) == ["Task_Investigate"]
    assert driver.case(case["id"])["stage"] == "investigation"
    # the event-based gateway took the timer: the message is no longer awaited
    with pytest.raises(EngineError):
        driver.correlate(DOCUMENTS, case["id"])
    driver.run(case["id"], {"resolution": "not-upheld"})
    final = driver.case(case["id"])
    assert (final["status"], final["data"]["outcome"]) == ("closed", "not-upheld")


def test_message_after_documents_arrived_is_not_delivered_twice(driver: Driver) -> None:
    case = driver.create("complaint")
    driver.run(case["id"], {"triage": "standard-with-documents"})
    driver.correlate(DOCUMENTS, case["id"])
    # the timer branch was cancelled with the gateway: nothing fires 15 days later
    driver.fire_timers(timedelta(days=15))
    assert driver.notifications("worker", case["id"]) == []
    assert driver.task_keys(case["id"]) == ["Task_Investigate"]


def test_triage_sla_reminder_notifies_managers_once(driver: Driver) -> None:
    case = driver.create("complaint")
    driver.run(case["id"], {"triage": []})
    assert driver.task_keys(case["id"]) == ["Task_Triage"]
    driver.fire_timers(timedelta(days=2))
    [note] = driver.notifications("manager", case["id"])
    assert "triage" in note["body"]
    assert driver.task_keys(case["id"]) == ["Task_Triage"]  # non-interrupting
    history = driver.history(case["id"])
    notified = [h for h in history if h["action"] == "notified"]
    assert len(notified) == 1 and "manager" in notified[0]["changes"]["to"]
    driver.run(case["id"], {"triage": "standard-with-documents"})
    assert driver.case(case["id"])["stage"] == "awaiting-customer"
