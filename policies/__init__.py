"""Authorization: the policy-engine protocol and its backends (DESIGN §7).

Every API call asks ``allowed(subject, action, resource)``; default deny. List
endpoints never ask per row: they ask ``scope(subject, action)`` once and turn
the answer into a SQL filter. The rules themselves live in Rego
(``policies/casestudio.rego``) so that the embedded engine (regopy) and a
production OPA give the same answers; the backend is chosen by URL scheme like
every other connector (DESIGN §1, §9).

Shapes (agreed with the runtime):

- subject: ``{"id": "alice", "roles": ["worker"], "tenant": "default"}``
- action: one of :data:`ACTIONS`
- resource: ``{"kind": "case", "tenant": "default", "caseType": "grant", ...}``
- data: ``{"caseTypes": {tenant: {key: {"permissions": {verb: [role, ...]}}}}}``
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from connectors.urls import load_adapter

Subject = Mapping[str, Any]
Resource = Mapping[str, Any]

ACTIONS = frozenset({
    "case.create", "case.read", "case.update", "case.manage",
    "case_type.read", "case_type.deploy",
    "task.read", "task.claim", "task.complete", "task.assign",
    "engine.access", "user.manage", "studio.access", "admin.access",
})
"""Actions the bundled policy knows; any other action is denied by it."""

BUNDLED_DIR = Path(__file__).resolve().parent
"""Folder of the bundled ``casestudio.rego`` (used by ``embedded://``)."""

PACKAGE = "casestudio/authz"
"""Rego package (as a path) whose ``allow`` and ``scope`` rules every backend queries."""

REGISTRY: dict[str, str] = {
    "embedded": "policies.embedded:EmbeddedPolicy",
    "opa+http": "policies.opa:OpaPolicy",
    "opa+https": "policies.opa:OpaPolicy",
}
"""Scheme -> ``module:Class``; imported only when chosen (regopy/requests stay optional)."""


class PolicyError(RuntimeError):
    """The policy engine could not decide (unreachable, broken policy, bad answer).

    Raised rather than answering "deny" so that an outage shows as 503 instead
    of a misleading 403; either way nothing is allowed (fail closed).
    """


@dataclass(frozen=True)
class Scope:
    """What a list endpoint may show: rows of ``tenant`` in ``case_types``.

    ``case_types is None`` means every case type of the tenant (admins, and
    actions such as ``case_type.read`` that any tenant member may do).
    """

    tenant: str
    case_types: frozenset[str] | None

    def permits(self, case_type: str) -> bool:
        """Whether rows of ``case_type`` are inside this scope."""
        return self.case_types is None or case_type in self.case_types

    @property
    def is_empty(self) -> bool:
        """True when nothing at all may be listed (the filter can short-circuit)."""
        return not self.tenant or self.case_types == frozenset()

    @classmethod
    def from_result(cls, result: Any) -> Scope:
        """Read the policy's ``scope`` value; anything malformed scopes to nothing."""
        if not isinstance(result, Mapping) or not isinstance(result.get("tenant"), str):
            return cls("", frozenset())
        if result.get("all") is True:
            return cls(result["tenant"], None)
        names = result.get("caseTypes")
        keys = frozenset(n for n in names if isinstance(n, str)) if isinstance(names, list) else ()
        return cls(result["tenant"], frozenset(keys))


class Policy(Protocol):
    """A policy engine as the runtime sees it; see the module docstring for shapes."""

    def allowed(self, subject: Subject, action: str, resource: Resource) -> bool:
        """True only when the policy grants ``action`` on ``resource`` to ``subject``."""
        ...

    def scope(self, subject: Subject, action: str) -> Scope:
        """The rows a list of ``action`` may show to ``subject``."""
        ...

    def set_data(self, data: Mapping[str, Any]) -> None:
        """Replace the policy's base documents (called after every deployment)."""
        ...

    def check(self) -> dict[str, Any]:
        """Health for ``/health``: ``{"status": "ok" | "error", ...}``."""
        ...


def open_policy(url: str, data: Mapping[str, Any] | None = None) -> Policy:
    """Open the policy backend named by ``url`` and load ``data`` into it if given.

    ``embedded://`` uses the bundled policy, ``embedded:///dir`` (or the relative
    ``embedded://dir``) a customer's ``*.rego`` files; ``opa+http(s)://host:8181``
    an OPA server (``?token=`` for its bearer token). An unknown scheme raises
    :class:`connectors.urls.UnknownScheme` (a ``ValueError`` naming the known ones).
    """
    policy: Policy = load_adapter("policy", url, REGISTRY)(url)
    if data is not None:
        policy.set_data(data)
    return policy


__all__ = [
    "ACTIONS", "BUNDLED_DIR", "PACKAGE", "REGISTRY", "Policy", "PolicyError", "Resource",
    "Scope", "Subject", "open_policy",
]
