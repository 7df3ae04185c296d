"""Dashboard: counts by case type/stage/status, my open tasks, SLA at risk, cases per day."""

from __future__ import annotations

from typing import Any

from flask import render_template

from studio.catalog import catalog
from studio.portal import bp, stats
from studio.web import principal, services

MAX_TASKS = 100


@bp.get("/dashboard")
def dashboard() -> Any:
    c, user = services(), principal()
    scope = c.authz.scope(user, "case.read")
    at_risk, at_risk_total = stats.sla_at_risk(c.db, user, scope)
    return render_template(
        "portal/dashboard.html", counts=stats.counts(c.db, user, scope), types=catalog(),
        my_tasks=c.tasks.list(user, assignee="me", limit=MAX_TASKS), at_risk=at_risk,
        at_risk_total=at_risk_total, per_day=stats.created_per_day(c.db, user, scope))

