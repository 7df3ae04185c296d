"""The onboarding demo bundle end to end through the HTTP API, on SQLite and PostgreSQL.

Covers the parallel fork/join (IT setup ∥ HR checklist), the call activity
into ``onboarding-equipment`` (business key passed on, its tasks listed under
the case), its ``EQUIPMENT_UNAVAILABLE`` error end caught by the interrupting
error boundary, the contractor routing branch, the HR checklist SLA reminder,
and form fields that update the case.
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
    with driven_app(request.param, tmp_path_factory.mktemp("onboarding"), "onboarding") as d:
        yield d


def contractor() -> dict[str, Any]:
    return {**sample("onboarding", "valid"), "employment_type": "contractor",
            "end_date": "2025-12-19",
            "agency": {"name": "Brightpath Staffing GmbH", "purchase_order": "PO-004300",
                       "contact_email": "desk@brightpath.example"}}


def activities(driver: Driver, case: dict[str, Any]) -> dict[str, bool]:
    """Activity id -> finished, from the engine's history of the case's process
    (the called process's activities included)."""
    history = driver.container.engine.history_activities(case["processInstanceId"])
    return {a.activity_id: a.ended_at is not None for a in history}


def test_employee_with_new_hardware_runs_the_call_activity(driver: Driver) -> None:
    case = driver.create("onboarding")
    driver.drain()
    started = driver.case(case["id"])
    assert (started["stage"], started["queue"]) == ("provisioning", "people-ops")
    # the parallel gateway opened both branches at once
    assert driver.task_keys(case["id"]) == ["Task_HRChecklist", "Task_ITSetup"]
    steps = driver.run(case["id"], {"it-setup": "new-hardware", "equipment-order": "in-stock",
                                    "hr-checklist": [], "device-prep": "shipped"})
    assert [(s.task, s.user) for s in steps] == [
        ("Task_ITSetup", "admin"), ("Task_OrderEquipment", "admin"),
        ("Task_PrepareDevice", "admin")]
    called = driver.tasks(case["id"])
    assert [t["taskDefinitionKey"] for t in called] == ["Task_HRChecklist"]
    # the join still waits for HR: no first-week stage yet
    assert driver.case(case["id"])["stage"] == "provisioning"
    ran = activities(driver, case)
    assert ran["CallActivity_Equipment"] and ran["EndEvent_EquipmentReady"]
    assert not ran["Task_HRChecklist"] and "EndEvent_Unavailable" not in ran
    steps = driver.run(case["id"], {"hr-checklist": "complete", "manager-welcome": "held"})
    assert [(s.task, s.user) for s in steps] == [("Task_HRChecklist", "worker"),
                                                 ("Task_ManagerWelcome", "manager")]
    final = driver.case(case["id"])
    assert (final["stage"], final["status"]) == ("completed", "closed")
    # it-setup and manager-welcome fields that are case fields updated the case
    assert final["data"]["username"] == "jana.novak"
    assert final["data"]["buddy_email"] == "amira.haddad@meridian-analytics.example"
    assert driver.stages(case["id"]) == ["provisioning", "first-week", "completed"]
    [note] = driver.notifications("manager", case["id"])
    assert note["body"].startswith("Onboarding is complete")


def test_equipment_unavailable_is_caught_by_the_error_boundary(driver: Driver) -> None:
    case = driver.create("onboarding")
    steps = driver.run(case["id"], {"it-setup": "new-hardware",
                                    "equipment-order": "unavailable", "hr-checklist": [],
                                    "loaner": []})
    assert [s.task for s in steps] == ["Task_ITSetup", "Task_OrderEquipment"]
    # the called process ended with the error; the boundary routed to the loaner task
    assert driver.task_keys(case["id"]) == ["Task_HRChecklist", "Task_LoanerDevice"]
    ran = activities(driver, case)
    assert ran["EndEvent_Unavailable"] and ran["BoundaryEvent_EquipmentUnavailable"]
    assert "Task_PrepareDevice" not in ran
    steps = driver.run(case["id"], {"loaner": "issued", "hr-checklist": "complete",
                                    "manager-welcome": "held"})
    assert [s.task for s in steps] == ["Task_HRChecklist", "Task_LoanerDevice",
                                       "Task_ManagerWelcome"]
    final = driver.case(case["id"])
    assert final["status"] == "closed" and final["stage"] == "completed"
    assert "Task_PrepareDevice" not in activities(driver, case)


def test_contractor_goes_to_the_contractor_desk_without_hardware(driver: Driver) -> None:
    case = driver.create("onboarding", contractor())
    driver.drain()
    assert driver.case(case["id"])["queue"] == "contractors"
    steps = driver.run(case["id"], {"it-setup": "pool-device", "hr-checklist": "complete",
                                    "manager-welcome": []})
    assert sorted(s.task for s in steps) == ["Task_HRChecklist", "Task_ITSetup"]
    assert driver.task_keys(case["id"]) == ["Task_ManagerWelcome"]
    waiting = driver.case(case["id"])
    assert (waiting["stage"], waiting["queue"]) == ("first-week", "contractors")
    assert waiting["data"]["username"] == "lukas.weber"
    assert "CallActivity_Equipment" not in activities(driver, case)  # no hardware needed
    assert driver.emails(case["id"]) == [(case["data"]["personal_email"],
                                          "Welcome to Meridian Analytics")]


def test_hr_checklist_sla_reminder(driver: Driver) -> None:
    case = driver.create("onboarding")
    driver.run(case["id"], {"it-setup": "pool-device", "hr-checklist": []})
    assert driver.task_keys(case["id"]) == ["Task_HRChecklist"]
    driver.fire_timers(timedelta(days=4))
    assert driver.notifications("manager", case["id"]) == []
    driver.fire_timers(timedelta(days=6))
    [note] = driver.notifications("manager", case["id"])
    assert "five days" in note["body"]
    assert driver.task_keys(case["id"]) == ["Task_HRChecklist"]
    assert driver.case(case["id"])["stage"] == "provisioning"
