"""The Flask app factory (``create_app``): API, UI, errors, background work."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

import bpmn.rest
from bpmn.engine_errors import EngineError
from policies import PolicyError
from runtime.container import Container
from runtime.errors import DomainError
from runtime.realtime import init_realtime
from runtime.settings import Settings, load_settings

#: UI packages mounted by the factory; imported lazily so the dependency
#: direction stays studio -> runtime (the UI registers itself via ``init_app``).
UI_MODULES = ("studio",)
log = logging.getLogger(__name__)


def create_app(settings: Settings | Mapping[str, Any] | None = None, *,
               start_background: bool = True, with_ui: bool = True) -> Flask:
    """Build an app from settings (a ``Settings`` or overrides on top of env/files)."""
    if not isinstance(settings, Settings):
        settings = load_settings(settings)
    _configure_logging(settings)
    app = Flask(__name__)
    _configure(app, settings)
    container = Container(settings)
    app.extensions["casestudio"] = container
    _register_api(app)
    init_realtime(app)
    if with_ui:
        for name in UI_MODULES:
            importlib.import_module(name).init_app(app)
    if start_background:
        container.start()
    log.info("CaseStudio ready: %s", settings.masked())
    return app


#: Libraries that log every state change at INFO; useful only when debugging them.
CHATTY_LOGGERS = ("spiff", "spiff.task", "spiff.workflow", "spiff.metrics")


def _configure_logging(settings: Settings) -> None:
    logging.basicConfig(level=settings.log_level,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING,
                                             logging.getLevelName(settings.log_level)))


def _configure(app: Flask, settings: Settings) -> None:
    app.config.update(
        SECRET_KEY=settings.secret_key, MAX_CONTENT_LENGTH=settings.max_request_bytes,
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="casestudio_session",
        PERMANENT_SESSION_LIFETIME=timedelta(seconds=settings.token_ttl_seconds),
        TESTING=settings.testing, JSON_SORT_KEYS=False)
    app.json.sort_keys = False  # type: ignore[attr-defined]


def _register_api(app: Flask) -> None:
    from runtime.api import cases, casetypes, documents, notifications, system, tasks
    from runtime.api import studio as studio_api
    from runtime.api.security import init_security

    init_security(app)
    bpmn.rest.init_app(app)
    for module in (system, casetypes, cases, tasks, documents, notifications, studio_api):
        app.register_blueprint(module.bp)
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(EngineError, _engine_error)
    app.register_error_handler(PolicyError, _policy_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)


def problem_response(body: dict[str, Any], headers: Mapping[str, str] | None = None) -> Any:
    response = jsonify(body)
    response.status_code = int(body["status"])
    response.mimetype = "application/problem+json"
    response.headers.update(dict(headers or {}))
    return response


def _domain_error(exc: DomainError) -> Any:
    return problem_response(exc.problem(), exc.headers)


def _engine_error(exc: EngineError) -> Any:
    """Engine errors reaching the API (not the Camunda facade) as problem+json."""
    return problem_response({"type": f"https://casestudio.dev/problems/engine/{exc.type}",
                             "title": exc.type, "status": exc.status, "detail": exc.message})


def _policy_error(exc: PolicyError) -> Any:
    """The policy engine is down: deny by answering 503, never by allowing."""
    log.error("policy engine error: %s", exc)
    return problem_response({"type": "about:blank", "title": "Service unavailable",
                             "status": 503, "detail": "the policy engine is unavailable"})


def _http_error(exc: HTTPException) -> Any:
    if not request.path.startswith(("/api/", "/health", "/engine-rest")):
        return exc
    status = exc.code or 500
    return problem_response({"type": "about:blank", "title": exc.name, "status": status,
                             "detail": exc.description or exc.name})


def _unexpected(exc: Exception) -> Any:
    log.exception("unhandled error on %s %s", request.method, request.path)
    return problem_response({"type": "about:blank", "title": "Internal server error",
                             "status": 500, "detail": "an unexpected error occurred"})
