"""The PostgreSQL pool: connections that sat idle are tested before use, busy ones are not.

Why it matters: a database restart (or a proxy dropping idle connections) kills
pooled connections; the first request after it must not fail. Pinging on every
checkout (SQLAlchemy's ``pool_pre_ping``) costs a round trip per transaction, so
only connections idle for a while are tested (``models.db._ping_if_idle``).
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from models import db as db_module
from models.db import Database
from tests.support import PG_ADMIN, postgres_database


@pytest.fixture
def database() -> Iterator[Database]:
    with postgres_database() as url:
        database = Database(url)
        yield database
        database.dispose()


def kill_connections(name: str) -> int:
    """Terminate every server connection to database ``name``, as a restart would."""
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        rows = admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
        return len(rows.fetchall())


def test_an_idle_connection_killed_by_the_server_is_replaced_unnoticed(
        database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    with database.session() as s:
        assert s.scalar(text("SELECT 1")) == 1
    assert kill_connections(database.engine.url.database or "") >= 1
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE_SECONDS", 0.0)
    with database.session() as s:
        assert s.scalar(text("SELECT 2")) == 2


def test_a_connection_used_a_moment_ago_is_trusted_and_replaced_after_one_failure(
        database: Database) -> None:
    """The price of not pinging busy connections: one request fails, the pool recovers."""
    with database.session() as s:
        s.execute(text("SELECT 1"))
    assert kill_connections(database.engine.url.database or "") >= 1
    with pytest.raises(DBAPIError) as failed, database.session() as s:
        s.execute(text("SELECT 1"))
    assert failed.value.connection_invalidated
    with database.session() as s:
        assert s.scalar(text("SELECT 3")) == 3


def test_plain_postgresql_urls_use_psycopg2_and_the_driver_can_be_chosen() -> None:
    """``postgresql://`` is psycopg2 (faster in a threaded server); ``+psycopg`` is psycopg 3."""
    with postgres_database() as url:
        for scheme, driver in (("postgresql", "psycopg2"), ("postgresql+psycopg", "psycopg")):
            database = Database(url.replace("postgresql", scheme, 1))
            try:
                assert database.engine.dialect.driver == driver
                with database.session() as s:
                    assert s.scalar(text("SELECT 1")) == 1
            finally:
                database.dispose()
