"""Append-only rows a transaction writes later, together: one round trip on PostgreSQL.

Why: a case start or a task completion appends a dozen rows to half a dozen tables
(task projections, activity and variable history, audit, outbox) that nothing reads
back until the transaction's next statement. Sent one at a time each costs a round
trip to the server and SQLAlchemy's per-statement work; held back, they go out just
before the session's next statement, flush or commit, on PostgreSQL as one string of
multi-row INSERTs rendered by psycopg2 (its own escaping, never text pasting).

The rules that keep this invisible to callers:
- every statement the session executes, every flush and the commit first write what
  is pending, so a later read, update or delete sees the rows as if written at once —
  except a SELECT that names none of the pending tables (nor any SQL text), which
  cannot see them: a case start's definition lookup then does not split its batch;
- inside a savepoint rows are written at once (they roll back with it); rows pending
  from before the savepoint stay pending until the next statement outside it;
- a transaction that ends without commit forgets its pending rows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, TableClause, bindparam, event, insert
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import TextClause

#: ``Session.info`` key: ``{(table, column keys): [row, ...]}`` in first-seen order.
_PENDING = "casestudio.deferred_rows"
Pending = dict[tuple[Table, tuple[str, ...]], list[dict[str, Any]]]


def insert_rows(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (same keys each) into ``model``'s table, deferred (see module doc).

    Into the table, not through the ORM: the rows' ids are never read back in the same
    transaction, and the ORM's bulk insert splits rows with different ``None`` columns.
    """
    if not rows:
        return
    table: Table = model.__table__
    if session.in_nested_transaction():
        _write(session.connection(), {(table, tuple(rows[0])): list(rows)})
        return
    pending: Pending = session.info.setdefault(_PENDING, {})
    pending.setdefault((table, tuple(rows[0])), []).extend(rows)


def write_pending(session: Session) -> None:
    """Write what this transaction holds back now (a no-op when nothing is pending)."""
    pending = session.info.pop(_PENDING, None)
    if pending:
        _write(session.connection(), pending)


def _write(connection: Connection, pending: Pending) -> None:
    """psycopg2 renders values client-side (``mogrify``); other drivers, such as psycopg 3
    (``postgresql+psycopg://``) or sqlite3, get one Core statement per table."""
    if connection.dialect.driver == "psycopg2":
        _write_in_one_round_trip(connection, pending)
        return
    for (table, _keys), rows in pending.items():
        connection.execute(insert(table), rows)


def _write_in_one_round_trip(connection: Connection, pending: Pending) -> None:
    dbapi = connection.connection
    cursor = dbapi.cursor()
    try:
        sql = b";\n".join(_template(table, keys, connection.dialect).render(cursor, rows)
                          for (table, keys), rows in pending.items())
        cursor.execute(sql)
    finally:
        cursor.close()


@dataclass(frozen=True)
class _Template:
    """A compiled ``INSERT INTO t (...) VALUES`` head and per-row ``(%(a)s, ...)``."""

    head: bytes
    row: str
    processors: tuple[tuple[str, Callable[[Any], Any] | None], ...]
    defaults: tuple[tuple[str, Callable[[], Any]], ...]

    def render(self, cursor: Any, rows: list[dict[str, Any]]) -> bytes:
        rendered = (cursor.mogrify(self.row, self._params(row)) for row in rows)
        return self.head + b" VALUES " + b", ".join(rendered)

    def _params(self, row: dict[str, Any]) -> dict[str, Any]:
        values = dict(row)
        for key, default in self.defaults:
            values[key] = default()
        return {key: values[key] if fn is None else fn(values[key])
                for key, fn in self.processors}


_templates: dict[tuple[Table, tuple[str, ...], str], _Template] = {}
_templates_lock = threading.Lock()


def _template(table: Table, keys: tuple[str, ...], dialect: Dialect) -> _Template:
    cache_key = (table, keys, dialect.name)
    found = _templates.get(cache_key)
    if found is None:
        with _templates_lock:
            found = _templates.setdefault(cache_key, _compile(table, keys, dialect))
    return found


def _compile(table: Table, keys: tuple[str, ...], dialect: Dialect) -> _Template:
    """SQLAlchemy compiles the statement (quoting, casts); psycopg2 renders the values."""
    defaults = tuple((column.key, _default(column)) for column in table.c
                     if column.key not in keys and column.default is not None)
    columns = [table.c[key] for key in keys] + [table.c[key] for key, _ in defaults]
    statement = insert(table).values({c.key: bindparam(c.key, type_=c.type) for c in columns})
    compiled = statement.compile(dialect=dialect, for_executemany=True)  # no RETURNING
    head, row = compiled.string.split(" VALUES ", 1)
    processors = tuple((c.key, c.type.dialect_impl(dialect).bind_processor(dialect))
                       for c in columns)
    return _Template(head.encode(), row, processors, defaults)


def _default(column: Any) -> Callable[[], Any]:
    """A Python-side column default as a zero-argument callable (as Core would apply it)."""
    default = column.default
    if default.is_scalar:
        return lambda: default.arg
    if default.is_callable:
        return lambda: default.arg(None)
    raise TypeError(f"{column}: only scalar or callable defaults can be deferred")


def _before_statement(state: ORMExecuteState) -> None:
    session = state.session
    pending: Pending | None = session.info.get(_PENDING)
    if not pending or session.in_nested_transaction():
        return
    if state.is_select and _reads_none_of(state.statement, {t.name for t, _ in pending}):
        return
    write_pending(session)


def _reads_none_of(statement: Any, tables: set[str]) -> bool:
    """Whether ``statement`` (subqueries included) names none of ``tables`` and no SQL
    text, whose tables cannot be known."""
    for element in visitors.iterate(statement):
        if isinstance(element, TextClause) or (
                isinstance(element, TableClause) and element.name in tables):
            return False
    return True


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    if not session.in_nested_transaction():
        write_pending(session)


def _before_commit(session: Session) -> None:
    """Flush first: rows recorded while the ORM flushes must not be left behind."""
    session.flush()
    write_pending(session)


def _forget(session: Session, ended: SessionTransaction) -> None:
    """A transaction that ended without writing its rows (rollback, close) drops them."""
    if ended.parent is None:
        session.info.pop(_PENDING, None)


event.listen(Session, "do_orm_execute", _before_statement)
event.listen(Session, "before_flush", _before_flush)
event.listen(Session, "before_commit", _before_commit)
event.listen(Session, "after_transaction_end", _forget)
