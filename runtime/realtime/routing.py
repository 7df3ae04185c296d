"""Which rooms an event goes to, and what the members of each room may see of it.

Why one pure function for both paths: live fan-out (relay thread) and reconnect
resync (outbox rows) must apply exactly the same rules, otherwise a resync could
reveal what the live feed hid. Room names always carry the event's tenant, so
no routing decision can cross tenants; payloads for list feeds are whitelisted
(unknown keys are dropped) so new event fields never leak case data by default.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Event = dict[str, Any]
CaseTypeOf = Callable[[str], str | None]

ALL_TYPES = "*"
"""Case-type part of a feed room joined by users whose scope is every case type."""

FEEDS = {"case": "cases", "task": "tasks"}
"""Event-type prefix -> the list feed (client room) those events belong to."""

FEED_KEYS = {
    "cases": frozenset({"caseType", "number", "stage", "status", "queue", "assignee", "title",
                        "from", "to", "due", "changes"}),
    "tasks": frozenset({"task_id", "name", "activity_id", "assignee", "candidate_users",
                        "candidate_groups", "form_key", "due", "processInstanceId"}),
}
"""What a list feed may carry of ``data``: summaries, never the case's own data."""

TENANT_EVENTS = {"deployment.created": frozenset({"caseType", "version"})}
"""Events every member of a tenant may see (case types are readable tenant-wide)."""

ASSIGNED_TITLE = "A task was assigned to you"


@dataclass(frozen=True)
class Delivery:
    """One socket.io emit: event ``name`` with ``payload`` to every socket in ``rooms``.

    ``payload["room"]`` is the client-level room (``case:<id>``, ``cases``, ``tasks``,
    ``tenant``, ``user``) so the browser can dispatch without guessing; a socket in
    several of ``rooms`` receives the emit once.
    """

    name: str
    rooms: tuple[str, ...]
    payload: Event


def case_room(tenant: str, case_id: str) -> str:
    return f"case:{tenant}:{case_id}"


def feed_room(feed: str, tenant: str, case_type: str) -> str:
    return f"{feed}:{tenant}:{case_type}"


def user_room(tenant: str, user: str) -> str:
    return f"user:{tenant}:{user}"


def tenant_room(tenant: str) -> str:
    return f"tenant:{tenant}"


def route(event: Event, case_type_of: CaseTypeOf) -> list[Delivery]:
    """Every delivery of ``event`` (see module docstring for the rules)."""
    deliveries = []
    tenant, case_id = str(event["tenant"]), event.get("caseId")
    if case_id:
        deliveries.append(Delivery("event", (case_room(tenant, case_id),),
                                   {**event, "room": f"case:{case_id}"}))
        feed = FEEDS.get(str(event["type"]).partition(".")[0])
        case_type = _case_type(event, case_type_of) if feed else None
        if feed and case_type:
            deliveries.append(_feed_delivery(event, feed, case_type))
    if event["type"] in TENANT_EVENTS:
        deliveries.append(Delivery("event", (tenant_room(tenant),), _slim(
            event, "tenant", TENANT_EVENTS[event["type"]])))
    deliveries += _notifications(event)
    return deliveries


def _case_type(event: Event, case_type_of: CaseTypeOf) -> str | None:
    named = (event.get("data") or {}).get("caseType")
    return str(named) if named else case_type_of(str(event["caseId"]))


def _feed_delivery(event: Event, feed: str, case_type: str) -> Delivery:
    """Feed rooms of the case type (+ the all-types room) and, for tasks, the users named."""
    tenant = str(event["tenant"])
    rooms = [feed_room(feed, tenant, case_type), feed_room(feed, tenant, ALL_TYPES)]
    if feed == "tasks":
        data = event.get("data") or {}
        named = [data.get("assignee"), *(data.get("candidate_users") or [])]
        rooms += [user_room(tenant, str(u)) for u in dict.fromkeys(named) if u]
    payload = _slim(event, feed, FEED_KEYS[feed])
    payload["data"]["caseType"] = case_type
    return Delivery("event", tuple(rooms), payload)


def _slim(event: Event, room: str, keys: frozenset[str]) -> Event:
    """The event with only whitelisted ``data`` keys; data-path changes removed."""
    data = {k: v for k, v in (event.get("data") or {}).items() if k in keys}
    if isinstance(data.get("changes"), list):
        data["changes"] = [c for c in data["changes"] if isinstance(c, dict)
                           and not str(c.get("path", "")).startswith("/data")]
    return {**event, "data": data, "room": room}


def _notifications(event: Event) -> list[Delivery]:
    """``notification`` emits: a task assigned to someone, an inbox notification created."""
    tenant, data = str(event["tenant"]), event.get("data") or {}
    if event["type"] == "task.assigned" and data.get("assignee") \
            and data["assignee"] != event.get("actor"):
        recipients = [str(data["assignee"])]
        shown = {"title": ASSIGNED_TITLE, "taskId": data.get("task_id")}
    elif event["type"] == "notification.created":
        recipients = [str(r) for r in data.get("recipients") or []]
        shown = {"title": data.get("title", "")}
    else:
        return []
    payload = {**event, "data": shown, "room": "user"}
    return [Delivery("notification", tuple(user_room(tenant, r) for r in recipients), payload)
            ] if recipients else []
