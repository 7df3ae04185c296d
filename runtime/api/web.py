"""Request helpers shared by the API blueprints: caller, JSON body, container."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, request

from connectors.identity import Principal
from runtime.container import Container
from runtime.errors import BadRequest, Unauthorized, UnsupportedMediaType


def container() -> Container:
    """The running app's container (set by ``create_app``)."""
    return current_app.extensions["casestudio"]  # type: ignore[no-any-return]


def caller() -> Principal:
    """The authenticated principal, or a 401."""
    principal = g.get("principal")
    if principal is None:
        raise Unauthorized("log in or send a bearer token")
    return principal  # type: ignore[no-any-return]


def json_body() -> Any:
    """The parsed JSON body; clear 400/415 instead of werkzeug's HTML errors."""
    if not request.is_json:
        raise UnsupportedMediaType("send Content-Type: application/json")
    data = request.get_json(silent=True)
    if data is None and request.get_data():
        raise BadRequest("the request body is not valid JSON")
    return data


def object_body() -> dict[str, Any]:
    data = json_body()
    if not isinstance(data, dict):
        raise BadRequest("the request body must be a JSON object")
    return data
