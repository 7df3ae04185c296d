"""Identity backends: who is calling, and with which roles.

``local://`` keeps accounts in the database; ``oidc+https://`` (later)
validates bearer JWTs from Keycloak. Both yield a :class:`Principal`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from connectors.urls import load_adapter

REGISTRY = {
    "local": "connectors.identity.local:LocalIdentity",
    "oidc+https": "connectors.identity.oidc:OidcIdentity",
    "oidc+http": "connectors.identity.oidc:OidcIdentity",
}


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: the policy's ``subject``."""

    id: str
    roles: tuple[str, ...] = ()
    tenant: str = "default"
    display_name: str = ""
    email: str = ""
    groups: tuple[str, ...] = field(default=())

    def subject(self) -> dict[str, Any]:
        """The ``subject`` document the Rego policy receives."""
        return {"id": self.id, "roles": list(self.roles) + list(self.groups),
                "tenant": self.tenant}


class Identity(Protocol):
    """What the runtime needs from an identity provider."""

    def authenticate(self, username: str, password: str, tenant: str = "default"
                     ) -> Principal | None: ...

    def issue_token(self, principal: Principal) -> str: ...

    def verify_token(self, token: str) -> Principal | None: ...

    def check(self) -> dict[str, Any]: ...


def open_identity(url: str, **deps: Any) -> Identity:
    """Instantiate the identity backend selected by ``url``'s scheme."""
    cls = load_adapter("identity", url, REGISTRY)
    return cls(url, **deps)  # type: ignore[no-any-return]
