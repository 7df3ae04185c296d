"""User tasks: inbox queries from the projection, claim/assign, completion.

Why claim and assign never load the instance: they only change the
projection row (and the open history row), so inboxes stay fast; completion
goes through the runner because it moves the process.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import Select, exists, func, or_, select, update
from sqlalchemy.orm import Session

from bpmn.embedded.context import EngineContext
from bpmn.embedded.runner import Runner, spiff_errors
from bpmn.engine_errors import BadUserRequest, NotFound, TaskAlreadyClaimed
from bpmn.engine_types import TaskQuery, UserTask
from bpmn.spiff.inspect import set_process_variables
from bpmn.spiff.stepper import find_task
from models.engine import EngineHistoryActivity, EngineIdentityLink, EngineUserTask

_SORT = {"created": EngineUserTask.created, "due": EngineUserTask.due,
         "priority": EngineUserTask.priority, "name": EngineUserTask.name}


def task_value(row: EngineUserTask) -> UserTask:
    return UserTask(id=row.id, name=row.name, task_definition_key=row.activity_id,
                    process_instance_id=row.instance_id, process_definition_id=row.definition_id,
                    business_key=row.business_key, assignee=row.assignee,
                    candidate_users=list(row.candidate_users),
                    candidate_groups=list(row.candidate_groups), due=row.due,
                    follow_up=row.follow_up, priority=row.priority, form_key=row.form_key,
                    created=row.created, tenant=row.tenant, description=row.description)


def _candidate(kind: str, identities: list[str]) -> Any:
    return exists().where(EngineIdentityLink.task_id == EngineUserTask.id,
                          EngineIdentityLink.kind == kind,
                          EngineIdentityLink.identity.in_(identities))


def _filtered(query: TaskQuery) -> Select[Any]:
    stmt = select(EngineUserTask)
    equals = ((EngineUserTask.id, query.id),
              (EngineUserTask.instance_id, query.process_instance_id),
              (EngineUserTask.business_key, query.business_key),
              (EngineUserTask.assignee, query.assignee), (EngineUserTask.name, query.name),
              (EngineUserTask.activity_id, query.task_definition_key),
              (EngineUserTask.tenant, query.tenant))
    for column, value in equals:
        if value is not None:
            stmt = stmt.where(column == value)
    if query.unassigned is not None:
        stmt = stmt.where(EngineUserTask.assignee.is_(None) if query.unassigned
                          else EngineUserTask.assignee.is_not(None))
    if query.name_like is not None:
        stmt = stmt.where(EngineUserTask.name.like(query.name_like))
    stmt = _candidates(stmt, query)
    ranges: tuple[tuple[Any, Any, Any], ...] = (
        (EngineUserTask.due, query.due_before, query.due_after),
        (EngineUserTask.follow_up, query.follow_up_before, query.follow_up_after))
    for column, before, after in ranges:
        if before is not None:
            stmt = stmt.where(column < before)
        if after is not None:
            stmt = stmt.where(column > after)
    return stmt


def _candidates(stmt: Select[Any], query: TaskQuery
                ) -> Select[Any]:
    """Camunda: candidate tasks are unassigned tasks offered to the user or their groups."""
    offers = []
    if query.candidate_user is not None:
        offers.append(_candidate("user", [query.candidate_user]))
    if query.candidate_groups:
        offers.append(_candidate("group", list(query.candidate_groups)))
    if offers:
        stmt = stmt.where(EngineUserTask.assignee.is_(None), or_(*offers))
    return stmt


class UserTasks:
    """See module docstring."""

    def __init__(self, ctx: EngineContext, runner: Runner) -> None:
        self.ctx = ctx
        self.runner = runner

    def query(self, session: Session, query: TaskQuery) -> list[UserTask]:
        order = _SORT[query.sort]
        stmt = _filtered(query).order_by(order.desc() if query.descending else order,
                                         EngineUserTask.id).offset(query.first)
        if query.max_results is not None:
            stmt = stmt.limit(query.max_results)
        return [task_value(r) for r in session.scalars(stmt)]

    def count(self, session: Session, query: TaskQuery) -> int:
        return int(session.scalar(select(func.count()).select_from(_filtered(query).subquery()))
                   or 0)

    def row(self, session: Session, task_id: str, lock: bool = False) -> EngineUserTask:
        stmt = select(EngineUserTask).where(EngineUserTask.id == task_id)
        row = session.scalars(stmt.with_for_update() if lock else stmt).first()
        if row is None:
            raise NotFound(f"Cannot find task with id {task_id}")
        return row

    def claim(self, session: Session, task_id: str, user: str) -> None:
        row = self.row(session, task_id, lock=True)
        if row.assignee is not None and row.assignee != user:
            raise TaskAlreadyClaimed(f"Task '{task_id}' is already claimed by someone else.")
        self._assign(session, row, user)

    def assign(self, session: Session, task_id: str, user: str | None) -> None:
        self._assign(session, self.row(session, task_id, lock=True), user)

    def _assign(self, session: Session, row: EngineUserTask, user: str | None) -> None:
        if row.assignee == user:
            return
        row.assignee = user
        session.execute(update(EngineHistoryActivity).where(EngineHistoryActivity.id == row.id)
                        .values(assignee=user))
        self.ctx.emit(session, "task.assigned", instance_id=row.instance_id,
                      business_key=row.business_key, tenant=row.tenant, task_id=row.id,
                      assignee=user, activity_id=row.activity_id)

    def complete(self, session: Session, task_id: str,
                 variables: Mapping[str, Any] | None) -> None:
        row = self.row(session, task_id)
        if row.suspended:
            raise BadUserRequest(f"Task {task_id} is suspended")
        live = self.runner.load(session, row.instance_id, business_key=row.business_key)
        task = find_task(live.wf, task_id)
        if task is None or task.state != TaskState.READY:
            raise NotFound(f"Cannot find task with id {task_id}")
        event = {"task_id": task_id, "name": row.name, "activity_id": row.activity_id,
                 "assignee": row.assignee, "variables": dict(variables or {})}
        set_process_variables(live.wf, dict(variables or {}))
        with spiff_errors():
            task.run()
        live.completed.add(task_id)
        self.ctx.emit(session, "task.completed", instance_id=row.instance_id,
                      business_key=row.business_key, tenant=row.tenant, **event)
        self.runner.advance(session, live)
