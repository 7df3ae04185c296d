"""Concurrency-safe per-type counters for human case numbers.

One upsert statement (``INSERT .. ON CONFLICT DO UPDATE .. RETURNING``) both
creates and increments the counter, so two concurrent case creations can
never draw the same number, on SQLite and PostgreSQL alike.

Why PostgreSQL draws the number in its own short transaction: inside the case's
transaction the counter row stays locked until that whole transaction (process
start included) commits, so every case start of a type queued behind the one
before — throughput could not grow with clients. Drawn apart, the lock lasts one
statement. The price is the one PostgreSQL sequences also charge: a case creation
that fails afterwards leaves a gap in the numbers (they stay unique and rising).
SQLite keeps the upsert in the case's transaction: its writers are serialized by
BEGIN IMMEDIATE anyway, and a second writer connection would wait for the first.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models.casetypes import CaseSequence


def next_value(session: Session, tenant: str, case_type: str) -> int:
    """Increment and return the counter of ``(tenant, case_type)``."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return _draw(session, sqlite, tenant, case_type)
    engine = bind.engine if isinstance(bind, Connection) else bind
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as own:
        return _draw(own, postgresql, tenant, case_type)


def _draw(executor: Session | Connection, dialect: Any, tenant: str, case_type: str) -> int:
    table = CaseSequence.__table__
    stmt = dialect.insert(table).values(tenant=tenant, case_type=case_type, value=1)
    stmt = stmt.on_conflict_do_update(index_elements=["tenant", "case_type"],
                                      set_={"value": table.c.value + 1})
    return int(executor.execute(stmt.returning(table.c.value)).scalar_one())
