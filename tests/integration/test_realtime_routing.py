"""The routing rules of live updates as a pure function (no server needed)."""

from __future__ import annotations

from typing import Any

from runtime.realtime import route

BASE = {"id": "e1", "tenant": "acme", "caseId": "c1", "at": "2026-01-01T00:00:00+00:00",
        "actor": "bob", "seq": 7}


def event(kind: str, data: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {**BASE, "type": kind, "data": data, **extra}


def by_room(deliveries: list[Any]) -> dict[str, Any]:
    return {d.payload["room"]: d for d in deliveries}


def test_task_events_keep_form_variables_in_the_case_room_only() -> None:
    completed = event("task.completed", {"task_id": "t1", "name": "Review", "assignee": "bob",
                                         "variables": {"iban": "DE00"}, "secret": 1})
    rooms = by_room(route(completed, lambda case_id: "grant"))
    assert rooms["case:c1"].rooms == ("case:acme:c1",)
    assert rooms["case:c1"].payload["data"]["variables"] == {"iban": "DE00"}
    feed = rooms["tasks"]
    assert feed.rooms == ("tasks:acme:grant", "tasks:acme:*", "user:acme:bob")
    assert feed.payload["data"] == {"task_id": "t1", "name": "Review", "assignee": "bob",
                                    "caseType": "grant"}
    assert completed["data"]["variables"] == {"iban": "DE00"}  # the bus event is not mutated


def test_case_feed_hides_case_data_and_unknown_keys() -> None:
    updated = event("case.updated", {"caseType": "grant", "stage": "review", "iban": "DE00",
                                     "changes": [{"path": "/data/iban", "to": "DE00"},
                                                 {"path": "/stage", "to": "review"}]})
    asked: list[str] = []
    feed = by_room(route(updated, lambda case_id: asked.append(case_id) or None))["cases"]
    assert asked == []  # the event names its case type: no lookup
    assert feed.rooms == ("cases:acme:grant", "cases:acme:*")
    assert feed.payload["data"] == {"caseType": "grant", "stage": "review",
                                    "changes": [{"path": "/stage", "to": "review"}]}


def test_events_of_unknown_cases_stay_in_the_case_room() -> None:
    rooms = by_room(route(event("case.stage_changed", {"from": "a", "to": "b"}), lambda _: None))
    assert set(rooms) == {"case:c1"}


def test_notifications_and_tenant_events() -> None:
    assigned = route(event("task.assigned", {"task_id": "t1", "assignee": "ann"}), lambda _: "g")
    note = next(d for d in assigned if d.name == "notification")
    assert note.rooms == ("user:acme:ann",) and note.payload["data"]["taskId"] == "t1"
    own_claim = route(event("task.assigned", {"task_id": "t1", "assignee": "bob"}),
                      lambda _: "g")
    assert [d.name for d in own_claim if d.name == "notification"] == []
    created = route(event("notification.created", {"recipients": ["ann", "cy"], "title": "Hi"}),
                    lambda _: "g")
    bell = next(d for d in created if d.name == "notification")
    assert bell.rooms == ("user:acme:ann", "user:acme:cy")
    assert bell.payload["data"] == {"title": "Hi"}
    deployed = route(event("deployment.created", {"caseType": "grant", "version": 2, "x": 1},
                           caseId=None), lambda _: None)
    assert [(d.rooms, d.payload["data"]) for d in deployed] == [
        (("tenant:acme",), {"caseType": "grant", "version": 2})]
