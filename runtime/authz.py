"""Asking the policy engine, and turning its answer into errors or SQL scopes."""

from __future__ import annotations

from typing import Any

from connectors.identity import Principal
from policies import Policy, Scope
from runtime.errors import Forbidden, Unauthorized


class Authorizer:
    """Thin wrapper so every service asks the policy the same way (default deny)."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy

    def allowed(self, principal: Principal | None, action: str, resource: dict[str, Any]
                ) -> bool:
        if principal is None:
            return False
        resource = {"tenant": principal.tenant, **resource}
        return bool(self.policy.allowed(principal.subject(), action, resource))

    def require(self, principal: Principal | None, action: str, resource: dict[str, Any]
                ) -> None:
        """Raise 401 for anonymous callers and 403 when the policy says no."""
        if principal is None:
            raise Unauthorized("log in or send a bearer token")
        if not self.allowed(principal, action, resource):
            raise Forbidden(f"{principal.id} may not {action}")

    def scope(self, principal: Principal | None, action: str) -> Scope:
        """The case types (of the caller's tenant) ``action`` is allowed on."""
        if principal is None:
            raise Unauthorized("log in or send a bearer token")
        return self.policy.scope(principal.subject(), action)


def case_resource(case: Any) -> dict[str, Any]:
    """The policy ``resource`` document of a case row."""
    return {"kind": "case", "tenant": case.tenant, "caseType": case.case_type,
            "queue": case.queue, "assignee": case.assignee}
