"""Spiff task specs and event definitions with Camunda semantics.

Why subclasses rather than patches: each one changes one behaviour where
Spiff's default differs from Camunda 7 and we need the Camunda one —
external service tasks, engine-owned timers (due times from our clock, fired
only by the job executor), messages whose payload becomes process variables,
multi-instance element variables that stay local to their instance, and call
activities that pass only what ``camunda:in``/``camunda:out`` map.
"""

from __future__ import annotations

from copy import deepcopy
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.defaults import (
    CallActivity,
    ParallelMultiInstanceTask,
    SequentialMultiInstanceTask,
    ServiceTask,
)
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
)
from SpiffWorkflow.bpmn.util import BpmnEvent, PendingBpmnEvent
from SpiffWorkflow.camunda.specs.event_definitions import (
    MessageEventDefinition as CamundaMessageEventDefinition,
)

from bpmn.expressions import parse_timer


class ExternalServiceTask(ServiceTask):
    """``camunda:type="external"``: parks in STARTED until a worker completes it."""


class EngineTimer:
    """Timer whose due time comes from the engine clock and which only the engine fires.

    Keys are per timer name because an event-based gateway task holds several.
    """

    name: str
    expression: str

    def due_key(self) -> str:
        return f"timer_due:{self.name}"

    def fired_key(self) -> str:
        return f"timer_fired:{self.name}"

    def due(self, my_task: Any) -> datetime | None:
        """The pending due time (computing it on first use), or None when exhausted."""
        if self.due_key() not in my_task.internal_data and not self._exhausted(my_task):
            self._schedule(my_task, first=True)
        value = my_task.internal_data.get(self.due_key())
        return datetime.fromisoformat(value) if value else None

    def _schedule(self, my_task: Any, first: bool) -> None:
        timer = parse_timer(self.expression, my_task.data)
        now = my_task.workflow.script_engine.now()
        my_task.internal_data[self.due_key()] = timer.next_due(now).isoformat()
        if first and timer.kind == "cycle":
            repetitions = timer.repetitions
            my_task.internal_data[f"timer_left:{self.name}"] = (
                -1 if repetitions is None or repetitions < 0 else repetitions)

    def _exhausted(self, my_task: Any) -> bool:
        return bool(my_task.internal_data.get("event_fired"))

    def has_fired(self, my_task: Any) -> bool:
        self.due(my_task)
        return bool(my_task.internal_data.get(self.fired_key())
                    or my_task.internal_data.get("event_fired"))

    def fire(self, my_task: Any, last: bool = False) -> None:
        """The job executor says the timer is due (``last``: no further cycles)."""
        self.due(my_task)
        my_task.internal_data[self.fired_key()] = True

    def reset(self, my_task: Any) -> None:
        for key in (self.due_key(), self.fired_key(), f"timer_left:{self.name}"):
            my_task.internal_data.pop(key, None)
        super().reset(my_task)  # type: ignore[misc]

    def details(self, my_task: Any) -> PendingBpmnEvent:
        due = my_task.internal_data.get(self.due_key())
        return PendingBpmnEvent(self.name, self.__class__.__name__, due)


class EngineTimeDate(EngineTimer, TimeDateEventDefinition):
    """``timeDate``."""


class EngineDuration(EngineTimer, DurationTimerEventDefinition):
    """``timeDuration``."""


class EngineCycle(EngineTimer, CycleTimerEventDefinition):
    """``timeCycle``: each firing spawns the outgoing path; done after its repetitions."""

    def has_fired(self, my_task: Any) -> bool:
        self.due(my_task)
        return bool(my_task.internal_data.get("event_fired"))

    def fire(self, my_task: Any, last: bool = False) -> None:
        super().fire(my_task)
        if last:
            my_task.internal_data[f"timer_left:{self.name}"] = 1

    def cycle_complete(self, my_task: Any) -> bool:
        if not my_task.internal_data.pop(self.fired_key(), False):
            return False
        left_key = f"timer_left:{self.name}"
        left = my_task.internal_data.get(left_key, -1)
        if left > 0:
            left -= 1
            my_task.internal_data[left_key] = left
        if left == 0:
            my_task.internal_data.pop(self.due_key(), None)
            my_task.internal_data["event_fired"] = True
        else:
            self._schedule(my_task, first=False)
        return True


class EngineMessageEventDefinition(CamundaMessageEventDefinition):
    """A message whose payload (a dict of variables) is merged into the catching task."""

    def throw(self, my_task: Any) -> None:
        event = BpmnEvent(self, payload={})
        my_task.workflow.top_workflow.catch(event)

    def update_internal_data(self, my_task: Any, event: Any) -> None:
        payload = event.payload if isinstance(event.payload, dict) else {}
        my_task.internal_data[self.name] = payload

    def update_task_data(self, my_task: Any) -> None:
        my_task.data.update(my_task.internal_data.get(self.name) or {})


class _CamundaMultiInstance:
    """Camunda's element variable (and ``loopCounter``) is local to each instance."""

    def create_children(self, my_task: Any) -> None:
        """A collection that is missing or not a collection is the process's error, named."""
        source = self.data_input  # type: ignore[attr-defined]
        if source is not None:
            value = my_task.data.get(source.bpmn_id)
            if value is None or isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
                raise WorkflowTaskException(
                    f"multi-instance collection {source.bpmn_id!r} is {type(value).__name__}, "
                    "not a list", task=my_task)
        super().create_children(my_task)  # type: ignore[misc]

    def merge_child(self, workflow: Any, child: Any) -> None:
        if self.input_item is not None:  # type: ignore[attr-defined]
            child.data.pop(self.input_item.bpmn_id, None)  # type: ignore[attr-defined]
        super().merge_child(workflow, child)  # type: ignore[misc]


class CamundaParallelMI(_CamundaMultiInstance, ParallelMultiInstanceTask):
    """Parallel multi-instance with Camunda semantics."""


class CamundaSequentialMI(_CamundaMultiInstance, SequentialMultiInstanceTask):
    """Sequential multi-instance with Camunda semantics."""


class CamundaCallActivity(CallActivity):
    """Passes variables only as mapped by ``camunda:in`` / ``camunda:out`` (Camunda 7)."""

    def copy_data(self, my_task: Any, subworkflow: Any) -> None:
        start = subworkflow.get_next_task(subworkflow.task_tree, skip_subprocesses=True,
                                          spec_name="Start")
        mapped = map_variables(self.extensions.get("in", []), my_task.data,
                               my_task.workflow.script_engine, my_task)
        start.set_data(**deepcopy(mapped))

    def update_data(self, my_task: Any, subworkflow: Any) -> None:
        source = subworkflow.last_task.data if subworkflow.last_task else {}
        mapped = map_variables(self.extensions.get("out", []), source,
                               my_task.workflow.script_engine, subworkflow.last_task)
        my_task.data.update(deepcopy(mapped))


def map_variables(mappings: list[dict[str, Any]], source: dict[str, Any],
                  script_engine: Any, task: Any) -> dict[str, Any]:
    """Apply ``camunda:in``/``camunda:out`` entries (``variables="all"``, source, expression)."""
    result: dict[str, Any] = {}
    for mapping in mappings:
        if mapping.get("variables") == "all":
            result.update(source)
        elif mapping.get("source") is not None and mapping["source"] in source:
            result[mapping.get("target") or mapping["source"]] = source[mapping["source"]]
        elif mapping.get("sourceExpression") is not None:
            value = script_engine.evaluate_in(mapping["sourceExpression"], source, task)
            result[mapping.get("target") or ""] = value
    result.pop("", None)
    return result
