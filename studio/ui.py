"""Presentation helpers for templates: dates, SLA state, navigation, shell context.

Why one SLA function: DESIGN §10 asks for one colour scale everywhere (on
time, at risk, breached); the list, the kanban, the dashboard and the case
page all call :func:`sla_state`, so they can never disagree.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, current_app, g, request, url_for

from runtime.api.security import csrf_token
from runtime.api.web import container

#: An open case whose stage is due within this window is "at risk".
AT_RISK = timedelta(hours=24)
SLA_LABELS = {"on-time": "On time", "at-risk": "At risk", "breached": "Breached"}
STATUS_TONES = {"open": "info", "closed": "neutral", "archived": "neutral"}


def aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; they are UTC by construction."""
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def sla_state(case: Any, now: datetime | None = None) -> str | None:
    """``on-time`` / ``at-risk`` / ``breached`` for open cases with a stage SLA."""
    due = aware(getattr(case, "stage_due", None))
    if case.status != "open" or due is None:
        return None
    now = now or datetime.now(UTC)
    if case.sla_breached or due <= now:
        return "breached"
    return "at-risk" if due - now <= AT_RISK else "on-time"


def fmt_datetime(moment: datetime | None) -> str:
    """``25 Nov 2026, 20:15 UTC`` — absolute, unambiguous, compact."""
    value = aware(moment)
    return value.strftime("%d %b %Y, %H:%M UTC") if value else "—"


def fmt_date(moment: datetime | None) -> str:
    value = aware(moment)
    return value.strftime("%d %b %Y") if value else "—"


def fmt_relative(moment: datetime | None, now: datetime | None = None) -> str:
    """``in 3 d`` / ``5 h ago``: how far a due date or event is from now."""
    value = aware(moment)
    if value is None:
        return "—"
    seconds = ((now or datetime.now(UTC)) - value).total_seconds()
    text = _span(abs(seconds))
    if text == "now":
        return "just now"
    return f"{text} ago" if seconds >= 0 else f"in {text}"


def _span(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{int(seconds // size)} {unit}"
    return "now"


def iso(moment: datetime | None) -> str:
    value = aware(moment)
    return value.isoformat() if value else ""


def nav_items() -> list[dict[str, Any]]:
    """Left navigation entries the current user may use (by permission)."""
    user = g.get("principal")
    if user is None:
        return []
    authz = container().authz
    items = [("Dashboard", "portal.dashboard", "dashboard"), ("Cases", "portal.cases", "cases"),
             ("Tasks", "portal.tasks", "tasks")]
    if authz.allowed(user, "studio.access", {"kind": "system"}):
        items.append(("Studio", "studio_home.studio_home", "studio"))
    if authz.allowed(user, "admin.access", {"kind": "system"}):
        items.append(("Admin", "admin.index", "admin"))
    return [{"label": label, "href": url_for(endpoint), "key": key,
             "active": _section() == key} for label, endpoint, key in items]


def _section() -> str:
    """Which navigation entry the current URL belongs to."""
    first = request.path.strip("/").split("/", 1)[0]
    return {"": "dashboard", "notifications": "dashboard"}.get(first, first)


def shell_context() -> dict[str, Any]:
    """Variables every page template gets (user, CSRF token, nav, unread count)."""
    user = g.get("principal")
    if user is None:
        return {"user": None}
    return {"user": user, "csrf": csrf_token(), "nav": nav_items(),
            "unread": container().inbox.unread(user), "live_since": _live_since(user)}


def remember_live_since(user: Any) -> None:
    """Take the resync point before the view reads anything (called by the page guard).

    Why before and not at render time: an event committed after the view loaded its
    data but before the template rendered would be newer than the page's data yet
    not newer than a seq taken at render time, so the resync on connect would skip it
    and the page would miss it for good (a task that never appears).
    """
    g.live_since = _live_since(user)


def _live_since(user: Any) -> int | None:
    """The newest event seq: live.js resyncs from it on connect, so an event between
    loading the page's data and the socket joining its rooms is not lost."""
    if "live_since" in g:
        return g.live_since  # type: ignore[no-any-return]
    if not current_app.jinja_env.globals.get("has_live"):
        return None
    from runtime.realtime import latest_seq

    return latest_seq(container().db, user.tenant)


def init_templates(app: Flask) -> None:
    """Register filters and the shell context on the app's Jinja environment."""
    app.context_processor(shell_context)
    app.jinja_env.filters.update(dt=fmt_datetime, date=fmt_date, ago=fmt_relative, iso=iso)
    app.jinja_env.globals.update(sla_state=sla_state, SLA_LABELS=SLA_LABELS,
                                 STATUS_TONES=STATUS_TONES, csrf_token=csrf_token)
