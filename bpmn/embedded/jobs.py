"""Jobs: timers, timer start events and async continuations, executed exactly once.

Why acquire-then-execute: executors (threads, other processes) first claim
due jobs by setting a lock owner and expiry (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL), then execute each in its own transaction that re-locks the job
row, applies the effect and deletes the job together — so a job whose effect
committed can never run again, and a crashed executor's claim simply expires.
A failing job loses a retry; at zero it opens a ``failedJob`` incident.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete, or_, select
from sqlalchemy.orm import Session

from bpmn.embedded.context import EngineContext
from bpmn.embedded.incidents import Incidents
from bpmn.embedded.repository import Repository
from bpmn.embedded.runner import Runner
from bpmn.embedded.starter import Starter
from bpmn.engine_errors import BadUserRequest, NotFound
from bpmn.engine_types import Job, JobQuery
from bpmn.expressions import parse_timer
from bpmn.spiff.inspect import event_definitions, held
from bpmn.spiff.specs import EngineTimer
from bpmn.spiff.stepper import find_task
from models.engine import EngineJob

log = logging.getLogger(__name__)
DEFAULT_LOCK_MS = 300_000


def job_value(row: EngineJob) -> Job:
    return Job(id=row.id, type=row.type,  # type: ignore[arg-type]
               process_instance_id=row.instance_id, process_definition_id=row.definition_id,
               process_definition_key=row.definition_key, activity_id=row.activity_id,
               due=row.due, retries=row.retries, exception_message=row.exception_message,
               created=row.created, tenant=row.tenant, suspended=row.suspended)


class Jobs:
    """See module docstring."""

    def __init__(self, ctx: EngineContext, repository: Repository, runner: Runner,
                 starter: Starter, incidents: Incidents) -> None:
        self.ctx = ctx
        self.repository = repository
        self.runner = runner
        self.starter = starter
        self.incidents = incidents

    def _due(self, now: datetime) -> Select[Any]:
        return select(EngineJob).where(
            EngineJob.due <= now, EngineJob.retries > 0, EngineJob.suspended.is_(False),
            or_(EngineJob.lock_expiration.is_(None), EngineJob.lock_expiration <= self.ctx.now()))

    def acquire(self, owner: str, limit: int, now: datetime | None = None,
                lock_ms: int = DEFAULT_LOCK_MS) -> list[str]:
        """Claim up to ``limit`` due jobs for ``owner`` (one short transaction)."""
        with self.ctx.tx() as session:
            stmt = (self._due(now or self.ctx.now()).order_by(EngineJob.due, EngineJob.id)
                    .limit(limit).with_for_update(skip_locked=True))
            rows = list(session.scalars(stmt))
            expiry = self.ctx.now() + timedelta(milliseconds=lock_ms)
            for row in rows:
                row.lock_owner, row.lock_expiration = owner, expiry
            return [row.id for row in rows]

    def execute(self, job_id: str, owner: str | None = None) -> bool:
        """Run one job in its own transaction; False when it was gone or not ours."""
        with self.ctx.tx() as session:
            job = session.scalars(select(EngineJob).where(EngineJob.id == job_id)
                                  .with_for_update()).first()
            if job is None or (owner is not None and job.lock_owner != owner):
                return False
            try:
                with session.begin_nested():
                    self._effect(session, job)
            except Exception as exc:  # any failure costs a retry, like Camunda's executor
                self._failed(session, job, exc)
            return True

    def _effect(self, session: Session, job: EngineJob) -> None:
        if job.type == "timer-start":
            self._start_timer(session, job)
            return
        job_id = job.id
        try:
            live = self.runner.load(session, job.instance_id or "")
        except (NotFound, BadUserRequest):
            session.execute(delete(EngineJob).where(EngineJob.id == job_id))
            return
        task = find_task(live.wf, job.task_id or "")
        if task is not None and job.type == "timer":
            self._fire_timer(task, job.timer)
        elif task is not None and job.type == "async-continuation" and held(task):
            task.internal_data["async_done"] = True
        session.execute(delete(EngineJob).where(EngineJob.id == job_id))
        self.runner.advance(session, live)

    @staticmethod
    def _fire_timer(task: Any, name: str | None) -> None:
        for definition in event_definitions(task):
            if isinstance(definition, EngineTimer) and definition.name == name:
                definition.fire(task)
                task.task_spec._update(task)

    def _start_timer(self, session: Session, job: EngineJob) -> None:
        definition = self.repository.get(session, job.definition_id)
        self.starter.start(session, definition, None, None, via="timer")
        remaining = None if job.remaining is None else job.remaining - 1
        if remaining is not None and remaining <= 0:
            session.execute(delete(EngineJob).where(EngineJob.id == job.id))
            return
        timer = parse_timer(job.timer or "", {})
        job.due = timer.next_due(self.ctx.now())
        job.remaining, job.lock_owner, job.lock_expiration = remaining, None, None

    def _failed(self, session: Session, job: EngineJob, exc: Exception) -> None:
        log.warning("job %s (%s) failed: %s", job.id, job.type, exc)
        job.retries = max(job.retries - 1, 0)
        job.exception_message = str(exc)
        job.lock_owner, job.lock_expiration = None, None
        self.ctx.emit(session, "job.failed", instance_id=job.instance_id, business_key=None,
                      tenant=job.tenant, job_id=job.id, retries=job.retries, message=str(exc))
        if job.retries == 0:
            self.incidents.open(session, "failedJob", job.id, job.instance_id, job.definition_id,
                                job.activity_id, str(exc), job.tenant, None)

    def run_due(self, now: datetime | None, limit: int, owner: str) -> int:
        done = 0
        while done < limit:
            ids = self.acquire(owner, min(limit - done, 50), now)
            if not ids:
                break
            done += sum(1 for job_id in ids if self.execute(job_id, owner))
        return done

    def set_retries(self, session: Session, job_id: str, retries: int) -> None:
        job = session.get(EngineJob, job_id)
        if job is None:
            raise NotFound(f"Job with id {job_id} does not exist")
        if retries < 0:
            raise BadUserRequest("The number of retries cannot be negative")
        job.retries = retries
        if retries > 0:
            self.incidents.resolve_for(session, job.id)

    def query(self, session: Session, query: JobQuery) -> list[Job]:
        table = EngineJob
        stmt = select(table)
        for column, value in ((table.id, query.id), (table.instance_id, query.process_instance_id),
                              (table.definition_id, query.process_definition_id),
                              (table.activity_id, query.activity_id), (table.type, query.type),
                              (table.tenant, query.tenant)):
            if value is not None:
                stmt = stmt.where(column == value)
        if query.executable:
            stmt = stmt.where(table.due <= self.ctx.now(), table.retries > 0)
        if query.with_exception:
            stmt = stmt.where(table.exception_message.is_not(None))
        if query.no_retries_left:
            stmt = stmt.where(table.retries == 0)
        if query.due_before is not None:
            stmt = stmt.where(table.due < query.due_before)
        stmt = stmt.order_by(table.due, table.id).offset(query.first)
        if query.max_results is not None:
            stmt = stmt.limit(query.max_results)
        return [job_value(r) for r in session.scalars(stmt)]
