"""The `Engine` protocol: everything the runtime asks of a BPMN engine.

Why a protocol shaped like Camunda 7's services: the embedded engine
(SpiffWorkflow, state in our database) and the Camunda REST adapter
(pycamunda) implement the same calls, and the `/engine-rest` facade exposes
the embedded one with Camunda's JSON. Values are the plain dataclasses of
`bpmn.engine_types`; errors are `bpmn.engine_errors`.

Transactions: every mutating call takes an optional ``session``. Given one,
the embedded engine joins the caller's transaction (so "create case + start
process" commits or rolls back together); otherwise it opens its own.
Listeners run inside that transaction for every `EngineEvent`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from bpmn.engine_types import (
    ActivityInstance,
    CorrelationResult,
    DefinitionQuery,
    Deployment,
    EngineEvent,
    ExternalTask,
    ExternalTaskQuery,
    HistoricActivity,
    HistoricInstance,
    HistoricTask,
    HistoricVariable,
    HistoryQuery,
    IdentityLink,
    Incident,
    IncidentQuery,
    InstanceQuery,
    Job,
    JobQuery,
    LockedExternalTask,
    ProcessDefinition,
    ProcessInstance,
    TaskComment,
    TaskQuery,
    TopicRequest,
    UserTask,
    VariableFilter,
)
from bpmn.lint.dialect import LintMode

Listener = Callable[[Any, EngineEvent], None]
"""``fn(session_or_None, event)``; the embedded engine passes its SQLAlchemy session."""

#: Event types emitted to listeners.
EVENT_TYPES = (
    "process.started", "process.completed", "process.cancelled", "task.created",
    "task.assigned", "task.completed", "task.deleted", "external_task.created",
    "incident.created", "incident.resolved", "job.failed", "message.correlated",
)


@runtime_checkable
class Engine(Protocol):
    """A Camunda-7-shaped BPMN engine (see module docstring)."""

    # -- listeners and health ---------------------------------------------------
    def add_listener(self, fn: Listener) -> None: ...
    def check(self) -> dict[str, Any]: ...

    # -- repository ------------------------------------------------------------
    def deploy(self, name: str, resources: Mapping[str, bytes], *, tenant: str = "default",
               source: str | None = None, session: Any = None,
               mode: LintMode = "strict") -> Deployment:
        """``mode="camunda"``: deploy as Camunda does (what cannot run raises an incident
        when reached; see `bpmn.spiff.lenient`); ``"strict"`` refuses it (bundles)."""
        ...
    def deployments(self, tenant: str | None = None) -> list[Deployment]: ...
    def delete_deployment(self, deployment_id: str, cascade: bool = False, *,
                          session: Any = None) -> None: ...
    def definitions(self, query: DefinitionQuery | None = None) -> list[ProcessDefinition]: ...
    def definition(self, definition_id: str) -> ProcessDefinition: ...
    def definition_xml(self, definition_id: str) -> bytes: ...

    # -- instances -------------------------------------------------------------
    def start(self, key: str | None = None, *, definition_id: str | None = None,
              business_key: str | None = None, variables: Mapping[str, Any] | None = None,
              tenant: str = "default", session: Any = None) -> ProcessInstance: ...
    def instance(self, process_instance_id: str) -> ProcessInstance: ...
    def instances(self, query: InstanceQuery | None = None) -> list[ProcessInstance]: ...
    def count_instances(self, query: InstanceQuery | None = None) -> int: ...
    def cancel(self, process_instance_id: str, reason: str | None = None, *,
               session: Any = None) -> None: ...
    def suspend(self, process_instance_id: str, *, session: Any = None) -> None: ...
    def activate(self, process_instance_id: str, *, session: Any = None) -> None: ...
    def activity_instances(self, process_instance_id: str) -> list[ActivityInstance]: ...
    def set_definition_suspended(self, definition_id: str, suspended: bool, *,
                                 include_instances: bool = False,
                                 session: Any = None) -> None:
        """A suspended definition starts no instances (``include_instances``: its running
        instances are suspended/activated too)."""
        ...

    # -- variables -------------------------------------------------------------
    def variables(self, process_instance_id: str) -> dict[str, Any]: ...
    def set_variables(self, process_instance_id: str, modifications: Mapping[str, Any],
                      deletions: Iterable[str] = (), *, session: Any = None) -> None: ...

    # -- user tasks ------------------------------------------------------------
    def tasks(self, query: TaskQuery | None = None) -> list[UserTask]: ...
    def count_tasks(self, query: TaskQuery | None = None) -> int: ...
    def task(self, task_id: str) -> UserTask: ...
    def task_variables(self, task_id: str) -> dict[str, Any]: ...
    def claim(self, task_id: str, user: str, *, session: Any = None) -> None: ...
    def unclaim(self, task_id: str, *, session: Any = None) -> None: ...
    def set_assignee(self, task_id: str, user: str | None, *, session: Any = None) -> None: ...
    def complete(self, task_id: str, variables: Mapping[str, Any] | None = None, *,
                 session: Any = None) -> None: ...

    def identity_links(self, task_id: str) -> list[IdentityLink]: ...
    def add_identity_link(self, task_id: str, link: IdentityLink, *,
                          session: Any = None) -> None: ...
    def delete_identity_link(self, task_id: str, link: IdentityLink, *,
                             session: Any = None) -> None: ...
    def task_comments(self, task_id: str) -> list[TaskComment]: ...
    def add_task_comment(self, task_id: str, message: str, *, user_id: str | None = None,
                         session: Any = None) -> TaskComment: ...

    # -- external tasks --------------------------------------------------------
    def fetch_and_lock(self, worker_id: str, topics: list[TopicRequest], max_tasks: int = 1,
                       use_priority: bool = False, *,
                       session: Any = None) -> list[LockedExternalTask]: ...
    def complete_external(self, task_id: str, worker_id: str,
                          variables: Mapping[str, Any] | None = None,
                          local_variables: Mapping[str, Any] | None = None, *,
                          session: Any = None) -> None: ...
    def handle_failure(self, task_id: str, worker_id: str, error_message: str | None,
                       error_details: str | None = None, retries: int = 0,
                       retry_timeout_ms: int = 0, *, session: Any = None) -> None: ...
    def handle_bpmn_error(self, task_id: str, worker_id: str, error_code: str,
                          error_message: str | None = None,
                          variables: Mapping[str, Any] | None = None, *,
                          session: Any = None) -> None: ...
    def extend_lock(self, task_id: str, worker_id: str, new_duration_ms: int, *,
                    session: Any = None) -> None: ...
    def unlock(self, task_id: str, *, session: Any = None) -> None: ...
    def set_external_retries(self, task_id: str, retries: int, *,
                             session: Any = None) -> None: ...
    def external_tasks(self, query: ExternalTaskQuery | None = None) -> list[ExternalTask]: ...
    def external_task(self, task_id: str) -> ExternalTask: ...

    # -- messages and signals --------------------------------------------------
    def correlate(self, message_name: str, *, business_key: str | None = None,
                  process_instance_id: str | None = None,
                  correlation_keys: Mapping[str, Any] | None = None,
                  variables: Mapping[str, Any] | None = None, all: bool = False,
                  tenant: str | None = None, session: Any = None) -> list[CorrelationResult]: ...
    def signal(self, name: str, variables: Mapping[str, Any] | None = None, *,
               tenant: str | None = None, session: Any = None) -> None: ...

    # -- jobs and timers -------------------------------------------------------
    def jobs(self, query: JobQuery | None = None) -> list[Job]: ...
    def execute_job(self, job_id: str) -> None: ...
    def set_job_retries(self, job_id: str, retries: int, *, session: Any = None) -> None: ...
    def run_due_jobs(self, now: datetime | None = None, limit: int = 100) -> int: ...

    # -- incidents -------------------------------------------------------------
    def incidents(self, query: IncidentQuery | None = None) -> list[Incident]: ...
    def resolve_incident(self, incident_id: str, *, session: Any = None) -> None: ...

    # -- history ---------------------------------------------------------------
    def history_instances(self, query: HistoryQuery | None = None) -> list[HistoricInstance]: ...
    def history_activities(self, process_instance_id: str) -> list[HistoricActivity]: ...
    def history_tasks(self, query: HistoryQuery | None = None) -> list[HistoricTask]: ...
    def history_variables(self, process_instance_id: str) -> list[HistoricVariable]: ...


__all__ = [
    "EVENT_TYPES", "ActivityInstance", "CorrelationResult", "DefinitionQuery", "Deployment",
    "Engine", "EngineEvent", "ExternalTask", "ExternalTaskQuery", "HistoricActivity",
    "HistoricInstance", "HistoricTask", "HistoricVariable", "HistoryQuery", "IdentityLink",
    "Incident", "IncidentQuery", "InstanceQuery", "Job", "JobQuery", "Listener",
    "LockedExternalTask", "ProcessDefinition", "ProcessInstance", "TaskComment", "TaskQuery",
    "TopicRequest", "UserTask", "VariableFilter",
]
