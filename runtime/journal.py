"""Writing audit history and outbox events inside the caller's transaction.

Why together: every state change must leave both an audit row (who/what) and
an event (for the relay) atomically with the change itself (DESIGN §6).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from models.base import new_id, utcnow
from models.cases import HistoryEntry
from models.deferred import insert_rows
from models.events import OutboxEvent

#: ``Session.info`` flag: this transaction wrote outbox rows (see `runtime.relay`).
OUTBOX_PENDING = "casestudio.outbox_pending"


def record(session: Session, *, tenant: str, case_id: str | None, actor: str, action: str,
           changes: dict[str, Any] | None = None, event: str | None = None,
           data: dict[str, Any] | None = None) -> None:
    """Append a history entry (when tied to a case) and an outbox event (when named).

    Both are deferred rows (:mod:`models.deferred`): one request records several
    entries (a case start: "created", then "task created" from the process), and
    they reach the database together with the rest of the transaction's rows. Outbox
    ids follow the recording order, which is the order the relay publishes in.
    """
    now = utcnow()
    if case_id is not None:
        insert_rows(session, HistoryEntry, [{
            "tenant": tenant, "case_id": case_id, "at": now, "actor": actor,
            "action": action, "changes": changes or {}}])
    if event is not None:
        insert_rows(session, OutboxEvent, [{
            "tenant": tenant, "event_id": new_id(), "type": event, "case_id": case_id,
            "at": now, "actor": actor, "published_at": None,
            "data": data if data is not None else changes or {}}])
        session.info[OUTBOX_PENDING] = True  # the relay wakes on this commit only


def diff(before: Any, after: Any, path: str = "") -> list[dict[str, Any]]:
    """JSON-level differences as ``[{path, from, to}]`` (JSON Pointer paths)."""
    if isinstance(before, dict) and isinstance(after, dict):
        out: list[dict[str, Any]] = []
        for key in sorted(set(before) | set(after), key=str):
            out += diff(before.get(key), after.get(key), f"{path}/{_escape(str(key))}")
        return out
    if before == after:
        return []
    return [{"path": path or "/", "from": before, "to": after}]


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")
