"""Audit and outbox rows: written together, in order, never for a rolled-back change.

Why these cases: :mod:`runtime.journal` records deferred rows (:mod:`models.deferred`),
written with the transaction's next statement or its commit in one statement per table;
that must not change what is recorded — the order (outbox ids are the event order),
nothing after a rollback, and savepoints keep their own rows.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from models import Database
from models.cases import HistoryEntry
from models.events import OutboxEvent
from runtime import journal


def note(session: object, action: str) -> None:
    journal.record(session, tenant="t", case_id="c1", actor="ann",  # type: ignore[arg-type]
                   action=action, changes={"n": action}, event=f"case.{action}")


def recorded(db: Database) -> tuple[list[str], list[str]]:
    with db.read() as s:
        history = [h.action for h in s.scalars(select(HistoryEntry).order_by(HistoryEntry.id))]
        events = [e.type for e in s.scalars(select(OutboxEvent).order_by(OutboxEvent.id))]
    return history, events


def test_rows_are_written_together_in_recording_order_in_two_statements(db: Database) -> None:
    inserts: list[str] = []
    event.listen(db.engine, "before_cursor_execute",
                 lambda c, cur, stmt, *a: inserts.append(stmt) if stmt.startswith("INSERT")
                 else None)
    with db.session() as s:
        for action in ("one", "two", "three"):
            note(s, action)
        s.flush()
        assert recorded(db) == ([], [])  # nothing before the commit
    assert recorded(db) == (["one", "two", "three"], ["case.one", "case.two", "case.three"])
    assert len(inserts) == 2


def test_a_rolled_back_transaction_records_nothing_and_leaves_nothing_behind(
        db: Database) -> None:
    with pytest.raises(RuntimeError), db.session() as s:
        note(s, "lost")
        raise RuntimeError("the change failed")
    with db.session() as s:
        note(s, "kept")
    assert recorded(db) == (["kept"], ["case.kept"])


def test_a_savepoint_rolls_back_its_own_rows_only(db: Database) -> None:
    with db.session() as s:
        note(s, "before")
        with pytest.raises(RuntimeError), s.begin_nested():
            note(s, "inside")
            raise RuntimeError("the savepoint failed")
        with s.begin_nested():
            note(s, "inside-kept")
        note(s, "after")
    history, events = recorded(db)
    assert sorted(history) == ["after", "before", "inside-kept"]
    assert "case.inside" not in events and len(events) == 3
