"""The embedded policy engine: Rego evaluated in-process by regopy (rego-cpp).

Why this shape (measured, see FACTS.md "Rego: regopy" and benchmarks/bench_policy.py):

- Policies and data are compiled once into a bundle and queried through
  ``query_bundle_entrypoint`` (~0.2 ms a decision); re-parsing a query string
  per decision is several times slower.
- regopy calls into C through ctypes, which releases the GIL, so two threads
  really do run inside rego-cpp at once. Interpreters and bundles are not
  documented as thread-safe, so each one is confined to one *evaluator* that a
  single thread borrows at a time from a small pool. Threads of a threaded
  server come and go per request, so the pool is not thread-local. With two
  cores and four threads this gives 1.2-1.4x the throughput of one
  interpreter behind a lock.
- ``set_data`` creates a new *generation* (modules + data snapshot). Evaluators
  and cached scopes belong to a generation, so nothing computed from old data
  survives a deployment: stale evaluators are dropped when met, never reused.
- Decisions are cached per generation too: a decision is a pure function of its
  input, the modules and the data, and a busy server asks the same few questions
  ("may a worker create a case of type X") hundreds of times a second. Policies
  that call non-deterministic built-ins (``time.now_ns``, ``rand.intn``,
  ``http.send``, ...) get no decision cache.
"""

from __future__ import annotations

import json
import os
import queue
import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import regopy

from policies import BUNDLED_DIR, PACKAGE, PolicyError, Resource, Scope, Subject

ALLOW = f"{PACKAGE}/allow"
SCOPE = f"{PACKAGE}/scope"
SCOPE_CACHE_SIZE = 4096
DECISION_CACHE_SIZE = 16384
#: Built-ins whose answer can change between two identical queries.
_VOLATILE = re.compile(r"\b(time\.now_ns|rand\.|http\.send|uuid\.|opa\.runtime|net\.)")
_REGO_ERRORS = (regopy.RegoError, ValueError)


def policy_dir(url: str) -> Path:
    """The folder an ``embedded://`` URL names; the bundled policy when it names none."""
    parts = urlsplit(url)
    location = parts.netloc + parts.path
    return Path(location) if location else BUNDLED_DIR


def load_modules(directory: Path, *, with_tests: bool = False) -> dict[str, str]:
    """``{file name: source}`` of the ``*.rego`` files in ``directory``.

    ``*_test.rego`` files are left out unless asked for: they only matter to
    the Rego test runner and would slow every bundle build.
    """
    files = sorted(p for p in directory.glob("*.rego")
                   if with_tests or not p.name.endswith("_test.rego"))
    if not files:
        raise PolicyError(f"no .rego files in {directory}")
    return {p.name: p.read_text(encoding="utf-8") for p in files}


def new_interpreter() -> regopy.Interpreter:
    """An interpreter that reports errors only through exceptions.

    By default rego-cpp also prints compile errors to the process's stdout,
    which would end up in server logs and in the Rego test runner's JSON.
    """
    interpreter = regopy.Interpreter()
    interpreter.log_level = regopy.LogLevel.NONE
    return interpreter


def result_of(output: regopy.Output) -> Any:
    """The first expression of a regopy answer; ``None`` when undefined.

    rego-cpp reports some evaluation errors as text in place of JSON, so any
    answer that is not JSON is raised as :class:`PolicyError`.
    """
    text = str(output)
    if text == "undefined":
        return None
    try:
        answer = json.loads(text)
    except ValueError:
        raise PolicyError(f"policy evaluation failed: {text[:500]}") from None
    if not isinstance(answer, dict):
        raise PolicyError(f"unexpected policy answer: {text[:500]}")
    bindings = answer.get("bindings")
    if isinstance(bindings, dict) and "x" in bindings:
        return bindings["x"]
    expressions = answer.get("expressions") or [None]
    return expressions[0]


class _Generation:
    """Modules and a data snapshot: everything a compiled bundle depends on."""

    def __init__(self, modules: Mapping[str, str], data_json: str) -> None:
        self.modules = dict(modules)
        self.data_json = data_json
        self.scopes: dict[str, Scope] = {}
        self.decisions: dict[str, bool] = {}


