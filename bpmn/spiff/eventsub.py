"""Event subprocess semantics Spiff lacks: interrupting starts, idle listeners.

Why: in Camunda an interrupting event subprocess cancels everything else in
its scope when it starts, and a scope whose regular flow has ended completes
even though event subprocesses could still have been triggered (they are
subscriptions, not tokens). Spiff models event subprocesses as tasks that stay
STARTED, so we add both rules after each round of steps.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.control import _EndJoin
from SpiffWorkflow.bpmn.specs.defaults import EventSubprocess, StartEvent
from SpiffWorkflow.util.task import TaskState

_LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED


def _workflows(workflow: Any) -> list[Any]:
    return [workflow, *workflow.get_active_subprocesses()]


def apply(workflow: Any) -> bool:
    """Apply both rules everywhere; True when something changed."""
    changed = False
    for owner_id, sub in list(workflow.subprocesses.items()):
        changed = _interrupt(workflow, owner_id, sub) or changed
    for wf in _workflows(workflow):
        changed = _release_idle_listeners(wf) or changed
    if not workflow.completed and not workflow.get_tasks(state=TaskState.NOT_FINISHED_MASK):
        workflow.completed = True  # an interrupting event subprocess ended the scope
        changed = True
    return changed


def _interrupt(workflow: Any, owner_id: Any, sub: Any) -> bool:
    owner = workflow.tasks.get(owner_id) or next(
        (s.tasks[owner_id] for s in workflow.subprocesses.values() if owner_id in s.tasks), None)
    if (owner is None or not isinstance(owner.task_spec, EventSubprocess)
            or owner.internal_data.get("interrupted")):
        return False
    fired = [t for t in sub.get_tasks(state=TaskState.COMPLETED)
             if isinstance(t.task_spec, StartEvent)
             and str(t.task_spec.extensions.get("isInterrupting", "true")).lower() == "true"]
    if not fired:
        return False
    owner.internal_data["interrupted"] = True
    keep = {owner.id, *(t.id for t in owner)}
    for task in owner.workflow.get_tasks(state=_LIVE):
        if (task.workflow is owner.workflow and task.id not in keep
                and not owner.is_descendant_of(task)):
            task.cancel()
    return True


def _idle(sub: Any) -> bool:
    """Only its start event (and joins waiting for it) are live: nothing is running."""
    return all(isinstance(t.task_spec, StartEvent | _EndJoin) and t.state == TaskState.WAITING
               for t in sub.get_tasks(state=_LIVE))


def _release_idle_listeners(wf: Any) -> bool:
    """Regular flow ended but idle event subprocesses keep the scope open: close them."""
    live = [t for t in wf.get_tasks(state=_LIVE) if t.workflow is wf]
    ends = [t for t in live if isinstance(t.task_spec, _EndJoin) and t.state == TaskState.WAITING]
    listeners = [t for t in live if isinstance(t.task_spec, EventSubprocess)]
    others = [t for t in live if t not in ends and t not in listeners]
    if not ends or not listeners or others:
        return False
    top = wf.top_workflow
    if not all(_idle(top.subprocesses[t.id]) for t in listeners if t.id in top.subprocesses):
        return False
    for task in listeners:
        task.cancel()
    for task in ends:
        task.task_spec._update(task)
    return True
