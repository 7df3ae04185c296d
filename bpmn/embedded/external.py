"""External tasks with Camunda's fetch-and-lock semantics.

Why rows with a lock owner and expiry: any number of workers (in-process or
remote through ``/engine-rest``) poll concurrently. A fetch picks only tasks
that are unlocked or whose lock expired and that have retries left, locks them
in the same transaction (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite
serializes writers), so exactly one worker gets each task. Failures count
retries down and lock the task until the retry timeout; at zero an incident
opens. Only the worker holding the latest lock may complete or fail a task.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import ErrorEventDefinition
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from bpmn.embedded.context import EngineContext
from bpmn.embedded.incidents import Incidents
from bpmn.embedded.runner import Runner, spiff_errors
from bpmn.embedded.values import parameters
from bpmn.engine_errors import BadUserRequest, ExternalTaskLockedByOther, NotFound
from bpmn.engine_types import ExternalTask, ExternalTaskQuery, LockedExternalTask, TopicRequest
from bpmn.spiff.inspect import extensions, set_process_variables
from bpmn.spiff.stepper import find_task
from models.engine import EngineExternalTask, EngineVariable


def external_value(row: EngineExternalTask, cls: type = ExternalTask, **extra: Any) -> Any:
    return cls(id=row.id, topic=row.topic, worker_id=row.worker_id,
               lock_expiration=row.lock_expiration, retries=row.retries,
               error_message=row.error_message, error_details=row.error_details,
               process_instance_id=row.instance_id, process_definition_id=row.definition_id,
               process_definition_key=row.definition_key, business_key=row.business_key,
               activity_id=row.activity_id, priority=row.priority, tenant=row.tenant,
               suspended=row.suspended, extension_properties=dict(row.properties or {}), **extra)


class ExternalTasks:
    """See module docstring."""

    def __init__(self, ctx: EngineContext, runner: Runner, incidents: Incidents) -> None:
        self.ctx = ctx
        self.runner = runner
        self.incidents = incidents

    def fetch_and_lock(self, session: Session, worker_id: str, topics: list[TopicRequest],
                       max_tasks: int, use_priority: bool) -> list[LockedExternalTask]:
        now = self.ctx.now()
        locked: list[LockedExternalTask] = []
        for topic in topics:
            if len(locked) >= max_tasks:
                break
            stmt = self._available(topic, now, use_priority).limit(max_tasks - len(locked))
            stmt = stmt.with_for_update(skip_locked=True)
            for row in session.scalars(stmt):
                row.worker_id = worker_id
                row.lock_expiration = now + timedelta(milliseconds=topic.lock_duration_ms)
                variables = self._variables(session, row, topic.variables)
                locked.append(external_value(row, LockedExternalTask, variables=variables))
        session.flush()
        return locked

    def _available(self, topic: TopicRequest, now: Any,
                   use_priority: bool) -> Select[Any]:
        table = EngineExternalTask
        stmt = select(table).where(
            table.topic == topic.topic, table.suspended.is_(False),
            or_(table.lock_expiration.is_(None), table.lock_expiration <= now),
            or_(table.retries.is_(None), table.retries > 0))
        if topic.business_key is not None:
            stmt = stmt.where(table.business_key == topic.business_key)
        if topic.process_definition_key is not None:
            stmt = stmt.where(table.definition_key == topic.process_definition_key)
        if topic.tenant_ids:
            stmt = stmt.where(table.tenant.in_(topic.tenant_ids))
        order = [table.priority.desc()] if use_priority else []
        return stmt.order_by(*order, table.created, table.id)

    def _variables(self, session: Session, row: EngineExternalTask,
                   names: list[str] | None) -> dict[str, Any]:
        stmt = select(EngineVariable.name, EngineVariable.value).where(
            EngineVariable.instance_id == row.instance_id)
        if names is not None:
            stmt = stmt.where(EngineVariable.name.in_(names))
        values = {name: value for name, value in session.execute(stmt)}
        return {**values, **(row.inputs or {})}

    def row(self, session: Session, task_id: str) -> EngineExternalTask:
        row = session.scalars(select(EngineExternalTask).where(EngineExternalTask.id == task_id)
                              .with_for_update()
                              .execution_options(populate_existing=True)).first()
        if row is None:
            raise NotFound(f"External task with id {task_id} does not exist")
        return row

    def _owned(self, session: Session, task_id: str, worker_id: str,
               action: str) -> EngineExternalTask:
        row = self.row(session, task_id)
        if row.worker_id != worker_id:
            raise ExternalTaskLockedByOther(
                f"External Task {task_id} cannot be {action} by worker '{worker_id}'. "
                f"It is locked by worker '{row.worker_id}'.")
        return row

    def _instance_then_task(self, session: Session, task_id: str, worker_id: str,
                            action: str) -> tuple[Any, EngineExternalTask]:
        """Lock the instance before the task row: the order every instance change uses."""
        instance_id = session.scalars(select(EngineExternalTask.instance_id).where(
            EngineExternalTask.id == task_id)).first()
        if instance_id is None:
            raise NotFound(f"External task with id {task_id} does not exist")
        live = self.runner.load(session, instance_id)
        return live, self._owned(session, task_id, worker_id, action)

    def complete(self, session: Session, task_id: str, worker_id: str,
                 variables: Mapping[str, Any] | None,
                 local_variables: Mapping[str, Any] | None) -> None:
        live, row = self._instance_then_task(session, task_id, worker_id, "completed")
        task = self._spiff_task(live, task_id)
        values = dict(variables or {})
        scope = {**task.data, **(row.inputs or {}), **values, **dict(local_variables or {})}
        values.update(parameters(extensions(task).get("outputParameters"), scope))
        set_process_variables(live.wf, values)
        with spiff_errors():
            task.complete()
        self.runner.advance(session, live)

    def _spiff_task(self, live: Any, task_id: str) -> Any:
        task = find_task(live.wf, task_id)
        if task is None or task.state != TaskState.STARTED:
            raise NotFound(f"External task with id {task_id} does not exist")
        return task

    def failure(self, session: Session, task_id: str, worker_id: str, message: str | None,
                details: str | None, retries: int, retry_timeout_ms: int) -> None:
        row = self._owned(session, task_id, worker_id, "failed")
        row.retries = max(retries, 0)
        row.error_message, row.error_details = message, details
        row.lock_expiration = self.ctx.now() + timedelta(milliseconds=max(retry_timeout_ms, 0))
        if row.retries == 0:
            self.incidents.open(session, "failedExternalTask", row.id, row.instance_id,
                                row.definition_id, row.activity_id, message, row.tenant,
                                row.business_key)

    def bpmn_error(self, session: Session, task_id: str, worker_id: str, code: str,
                   message: str | None, variables: Mapping[str, Any] | None) -> None:
        live, _row = self._instance_then_task(session, task_id, worker_id, "reported")
        task = self._spiff_task(live, task_id)
        set_process_variables(live.wf, dict(variables or {}))
        event = BpmnEvent(ErrorEventDefinition(code, code=code), payload=dict(variables or {}),
                          target=task.workflow)
        live.wf.catch(event)
        if event in live.wf.bpmn_events:  # nobody caught it: Camunda ends the instance
            live.wf.bpmn_events = [e for e in live.wf.bpmn_events if e is not event]
            live.wf.cancel()
            live.wf.completed = True
            self.runner.finish_if_done(session, live, f"unhandled BPMN error {code}: {message}")
            self.runner.save(session, live)
            return
        self.runner.advance(session, live)

    def extend_lock(self, session: Session, task_id: str, worker_id: str,
                    duration_ms: int) -> None:
        row = self._owned(session, task_id, worker_id, "extended")
        now = self.ctx.now()
        if row.lock_expiration is None or row.lock_expiration <= now:
            raise BadUserRequest(f"Cannot extend a lock that expired (external task {task_id})")
        row.lock_expiration = now + timedelta(milliseconds=duration_ms)

    def unlock(self, session: Session, task_id: str) -> None:
        row = self.row(session, task_id)
        row.worker_id, row.lock_expiration = None, None

    def set_retries(self, session: Session, task_id: str, retries: int) -> None:
        if retries < 0:
            raise BadUserRequest("The number of retries cannot be negative")
        row = self.row(session, task_id)
        row.retries = retries
        if retries > 0:
            self.incidents.resolve_for(session, row.id)

    def query(self, session: Session, query: ExternalTaskQuery) -> list[ExternalTask]:
        table, now = EngineExternalTask, self.ctx.now()
        stmt = select(table)
        for column, value in ((table.id, query.id), (table.topic, query.topic),
                              (table.worker_id, query.worker_id),
                              (table.instance_id, query.process_instance_id),
                              (table.activity_id, query.activity_id), (table.tenant, query.tenant)):
            if value is not None:
                stmt = stmt.where(column == value)
        if query.locked is not None:
            held = table.lock_expiration > now
            stmt = stmt.where(held if query.locked else or_(table.lock_expiration.is_(None),
                                                            table.lock_expiration <= now))
        if query.with_retries_left is not None:
            left = or_(table.retries.is_(None), table.retries > 0)
            stmt = stmt.where(left if query.with_retries_left else table.retries == 0)
        stmt = stmt.order_by(table.created, table.id).offset(query.first)
        if query.max_results is not None:
            stmt = stmt.limit(query.max_results)
        return [external_value(r) for r in session.scalars(stmt)]
