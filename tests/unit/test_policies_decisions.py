"""The decision table of the bundled policy, asked through the Policy protocol.

Why a table: it is the contract the runtime relies on (who may do what), stated
once; it exercises the wiring of input/data to the Rego functions that the Rego
unit tests call directly. Any backend can be checked against it (``DATA``,
``ROWS``, ``SCOPES``); here it runs on the embedded engine.
"""

from __future__ import annotations

from typing import Any

import pytest

from policies import ACTIONS, Policy, Scope, open_policy

PERMISSIONS = {"create": ["worker"], "read": ["worker", "manager"], "update": ["worker"],
               "manage": ["analyst"]}
DATA = {"caseTypes": {
    "default": {
        "grant": {"permissions": PERMISSIONS},
        "complaint": {"permissions": {"read": ["clerk"], "update": ["editor"]}},
    },
    "acme": {"grant": {"permissions": {"create": ["worker"], "read": ["worker"]}}},
}}


def who(user: str, *roles: str, tenant: str = "default") -> dict[str, Any]:
    return {"id": user, "roles": list(roles), "tenant": tenant}


def case(case_type: str = "grant", tenant: str = "default") -> dict[str, Any]:
    return {"kind": "case", "tenant": tenant, "caseType": case_type, "queue": "standard"}


def task(tenant: str = "default", **fields: Any) -> dict[str, Any]:
    return {"kind": "task", "tenant": tenant, "caseType": "grant", **fields}


def thing(kind: str, tenant: str = "default") -> dict[str, Any]:
    return {"kind": kind, "tenant": tenant}


ALICE, MIA, ANN, ROOT = who("alice", "worker"), who("mia", "manager"), who("ann", "analyst"), \
    who("root", "admin")
RITA = who("rita", "reviewers")
ACME_ADMIN, ACME_ALICE = who("root", "admin", tenant="acme"), who("alice", "worker", tenant="acme")

ROWS = [
    # (id, subject, action, resource, expected)
    ("worker creates", ALICE, "case.create", case(), True),
    ("worker reads", ALICE, "case.read", case(), True),
    ("worker updates", ALICE, "case.update", case(), True),
    ("worker cannot manage", ALICE, "case.manage", case(), False),
    ("manager reads", MIA, "case.read", case(), True),
    ("manager cannot update", MIA, "case.update", case(), False),
    ("manager cannot create", MIA, "case.create", case(), False),
    ("analyst manage implies create", ANN, "case.create", case(), True),
    ("analyst manage implies read", ANN, "case.read", case(), True),
    ("analyst manage implies update", ANN, "case.update", case(), True),
    ("analyst manages", ANN, "case.manage", case(), True),
    ("update implies read", who("ed", "editor"), "case.read", case("complaint"), True),
    ("update does not imply create", who("ed", "editor"), "case.create", case("complaint"), False),
    ("unlisted role denied", who("bob", "clerk"), "case.read", case(), False),
    ("no roles denied", who("bob"), "case.read", case(), False),
    ("missing case type denied", ALICE, "case.read", case("nonexistent"), False),
    ("case type of another tenant only", ACME_ALICE, "case.read", case("complaint", "acme"),
     False),
    ("cross-tenant read denied", ALICE, "case.read", case(tenant="acme"), False),
    ("cross-tenant admin denied", ROOT, "case.read", case(tenant="acme"), False),
    ("other tenant uses its own permissions", ACME_ALICE, "case.update", case(tenant="acme"),
     False),
    ("other tenant reads", ACME_ALICE, "case.read", case(tenant="acme"), True),
    ("admin of other tenant in own tenant", ACME_ADMIN, "admin.access", thing("system", "acme"),
     True),
    ("admin reads any case type", ROOT, "case.read", case("complaint"), True),
    ("admin even missing case type", ROOT, "case.read", case("nonexistent"), True),
    ("unknown action denied", ALICE, "case.delete", case(), False),
    ("unknown action denied to admin", ROOT, "case.delete", case(), False),
    ("wrong resource kind denied", ROOT, "case.read", task(), False),
    ("resource without tenant denied", ROOT, "admin.access", {"kind": "system"}, False),
    ("subject without tenant denied", {"id": "root", "roles": ["admin"]}, "admin.access",
     thing("system"), False),
    ("subject without id denied", {"roles": ["admin"], "tenant": "default"}, "admin.access",
     thing("system"), False),
    ("roles as a string denied", {"id": "root", "roles": "admin", "tenant": "default"},
     "admin.access", thing("system"), False),
    ("any member reads case types", who("bob"), "case_type.read", thing("case_type"), True),
    ("other tenant's case types denied", who("bob"), "case_type.read",
     thing("case_type", "acme"), False),
    ("analyst deploys", ANN, "case_type.deploy", thing("case_type"), True),
    ("worker cannot deploy", ALICE, "case_type.deploy", thing("case_type"), False),
    ("analyst opens studio", ANN, "studio.access", thing("system"), True),
    ("worker cannot open studio", ALICE, "studio.access", thing("system"), False),
    ("admin opens studio", ROOT, "studio.access", thing("system"), True),
    ("engine role reaches engine", who("svc", "engine"), "engine.access", thing("engine"), True),
    ("analyst cannot reach engine", ANN, "engine.access", thing("engine"), False),
    ("admin reaches engine", ROOT, "engine.access", thing("engine"), True),
    ("admin manages users", ROOT, "user.manage", thing("user"), True),
    ("analyst cannot manage users", ANN, "user.manage", thing("user"), False),
    ("admin opens admin", ROOT, "admin.access", thing("system"), True),
    ("manager cannot open admin", MIA, "admin.access", thing("system"), False),
    ("task read follows case read", MIA, "task.read", task(), True),
    ("task read denied without case read", RITA, "task.read", task(), False),
    ("candidate group claims", RITA, "task.claim", task(candidateGroups=["reviewers"]), True),
    ("one of several candidate groups", RITA, "task.claim",
     task(candidateGroups=["x", "reviewers"]), True),
    ("candidate user claims", who("sam"), "task.claim", task(candidateUsers=["sam"]), True),
    ("non-candidate cannot claim", ALICE, "task.claim",
     task(candidateGroups=["reviewers"], candidateUsers=["sam"]), False),
    ("assignee claims", who("sam"), "task.claim", task(assignee="sam"), True),
    ("manager of case type claims", ANN, "task.claim", task(candidateGroups=["reviewers"]), True),
    ("candidate of other tenant cannot claim", who("rita", "reviewers", tenant="acme"),
     "task.claim", task(candidateGroups=["reviewers"]), False),
    ("assignee completes", who("sam"), "task.complete", task(assignee="sam"), True),
    ("candidate completes unassigned", RITA, "task.complete",
     task(assignee=None, candidateGroups=["reviewers"]), True),
    ("candidate completes when assignee empty", RITA, "task.complete",
     task(assignee="", candidateGroups=["reviewers"]), True),
    ("candidate cannot complete others' task", RITA, "task.complete",
     task(assignee="sam", candidateGroups=["reviewers"]), False),
    ("manager cannot complete others' task", ANN, "task.complete", task(assignee="sam"), False),
    ("admin completes any task", ROOT, "task.complete", task(assignee="sam"), True),
    ("manage assigns", ANN, "task.assign", task(assignee="sam"), True),
    ("worker cannot assign", ALICE, "task.assign", task(assignee="alice"), False),
    ("admin assigns", ROOT, "task.assign", task(), True),
]

