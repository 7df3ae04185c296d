"""Aggregates for the dashboard: counts, cases per day, SLA at risk.

Why SQL aggregates under the policy scope: the dashboard must stay cheap with
many cases, so the scope becomes a ``WHERE case_type IN (...)`` (never a policy
call per row) and the database does the counting in one pass per panel.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from connectors.identity import Principal
from models.cases import Case
from models.db import Database
from policies import Scope
from studio.ui import AT_RISK

CHART_DAYS = 30
#: Aggregates slower than this are reused for ``CACHE_SECONDS`` (large tenants only).
SLOW_SECONDS = 0.05
CACHE_SECONDS = 20.0
_cache: dict[tuple[Any, ...], tuple[float, Any]] = {}
_lock = threading.Lock()


def cached(key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
    """``compute()``, reused for a while when it was slow.

    Why adaptive: with a few thousand cases every figure is fresh; with a
    hundred thousand, a full GROUP BY per dashboard view would cost most of the
    page budget, and figures 20 seconds old are fine on a dashboard.
    """
    now = time.monotonic()
    with _lock:
        hit = _cache.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = compute()
    if time.monotonic() - now > SLOW_SECONDS:
        with _lock:
            _cache[key] = (time.monotonic() + CACHE_SECONDS, value)
    return value


def cache_key(db: Database, principal: Principal, scope: Scope, name: str) -> tuple[Any, ...]:
    types = None if scope.case_types is None else tuple(sorted(scope.case_types))
    return (db.url, principal.tenant, types, name)


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


def scoped(stmt: Any, principal: Principal, scope: Scope, *, by_index: bool = True) -> Any:
    """Restrict a statement over ``cases`` to the caller's tenant and readable types.

    ``by_index=False`` writes the type filter as ``case_type || ''`` so the planner
    cannot drive the query by that index (see :func:`sla_at_risk`).
    """
    stmt = stmt.where(Case.tenant == principal.tenant)
    if scope.case_types is not None:
        column = Case.case_type if by_index else Case.case_type.concat("")
        stmt = stmt.where(column.in_(sorted(scope.case_types)))
    return stmt


def counts(db: Database, principal: Principal, scope: Scope) -> Counts:
    return cached(cache_key(db, principal, scope, "counts"),  # type: ignore[no-any-return]
                  lambda: _counts(db, principal, scope))


def _counts(db: Database, principal: Principal, scope: Scope) -> Counts:
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
    rows_stmt = scoped(select(Case), principal, scope, by_index=False).where(
        *_at_risk(for_rows=True))
    with db.session() as s:
        rows = list(s.scalars(rows_stmt.order_by(Case.stage_due).limit(limit)))
    total = cached(cache_key(db, principal, scope, "at-risk"),
                   lambda: _count_at_risk(db, principal, scope))
    return rows, total


def _at_risk(for_rows: bool = False) -> tuple[Any, ...]:
    """Open cases due within the window. For the soonest rows, ``status || ''`` (and the
    type filter likewise) keeps SQLite from picking an unselective index and sorting
    every open case: the stage_due index is walked in order and stops after ``limit``
    rows. Counting is best done by status."""
    horizon = datetime.now(UTC) + AT_RISK
    status = Case.status.concat("") if for_rows else Case.status
    return (status == "open", Case.stage_due.is_not(None), Case.stage_due <= horizon)


def _count_at_risk(db: Database, principal: Principal, scope: Scope) -> int:
    stmt = scoped(select(func.count()).select_from(Case), principal, scope).where(*_at_risk())
    with db.session() as s:
        return int(s.scalar(stmt) or 0)
