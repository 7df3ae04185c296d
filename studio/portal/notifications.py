"""In-app notifications: the list, marking read, and the bell's unread count."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for

from studio.portal import bp
from studio.web import principal, services


@bp.get("/notifications")
def notifications() -> Any:
    inbox, user = services().inbox, principal()
    only_unread = request.args.get("unread") == "1"
    return render_template("portal/notifications.html", only_unread=only_unread,
                           items=inbox.list(user, unread_only=only_unread, limit=100))


@bp.post("/notifications/read")
def mark_read() -> Any:
    """Mark all notifications read, or only the posted ``id``s."""
    ids = request.form.getlist("id") or None
    services().inbox.mark_read(principal(), ids)
    return redirect(url_for("portal.notifications"))


@bp.get("/notifications/bell")
def bell() -> Any:
    return render_template("portal/_bell.html")
