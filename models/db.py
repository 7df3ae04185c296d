"""Database handle: one engine + session factory per app, SQLite tuned for WAL.

Why a small class rather than a Flask extension: the core (engine, workers,
CLI) runs without Flask and must share exactly the same transaction rules.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy import exc as exc_module
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    """WAL + NORMAL sync: concurrent readers and ~600 commits/s (FACTS.md)."""
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def _begin_immediate(conn: Any) -> None:
    """Take SQLite's write lock at BEGIN so read-then-write never deadlocks."""
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def build_engine(url: str, pool_size: int = 10) -> Engine:
    """Create an engine for ``url`` with the right knobs for its dialect.

    Why ``postgresql://`` means psycopg2 rather than psycopg 3 (SQLAlchemy 2.1's default):
    measured in this threaded server at 16 clients, psycopg 3 hands the GIL back and
    forth several times per statement; psycopg2 waits for a result in one call that
    releases it. Case starts/s rose from 40 to 53 and CPU per start fell by 30 %
    (benchmarks/README.md, 2026-12-04). ``postgresql+psycopg://`` still selects psycopg 3.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg2")
    engine = create_engine(parsed, pool_size=pool_size, max_overflow=20)
    event.listen(engine, "checkout", _ping_if_idle)
    event.listen(engine, "checkin", _note_checkin)
    event.listen(engine, "connect", _note_checkin)  # a new connection needs no ping
    return engine


#: A pooled connection idle longer than this is tested before use.
PING_AFTER_IDLE_SECONDS = 5.0


def _note_checkin(_dbapi_conn: Any, record: Any) -> None:
    record.info["checked_in"] = time.monotonic()


def _ping_if_idle(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
    """Test a connection that sat idle, so a restarted database costs no failed request.

    Why not ``pool_pre_ping``: it pings on every checkout, one extra round trip per
    transaction (a case start checks out two connections). A connection used a moment
    ago is alive; raising ``DisconnectionError`` makes the pool replace a dead one.
    """
    if time.monotonic() - record.info.get("checked_in", 0.0) < PING_AFTER_IDLE_SECONDS:
        return
    try:
        cursor = dbapi_conn.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
        dbapi_conn.rollback()  # leave no transaction open: callers may switch to autocommit
    except Exception as exc:  # any driver's error: the connection is unusable
        raise exc_module.DisconnectionError(str(exc)) from exc


def _read_engine(url: str, writer: Engine) -> Engine:
    """The engine read-only sessions use: on a SQLite file, one whose BEGIN is deferred.

    Why a second engine: BEGIN IMMEDIATE takes the single write lock, so with it every
    read waits behind every writer; WAL readers need no lock at all. Other databases
    (and in-memory SQLite, one shared connection) use the writer engine unchanged.
    """
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return writer
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "connect", lambda c, _r: setattr(c, "isolation_level", None))
    event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))  # one snapshot
    return engine


def _sqlite_engine(url: str, database: str | None) -> Engine:
    memory = not database or database == ":memory:"
    if not memory:
        Path(database or "").parent.mkdir(parents=True, exist_ok=True)
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": 30}}
    if memory:
        kwargs["poolclass"] = StaticPool
    engine = create_engine(url, **kwargs)
    event.listen(engine, "connect", _sqlite_pragmas)
    # pysqlite's own BEGIN handling is disabled so that BEGIN IMMEDIATE is used.
    event.listen(engine, "connect", lambda c, _r: setattr(c, "isolation_level", None))
    event.listen(engine, "begin", _begin_immediate)
    return engine


class Database:
    """Owns the engine and hands out sessions (one session = one unit of work)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = build_engine(url)
        self.dialect = self.engine.dialect.name
        self._factory = sessionmaker(self.engine, expire_on_commit=False)
        self.read_engine = _read_engine(url, self.engine)
        self._read_factory = sessionmaker(self.read_engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: commit on success, roll back on any exception."""
        session = self._factory()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction (ended by the pool's rollback: writes here are a bug).

        Hot read paths (token checks, task and case lookups) use it so that on SQLite
        they neither take nor wait for the write lock. ``close`` (not ``rollback``)
        keeps the loaded objects readable after the block.
        """
        session = self._read_factory()
        try:
            yield session
        finally:
            session.close()

    def new_session(self) -> Session:
        """A bare session for callers that manage the transaction themselves."""
        return self._factory()

    def dispose(self) -> None:
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()

