"""Every ``test_`` rule of policies/*_test.rego must be true on regopy.

The rules run in a child process (``python -m policies.regotest``): rego-cpp
can crash on some constructs, and a crash must fail these tests, not end the
whole pytest run.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from policies import BUNDLED_DIR
from policies.embedded import load_modules
from policies.regotest import discover, main

REPO = Path(__file__).resolve().parents[2]
TESTS = discover(load_modules(BUNDLED_DIR, with_tests=True))


def run_runner(folder: Path) -> tuple[int, dict[str, object]]:
    """Exit code and outcomes of the runner on ``folder``, in a child process."""
    done = subprocess.run([sys.executable, "-m", "policies.regotest", str(folder)],
                          capture_output=True, text=True, cwd=REPO, timeout=120, check=False)
    assert done.returncode in (0, 1), f"runner died ({done.returncode}): {done.stderr[-2000:]}"
    return done.returncode, json.loads(done.stdout)


@pytest.fixture(scope="module")
def outcomes() -> dict[str, object]:
    return run_runner(BUNDLED_DIR)[1]


def test_the_bundled_policy_has_its_tests() -> None:
    assert len(TESTS) >= 30
    assert all(name.startswith("casestudio.authz_test.test_") for name in TESTS)


@pytest.mark.parametrize("test", TESTS, ids=lambda name: name.rsplit(".", 1)[-1])
def test_rego_rule_is_true(outcomes: dict[str, object], test: str) -> None:
    assert outcomes.get(test) is True, outcomes.get(test, "not run")


def weakened_copy(tmp_path: Path, old: str, new: str) -> Path:
    """The bundled policy and its tests with one rule changed in the policy."""
    for name in ("casestudio.rego", "casestudio_test.rego"):
        shutil.copy(BUNDLED_DIR / name, tmp_path / name)
    policy = tmp_path / "casestudio.rego"
    source = policy.read_text(encoding="utf-8")
    assert old in source
    policy.write_text(source.replace(old, new), encoding="utf-8")
    return tmp_path


def test_a_weakened_policy_fails_its_tests(tmp_path: Path) -> None:
    """The tests can fail: dropping "update implies read" breaks exactly the tests of it."""
    folder = weakened_copy(tmp_path, 'granting_verbs("read") := ["read", "update", "manage"]',
                           'granting_verbs("read") := ["read", "manage"]')
    code, results = run_runner(folder)
    failed = {name for name, value in results.items() if value is not True}
    assert code == 1
    assert failed == {"casestudio.authz_test.test_update_implies_read",
                      "casestudio.authz_test.test_scope_lists_readable_case_types"}


def test_a_policy_that_does_not_compile_makes_every_test_an_error(tmp_path: Path) -> None:
    folder = weakened_copy(tmp_path, "default allow := false", "default allow := {")
    code, results = run_runner(folder)
    assert code == 1
    assert results and all(str(value).startswith("error: ") for value in results.values())


def test_main_reports_through_its_exit_code(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "p.rego").write_text("package p\n\nok := true\n", encoding="utf-8")
    (tmp_path / "p_test.rego").write_text(
        "package p_test\n\nimport data.p\n\ntest_ok if p.ok\n\ntest_not_ok if not p.ok\n",
        encoding="utf-8")
    assert main([str(tmp_path)]) == 1
    assert json.loads(capsys.readouterr().out) == {"p_test.test_ok": True,
                                                   "p_test.test_not_ok": False}
