"""Value types and query objects of the `Engine` protocol.

Why plain frozen dataclasses of str/int/datetime/dict: they cross process and
backend boundaries (embedded engine, Camunda REST adapter, `/engine-rest`
facade) and must never leak ORM objects or Spiff internals. Field names follow
Camunda's DTOs in snake_case so the REST layer maps them mechanically.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from bpmn.engine_queries import (  # re-exported: one import site for the protocol's types
    DefinitionQuery,
    ExternalTaskQuery,
    HistoryQuery,
    IncidentQuery,
    InstanceQuery,
    JobQuery,
    Page,
    TaskQuery,
    VariableFilter,
)

InstanceState = Literal["ACTIVE", "SUSPENDED", "COMPLETED", "TERMINATED"]


@dataclass(frozen=True)
class ProcessDefinition:
    id: str
    key: str
    version: int
    name: str | None
    deployment_id: str
    resource_name: str
    tenant: str = "default"
    suspended: bool = False


@dataclass(frozen=True)
class Deployment:
    id: str
    name: str
    deployed_at: datetime
    tenant: str = "default"
    source: str | None = None
    process_definitions: list[ProcessDefinition] = field(default_factory=list)


@dataclass(frozen=True)
class ProcessInstance:
    id: str
    definition_id: str
    definition_key: str
    business_key: str | None
    state: InstanceState
    started_at: datetime
    ended_at: datetime | None = None
    tenant: str = "default"


@dataclass(frozen=True)
class UserTask:
    id: str
    name: str | None
    task_definition_key: str
    process_instance_id: str
    process_definition_id: str
    business_key: str | None
    assignee: str | None
    candidate_users: list[str]
    candidate_groups: list[str]
    due: datetime | None
    follow_up: datetime | None
    priority: int
    form_key: str | None
    created: datetime
    tenant: str = "default"
    description: str | None = None


@dataclass(frozen=True)
class TopicRequest:
    """One topic of a fetch-and-lock call (Camunda's FetchExternalTaskTopicDto)."""

    topic: str
    lock_duration_ms: int
    variables: list[str] | None = None
    business_key: str | None = None
    process_definition_key: str | None = None
    tenant_ids: list[str] | None = None
    local_variables: bool = False


@dataclass(frozen=True)
class ExternalTask:
    id: str
    topic: str
    worker_id: str | None
    lock_expiration: datetime | None
    retries: int | None
    error_message: str | None
    error_details: str | None
    process_instance_id: str
    process_definition_id: str
    process_definition_key: str
    business_key: str | None
    activity_id: str
    priority: int
    tenant: str = "default"
    suspended: bool = False
    extension_properties: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LockedExternalTask(ExternalTask):
    """A fetched task: the requested process variables merged with its inputs."""

    variables: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CorrelationResult:
    result_type: Literal["Execution", "ProcessDefinition"]
    process_instance: ProcessInstance
    activity_id: str | None = None


@dataclass(frozen=True)
class Job:
    id: str
    type: Literal["timer", "timer-start", "async-continuation"]
    process_instance_id: str | None
    process_definition_id: str
    process_definition_key: str
    activity_id: str | None
    due: datetime | None
    retries: int
    exception_message: str | None
    created: datetime
    tenant: str = "default"
    suspended: bool = False


@dataclass(frozen=True)
class Incident:
    id: str
    type: Literal["failedExternalTask", "failedJob"]
    process_instance_id: str | None
    process_definition_id: str
    activity_id: str | None
    configuration: str
    message: str | None
    created: datetime
    tenant: str = "default"


@dataclass(frozen=True)
class ActivityInstance:
    """One active activity (user task waiting, timer pending...) of an instance."""

    id: str
    activity_id: str
    activity_name: str | None
    activity_type: str


@dataclass(frozen=True)
class HistoricInstance:
    id: str
    definition_id: str
    definition_key: str
    business_key: str | None
    state: InstanceState
    started_at: datetime
    ended_at: datetime | None
    tenant: str = "default"
    delete_reason: str | None = None


@dataclass(frozen=True)
class HistoricActivity:
    id: str
    activity_id: str
    activity_name: str | None
    activity_type: str
    process_instance_id: str
    started_at: datetime
    ended_at: datetime | None
    canceled: bool
    assignee: str | None = None
    tenant: str = "default"


@dataclass(frozen=True)
class HistoricTask:
    id: str
    name: str | None
    task_definition_key: str
    process_instance_id: str
    assignee: str | None
    created: datetime
    ended_at: datetime | None
    delete_reason: str | None
    tenant: str = "default"


@dataclass(frozen=True)
class HistoricVariable:
    id: str
    process_instance_id: str
    name: str
    type: str
    value: Any
    revision: int
    created: datetime
    deleted: bool = False
    tenant: str = "default"


@dataclass(frozen=True)
class IdentityLink:
    """Who is linked to a user task: ``type`` candidate | assignee | owner."""

    type: str
    user_id: str | None = None
    group_id: str | None = None


@dataclass(frozen=True)
class TaskComment:
    """A comment on a user task (kept after the task ends, like Camunda's history)."""

    id: str
    task_id: str
    process_instance_id: str | None
    user_id: str | None
    time: datetime
    message: str
    tenant: str = "default"


@dataclass(frozen=True)
class EngineEvent:
    """What listeners receive, inside the engine's transaction."""

    type: str
    process_instance_id: str | None
    business_key: str | None
    tenant: str
    data: dict[str, Any] = field(default_factory=dict)


__all__ = [
    "ActivityInstance", "CorrelationResult", "DefinitionQuery", "Deployment", "EngineEvent",
    "ExternalTask", "ExternalTaskQuery", "HistoricActivity", "HistoricInstance", "HistoricTask",
    "HistoricVariable", "HistoryQuery", "IdentityLink", "Incident", "IncidentQuery",
    "InstanceQuery", "InstanceState", "Job", "JobQuery", "LockedExternalTask", "Page",
    "ProcessDefinition", "ProcessInstance", "TaskComment", "TaskQuery", "TopicRequest", "UserTask",
    "VariableFilter",
]
