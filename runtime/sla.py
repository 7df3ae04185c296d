"""Stage SLAs: due dates when a case enters a stage, and breach detection.

Why a periodic sweep over an indexed ``stage_due`` column instead of one
timer per case: one cheap query finds every breach, whichever engine runs the
processes, and a restart loses nothing because the due date is a column.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from bpmn.expressions import parse_timer
from models.base import utcnow
from models.cases import Case
from models.db import Database
from runtime import journal
from runtime.periodic import Periodic


def stage_due(definition: dict[str, Any], stage: str, now: datetime) -> datetime | None:
    """When the case must leave ``stage`` (from the stage's ISO-8601 ``sla``)."""
    for item in definition.get("stages", []):
        if item["key"] == stage and item.get("sla"):
            return parse_timer(item["sla"], {}).next_due(now)
    return None


def sweep(db: Database, now: datetime | None = None, limit: int = 500) -> int:
    """Flag open cases past their stage's due date; emits ``case.sla_breached``."""
    moment = now or utcnow()
    with db.session() as s:
        rows = list(s.scalars(select(Case).where(
            Case.stage_due.is_not(None), Case.stage_due < moment,
            Case.sla_breached.is_(False), Case.status == "open").limit(limit)))
        for case in rows:
            case.sla_breached = True
            journal.record(s, tenant=case.tenant, case_id=case.id, actor="system",
                           action="sla_breached", event="case.sla_breached",
                           changes={"stage": case.stage, "due": case.stage_due.isoformat()
                                    if case.stage_due else None})
    return len(rows)


class SlaMonitor(Periodic):
    """Runs :func:`sweep` every ``interval`` seconds in a daemon thread."""

    def __init__(self, db: Database, interval: float = 30.0) -> None:
        super().__init__(lambda: sweep(db), interval, "sla-monitor")
        self.db = db
