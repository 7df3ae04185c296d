"""A script engine for Spiff that never reaches Python's eval/exec.

Why: Spiff evaluates gateway conditions, multi-instance cardinalities and
completion conditions, message correlations and scripts through its
``PythonScriptEngine`` (plain ``eval``/``exec`` of analyst input). Every one
of those paths is routed here to the sandboxed evaluator of
`bpmn.expressions`. Script tasks are refused unless the engine was created with
``allow_scripts=True``; even then a script is only a list of
``name = <expression>`` assignments, each evaluated in the same sandbox.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine.python_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask

from bpmn.errors import ExpressionError
from bpmn.expressions import evaluate

_ASSIGNMENT = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=(?!=)\s*(.+?)\s*;?\s*$")


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    """Spiff calls ``environment.evaluate`` directly in a few places (correlations)."""

    def evaluate(self, expression: str, context: Mapping[str, Any],
                 external_context: Mapping[str, Any] | None = None) -> Any:
        return evaluate(expression, {**(external_context or {}), **context})

    def execute(self, script: str, context: dict[str, Any],
                external_context: Mapping[str, Any] | None = None) -> bool:
        raise PermissionError("script execution is disabled")

    def call_service(self, context: Mapping[str, Any], **kwargs: Any) -> Any:
        raise PermissionError("service calls are handled by external task workers")


class SandboxedScriptEngine(PythonScriptEngine):
    """The only script engine our workflows ever get."""

    def __init__(self, *, clock: Callable[[], datetime] | None = None,
                 allow_scripts: bool = False) -> None:
        super().__init__(environment=SandboxEnvironment())
        self.clock = clock or (lambda: datetime.now(UTC))
        self.allow_scripts = allow_scripts

    def now(self) -> datetime:
        """The engine clock (tests move it; timers compute due times from it)."""
        return self.clock()

    def validate(self, expression: str) -> None:
        """Spiff calls this at parse time; syntax is checked by lint, not by ``ast``."""

    def evaluate(self, task: Any, expression: str,
                 external_context: Mapping[str, Any] | None = None) -> Any:
        context = {**(external_context or {}), **task.data, **_loop_counters(task)}
        return self.evaluate_in(expression, context, task)

    def evaluate_in(self, expression: str, context: Mapping[str, Any], task: Any) -> Any:
        """Evaluate with an explicit context, turning sandbox errors into task errors."""
        try:
            return evaluate(expression, context)
        except ExpressionError as exc:
            raise WorkflowTaskException(
                f"Error evaluating expression '{expression}': {exc}", task=task,
                exception=exc) from exc

    def execute(self, task: Any, script: str,
                external_context: Mapping[str, Any] | None = None) -> bool:
        if not self.allow_scripts:
            raise WorkflowTaskException("Script tasks are disabled on this engine", task=task)
        for number, line in enumerate((script or "").splitlines(), start=1):
            if not line.strip() or line.strip().startswith("#"):
                continue
            match = _ASSIGNMENT.match(line)
            if match is None:
                raise WorkflowTaskException(
                    f"Script line {number}: only 'name = expression' is allowed", task=task)
            task.data[match.group(1)] = self.evaluate(task, match.group(2), external_context)
        return True

    def call_service(self, task: Any, **kwargs: Any) -> Any:
        raise WorkflowTaskException("Service calls are handled by external tasks", task=task)


def _loop_counters(task: Any) -> dict[str, int]:
    """Camunda's ``nrOf*Instances`` for completion conditions of multi-instance tasks."""
    parent = task.parent
    if parent is None or not isinstance(parent.task_spec, MultiInstanceTask):
        return {}
    internal = parent.internal_data
    completed = len(internal.get("merged", []))
    sequential = "remaining" in internal or "current" in internal
    if "remaining" in internal:
        total = completed + len(internal["remaining"])
    elif "cardinality" in internal:
        total = int(internal["cardinality"])
    else:
        total = sum(1 for c in parent.children if c.task_spec.name == parent.task_spec.task_spec)
    active = max(total - completed, 0)
    return {"nrOfInstances": total, "nrOfCompletedInstances": completed,
            "nrOfActiveInstances": min(active, 1) if sequential else active}
