"""The policy protocol's plumbing and the embedded (regopy) engine's guarantees:
URL handling, customer policy folders, fail-closed errors, data replacement
that leaves nothing stale, and correctness under concurrent threads."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from policies import BUNDLED_DIR, PolicyError, Scope, open_policy
from policies.embedded import EmbeddedPolicy, policy_dir
from tests.unit.test_policies_decisions import DATA, ROWS, case

ALICE = {"id": "alice", "roles": ["worker"], "tenant": "default"}
ROOT = {"id": "root", "roles": ["admin"], "tenant": "default"}
ROOT_ONLY = ('package casestudio.authz\n\ndefault allow := false\n\n'
             'allow if input.subject.id == "root"\n')


def write(folder: Path, name: str, source: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(source, encoding="utf-8")
    return folder


# --- Scope ---

def test_scope_of_named_case_types_permits_only_those() -> None:
    scope = Scope("default", frozenset({"grant"}))
    assert scope.permits("grant") and not scope.permits("complaint")
    assert not scope.is_empty


def test_scope_of_all_permits_any_case_type() -> None:
    scope = Scope("default", None)
    assert scope.permits("anything") and not scope.is_empty


@pytest.mark.parametrize("result", [None, True, [], {"all": True}, {"tenant": 5, "all": True},
                                    {"tenant": "", "caseTypes": ["grant"]}])
def test_malformed_scope_results_permit_nothing(result: Any) -> None:
    scope = Scope.from_result(result)
    assert scope.is_empty and scope.tenant == ""


def test_scope_result_ignores_non_string_case_types() -> None:
    scope = Scope.from_result({"all": False, "caseTypes": ["grant", 3, None], "tenant": "t"})
    assert scope == Scope("t", frozenset({"grant"}))


def test_scope_all_must_be_literally_true() -> None:
    assert Scope.from_result({"all": "yes", "caseTypes": [], "tenant": "t"}).case_types == set()


# --- URLs and registry ---

def test_unknown_scheme_names_the_known_ones_without_secrets() -> None:
    known = r"known schemes: embedded, opa\+http, opa\+https"
    with pytest.raises(ValueError, match=known) as error:
        open_policy("rego://user:s3cret@somewhere")
    assert "s3cret" not in str(error.value)


@pytest.mark.parametrize(("url", "expected"), [
    ("embedded://", BUNDLED_DIR),
    ("embedded:///srv/policies", Path("/srv/policies")),
    ("embedded://instance/policies", Path("instance/policies")),
])
def test_embedded_url_names_the_policy_folder(url: str, expected: Path) -> None:
    assert policy_dir(url) == expected


def test_open_policy_loads_initial_data() -> None:
    policy = open_policy("embedded://", DATA)
    assert isinstance(policy, EmbeddedPolicy)
    assert policy.allowed(ALICE, "case.read", case())


def test_without_data_only_admins_reach_cases() -> None:
    policy = open_policy("embedded://")
    assert not policy.allowed(ALICE, "case.read", case())
    assert policy.allowed(ROOT, "case.read", case())


# --- customer policy folders ---

def test_customer_folder_replaces_the_bundled_policy(tmp_path: Path) -> None:
    folder = write(tmp_path, "mine.rego", ROOT_ONLY)
    write(folder, "mine_test.rego", "this is not rego, and test files are never loaded")
    policy = open_policy(f"embedded://{folder}")
    assert policy.allowed({"id": "root"}, "anything", {})
    assert not policy.allowed(ALICE, "case.read", case())
    assert policy.check() == {"status": "ok", "backend": "embedded", "modules": ["mine.rego"]}


def test_policy_without_scope_rule_scopes_to_nothing(tmp_path: Path) -> None:
    policy = open_policy(f"embedded://{write(tmp_path, 'mine.rego', ROOT_ONLY)}")
    assert policy.scope(ROOT, "case.read").is_empty


def test_non_boolean_allow_is_a_denial(tmp_path: Path) -> None:
    folder = write(tmp_path, "p.rego", 'package casestudio.authz\n\nallow := "yes"\n')
    assert not open_policy(f"embedded://{folder}").allowed(ROOT, "admin.access", {})


def test_folder_without_rego_files_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match=r"no \.rego files"):
        open_policy(f"embedded://{tmp_path}")


def test_policy_that_does_not_compile_is_refused(tmp_path: Path) -> None:
    folder = write(tmp_path, "broken.rego", "package casestudio.authz\n\nallow if {\n")
    with pytest.raises(PolicyError, match="does not compile"):
        open_policy(f"embedded://{folder}")


def test_evaluation_error_fails_closed_and_shows_in_health(tmp_path: Path) -> None:
    conflict = ("package casestudio.authz\n\nallow := true if input.subject.id\n\n"
                "allow := false if input.subject.id\n")
    policy = open_policy(f"embedded://{write(tmp_path, 'c.rego', conflict)}")
    with pytest.raises(PolicyError, match="evaluation failed"):
        policy.allowed(ROOT, "admin.access", {"kind": "system", "tenant": "default"})
    assert policy.check()["status"] == "error"
    assert not policy.allowed({}, "admin.access", {})  # the pool survived the failure


# --- decision cache ---

def counting(policy: EmbeddedPolicy) -> list[int]:
    """Count the decisions ``policy`` really evaluates (cache hits are not counted)."""
    calls = [0]
    decide = policy._decide

    def counted(document: Any) -> Any:
        calls[0] += 1
        return decide(document)

    policy._decide = counted  # type: ignore[method-assign]
    return calls


def test_a_repeated_decision_is_answered_from_the_cache() -> None:
    policy = open_policy("embedded://", DATA)
    assert isinstance(policy, EmbeddedPolicy)
    calls = counting(policy)
    answers = [policy.allowed(ALICE, "case.read", case()) for _ in range(3)]
    answers += [policy.allowed(ALICE, "case.read", case("other")) for _ in range(3)]
    assert answers == [True] * 3 + [False] * 3
    assert calls == [2]


def test_new_data_starts_a_new_decision_cache() -> None:
    policy = open_policy("embedded://", DATA)
    assert policy.allowed(ALICE, "case.read", case())
    policy.set_data({"caseTypes": {}})
    assert not policy.allowed(ALICE, "case.read", case())


def test_policies_with_volatile_builtins_are_never_cached(tmp_path: Path) -> None:
    folder = write(tmp_path, "clock.rego", 'package casestudio.authz\n\n'
                   'allow if time.now_ns() > 0\n')
    policy = EmbeddedPolicy(f"embedded://{folder}")
    calls = counting(policy)
    assert policy.allowed(ROOT, "admin.access", {}) and policy.allowed(ROOT, "admin.access", {})
    assert calls == [2]


def test_the_cache_can_be_turned_off() -> None:
    policy = EmbeddedPolicy("embedded://", decision_cache=False)
    calls = counting(policy)
    policy.allowed(ROOT, "admin.access", {})
    policy.allowed(ROOT, "admin.access", {})
    assert calls == [2]


# --- data replacement ---

def test_set_data_changes_decisions_and_scopes_at_once() -> None:
    policy = open_policy("embedded://", DATA)
    assert policy.scope(ALICE, "case.read") == Scope("default", frozenset({"grant"}))
    policy.set_data({"caseTypes": {"default": {"other": {"permissions": {"read": ["worker"]}}}}})
    assert not policy.allowed(ALICE, "case.read", case())
    assert policy.allowed(ALICE, "case.read", case("other"))
    assert policy.scope(ALICE, "case.read") == Scope("default", frozenset({"other"}))


def test_set_data_replaces_rather_than_merges() -> None:
    policy = open_policy("embedded://", DATA)
    policy.set_data({"caseTypes": {}})
    assert policy.scope(ALICE, "case.read").is_empty


def test_data_that_is_not_json_is_refused_and_old_data_stays() -> None:
    policy = open_policy("embedded://", DATA)
    with pytest.raises(PolicyError, match="not JSON"):
        policy.set_data({"caseTypes": {"default": {"grant": {"permissions": object()}}}})
    assert policy.allowed(ALICE, "case.read", case())


def test_caller_mutating_its_data_afterwards_changes_nothing() -> None:
    data = {"caseTypes": {"default": {"grant": {"permissions": {"read": ["worker"]}}}}}
    policy = open_policy("embedded://", data)
    data["caseTypes"]["default"]["grant"]["permissions"]["read"] = []
    while not policy._idle.empty():  # drop idle evaluators: the next is built from the snapshot
        policy._idle.get_nowait()
    assert policy.allowed(ALICE, "case.read", case())


# --- threads ---

def run_concurrently(*works: Callable[[], None]) -> list[BaseException]:
    """Run each callable in its own thread; return what they raised."""
    errors: list[BaseException] = []

    def guarded(work: Callable[[], None]) -> None:
        try:
            work()
        except BaseException as exc:  # collected and asserted by the test
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(work,)) for work in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return errors


def test_concurrent_decisions_are_correct_with_a_small_pool() -> None:
    policy = EmbeddedPolicy("embedded://", pool_size=2)
    policy.set_data(DATA)

    def work() -> None:
        for _ in range(5):
            for name, subject, action, resource, expected in ROWS:
                assert policy.allowed(subject, action, resource) is expected, name

    assert run_concurrently(*[work] * 8) == []


def test_decisions_stay_correct_while_data_is_replaced() -> None:
    """Readers check rows both datasets agree on while a writer flips the data."""
    policy = open_policy("embedded://", DATA)
    manager = {"id": "mia", "roles": ["manager"], "tenant": "default"}
    alternative = {"caseTypes": {"default": {"grant": {"permissions": {"read": ["manager"]}}}}}
    stable = [(ROOT, "user.manage", {"kind": "user", "tenant": "default"}, True),
              (ALICE, "case.read", case(tenant="acme"), False),
              (manager, "case.read", case(), True),
              ({"id": "bob", "roles": [], "tenant": "default"}, "case.read", case(), False)]

    def read() -> None:
        for _ in range(100):
            for subject, action, resource, expected in stable:
                assert policy.allowed(subject, action, resource) is expected
            assert policy.scope(manager, "case.read").permits("grant")

    def write() -> None:
        for turn in range(20):
            policy.set_data(DATA if turn % 2 else alternative)

    assert run_concurrently(read, read, read, write) == []
    assert policy.allowed(ALICE, "case.read", case())  # the last turn restored DATA
    policy.set_data(alternative)
    assert not policy.allowed(ALICE, "case.read", case())
    assert policy.scope(ALICE, "case.read").is_empty
