"""What every UI blueprint shares: login guard, CSRF on posts, friendly error pages.

Why one factory: each page blueprint must refuse anonymous users the same way
(redirect to ``/login?next=``), check the CSRF token of every POST the same
way, and turn domain errors into pages instead of problem+json — the app-level
handlers in ``runtime.app`` are for the API and would answer a browser with JSON.
"""

from __future__ import annotations

import json
import logging
from time import perf_counter
from typing import Any

from flask import (
    Blueprint,
    Response,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)

from connectors.identity import Principal
from runtime.api.security import CSRF_HEADER, check_csrf
from runtime.api.web import container
from runtime.container import Container
from runtime.errors import DomainError, Unauthorized
from studio.ui import remember_live_since

log = logging.getLogger(__name__)
FRIENDLY = {
    400: ("Something is not right", "The request could not be understood."),
    403: ("Not allowed", "You do not have permission to do this."),
    404: ("Not found", "This page does not exist, or you may not see it."),
    409: ("Conflict", "Someone else changed this at the same time. Reload and try again."),
    412: ("Changed meanwhile", "Someone else changed this meanwhile. Reload and try again."),
    413: ("Too large", "The file is larger than the upload limit."),
}


def page_blueprint(name: str, url_prefix: str | None = None) -> Blueprint:
    """A blueprint whose views need a logged-in user and whose errors are pages."""
    bp = Blueprint(name, "studio", url_prefix=url_prefix, template_folder="templates")
    bp.before_request(_guard)
    bp.after_request(_server_timing)
    bp.register_error_handler(DomainError, _domain_error)
    bp.register_error_handler(Exception, _unexpected)
    return bp


def principal() -> Principal:
    """The logged-in user (the guard has already redirected anonymous callers)."""
    user = g.get("principal")
    if user is None:
        raise Unauthorized("log in first")
    return user  # type: ignore[no-any-return]


def services() -> Container:
    return container()


def is_htmx() -> bool:
    """True for requests htmx sent (they want a fragment, not a full page)."""
    return request.headers.get("HX-Request") == "true"


def _guard() -> Any:
    g.page_started = perf_counter()
    if g.get("principal") is None:
        return _to_login()
    if request.method == "POST":
        sent = request.headers.get(CSRF_HEADER) or request.form.get("csrf_token", "")
        check_csrf(sent)
    elif not is_htmx():
        remember_live_since(g.principal)
    return None


def _to_login() -> Any:
    target = request.full_path.rstrip("?") if request.method == "GET" else request.path
    login = url_for("auth.login_form", next=target)
    if is_htmx():
        response = make_response("", 401)
        response.headers["HX-Redirect"] = login
        return response
    return redirect(login)


def _server_timing(response: Response) -> Response:
    """``Server-Timing: app;dur=…`` so browsers and benchmarks see server time."""
    started = g.get("page_started")
    if started is not None:
        response.headers["Server-Timing"] = f"app;dur={(perf_counter() - started) * 1000:.1f}"
    return response


def _domain_error(exc: DomainError) -> Any:
    if isinstance(exc, Unauthorized):
        return _to_login()
    title, hint = FRIENDLY.get(exc.status, ("Something went wrong", exc.title))
    if exc.status == 403 and "CSRF" in exc.detail:
        hint = "Your session expired or the form was sent from elsewhere. Reload and try again."
    return error_response(exc.status, title, hint, exc.detail)


def _unexpected(exc: Exception) -> Any:
    from werkzeug.exceptions import HTTPException

    from policies import PolicyError

    if isinstance(exc, HTTPException):
        return exc
    if isinstance(exc, PolicyError):  # deny, and say it is temporary
        log.error("policy engine error: %s", exc)
        return error_response(503, "Temporarily unavailable",
                              "Permissions cannot be checked right now. Try again shortly.", "")
    log.exception("unhandled error on %s %s", request.method, request.path)
    return error_response(500, "Something went wrong",
                          "An unexpected error occurred; it has been logged.", "")


def error_response(status: int, title: str, hint: str, detail: str) -> Any:
    """A full error page, or (for htmx) a toast message and the status."""
    if is_htmx():
        response = make_response(detail or hint, status)
        response.headers["HX-Trigger"] = json.dumps({"cs-toast": {
            "message": f"{title}: {detail or hint}", "kind": "error"}})
        return response
    page = render_template("error.html", status=status, title=title, hint=hint, detail=detail)
    return page, status


def toast_header(response: Response, message: str, kind: str = "ok") -> Response:
    """Ask the browser (shell.js) to show a toast after an htmx swap."""
    response.headers["HX-Trigger"] = json.dumps({"cs-toast": {"message": message,
                                                              "kind": kind}})
    return response
