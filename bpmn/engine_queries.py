"""Query objects of the `Engine` protocol (Camunda's query parameters, snake_case).

Why dataclasses with ``None`` = "no filter": the REST facade fills them from
query strings and the Camunda adapter turns them back into Camunda parameters
without either knowing how the embedded engine runs them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal


@dataclass
class Page:
    """Paging shared by every query (Camunda's firstResult/maxResults)."""

    first: int = 0
    max_results: int | None = None


@dataclass
class TaskQuery(Page):
    id: str | None = None
    process_instance_id: str | None = None
    business_key: str | None = None
    assignee: str | None = None
    unassigned: bool | None = None
    candidate_user: str | None = None
    candidate_groups: Sequence[str] | None = None
    task_definition_key: str | None = None
    name: str | None = None
    name_like: str | None = None
    due_before: datetime | None = None
    due_after: datetime | None = None
    follow_up_before: datetime | None = None
    follow_up_after: datetime | None = None
    tenant: str | None = None
    sort: Literal["created", "due", "priority", "name"] = "created"
    descending: bool = False


@dataclass
class ExternalTaskQuery(Page):
    id: str | None = None
    topic: str | None = None
    worker_id: str | None = None
    locked: bool | None = None
    with_retries_left: bool | None = None
    process_instance_id: str | None = None
    activity_id: str | None = None
    tenant: str | None = None


@dataclass
class JobQuery(Page):
    id: str | None = None
    process_instance_id: str | None = None
    process_definition_id: str | None = None
    activity_id: str | None = None
    type: str | None = None
    executable: bool | None = None
    with_exception: bool | None = None
    no_retries_left: bool | None = None
    due_before: datetime | None = None
    tenant: str | None = None


@dataclass
class IncidentQuery(Page):
    id: str | None = None
    type: str | None = None
    process_instance_id: str | None = None
    activity_id: str | None = None
    configuration: str | None = None
    tenant: str | None = None


@dataclass(frozen=True)
class VariableFilter:
    """``name operator value`` with Camunda's operators (eq, neq, gt, gteq, lt, lteq, like)."""

    name: str
    operator: Literal["eq", "neq", "gt", "gteq", "lt", "lteq", "like"]
    value: Any


@dataclass
class InstanceQuery(Page):
    ids: Sequence[str] | None = None
    definition_id: str | None = None
    definition_key: str | None = None
    business_key: str | None = None
    suspended: bool | None = None
    tenant: str | None = None
    variables: Sequence[VariableFilter] = ()


@dataclass
class HistoryQuery(Page):
    process_instance_id: str | None = None
    definition_key: str | None = None
    business_key: str | None = None
    finished: bool | None = None
    tenant: str | None = None


@dataclass
class DefinitionQuery(Page):
    id: str | None = None
    key: str | None = None
    latest: bool = False
    deployment_id: str | None = None
    tenant: str | None = None
