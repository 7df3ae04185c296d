"""Deferred rows (`models.deferred`): invisible to callers except for the round trips saved.

Why these cases: rows held back until the next statement must read, update, delete and
roll back exactly as rows written at once would; on PostgreSQL they are rendered by
psycopg2 into one string, so every value must come back byte for byte as a Core INSERT
writes it (hostile text included) and the whole batch must cost one round trip.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import delete, event, func, insert, select, text

from models import Base, Database
from models.cases import HistoryEntry
from models.deferred import insert_rows, write_pending
from models.engine import EngineIdentityLink, EngineVariable
from tests.support import postgres_database

HOSTILE = ["it's", 'say "hi"', "back\\slash", "%s and %(x)s", "'); DROP TABLE cases; --",
           "line\nbreak\ttab", "ünïcødé ✓ 漢字", "", "E'\\x41'"]


@pytest.fixture(params=["sqlite", "postgresql", "postgresql+psycopg"])
def db(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Database]:
    """The same tests on SQLite and psycopg 3 (Core statements) and psycopg2 (one string)."""
    if request.param == "sqlite":
        yield from _with_tables(f"sqlite:///{tmp_path}/deferred.db")
        return
    with postgres_database() as url:
        yield from _with_tables(url.replace("postgresql://", f"{request.param}://"))


@pytest.fixture
def pg() -> Iterator[Database]:
    with postgres_database() as url:
        yield from _with_tables(url)


def _with_tables(url: str) -> Iterator[Database]:
    database = Database(url)
    Base.metadata.create_all(database.engine)
    yield database
    database.dispose()


def links(task: str, *who: str) -> list[dict[str, Any]]:
    return [{"task_id": task, "kind": "group", "identity": w, "tenant": "t"} for w in who]


def identities(db: Database) -> list[tuple[str, str]]:
    with db.read() as s:
        return [(r.task_id, r.identity) for r in s.scalars(
            select(EngineIdentityLink).order_by(EngineIdentityLink.id))]


def test_rows_wait_for_the_next_statement_which_then_sees_them(db: Database) -> None:
    statements: list[str] = []
    event.listen(db.engine, "before_cursor_execute",
                 lambda _c, _cur, sql, *_a: statements.append(sql))
    with db.session() as s:
        insert_rows(s, EngineIdentityLink, links("t1", "a", "b"))
        insert_rows(s, EngineIdentityLink, links("t2", "c"))
        assert statements == []  # held back
        seen = s.scalars(select(EngineIdentityLink.identity)
                         .order_by(EngineIdentityLink.id)).all()
    assert seen == ["a", "b", "c"]
    assert identities(db) == [("t1", "a"), ("t1", "b"), ("t2", "c")]


def test_a_select_of_other_tables_leaves_them_pending_any_mention_writes_them(
        db: Database) -> None:
    with db.session() as s:
        s.add(HistoryEntry(case_id="t1", actor="x", action="y", changes={}))
    with db.session() as s:
        insert_rows(s, EngineIdentityLink, links("t1", "a"))
        assert s.scalars(select(HistoryEntry.case_id)).all() == ["t1"]
        assert s.info.get("casestudio.deferred_rows")  # that SELECT cannot see them
        linked = select(HistoryEntry.case_id).where(HistoryEntry.case_id.in_(
            select(EngineIdentityLink.task_id)))
        assert s.scalars(linked).all() == ["t1"]  # a subquery names their table
        insert_rows(s, EngineIdentityLink, links("t1", "b"))
        counted = s.scalar(select(func.count()).select_from(HistoryEntry).where(text(
            "(SELECT count(*) FROM engine_identity_links WHERE task_id = 't1') = 2")))
        assert counted == 1  # SQL text might read anything: written first
    assert identities(db) == [("t1", "a"), ("t1", "b")]


def test_a_later_delete_and_the_orm_flush_come_after_the_deferred_rows(db: Database) -> None:
    with db.session() as s:
        insert_rows(s, EngineIdentityLink, links("gone", "a"))
        s.execute(delete(EngineIdentityLink).where(EngineIdentityLink.task_id == "gone"))
        insert_rows(s, EngineIdentityLink, links("kept", "b"))
        s.add(EngineIdentityLink(task_id="orm", kind="user", identity="c", tenant="t"))
        s.flush()
    assert identities(db) == [("kept", "b"), ("orm", "c")]


def test_rows_recorded_while_the_commit_flushes_are_written_too(db: Database) -> None:
    """A flush listener that records rows (as hooks on flush could) must not lose them."""
    session = db.new_session()
    event.listen(session, "after_flush",
                 lambda s, _ctx: insert_rows(s, EngineIdentityLink, links("late", "b")))
    with session.begin():
        session.add(EngineIdentityLink(task_id="orm", kind="user", identity="a", tenant="t"))
    session.close()
    assert identities(db) == [("orm", "a"), ("late", "b")]


def test_a_rolled_back_or_closed_transaction_leaves_nothing_behind(db: Database) -> None:
    with pytest.raises(RuntimeError), db.session() as s:
        insert_rows(s, EngineIdentityLink, links("lost", "a"))
        raise RuntimeError("the change failed")
    session = db.new_session()
    insert_rows(session, EngineIdentityLink, links("closed", "b"))
    session.close()
    with db.session() as s:
        insert_rows(s, EngineIdentityLink, links("kept", "c"))
    assert identities(db) == [("kept", "c")]


def test_a_savepoint_rolls_back_its_own_rows_and_keeps_those_from_before(db: Database) -> None:
    with db.session() as s:
        insert_rows(s, EngineIdentityLink, links("before", "a"))
        with pytest.raises(RuntimeError), s.begin_nested():
            insert_rows(s, EngineIdentityLink, links("inside", "b"))
            raise RuntimeError("the savepoint failed")
        with s.begin_nested():
            insert_rows(s, EngineIdentityLink, links("inside-kept", "c"))
    assert sorted(identities(db)) == [("before", "a"), ("inside-kept", "c")]


def test_values_come_back_exactly_as_a_core_insert_writes_them(db: Database) -> None:
    at = datetime(2026, 12, 4, 1, 2, 3, 456789, tzinfo=UTC)
    rows = [{"case_id": f"c{i}", "at": at, "actor": text, "action": "note",
             "changes": {"text": text, "list": [1, None, True], "nested": {"k": text}}}
            for i, text in enumerate(HOSTILE)]  # no tenant: its Python default applies
    variables = [{"instance_id": "i1", "name": name, "type": "Json", "value": value,
                  "text_value": None, "number_value": number, "revision": 1, "tenant": "t"}
                 for name, value, number in (("none", None, None), ("obj", {"a": [1]}, 1.5),
                                             ("text", "it's %s", None))]
    with db.session() as s:
        insert_rows(s, HistoryEntry, rows)
        insert_rows(s, EngineVariable, variables)
    with db.session() as s:
        s.execute(delete(EngineVariable))
        s.execute(insert(HistoryEntry.__table__), [{**r, "case_id": "core-" + r["case_id"]}
                                                   for r in rows])
        s.execute(insert(EngineVariable.__table__), variables)
    with db.read() as s:
        entries = s.scalars(select(HistoryEntry).order_by(HistoryEntry.id)).all()
        stored = {(v.name, repr(v.value), v.number_value)
                  for v in s.scalars(select(EngineVariable))}
    deferred, core = entries[:len(rows)], entries[len(rows):]
    assert [e.actor for e in deferred] == HOSTILE
    for mine, theirs in zip(deferred, core, strict=True):
        assert "core-" + mine.case_id == theirs.case_id
        assert (mine.at, mine.actor, mine.changes, mine.tenant) == (
            theirs.at, theirs.actor, theirs.changes, theirs.tenant)
        assert mine.tenant == "default" and mine.at.replace(tzinfo=UTC) == at
    assert stored == {("none", "None", None), ("obj", "{'a': [1]}", 1.5),
                      ("text", "\"it's %s\"", None)}


def test_postgresql_gets_every_table_s_rows_in_one_round_trip(pg: Database) -> None:
    db = pg
    executed = _count_driver_executes(db)
    with db.session() as s:
        s.execute(select(1))
        before = len(executed)
        insert_rows(s, EngineIdentityLink, links("t1", "a", "b"))
        insert_rows(s, HistoryEntry, [{"case_id": "c", "at": datetime.now(UTC),
                                       "actor": "x", "action": "y", "changes": {}}])
        insert_rows(s, EngineIdentityLink, links("t2", "c"))
        write_pending(s)
        assert len(executed) - before == 1
    assert len(identities(db)) == 3


def _count_driver_executes(db: Database) -> list[str]:
    """Every ``cursor.execute`` psycopg2 runs on the pool's connections (a cursor factory
    on a fresh pool: SQLAlchemy's own statements and the raw batch alike)."""
    import psycopg2.extensions

    executed: list[str] = []

    class Counting(psycopg2.extensions.cursor):
        def execute(self, query: Any, vars: Any = None) -> Any:
            executed.append(str(query)[:40])
            return super().execute(query, vars)

    db.engine.dispose()
    event.listen(db.engine, "connect",
                 lambda conn, _record: setattr(conn, "cursor_factory", Counting))
    return executed
