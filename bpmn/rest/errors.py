"""Camunda's error bodies (``{"type", "message"}``) for everything the facade raises.

Why handlers on the blueprint and not on the app: the app renders
problem+json for its own API, but Camunda clients parse ``type``/``message``
(the external-task client even formats them into its exception text). Flask
consults blueprint handlers first for any request routed to the blueprint,
including errors raised by the app's own before-request hooks (a bad
``Authorization`` header), so these take precedence for ``/engine-rest``.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import jsonify, request
from werkzeug.exceptions import HTTPException

from bpmn.engine_errors import EngineError
from bpmn.rest.base import REALM, bp
from runtime.errors import DomainError

log = logging.getLogger(__name__)

#: Camunda's exception type names by HTTP status, for errors that have none.
TYPES_BY_STATUS = {400: "InvalidRequestException", 401: "AuthenticationException",
                   403: "AuthorizationException", 404: "InvalidRequestException",
                   405: "NotAllowedException", 413: "InvalidRequestException",
                   415: "NotSupportedException", 422: "InvalidRequestException"}


def camunda_error(status: int, message: str, type_: str | None = None) -> Any:
    """One error response; 401s carry the Basic challenge Camunda clients expect."""
    response = jsonify({"type": type_ or TYPES_BY_STATUS.get(status, "RestException"),
                        "message": message})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = REALM
    return response


def _engine_error(exc: EngineError) -> Any:
    return camunda_error(exc.status, exc.message, exc.type)


def _domain_error(exc: DomainError) -> Any:
    return camunda_error(exc.status, exc.detail)


def _http_error(exc: HTTPException) -> Any:
    status = exc.code or 500
    if status == 404:
        return camunda_error(404, f"No resource at {request.path}", "NotFoundException")
    return camunda_error(status, exc.description or exc.name)


def _unexpected(exc: Exception) -> Any:
    """Never leak internals: log the traceback, answer a generic engine error."""
    log.exception("unhandled error on %s %s", request.method, request.path)
    return camunda_error(500, "An unexpected error occurred in the process engine",
                         "ProcessEngineException")


bp.register_error_handler(EngineError, _engine_error)
bp.register_error_handler(DomainError, _domain_error)
bp.register_error_handler(HTTPException, _http_error)
bp.register_error_handler(Exception, _unexpected)


@bp.route("/<path:unknown>", methods=["GET", "POST", "PUT", "DELETE"])
def unknown_resource(unknown: str) -> Any:
    """Unknown paths answer in Camunda's shape, and only after authentication."""
    return camunda_error(404, f"No resource at /engine-rest/{unknown}", "NotFoundException")
