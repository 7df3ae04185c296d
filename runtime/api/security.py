"""Who is calling: bearer token, HTTP Basic, or the browser session (+ CSRF).

Why CSRF only for the session: bearer and Basic credentials are never sent
by the browser on its own, so a forged cross-site request cannot carry them;
a session cookie can, so unsafe requests authenticated by it need the token.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets

from flask import Flask, g, request, session

from connectors.identity import Principal
from runtime.api.web import container
from runtime.errors import Forbidden, Unauthorized

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
CSRF_HEADER = "X-CSRF-Token"


def init_security(app: Flask) -> None:
    """Resolve ``g.principal`` before every request."""
    app.before_request(_load_principal)


def _load_principal() -> None:
    g.principal = None
    header = request.headers.get("Authorization", "")
    if header:
        g.principal = _from_header(header)
        g.auth_method = "header"
        return
    data = session.get("principal")
    if data:
        g.principal = Principal(id=data["id"], roles=tuple(data["roles"]), tenant=data["tenant"],
                                display_name=data.get("name", ""))
        g.auth_method = "session"
        if request.method not in SAFE_METHODS and request.path.startswith("/api/"):
            check_csrf(request.headers.get(CSRF_HEADER, ""))


def _from_header(header: str) -> Principal:
    scheme, _, value = header.partition(" ")
    identity = container().identity
    principal: Principal | None = None
    if scheme.lower() == "bearer" and value:
        principal = identity.verify_token(value.strip())
    elif scheme.lower() == "basic" and value:
        username, password = _basic(value)
        principal = identity.authenticate(username, password)
    if principal is None:
        raise Unauthorized("invalid or expired credentials",
                           headers={"WWW-Authenticate": 'Bearer realm="casestudio"'})
    return principal


def _basic(value: str) -> tuple[str, str]:
    try:
        raw = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise Unauthorized("malformed Basic credentials") from None
    username, _, password = raw.partition(":")
    return username, password


def login_session(principal: Principal) -> None:
    """Store the principal in a fresh session (new CSRF token, no fixation)."""
    session.clear()
    session["principal"] = {"id": principal.id, "roles": list(principal.roles),
                            "tenant": principal.tenant, "name": principal.display_name}
    session["csrf"] = secrets.token_urlsafe(32)
    session.permanent = True


def csrf_token() -> str:
    """The session's CSRF token (created on first use, e.g. on the login form)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return str(session["csrf"])


def check_csrf(sent: str) -> None:
    expected = session.get("csrf", "")
    if not expected or not hmac.compare_digest(str(expected), sent or ""):
        raise Forbidden("missing or invalid CSRF token")
