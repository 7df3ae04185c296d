"""The grant demo bundle end to end through the HTTP API, on SQLite and PostgreSQL.

Covers both branches of every gateway (eligible or not, the review's
more-information loop, amount ≤ / > EUR 10,000, approved or declined), the
review SLA reminder (a non-interrupting boundary timer that notifies the
managers), hooks on task events, and case updates from task forms.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from tests.drive import Driver, driven_app, sample


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def driver(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[Driver]:
    with driven_app(request.param, tmp_path_factory.mktemp("grant"), "grant") as d:
        yield d


def grant(amount: int) -> dict[str, Any]:
    return {**sample("grant", "valid"), "amount": amount}


def test_committee_path_with_more_information_loop(driver: Driver) -> None:
    case = driver.create("grant", grant(18500))
    assert (case["stage"], case["status"], case["queue"]) == ("submitted", "open", "standard")
    steps = driver.run(case["id"], {"eligibility": "eligible",
                                    "review": ["more-info", "approve"], "decision": "approved",
                                    "agreement": []})
    assert [(s.task, s.variant, s.user) for s in steps] == [
        ("Task_Eligibility", "eligible", "worker"),
        ("Task_Review", "more-info", "worker"),
        ("Task_Review", "approve", "worker"),
        ("Task_CommitteeDecision", "approved", "manager")]
    waiting = driver.case(case["id"])
    assert driver.task_keys(case["id"]) == ["Task_Agreement"]
    assert (waiting["stage"], waiting["queue"], waiting["status"]) == (
        "agreement", "standard", "open")
    # the decision form's amount_awarded is a case field; the process set the outcome
    assert (waiting["data"]["amount_awarded"], waiting["data"]["outcome"]) == (16000, "awarded")
    assert driver.run(case["id"])[0].task == "Task_Agreement"
    final = driver.case(case["id"])
    assert final["status"] == "closed" and final["closedAt"]
    assert driver.stages(case["id"]) == ["eligibility", "review", "decision", "review",
                                         "decision", "agreement"]
    completed = [(h["actor"], h["changes"]["activity_id"]) for h in driver.history(case["id"])
                 if h["action"] == "task_completed"]
    assert completed == [("worker", "Task_Eligibility"), ("worker", "Task_Review"),
                         ("worker", "Task_Review"), ("manager", "Task_CommitteeDecision"),
                         ("worker", "Task_Agreement")]
    contact = case["data"]["contact_email"]
    assert [to for to, _ in driver.emails(case["id"])] == [contact, contact]
    assert "Questions" in driver.emails(case["id"])[0][1]
    assert "approved" in driver.emails(case["id"])[1][1]


def test_committee_queue_is_set_by_task_hooks(driver: Driver) -> None:
    case = driver.create("grant", grant(25000))
    driver.run(case["id"], {"eligibility": "eligible", "review": "approve", "decision": []})
    assert driver.task_keys(case["id"]) == ["Task_CommitteeDecision"]
    assert driver.case(case["id"])["queue"] == "committee"
    [task] = driver.tasks(case["id"])
    assert task["candidateGroups"] == ["manager"]
    # a plain worker is no candidate for a committee task
    assert driver.api("worker").post(f"/api/v1/tasks/{task['id']}/claim").status_code == 403
    driver.run(case["id"], {"decision": "declined"})
    final = driver.case(case["id"])
    assert (final["queue"], final["status"], final["data"]["outcome"]) == (
        "standard", "closed", "declined")
    changes = [h["changes"] for h in driver.history(case["id"]) if h["action"] == "updated"]
    queues = [c["to"] for entry in changes for c in entry["changes"] if c["path"] == "/queue"]
    assert queues == ["committee", "standard"]


def test_officer_path_for_small_amounts(driver: Driver) -> None:
    case = driver.create("grant", grant(8000))
    steps = driver.run(case["id"], {"eligibility": "eligible", "review": "approve",
                                    "decision": "declined"})
    assert [s.task for s in steps] == ["Task_Eligibility", "Task_Review",
                                       "Task_OfficerDecision"]
    assert steps[-1].user == "worker"
    final = driver.case(case["id"])
    assert (final["status"], final["stage"], final["queue"]) == ("closed", "decision", "standard")
    assert final["data"]["outcome"] == "declined" and "amount_awarded" not in final["data"]
    assert driver.tasks(case["id"]) == []


def test_ineligible_application_is_closed_without_review(driver: Driver) -> None:
    case = driver.create("grant", grant(5000))
    steps = driver.run(case["id"], {"eligibility": "ineligible"})
    assert [s.task for s in steps] == ["Task_Eligibility"]
    final = driver.case(case["id"])
    assert (final["status"], final["stage"], final["data"]["outcome"]) == (
        "closed", "eligibility", "ineligible")
    assert len(driver.emails(case["id"])) == 1
    types = driver.event_types(case["id"])
    assert types[0] == "case.created"
    assert types.count("task.created") == types.count("task.completed") == 1
    assert types[-2:] == ["case.status_changed", "case.closed"]
    actions = driver.actions(case["id"])
    assert actions[0] == "created" and "email_sent" in actions


def test_review_sla_reminder_notifies_managers(driver: Driver) -> None:
    case = driver.create("grant", grant(12000))
    driver.run(case["id"], {"eligibility": "eligible", "review": []})
    assert driver.task_keys(case["id"]) == ["Task_Review"]
    driver.fire_timers(timedelta(days=9))
    assert driver.notifications("manager", case["id"]) == []
    driver.fire_timers(timedelta(days=11))
    [note] = driver.notifications("manager", case["id"])
    assert "open for 10 days" in note["body"] and note["readAt"] is None
    assert driver.notifications("worker", case["id"]) == []
    # non-interrupting: the review is still open, and the reminder fires only once
    assert driver.task_keys(case["id"]) == ["Task_Review"]
    driver.fire_timers(timedelta(days=30))
    assert len(driver.notifications("manager", case["id"])) == 1
    assert "notification.created" in driver.event_types(case["id"])
