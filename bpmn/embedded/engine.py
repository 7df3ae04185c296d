"""`EmbeddedEngine`: the `Engine` protocol on SpiffWorkflow with state in our database.

Why a thin facade: each call opens (or joins) one transaction and hands it to
the service that owns the behaviour (deploy, run, tasks, external tasks,
messages, jobs, incidents); listeners run inside that transaction. Read-only
queries come from `bpmn.embedded.reads.ReadSide`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from bpmn.embedded.admin import Admin
from bpmn.embedded.context import EngineContext, Listener
from bpmn.embedded.external import ExternalTasks
from bpmn.embedded.incidents import Incidents
from bpmn.embedded.jobs import Jobs
from bpmn.embedded.messages import Messages
from bpmn.embedded.projector import Projector
from bpmn.embedded.reads import ReadSide
from bpmn.embedded.repository import Repository
from bpmn.embedded.runner import Runner, instance_value
from bpmn.embedded.starter import Starter
from bpmn.embedded.taskextras import TaskExtras
from bpmn.embedded.usertasks import UserTasks
from bpmn.engine_errors import BadUserRequest
from bpmn.engine_types import (
    CorrelationResult,
    Deployment,
    IdentityLink,
    LockedExternalTask,
    ProcessInstance,
    TaskComment,
    TopicRequest,
)
from bpmn.lint import LintMode
from models.db import Database


class EmbeddedEngine(ReadSide):
    """The embedded, database-backed BPMN engine (``ENGINE_URL=embedded://``)."""

    def __init__(self, db: Database, *, allow_scripts: bool = False,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.ctx = ctx = EngineContext(db, allow_scripts=allow_scripts, clock=clock)
        self.repository = Repository(ctx)
        self.runner = Runner(ctx, self.repository, Projector(ctx))
        self.starter = Starter(self.runner)
        self.incidents_service = Incidents(ctx)
        self.user_tasks = UserTasks(ctx, self.runner)
        self.external = ExternalTasks(ctx, self.runner, self.incidents_service)
        self.messages = Messages(ctx, self.repository, self.runner, self.starter)
        self.job_service = Jobs(ctx, self.repository, self.runner, self.starter,
                                self.incidents_service)
        self.admin = Admin(ctx, self.repository, self.runner)
        self.extras = TaskExtras(ctx, self.user_tasks)

    # -- listeners and health ---------------------------------------------------
    def add_listener(self, fn: Listener) -> None:
        self.ctx.listeners.append(fn)

    def lock_business_keys_first(self, fn: Callable[[Session, str], None]) -> None:
        """Have ``fn(session, business_key)`` lock the owner (a case) before any instance.

        Why: an API call that changes a case locks the case, then the instance; a timer,
        message or worker locks the instance, then (through listeners) touches the case.
        On PostgreSQL the two orders deadlock. With this hook every transaction takes
        the case first. SQLite needs none: BEGIN IMMEDIATE serializes writers.
        """
        if self.ctx.postgres:
            self.ctx.lock_hooks.append(fn)

    def check(self) -> dict[str, Any]:
        try:
            with self.ctx.tx() as session:
                session.execute(text("SELECT 1"))
        except Exception as exc:  # health reports, never raises
            return {"status": "down", "engine": "embedded", "error": type(exc).__name__}
        return {"status": "up", "engine": "embedded", "database": self.ctx.db.dialect}

    # -- repository ------------------------------------------------------------
    def deploy(self, name: str, resources: Mapping[str, bytes], *, tenant: str = "default",
               source: str | None = None, session: Session | None = None,
               mode: LintMode = "strict") -> Deployment:
        with self.ctx.tx(session) as s:
            return self.repository.deploy(s, name, resources, tenant, source, mode)

    def delete_deployment(self, deployment_id: str, cascade: bool = False, *,
                          session: Session | None = None) -> None:
        with self.ctx.tx(session) as s:
            self.admin.delete_deployment(s, deployment_id, cascade)

    # -- instances -------------------------------------------------------------
    def start(self, key: str | None = None, *, definition_id: str | None = None,
              business_key: str | None = None, variables: Mapping[str, Any] | None = None,
              tenant: str = "default", session: Session | None = None) -> ProcessInstance:
        if (key is None) == (definition_id is None):
            raise BadUserRequest("start needs exactly one of key or definition_id")
        with self.ctx.tx(session) as s:
            definition = (self.repository.get(s, definition_id) if definition_id
                          else self.repository.latest(s, key or "", tenant))
            live = self.starter.start(s, definition, business_key, variables)
            return instance_value(live.row)

    def cancel(self, process_instance_id: str, reason: str | None = None, *,
               session: Session | None = None) -> None:
        with self.ctx.tx(session) as s:
            self.admin.cancel(s, process_instance_id, reason)

    def suspend(self, process_instance_id: str, *, session: Session | None = None) -> None:
        with self.ctx.tx(session) as s:
            self.admin.set_suspended(s, process_instance_id, True)

    def activate(self, process_instance_id: str, *, session: Session | None = None) -> None:
        with self.ctx.tx(session) as s:
            self.admin.set_suspended(s, process_instance_id, False)

    def set_definition_suspended(self, definition_id: str, suspended: bool, *,
                                 include_instances: bool = False,
                                 session: Session | None = None) -> None:
        with self.ctx.tx(session) as s:
            flip = self.extras.suspend_definition(s, definition_id, suspended)
            for instance_id in flip if include_instances else ():
                self.admin.set_suspended(s, instance_id, suspended)

    # -- variables -------------------------------------------------------------
    def set_variables(self, process_instance_id: str, modifications: Mapping[str, Any],
                      deletions: Iterable[str] = (), *, session: Session | None = None) -> None:
        with self.ctx.tx(session) as s:
            self.admin.set_variables(s, process_instance_id, modifications, deletions)

    # -- user tasks ------------------------------------------------------------
    def claim(self, task_id: str, user: str, *, session: Session | None = None) -> None:
        with self.ctx.tx(session) as s:
            self.user_tasks.claim(s, task_id, user)

    def unclaim(self, task_id: str, *, session: Session | None = None) -> None:
        with self.ctx.tx(session) as s:
            self.user_tasks.assign(s, task_id, None)

    def set_assignee(self, task_id: str, user: str | None, *,
                     session: Session | None = None) -> None:
        with self.ctx.tx(session) as s:
            self.user_tasks.assign(s, task_id, user)

    def complete(self, task_id: str, variables: Mapping[str, Any] | None = None, *,
                 session: Session | None = None) -> None:
        with self.ctx.tx(session) as s:
            self.user_tasks.complete(s, task_id, variables)

    def identity_links(self, task_id: str) -> list[IdentityLink]:
        with self.ctx.read() as s:
            return self.extras.links(s, task_id)

    def add_identity_link(self, task_id: str, link: IdentityLink, *,
                          session: Session | None = None) -> None:
        with self.ctx.tx(session) as s:
            self.extras.add_link(s, task_id, link)

    def delete_identity_link(self, task_id: str, link: IdentityLink, *,
                             session: Session | None = None) -> None:
        with self.ctx.tx(session) as s:
            self.extras.delete_link(s, task_id, link)

    def task_comments(self, task_id: str) -> list[TaskComment]:
        with self.ctx.read() as s:
            return self.extras.comments(s, task_id)

    def add_task_comment(self, task_id: str, message: str, *, user_id: str | None = None,
                         session: Session | None = None) -> TaskComment:
        with self.ctx.tx(session) as s:
            return self.extras.add_comment(s, task_id, message, user_id)

    # -- external tasks --------------------------------------------------------
    def fetch_and_lock(self, worker_id: str, topics: list[TopicRequest], max_tasks: int = 1,
                       use_priority: bool = False, *,
                       session: Session | None = None) -> list[LockedExternalTask]:
        with self.ctx.tx(session) as s:
            return self.external.fetch_and_lock(s, worker_id, topics, max_tasks, use_priority)

    def complete_external(self, task_id: str, worker_id: str,
                          variables: Mapping[str, Any] | None = None,
                          local_variables: Mapping[str, Any] | None = None, *,
                          session: Session | None = None) -> None:
        with self.ctx.tx(session) as s:
            self.external.complete(s, task_id, worker_id, variables, local_variables)

    def handle_failure(self, task_id: str, worker_id: str, error_message: str | None,
                       error_details: str | None = None, retries: int = 0,
                       retry_timeout_ms: int = 0, *, session: Session | None = None) -> None:
        with self.ctx.tx(session) as s:
            self.external.failure(s, task_id, worker_id, error_message, error_details, retries,
                                  retry_timeout_ms)

    def handle_bpmn_error(self, task_id: str, worker_id: str, error_code: str,
                          error_message: str | None = None,
                          variables: Mapping[str, Any] | None = None, *,
                          session: Session | None = None) -> None:
        with self.ctx.tx(session) as s:
            self.external.bpmn_error(s, task_id, worker_id, error_code, error_message, variables)

    def extend_lock(self, task_id: str, worker_id: str, new_duration_ms: int, *,
                    session: Session | None = None) -> None:
        with self.ctx.tx(session) as s:
            self.external.extend_lock(s, task_id, worker_id, new_duration_ms)

    def unlock(self, task_id: str, *, session: Session | None = None) -> None:
        with self.ctx.tx(session) as s:
            self.external.unlock(s, task_id)

    def set_external_retries(self, task_id: str, retries: int, *,
                             session: Session | None = None) -> None:
        with self.ctx.tx(session) as s:
            self.external.set_retries(s, task_id, retries)

    # -- messages and signals --------------------------------------------------
    def correlate(self, message_name: str, *, business_key: str | None = None,
                  process_instance_id: str | None = None,
                  correlation_keys: Mapping[str, Any] | None = None,
                  variables: Mapping[str, Any] | None = None, all: bool = False,
                  tenant: str | None = None,
                  session: Session | None = None) -> list[CorrelationResult]:
        with self.ctx.tx(session) as s:
            return self.messages.correlate(
                s, message_name, business_key=business_key, instance_id=process_instance_id,
                correlation_keys=correlation_keys, variables=variables, all=all, tenant=tenant)

    def signal(self, name: str, variables: Mapping[str, Any] | None = None, *,
               tenant: str | None = None, session: Session | None = None) -> None:
        with self.ctx.tx(session) as s:
            self.messages.signal(s, name, variables, tenant)

    # -- jobs and timers -------------------------------------------------------
    def acquire_jobs(self, owner: str, limit: int = 10, lock_ms: int = 300_000) -> list[str]:
        """For job executors: claim due jobs (see `bpmn.jobs.JobExecutor`)."""
        return self.job_service.acquire(owner, limit, lock_ms=lock_ms)

    def execute_job(self, job_id: str, owner: str | None = None) -> None:
        self.job_service.execute(job_id, owner)

    def set_job_retries(self, job_id: str, retries: int, *,
                        session: Session | None = None) -> None:
        with self.ctx.tx(session) as s:
            self.job_service.set_retries(s, job_id, retries)

    def run_due_jobs(self, now: datetime | None = None, limit: int = 100) -> int:
        return self.job_service.run_due(now, limit, f"run-due-{uuid.uuid4().hex}")

    # -- incidents -------------------------------------------------------------
    def resolve_incident(self, incident_id: str, *, session: Session | None = None) -> None:
        with self.ctx.tx(session) as s:
            self.incidents_service.resolve(s, incident_id)
