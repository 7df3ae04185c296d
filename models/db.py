"""Database handle: one engine + session factory per app, SQLite tuned for WAL.

Why a small class rather than a Flask extension: the core (engine, workers,
CLI) runs without Flask and must share exactly the same transaction rules.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
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
    """Create an engine for ``url`` with the right knobs for its dialect."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database)
    return create_engine(url, pool_size=pool_size, max_overflow=20, pool_pre_ping=True)


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
