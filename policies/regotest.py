"""Run the ``test_*`` rules of a policy folder, like ``opa test`` does, on regopy.

Why we have our own runner: production may use OPA, but the embedded engine
is rego-cpp, and a policy has to pass its tests on the engine that serves it.
Customers with their own policy folder can run it too:

    python -m policies.regotest [FOLDER]      # prints JSON, exit 1 on a failure

Each test is one query ``x := data.<package>.<test>``; a test passes when it
is ``true``. Run it in a child process when a crash must not take the caller
down: rego-cpp 1.5.2 can crash (SIGSEGV) on some ``with`` constructs.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import regopy

from policies import BUNDLED_DIR, PolicyError
from policies.embedded import load_modules, new_interpreter, result_of

_PACKAGE = re.compile(r"^package\s+([\w.]+)", re.MULTILINE)
_TEST_RULE = re.compile(r"^(test_\w+)\b", re.MULTILINE)


def discover(modules: Mapping[str, str]) -> list[str]:
    """Fully qualified test rules (``pkg.sub.test_x``) of the ``*_test.rego`` modules."""
    found: list[str] = []
    for name, source in modules.items():
        package = _PACKAGE.search(source)
        if name.endswith("_test.rego") and package:
            rules = dict.fromkeys(_TEST_RULE.findall(source))  # rules may have several bodies
            found += [f"{package.group(1)}.{rule}" for rule in rules]
    return found


def run_tests(directory: Path = BUNDLED_DIR) -> dict[str, bool | str]:
    """``{test: True | False | "error: ..."}`` for every test rule in ``directory``."""
    modules = load_modules(directory, with_tests=True)
    interpreter = new_interpreter()
    try:
        for name, source in modules.items():
            interpreter.add_module(name, source)
    except regopy.RegoError as exc:
        return dict.fromkeys(discover(modules), f"error: {name} does not compile: {exc}")
    return {test: _outcome(interpreter, test) for test in discover(modules)}


def _outcome(interpreter: regopy.Interpreter, test: str) -> bool | str:
    try:
        return result_of(interpreter.query(f"x := data.{test}")) is True
    except (PolicyError, regopy.RegoError, ValueError) as exc:
        return f"error: {exc}"


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry: print the outcomes as JSON; exit 1 when any test is not true."""
    args = list(sys.argv[1:] if argv is None else argv)
    outcomes = run_tests(Path(args[0]) if args else BUNDLED_DIR)
    print(json.dumps(outcomes, indent=2))
    return 0 if outcomes and all(v is True for v in outcomes.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
