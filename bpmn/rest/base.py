"""The `/engine-rest` blueprint, its authentication gate and request-scoped helpers.

Why a gate of its own: Camunda clients authenticate every call with HTTP Basic
(or a bearer token) and expect Camunda's answers, so the facade accepts only
credentials sent in the ``Authorization`` header (never the browser session,
which would open the engine to cross-site requests) and asks the policy for
``engine.access`` before any route runs. The principal itself is resolved by
the app's own security hook; everything here reaches the app through
``current_app.extensions`` so the core never imports the runtime container.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, g

from bpmn.engine import Engine
from bpmn.engine_errors import EngineError, NotFound

bp = Blueprint("engine_rest", __name__, url_prefix="/engine-rest")

#: The realm named in ``WWW-Authenticate`` challenges of the facade.
REALM = 'Basic realm="engine-rest"'


class AuthenticationRequired(EngineError):
    """No (usable) credentials: Camunda's secured REST API answers 401."""

    status = 401
    type = "AuthenticationException"


def container() -> Any:
    """The CaseStudio container of the running app (engine, identity, authz)."""
    return current_app.extensions["casestudio"]


def engine() -> Engine:
    return container().engine  # type: ignore[no-any-return]


def principal() -> Any:
    """The authenticated caller (set by the gate below)."""
    return g.principal


def tenant() -> str:
    """Every facade call is confined to the caller's tenant."""
    return str(g.principal.tenant)


@bp.before_request
def _gate() -> None:
    caller = g.get("principal")
    if caller is None or g.get("auth_method") != "header":
        raise AuthenticationRequired(
            "Authentication required: send HTTP Basic credentials or a bearer token")
    container().authz.require(caller, "engine.access", {"kind": "engine"})


def require_tenant(requested: str | None) -> str:
    """A ``tenant-id``/``tenantId`` naming another tenant than the caller's is refused."""
    if requested is not None and requested != tenant():
        raise EngineError(f"The user is not a member of tenant '{requested}'", status=403,
                          type="AuthorizationException")
    return tenant()


def in_tenant(item: Any, message: str) -> Any:
    """``item`` when it belongs to the caller's tenant; otherwise it does not exist for them."""
    if item.tenant != tenant():
        raise NotFound(message)
    return item


def wake_fetchers() -> None:
    """A task may be fetchable again (unlocked, retried, resolved): wake waiting fetches."""
    current_app.extensions["engine_rest"].notify()


def no_content() -> tuple[str, int]:
    return "", 204
