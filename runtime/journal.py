"""Writing audit history and outbox events inside the caller's transaction.

Why together: every state change must leave both an audit row (who/what) and
an event (for the relay) atomically with the change itself (DESIGN §6).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event as orm_events
from sqlalchemy.orm import Session, SessionTransaction

from models.base import new_id, utcnow
from models.cases import HistoryEntry
from models.db import insert_rows
from models.events import OutboxEvent

#: ``Session.info`` flag: this transaction wrote outbox rows (see `runtime.relay`).
OUTBOX_PENDING = "casestudio.outbox_pending"
#: ``Session.info`` key: history and outbox rows waiting for the commit.
_PENDING_ROWS = "casestudio.journal_rows"


def record(session: Session, *, tenant: str, case_id: str | None, actor: str, action: str,
           changes: dict[str, Any] | None = None, event: str | None = None,
           data: dict[str, Any] | None = None) -> None:
    """Append a history entry (when tied to a case) and an outbox event (when named)."""
    now = utcnow()
    rows: list[tuple[type, dict[str, Any]]] = []
    if case_id is not None:
        rows.append((HistoryEntry, {"tenant": tenant, "case_id": case_id, "at": now,
                                    "actor": actor, "action": action,
                                    "changes": changes or {}}))
    if event is not None:
        rows.append((OutboxEvent, {"tenant": tenant, "event_id": new_id(), "type": event,
                                   "case_id": case_id, "at": now, "actor": actor,
                                   "data": data if data is not None else changes or {},
                                   "published_at": None}))
        session.info[OUTBOX_PENDING] = True  # the relay wakes on this commit only
    if session.in_nested_transaction():  # a savepoint's rows must roll back with it
        session.add_all(model(**values) for model, values in rows)
        return
    history, outbox = _pending(session)
    for model, values in rows:
        (history if model is HistoryEntry else outbox).append(values)


def _pending(session: Session) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """This transaction's unwritten rows.

    Why they wait for the commit: one request records several entries (a case start:
    "created", then "task created" from the process), each in a different flush; as
    ORM objects each flush cost two INSERTs, written together they cost two in all.
    Inside a savepoint rows are ORM objects, flushed and rolled back with it; rows
    recorded before the savepoint stay pending, so they are never lost, but they are
    written after the savepoint's (a later outbox id: published after them).
    """
    pending = session.info.get(_PENDING_ROWS)
    if pending is None:
        pending = session.info[_PENDING_ROWS] = ([], [])
    return pending


def _write_pending(session: Session) -> None:
    """Insert the recorded rows now, in recording order (outbox ids are the event order)."""
    pending = session.info.pop(_PENDING_ROWS, None)
    if not pending or not (pending[0] or pending[1]):
        return
    session.flush()  # the cases they refer to first
    insert_rows(session, HistoryEntry, pending[0])
    insert_rows(session, OutboxEvent, pending[1])


def _forget_pending(session: Session, ended: SessionTransaction) -> None:
    """A rolled-back transaction records nothing (a savepoint's rows are its own objects)."""
    if ended.parent is None:
        session.info.pop(_PENDING_ROWS, None)


orm_events.listen(Session, "before_commit", _write_pending)
orm_events.listen(Session, "after_soft_rollback", _forget_pending)


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
