"""Handlers of the built-in external-task topics (DESIGN §3).

Each handler gets the locked task's variables (process variables merged with
its ``camunda:inputParameter`` values) and changes the case inside the same
transaction that completes the external task.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.cases import Case
from models.events import Notification, OutboundMessage
from models.identity import User
from runtime import journal

Handler = Callable[[Session, Any, Case, dict[str, Any]], None]


class TopicError(ValueError):
    """Bad input to a built-in topic; becomes an external-task failure (then an incident)."""


def _require(variables: dict[str, Any], name: str) -> Any:
    value = variables.get(name)
    if value in (None, ""):
        raise TopicError(f"input parameter {name!r} is required")
    return value


def set_stage(s: Session, cases: Any, case: Case, v: dict[str, Any]) -> None:
    cases.apply_set(s, "process", case, {"stage": _require(v, "stage")})


def set_status(s: Session, cases: Any, case: Case, v: dict[str, Any]) -> None:
    status = _require(v, "status")
    if status not in ("open", "closed", "archived"):
        raise TopicError(f"unknown status {status!r}")
    cases.apply_set(s, "process", case, {"status": status})


def set_queue(s: Session, cases: Any, case: Case, v: dict[str, Any]) -> None:
    cases.apply_set(s, "process", case, {"queue": _require(v, "queue")})


def update(s: Session, cases: Any, case: Case, v: dict[str, Any]) -> None:
    data = _require(v, "data")
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError:
            raise TopicError("input 'data' must be a JSON object") from None
    if not isinstance(data, dict):
        raise TopicError("input 'data' must be a JSON object")
    cases.apply_set(s, "process", case, {"data": data})


def notify(s: Session, _cases: Any, case: Case, v: dict[str, Any]) -> None:
    """Record in-app notifications for ``to`` (``role:x``, ``user:x``, ``assignee``)."""
    title = str(v.get("title") or v.get("message") or f"Update on {case.number}")
    body = str(v.get("body") or v.get("message") or "")
    recipients = resolve_recipients(s, case, v.get("to") or "assignee")
    for user in recipients:
        s.add(Notification(tenant=case.tenant, recipient=user, case_id=case.id,
                           title=title[:300], body=body))
    journal.record(s, tenant=case.tenant, case_id=case.id, actor="process", action="notified",
                   changes={"to": sorted(recipients), "title": title},
                   event="notification.created",
                   data={"recipients": sorted(recipients), "title": title})


def send_email(s: Session, _cases: Any, case: Case, v: dict[str, Any]) -> None:
    """Record an outbound message (real SMTP delivery is a later connector)."""
    to = _require(v, "to")
    subject = str(v.get("subject") or case.title or case.number)
    s.add(OutboundMessage(tenant=case.tenant, case_id=case.id, to=str(to)[:1000],
                          subject=subject[:500], body=str(v.get("body") or "")))
    journal.record(s, tenant=case.tenant, case_id=case.id, actor="process",
                   action="email_sent", changes={"to": str(to), "subject": subject})


def resolve_recipients(s: Session, case: Case, to: Any) -> set[str]:
    """``role:manager`` -> users with that role; ``user:bob``; ``assignee``."""
    targets = [t.strip() for t in (to.split(",") if isinstance(to, str) else to) if t.strip()]
    users: set[str] = set()
    for target in targets:
        kind, _, name = target.partition(":")
        if kind == "user" and name:
            users.add(name)
        elif kind == "role" and name:
            users |= _users_with_role(s, case.tenant, name)
        elif target == "assignee" and case.assignee:
            users.add(case.assignee)
        elif target == "creator":
            users.add(case.created_by)
    return users


def _users_with_role(s: Session, tenant: str, role: str) -> set[str]:
    rows = s.execute(select(User.username, User.roles).where(User.tenant == tenant,
                                                             User.active.is_(True)))
    return {name for name, roles in rows if role in (roles or [])}


HANDLERS: dict[str, Handler] = {
    "case.set-stage": set_stage, "case.set-status": set_status, "case.set-queue": set_queue,
    "case.update": update, "case.notify": notify, "email.send": send_email,
}
