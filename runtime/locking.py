"""One lock order for every transaction that changes a case and its process: case first.

Why: an API call (task completion, patch) locks the case row and then the process
instance; the job executor, message correlation and external workers lock the
instance and then, through engine listeners and hooks, write the case. On
PostgreSQL those two orders deadlock under load. The embedded engine calls
:func:`lock_case` before it locks an instance, so all writers queue on the case.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.cases import Case

_LOCKED = "casestudio.locked_cases"


def note_locked(session: Session, case_id: str) -> None:
    """Record that this transaction already holds the case's row lock."""
    session.info.setdefault(_LOCKED, set()).add(case_id)


def lock_case(session: Session, case_id: str) -> None:
    """Take the case's row lock unless this transaction already holds it."""
    locked = session.info.setdefault(_LOCKED, set())
    if case_id in locked:
        return
    session.execute(select(Case.id).where(Case.id == case_id).with_for_update())
    locked.add(case_id)
