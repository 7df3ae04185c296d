"""Browser login/logout with a CSRF-protected form and a session cookie."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, g, redirect, render_template, request, session, url_for

from runtime.api.security import check_csrf, csrf_token, login_session
from runtime.api.web import container
from runtime.errors import Forbidden

bp = Blueprint("auth", __name__, template_folder="templates")


@bp.get("/login")
def login_form() -> Any:
    return render_template("login.html", csrf=csrf_token(), error=None,
                           next=_safe_next(request.args.get("next")),
                           demo=container().settings.demo)


@bp.post("/login")
def login() -> Any:
    try:
        check_csrf(request.form.get("csrf_token", ""))
    except Forbidden:
        return _form_error("Your session expired; please try again.", 400)
    username = request.form.get("username", "").strip()
    principal = container().identity.authenticate(username, request.form.get("password", ""))
    if principal is None:
        return _form_error("Unknown username or wrong password.", 401)
    login_session(principal)
    return redirect(_safe_next(request.form.get("next")) or url_for("auth.home"))


def _form_error(message: str, status: int) -> Any:
    return render_template("login.html", csrf=csrf_token(), error=message,
                           next=_safe_next(request.form.get("next")),
                           demo=container().settings.demo), status


@bp.post("/logout")
def logout() -> Any:
    check_csrf(request.form.get("csrf_token", ""))
    session.clear()
    return redirect(url_for("auth.login_form"))


@bp.get("/")
def home() -> Any:
    """The portal's dashboard for users, the login page for everyone else."""
    if g.get("principal") is None:
        return redirect(url_for("auth.login_form"))
    return redirect(url_for("portal.dashboard"))


def _safe_next(target: str | None) -> str | None:
    """Only same-site relative redirects (no open redirect via ?next=)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
