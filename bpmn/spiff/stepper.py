"""Running a Spiff workflow forward the way Camunda would.

Why not ``do_engine_steps``: Camunda runs manual and none tasks straight
through, stops only at user tasks, external tasks, catch events and async
continuations, and turns failures into errors that name the activity. This
loop mirrors Spiff's own (subprocesses deepest first) with those rules.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.defaults import UserTask
from SpiffWorkflow.exceptions import SpiffWorkflowException, TaskNotFoundException
from SpiffWorkflow.util.task import TaskState

from bpmn.spiff import eventsub
from bpmn.spiff.ids import external_id
from bpmn.spiff.inspect import held

MAX_ROUNDS = 10_000


class StepError(Exception):
    """A process step failed; ``activity_id`` names the BPMN element when known."""

    def __init__(self, message: str, activity_id: str | None) -> None:
        super().__init__(f"{activity_id}: {message}" if activity_id else message)
        self.activity_id = activity_id


def run(workflow: Any) -> None:
    """Run every runnable task until the workflow waits or ends."""
    try:
        for _ in range(MAX_ROUNDS):
            progressed = _round(workflow)
            progressed = eventsub.apply(workflow) or progressed
            workflow.refresh_timers()
            if not progressed and not _any_runnable(workflow):
                return
        raise StepError("the process did not come to rest (endless loop?)", None)
    except SpiffWorkflowException as exc:
        raise StepError(str(exc), activity_of(exc)) from exc


def _round(workflow: Any) -> bool:
    progressed = False
    active = workflow.get_active_subprocesses()
    for sub in sorted(active, key=lambda s: s.depth, reverse=True):
        while _run_ready(sub):
            progressed = True
        if sub.parent_task_id is not None:
            owner = workflow.get_task_from_id(sub.parent_task_id)
            owner.task_spec._update(owner)
    progressed = _run_ready(workflow) or progressed
    return progressed or len(workflow.get_active_subprocesses()) > len(active)


def _runnable(task: Any) -> bool:
    return (task.state == TaskState.READY and not isinstance(task.task_spec, UserTask)
            and not held(task))


def _run_ready(workflow: Any) -> bool:
    ran = False
    for task in workflow.get_tasks(state=TaskState.READY):
        if _runnable(task):
            task.run()
            ran = True
    return ran


def _any_runnable(workflow: Any) -> bool:
    subs = [workflow, *workflow.get_active_subprocesses()]
    return any(_runnable(t) for wf in subs for t in wf.get_tasks(state=TaskState.READY))


def activity_of(exc: Exception) -> str | None:
    """The BPMN id of the task a Spiff exception is about, when it says."""
    task = getattr(exc, "task", None)
    spec = task.task_spec if task is not None else getattr(exc, "task_spec", None)
    bpmn_id = getattr(spec, "bpmn_id", None)
    return external_id(bpmn_id) if bpmn_id else None


def find_task(workflow: Any, task_id: str) -> Any | None:
    """The task with hex id ``task_id`` in the workflow or any subprocess."""
    try:
        return workflow.get_task_from_id(UUID(hex=task_id))
    except (TaskNotFoundException, ValueError):
        return None
