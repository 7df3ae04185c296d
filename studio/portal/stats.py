"""Aggregates for the dashboard: counts, cases per day, SLA at risk.

Why SQL aggregates under the policy scope: the dashboard must stay cheap with
many cases, so the scope becomes a ``WHERE case_type IN (...)`` (never a policy
call per row) and the database does the counting in one pass per panel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select

from connectors.identity import Principal
from models.cases import Case
from models.db import Database
from policies import Scope
from studio.ui import AT_RISK

CHART_DAYS = 30


@dataclass
class Counts:
    """Case counts by type, by (type, stage) of open cases, and by status."""

    by_type: dict[str, dict[str, int]] = field(default_factory=dict)
    by_stage: dict[tuple[str, str], int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)

    def add(self, case_type: str, stage: str, status: str, n: int) -> None:
        per_type = self.by_type.setdefault(case_type, {})
        per_type[status] = per_type.get(status, 0) + n
        self.by_status[status] = self.by_status.get(status, 0) + n
        if status == "open":
            self.by_stage[(case_type, stage)] = self.by_stage.get((case_type, stage), 0) + n


def scoped(stmt: Select[Any], principal: Principal, scope: Scope) -> Select[Any]:
    """Restrict a statement over ``cases`` to the caller's tenant and readable types."""
    stmt = stmt.where(Case.tenant == principal.tenant)
    if scope.case_types is not None:
        stmt = stmt.where(Case.case_type.in_(sorted(scope.case_types)))
    return stmt


def counts(db: Database, principal: Principal, scope: Scope) -> Counts:
    stmt = scoped(select(Case.case_type, Case.stage, Case.status, func.count()), principal,
                  scope).group_by(Case.case_type, Case.stage, Case.status)
    result = Counts()
    with db.session() as s:
        for case_type, stage, status, n in s.execute(stmt):
            result.add(case_type, stage, status, int(n))
    return result


def created_per_day(db: Database, principal: Principal, scope: Scope,
                    days: int = CHART_DAYS) -> list[tuple[str, int]]:
    """``[(YYYY-MM-DD, n)]`` for the last ``days`` days, zero-filled."""
    today = datetime.now(UTC).date()
    since = datetime.combine(today - timedelta(days=days - 1), datetime.min.time(), UTC)
    day = func.date(Case.created_at)
    stmt = scoped(select(day, func.count()), principal, scope).where(
        Case.created_at >= since).group_by(day)
    with db.session() as s:
        found = {str(d): int(n) for d, n in s.execute(stmt)}
    return [(d.isoformat(), found.get(d.isoformat(), 0)) for d in _days(today, days)]


def _days(today: date, days: int) -> list[date]:
    return [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]


def sla_at_risk(db: Database, principal: Principal, scope: Scope, limit: int = 8
                ) -> tuple[list[Case], int]:
    """Open cases due within the at-risk window or overdue, soonest first (+ total)."""
    horizon = datetime.now(UTC) + AT_RISK
    where = (Case.status == "open", Case.stage_due.is_not(None), Case.stage_due <= horizon)
    rows_stmt = scoped(select(Case), principal, scope).where(*where)
    count_stmt = scoped(select(func.count()).select_from(Case), principal, scope).where(*where)
    with db.session() as s:
        rows = list(s.scalars(rows_stmt.order_by(Case.stage_due).limit(limit)))
        total = int(s.scalar(count_stmt) or 0)
    return rows, total