class _Evaluator:
    """One interpreter and its own bundle of one generation; used by one thread at a time."""

    def __init__(self, generation: _Generation) -> None:
        self.generation = generation
        self.interpreter = new_interpreter()
        try:
            for name, source in generation.modules.items():
                self.interpreter.add_module(name, source)
            self.interpreter.add_data_json(generation.data_json)
            self.bundle = self.interpreter.build(None, [ALLOW, SCOPE])
        except _REGO_ERRORS as exc:
            raise PolicyError(f"policy does not compile: {exc}") from None
        if not self.bundle.ok():
            raise PolicyError("policy does not compile")

    def query(self, entrypoint: str, document: Mapping[str, Any]) -> Any:
        try:
            self.interpreter.set_input(document)
            output = self.interpreter.query_bundle_entrypoint(self.bundle, entrypoint)
        except _REGO_ERRORS as exc:
            raise PolicyError(f"policy evaluation failed: {exc}") from None
        return result_of(output)


class EmbeddedPolicy:
    """:class:`policies.Policy` evaluated in-process; see the module docstring."""

    def __init__(self, url: str = "embedded://", *, pool_size: int | None = None,
                 decision_cache: bool = True) -> None:
        self.directory = policy_dir(url)
        self._modules = load_modules(self.directory)
        self._cache_decisions = decision_cache and not any(
            _VOLATILE.search(source) for source in self._modules.values())
        self._idle: queue.SimpleQueue[_Evaluator] = queue.SimpleQueue()
        self._slots = threading.BoundedSemaphore(pool_size or max(2, os.cpu_count() or 1))
        self._data_lock = threading.Lock()
        self._generation: _Generation
        self.set_data({})

    def allowed(self, subject: Subject, action: str, resource: Resource) -> bool:
        document = {"subject": subject, "action": action, "resource": resource}
        if not self._cache_decisions:
            return self._decide(document)[0]
        key = json.dumps(document, sort_keys=True, default=str)
        known = self._generation.decisions.get(key)
        if known is not None:
            return known
        answer, decisions = self._decide(document)
        if len(decisions) >= DECISION_CACHE_SIZE:
            decisions.clear()
        decisions[key] = answer
        return answer

    def _decide(self, document: Mapping[str, Any]) -> tuple[bool, dict[str, bool]]:
        """Evaluate ``allow``: the answer and its generation's decision cache."""
        with self._borrow() as evaluator:
            answer = evaluator.query(ALLOW, document) is True
            return answer, evaluator.generation.decisions

    def scope(self, subject: Subject, action: str) -> Scope:
        """Scopes are cached per generation: a list page asks once per request,
        and a scope costs ~50 µs per case type of the tenant in rego-cpp."""
        document = {"subject": subject, "action": action}
        key = json.dumps(document, sort_keys=True, default=str)
        cached = self._generation.scopes.get(key)
        if cached is not None:
            return cached
        with self._borrow() as evaluator:
            scope = Scope.from_result(evaluator.query(SCOPE, document))
            scopes = evaluator.generation.scopes
        if len(scopes) >= SCOPE_CACHE_SIZE:
            scopes.clear()
        scopes[key] = scope
        return scope

    def set_data(self, data: Mapping[str, Any]) -> None:
        """Compile the new data now, so a bad document fails the deployment, not a request.

        The evaluator built for that check serves the next decision; it joins the
        pool only once its generation is current, or a borrower would drop it.
        """
        try:
            snapshot = json.dumps(data)
        except (TypeError, ValueError) as exc:
            raise PolicyError(f"policy data is not JSON: {exc}") from None
        with self._data_lock:
            evaluator = _Evaluator(_Generation(self._modules, snapshot))
            self._generation = evaluator.generation
        self._idle.put(evaluator)

    def check(self) -> dict[str, Any]:
        """Evaluate one probe decision: compiling is not enough to prove evaluation works."""
        subject = {"id": "health", "roles": [], "tenant": "health"}
        try:
            self.allowed(subject, "case_type.read", {"kind": "case_type", "tenant": "health"})
        except PolicyError as exc:
            return {"status": "error", "backend": "embedded", "detail": str(exc)}
        return {"status": "ok", "backend": "embedded", "modules": sorted(self._modules)}

    @contextmanager
    def _borrow(self) -> Iterator[_Evaluator]:
        """Lend an evaluator of the current generation to this thread alone.

        An evaluator that failed is dropped rather than returned: after an
        error the interpreter's state is not trusted.
        """
        with self._slots:
            evaluator = self._take_idle() or _Evaluator(self._generation)
            yield evaluator
            if evaluator.generation is self._generation:
                self._idle.put(evaluator)

    def _take_idle(self) -> _Evaluator | None:
        """An idle evaluator of the current generation; stale ones are dropped."""
        while True:
            try:
                evaluator = self._idle.get_nowait()
            except queue.Empty:
                return None
            if evaluator.generation is self._generation:
                return evaluator
