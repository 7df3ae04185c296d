"""Concurrency-safe per-type counters for human case numbers.

SQLite: one upsert statement (``INSERT .. ON CONFLICT DO UPDATE .. RETURNING``) in
the case's own transaction both creates and increments the counter row; writers
are serialized by BEGIN IMMEDIATE anyway.

PostgreSQL: one native sequence per (tenant, case type), drawn with ``nextval``
inside the case's transaction. Why not the counter row: inside the case's
transaction its row lock would be held until the whole case start (process
included) commits, so every start of a type queued behind the one before; drawn
in a transaction of its own it cost a second connection and a second commit
(a disk flush) per case. ``nextval`` neither locks nor commits. The price, as
with any sequence: a case creation that fails afterwards leaves a gap (numbers
stay unique and rising). A counter row left by an older release seeds the
sequence the first time it is used, so numbering carries on where it stopped.
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from models.casetypes import CaseSequence

#: Sequences known to exist, per engine (a new engine checks again).
_ready: weakref.WeakKeyDictionary[Engine, set[str]] = weakref.WeakKeyDictionary()
_ready_lock = threading.Lock()


def next_value(session: Session, tenant: str, case_type: str) -> int:
    """Increment and return the counter of ``(tenant, case_type)``."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return _upsert(session, tenant, case_type)
    name = sequence_name(tenant, case_type)
    engine = bind.engine if isinstance(bind, Connection) else bind
    _ensure(engine, name, tenant, case_type)
    return int(session.execute(text("SELECT nextval(CAST(:name AS regclass))"),
                               {"name": name}).scalar_one())


def sequence_name(tenant: str, case_type: str) -> str:
    """A safe identifier: a digest, so tenant and key never reach the SQL text."""
    digest = hashlib.blake2b(f"{tenant}\x00{case_type}".encode(), digest_size=8).hexdigest()
    return f"case_number_{digest}"


def _ensure(engine: Engine, name: str, tenant: str, case_type: str) -> None:
    """Create the sequence once, seeded from an old counter row if there is one.

    The advisory lock makes creating and seeding atomic among processes; seeding
    only ever moves the sequence forward, so numbers already drawn stay behind it.
    """
    if name in _ready.get(engine, ()):
        return
    with _ready_lock, engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": name})
        quoted = conn.dialect.identifier_preparer.quote(name)  # DDL cannot bind names
        conn.execute(text(f"CREATE SEQUENCE IF NOT EXISTS {quoted} MINVALUE 0 START 1"))
        conn.execute(text(
            "SELECT setval(CAST(:name AS regclass), c.value) FROM case_sequences c "
            "WHERE c.tenant = :tenant AND c.case_type = :case_type AND c.value > "
            "COALESCE(pg_sequence_last_value(CAST(:name AS regclass)), 0)"),
            {"name": name, "tenant": tenant, "case_type": case_type})
        _ready.setdefault(engine, set()).add(name)


def _upsert(session: Session, tenant: str, case_type: str) -> int:
    table: Any = CaseSequence.__table__
    stmt = sqlite.insert(table).values(tenant=tenant, case_type=case_type, value=1)
    stmt = stmt.on_conflict_do_update(index_elements=["tenant", "case_type"],
                                      set_={"value": table.c.value + 1})
    return int(session.execute(stmt.returning(table.c.value)).scalar_one())
