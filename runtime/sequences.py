"""Concurrency-safe per-type counters for human case numbers.

One upsert statement (``INSERT .. ON CONFLICT DO UPDATE .. RETURNING``) both
creates and increments the counter, so two concurrent case creations can
never draw the same number, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models.casetypes import CaseSequence


def next_value(session: Session, tenant: str, case_type: str) -> int:
    """Increment and return the counter of ``(tenant, case_type)``."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = CaseSequence.__table__
    stmt = dialect.insert(table).values(tenant=tenant, case_type=case_type, value=1)
    stmt = stmt.on_conflict_do_update(index_elements=["tenant", "case_type"],
                                      set_={"value": table.c.value + 1})
    return int(session.execute(stmt.returning(table.c.value)).scalar_one())
