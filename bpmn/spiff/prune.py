"""Dropping finished history from a live Spiff task tree.

Why: Spiff keeps every task it ever ran in the tree, so a looping process
grows its serialized state and its per-step cost (joins walk ancestors) with
every iteration. History lives in our append-only tables instead, so before
each save we remove what no future step can look at:

* dead branches: children of a COMPLETED task whose whole subtree is finished
  (cancelled boundary events, the losing branches of finished joins, merged
  multi-instance children once their parent finished);
* finished chains: a COMPLETED task with one COMPLETED child under a COMPLETED
  parent is spliced out (its child is re-parented). Live tasks keep their
  direct parent, so data inheritance and join bookkeeping are untouched, and
  splits with several children stay until they are finished;
* finished subprocesses whose parent task is gone or finished.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.util.task import TaskState

_DONE = TaskState.COMPLETED | TaskState.CANCELLED


def prune(workflow: Any) -> int:
    """Prune the top workflow and all subprocesses in place; returns tasks removed."""
    removed = 0
    for wf in [workflow, *workflow.subprocesses.values()]:
        removed += _drop_dead_branches(wf) + _splice_chains(wf)
    _drop_finished_subprocesses(workflow)
    return removed


def _live(task: Any, memo: dict[Any, bool]) -> bool:
    """True when the subtree under ``task`` holds anything not finished (iterative)."""
    stack: list[tuple[Any, bool]] = [(task, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            memo[node.id] = (not node.has_state(_DONE)
                             or any(memo[c] for c in node._children if c in memo))
            continue
        stack.append((node, True))
        stack.extend((child, False) for child in node.children if child is not None)
    return memo[task.id]


def _drop_dead_branches(wf: Any) -> int:
    memo: dict[Any, bool] = {}
    _live(wf.task_tree, memo)
    removed = 0
    for task in list(wf.tasks.values()):
        if task.id not in wf.tasks or task.state != TaskState.COMPLETED:
            continue
        for child in task.children:
            if child is not None and not memo.get(child.id, True):
                removed += _remove_subtree(wf, child)
    return removed


def _remove_subtree(wf: Any, task: Any) -> int:
    ids = [t.id for t in _iter(task)]
    parent = task.parent
    if parent is not None:
        parent._children = [c for c in parent._children if c != task.id]
    for task_id in ids:
        wf.tasks.pop(task_id, None)
    return len(ids)


def _iter(task: Any) -> list[Any]:
    out, stack = [], [task]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(child for child in node.children if child is not None)
    return out


def _splice_chains(wf: Any) -> int:
    removed = 0
    for task in list(wf.tasks.values()):
        parent = task.parent
        if (task is wf.task_tree or parent is None or task.state != TaskState.COMPLETED
                or parent.state != TaskState.COMPLETED or len(task._children) != 1):
            continue
        child = task.children[0]
        if child is None or child.state != TaskState.COMPLETED:
            continue
        parent._children = [child.id if c == task.id else c for c in parent._children]
        child._parent = parent.id
        wf.tasks.pop(task.id, None)
        if wf.last_task is task:
            wf.last_task = child
        removed += 1
    return removed


def _drop_finished_subprocesses(workflow: Any) -> None:
    changed = True
    while changed:
        changed = False
        for task_id in list(workflow.subprocesses):
            owner = _find_task(workflow, task_id)
            if owner is None or owner.has_state(_DONE):
                del workflow.subprocesses[task_id]
                changed = True


def _find_task(workflow: Any, task_id: Any) -> Any:
    if task_id in workflow.tasks:
        return workflow.tasks[task_id]
    for sub in workflow.subprocesses.values():
        if task_id in sub.tasks:
            return sub.tasks[task_id]
    return None