SCOPES = [
    # (id, subject, action, expected scope)
    ("worker reads grant", ALICE, "case.read", Scope("default", frozenset({"grant"}))),
    ("editor and manager", who("ed", "editor", "manager"), "case.read",
     Scope("default", frozenset({"grant", "complaint"}))),
    ("manager updates nothing", MIA, "case.update", Scope("default", frozenset())),
    ("analyst manages grant", ANN, "case.manage", Scope("default", frozenset({"grant"}))),
    ("task lists follow case read", MIA, "task.read", Scope("default", frozenset({"grant"}))),
    ("task assignment follows manage", ANN, "task.assign", Scope("default", frozenset({"grant"}))),
    ("claims are decided per row", ALICE, "task.claim", Scope("default", frozenset())),
    ("admin sees all", ROOT, "case.read", Scope("default", None)),
    ("everyone lists case types", who("bob"), "case_type.read", Scope("default", None)),
    ("other tenant", ACME_ALICE, "case.read", Scope("acme", frozenset({"grant"}))),
    ("unknown action", ROOT, "case.delete", Scope("default", frozenset())),
    ("anonymous", {"roles": ["admin"], "tenant": "default"}, "case.read", Scope("", frozenset())),
]


@pytest.fixture(scope="module")
def policy() -> Policy:
    return open_policy("embedded://", DATA)


@pytest.mark.parametrize(("subject", "action", "resource", "expected"),
                         [row[1:] for row in ROWS], ids=[row[0] for row in ROWS])
def test_decision(policy: Policy, subject: dict[str, Any], action: str,
                  resource: dict[str, Any], expected: bool) -> None:
    assert policy.allowed(subject, action, resource) is expected


@pytest.mark.parametrize(("subject", "action", "expected"),
                         [row[1:] for row in SCOPES], ids=[row[0] for row in SCOPES])
def test_scope(policy: Policy, subject: dict[str, Any], action: str, expected: Scope) -> None:
    assert policy.scope(subject, action) == expected


@pytest.mark.parametrize("subject", [ALICE, MIA, ANN, who("ed", "editor"), RITA, ROOT],
                         ids=lambda s: s["id"])
@pytest.mark.parametrize("action", ["case.create", "case.read", "case.update", "case.manage"])
def test_scope_agrees_with_decisions(policy: Policy, subject: dict[str, Any],
                                     action: str) -> None:
    """A list filtered by the scope shows exactly the rows a per-row check would allow."""
    scope = policy.scope(subject, action)
    for case_type in ("grant", "complaint", "nonexistent"):
        assert scope.permits(case_type) is policy.allowed(subject, action, case(case_type))


def test_admin_is_allowed_exactly_the_known_actions(policy: Policy) -> None:
    kinds = {"case": case(), "case_type": thing("case_type"), "task": task(),
             "engine": thing("engine"), "user": thing("user"), "system": thing("system")}
    allowed = {action for action in ACTIONS | {"case.delete", "system.shutdown"}
               if any(policy.allowed(ROOT, action, r) for r in kinds.values())}
    assert allowed == ACTIONS
