"""Reading a live Spiff workflow: what waits on whom, and what just ran.

Why a separate module: the embedded engine's projections (user tasks,
external tasks, jobs, subscriptions, history, variables) are derived from the
workflow after every step; keeping the Spiff-specific knowledge here leaves
the persistence code free of Spiff internals.
"""

from __future__ import annotations

from collections.abc import Iterator
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.control import BoundaryEventJoin
from SpiffWorkflow.bpmn.specs.defaults import (
    BoundaryEvent,
    CallActivity,
    EndEvent,
    EventBasedGateway,
    EventSubprocess,
    ExclusiveGateway,
    InclusiveGateway,
    IntermediateCatchEvent,
    IntermediateThrowEvent,
    ManualTask,
    NoneTask,
    ParallelGateway,
    ReceiveTask,
    ScriptTask,
    SendTask,
    StartEvent,
    SubWorkflowTask,
    UserTask,
)
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.util.task import TaskState

from bpmn.spiff.ids import external_id
from bpmn.spiff.specs import EngineTimer, ExternalServiceTask

LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED

_TYPES: list[tuple[type, str]] = [
    (UserTask, "userTask"), (ExternalServiceTask, "serviceTask"), (ScriptTask, "scriptTask"),
    (ManualTask, "manualTask"), (SendTask, "sendTask"), (ReceiveTask, "receiveTask"),
    (NoneTask, "task"), (StartEvent, "startEvent"), (EndEvent, "endEvent"),
    (BoundaryEvent, "boundaryEvent"), (IntermediateCatchEvent, "intermediateCatchEvent"),
    (IntermediateThrowEvent, "intermediateThrowEvent"), (ExclusiveGateway, "exclusiveGateway"),
    (InclusiveGateway, "inclusiveGateway"), (ParallelGateway, "parallelGateway"),
    (EventBasedGateway, "eventBasedGateway"), (CallActivity, "callActivity"),
    (EventSubprocess, "subProcess"), (SubWorkflowTask, "subProcess"),
    (MultiInstanceTask, "multiInstanceBody"),
]


def activity_type(spec: Any) -> str:
    """Camunda's activityType for a spec."""
    for cls, name in _TYPES:
        if isinstance(spec, cls):
            return name
    return "task"


def visible(task: Any) -> bool:
    """A task that is a BPMN element (not one of Spiff's control tasks)."""
    spec = task.task_spec
    return getattr(spec, "bpmn_id", None) is not None and not isinstance(spec, BoundaryEventJoin)


def activity_id(task: Any) -> str:
    return external_id(task.task_spec.bpmn_id)


def extensions(task: Any) -> dict[str, Any]:
    return getattr(task.task_spec, "extensions", None) or {}


def _is_true(value: Any) -> bool:
    return str(value).lower() == "true"


def held(task: Any) -> bool:
    """READY but waiting for an async-continuation job (asyncBefore/asyncAfter)."""
    if task.internal_data.get("async_done"):
        return False
    spec = task.task_spec
    own = _is_true(extensions(task).get("asyncBefore")) and " [child]" not in spec.name
    parent = task.parent
    after = (parent is not None and not task.triggered
             and _is_true(extensions(parent).get("asyncAfter")))
    return own or after


def all_tasks(workflow: Any) -> Iterator[Any]:
    """Tasks of the top workflow and every subprocess."""
    yield from workflow.tasks.values()
    for sub in workflow.subprocesses.values():
        yield from sub.tasks.values()


@dataclass
class Snapshot:
    """What the instance waits for right now (keys are stable across steps)."""

    user_tasks: dict[str, Any] = field(default_factory=dict)
    external_tasks: dict[str, Any] = field(default_factory=dict)
    timers: dict[str, tuple[Any, str, datetime]] = field(default_factory=dict)
    asyncs: dict[str, Any] = field(default_factory=dict)
    messages: dict[str, tuple[Any, str]] = field(default_factory=dict)
    signals: dict[str, tuple[Any, str]] = field(default_factory=dict)
    active: dict[str, Any] = field(default_factory=dict)


def snapshot(workflow: Any) -> Snapshot:
    """Collect the waiting state of ``workflow`` (see `Snapshot`)."""
    snap = Snapshot()
    for task in all_tasks(workflow):
        if not task.has_state(LIVE):
            continue
        tid = task.id.hex
        if visible(task):
            snap.active[tid] = task
        if task.state == TaskState.READY and held(task):
            snap.asyncs[tid] = task
        elif isinstance(task.task_spec, UserTask) and task.state == TaskState.READY:
            snap.user_tasks[tid] = task
        elif isinstance(task.task_spec, ExternalServiceTask) and task.state == TaskState.STARTED:
            snap.external_tasks[tid] = task
        elif task.state == TaskState.WAITING:
            _add_events(snap, task)
    _add_event_subprocess_starts(snap, workflow)
    return snap


def event_definitions(task: Any) -> list[Any]:
    definition = getattr(task.task_spec, "event_definition", None)
    if isinstance(definition, MultipleEventDefinition):
        return list(definition.event_definitions)
    return [definition] if definition is not None else []


def _add_events(snap: Snapshot, task: Any) -> None:
    tid = task.id.hex
    for definition in event_definitions(task):
        if isinstance(definition, EngineTimer):
            due = definition.due(task)
            if due is not None:
                snap.timers[f"{tid}|{definition.name}"] = (task, definition.name, due)
        elif isinstance(definition, MessageEventDefinition):
            snap.messages[f"{tid}|{definition.name}"] = (task, definition.name)
        elif isinstance(definition, SignalEventDefinition):
            snap.signals[f"{tid}|{definition.name}"] = (task, definition.name)


def _add_event_subprocess_starts(snap: Snapshot, workflow: Any) -> None:
    """Message/signal start events of event subprocesses triggered by catching."""
    for name in workflow.spec.start.trigger_specs:
        spec = workflow.subprocess_specs.get(name)
        for start in getattr(spec, "bpmn_start_events", []):
            definition = start.event_definition
            key = f"{name}|{definition.name}"
            if isinstance(definition, MessageEventDefinition):
                snap.messages[key] = (None, definition.name)
            elif isinstance(definition, SignalEventDefinition):
                snap.signals[key] = (None, definition.name)


def recently_finished(workflow: Any, since: float) -> list[Any]:
    """Visible tasks that completed or were cancelled after ``since`` (time.time())."""
    done = TaskState.COMPLETED | TaskState.CANCELLED
    return [t for t in all_tasks(workflow)
            if t.has_state(done) and t.last_state_change >= since and visible(t)]


def current_variables(workflow: Any) -> dict[str, Any]:
    """Process variables: the merged data of live tasks (or the final data)."""
    if workflow.completed:
        data = dict(workflow.last_task.data) if workflow.last_task is not None else {}
        data.update({k: v for k, v in workflow.data.items() if k != "data_objects"})
        return data
    merged = dict(workflow.task_tree.data)
    for task in all_tasks(workflow):
        if task.has_state(LIVE):
            merged.update(task.data)
    return merged


def set_process_variables(workflow: Any, values: dict[str, Any],
                          deletions: tuple[str, ...] = ()) -> None:
    """Write process-scoped variables into every live task (and the root)."""
    targets = [workflow.task_tree, *(t for t in all_tasks(workflow) if t.has_state(LIVE))]
    for task in targets:
        task.data.update(deepcopy(values))
        for name in deletions:
            task.data.pop(name, None)
