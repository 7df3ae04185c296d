"""Who opens a socket: the bearer token in ``auth``, else the browser session.

Why both: the portal's pages share the Flask session cookie with the websocket
handshake (same origin), while API clients and other services hold a token.
A token that is sent but invalid refuses the connection rather than falling
back to the cookie, so a client never ends up as someone it did not ask to be.
"""

from __future__ import annotations

from typing import Any

from flask import session

from connectors.identity import Identity, Principal


def handshake_principal(identity: Identity, auth: Any) -> Principal | None:
    """The authenticated caller of a socket.io connect, or ``None`` (refuse)."""
    token = auth.get("token") if isinstance(auth, dict) else None
    if token is not None:
        return identity.verify_token(token) if isinstance(token, str) and token else None
    return session_principal()


def session_principal() -> Principal | None:
    """The principal that ``runtime.api.security.login_session`` stored, if any."""
    data = session.get("principal")
    if not isinstance(data, dict) or not data.get("id") or not data.get("tenant"):
        return None
    return Principal(id=str(data["id"]), roles=tuple(data.get("roles") or ()),
                     tenant=str(data["tenant"]), display_name=str(data.get("name", "")))
