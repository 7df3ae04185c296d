"""Tables of the embedded BPMN engine (``engine_*``).

Why this shape: each process instance is one compact row (gzipped Spiff
state + optimistic version) and everything callers query — user tasks,
external tasks with their locks, jobs/timers by due time, message and signal
subscriptions, incidents, variables — is a projection row kept in sync in the
same transaction. History is append-only and never read back into an
instance, so a step costs the same however long the instance has run.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, Float, Index, Integer, LargeBinary, String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from models.base import Base, JsonType, TenantMixin, new_id, utcnow
from models.cases import AutoId

ID = 64
KEY = 255


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every dialect.

    Why: SQLite drops the offset of aware datetimes, so due times and lock
    expiries written in another zone would compare wrongly. Everything is
    normalized to UTC on the way in and marked UTC on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def _when(**kwargs: Any) -> Any:
    """A UTC datetime column."""
    return mapped_column(UtcDateTime(), **kwargs)


class EngineDeployment(TenantMixin, Base):
    """A deployment: a named set of resources deployed together."""

    __tablename__ = "engine_deployments"

    id: Mapped[str] = mapped_column(String(ID), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(KEY))
    source: Mapped[str | None] = mapped_column(String(KEY), default=None)
    deployed_at: Mapped[datetime] = _when(default=utcnow)


class EngineResource(TenantMixin, Base):
    """One deployed file (BPMN XML or anything else deployed alongside)."""

    __tablename__ = "engine_resources"

    id: Mapped[str] = mapped_column(String(ID), primary_key=True, default=new_id)
    deployment_id: Mapped[str] = mapped_column(String(ID), index=True)
    name: Mapped[str] = mapped_column(String(KEY))
    content: Mapped[bytes] = mapped_column(LargeBinary)


class EngineDefinition(TenantMixin, Base):
    """A versioned process definition (one executable ``bpmn:process``)."""

    __tablename__ = "engine_definitions"
    __table_args__ = (Index("ix_engine_definitions_key", "tenant", "key", "version", unique=True),)

    id: Mapped[str] = mapped_column(String(KEY), primary_key=True)
    key: Mapped[str] = mapped_column(String(KEY))
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(String(KEY), default=None)
    deployment_id: Mapped[str] = mapped_column(String(ID), index=True)
    resource_id: Mapped[str] = mapped_column(String(ID))
    resource_name: Mapped[str] = mapped_column(String(KEY))
    content_hash: Mapped[str] = mapped_column(String(64))
    called_keys: Mapped[list[Any]] = mapped_column(default=list)
    start_kinds: Mapped[list[Any]] = mapped_column(default=list)
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)


class EngineInstance(TenantMixin, Base):
    """A process instance: live Spiff state plus the projections' bookkeeping."""

    __tablename__ = "engine_instances"
    __table_args__ = (Index("ix_engine_instances_state", "tenant", "state", "definition_key"),)

    id: Mapped[str] = mapped_column(String(ID), primary_key=True, default=new_id)
    definition_id: Mapped[str] = mapped_column(String(KEY), index=True)
    definition_key: Mapped[str] = mapped_column(String(KEY))
    business_key: Mapped[str | None] = mapped_column(String(KEY), index=True, default=None)
    state: Mapped[str] = mapped_column(String(16), default="ACTIVE")
    started_at: Mapped[datetime] = _when(default=utcnow)
    ended_at: Mapped[datetime | None] = _when(default=None)
    delete_reason: Mapped[str | None] = mapped_column(Text, default=None)
    version: Mapped[int] = mapped_column(Integer, default=1)
    serializer_version: Mapped[str] = mapped_column(String(64))
    blob: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    called: Mapped[dict[str, Any]] = mapped_column(default=dict)
    projected: Mapped[dict[str, Any]] = mapped_column(default=dict)

    __mapper_args__ = {"version_id_col": version}


class EngineUserTask(TenantMixin, Base):
    """A waiting user task (id = the Spiff task id)."""

    __tablename__ = "engine_user_tasks"
    __table_args__ = (Index("ix_engine_user_tasks_assignee", "tenant", "assignee", "created"),)

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    instance_id: Mapped[str] = mapped_column(String(ID), index=True)
    definition_id: Mapped[str] = mapped_column(String(KEY))
    business_key: Mapped[str | None] = mapped_column(String(KEY), index=True, default=None)
    activity_id: Mapped[str] = mapped_column(String(KEY))
    name: Mapped[str | None] = mapped_column(String(KEY), default=None)
    description: Mapped[str | None] = mapped_column(Text, default=None)
    assignee: Mapped[str | None] = mapped_column(String(150), default=None)
    candidate_users: Mapped[list[Any]] = mapped_column(default=list)
    candidate_groups: Mapped[list[Any]] = mapped_column(default=list)
    due: Mapped[datetime | None] = _when(index=True, default=None)
    follow_up: Mapped[datetime | None] = _when(default=None)
    priority: Mapped[int] = mapped_column(Integer, default=50)
    form_key: Mapped[str | None] = mapped_column(String(KEY), default=None)
    created: Mapped[datetime] = _when(default=utcnow)
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)


class EngineIdentityLink(TenantMixin, Base):
    """Candidate user/group of a user task, normalized for indexed inbox queries."""

    __tablename__ = "engine_identity_links"
    __table_args__ = (Index("ix_engine_identity_links_who", "kind", "identity"),)

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    task_id: Mapped[str] = mapped_column(String(ID), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # "user" | "group"
    identity: Mapped[str] = mapped_column(String(150))


class EngineExternalTask(TenantMixin, Base):
    """An external (service) task waiting for a worker, with its lock."""

    __tablename__ = "engine_external_tasks"
    __table_args__ = (
        Index("ix_engine_external_tasks_fetch", "topic", "lock_expiration", "priority"),
    )

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    instance_id: Mapped[str] = mapped_column(String(ID), index=True)
    definition_id: Mapped[str] = mapped_column(String(KEY))
    definition_key: Mapped[str] = mapped_column(String(KEY))
    business_key: Mapped[str | None] = mapped_column(String(KEY), default=None)
    activity_id: Mapped[str] = mapped_column(String(KEY))
    topic: Mapped[str] = mapped_column(String(KEY))
    worker_id: Mapped[str | None] = mapped_column(String(KEY), default=None)
    lock_expiration: Mapped[datetime | None] = _when(default=None)
    retries: Mapped[int | None] = mapped_column(Integer, default=None)
    error_message: Mapped[str | None] = mapped_column(Text, default=None)
    error_details: Mapped[str | None] = mapped_column(Text, default=None)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    inputs: Mapped[dict[str, Any]] = mapped_column(default=dict)
    properties: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created: Mapped[datetime] = _when(default=utcnow)
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)


class EngineJob(TenantMixin, Base):
    """A timer or async continuation; executors claim it with a lock owner + expiry."""

    __tablename__ = "engine_jobs"
    __table_args__ = (Index("ix_engine_jobs_due", "due", "lock_expiration"),)

    id: Mapped[str] = mapped_column(String(ID), primary_key=True, default=new_id)
    type: Mapped[str] = mapped_column(String(32))
    instance_id: Mapped[str | None] = mapped_column(String(ID), index=True, default=None)
    definition_id: Mapped[str] = mapped_column(String(KEY), index=True)
    definition_key: Mapped[str] = mapped_column(String(KEY))
    activity_id: Mapped[str | None] = mapped_column(String(KEY), default=None)
    task_id: Mapped[str | None] = mapped_column(String(ID), default=None)
    timer: Mapped[str | None] = mapped_column(String(KEY), default=None)
    remaining: Mapped[int | None] = mapped_column(Integer, default=None)
    due: Mapped[datetime | None] = _when(default=None)
    retries: Mapped[int] = mapped_column(Integer, default=3)
    exception_message: Mapped[str | None] = mapped_column(Text, default=None)
    lock_owner: Mapped[str | None] = mapped_column(String(KEY), default=None)
    lock_expiration: Mapped[datetime | None] = _when(default=None)
    created: Mapped[datetime] = _when(default=utcnow)
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)


class EngineSubscription(TenantMixin, Base):
    """Who waits for which message or signal (instance NULL = start event)."""

    __tablename__ = "engine_subscriptions"
    __table_args__ = (Index("ix_engine_subscriptions_event", "event_type", "event_name"),)

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    event_type: Mapped[str] = mapped_column(String(16))  # "message" | "signal"
    event_name: Mapped[str] = mapped_column(String(KEY))
    instance_id: Mapped[str | None] = mapped_column(String(ID), index=True, default=None)
    definition_id: Mapped[str] = mapped_column(String(KEY))
    business_key: Mapped[str | None] = mapped_column(String(KEY), default=None)
    activity_id: Mapped[str | None] = mapped_column(String(KEY), default=None)
    task_id: Mapped[str | None] = mapped_column(String(ID), default=None)
    created: Mapped[datetime] = _when(default=utcnow)


class EngineIncident(TenantMixin, Base):
    """An open incident (resolved ones move to history)."""

    __tablename__ = "engine_incidents"

    id: Mapped[str] = mapped_column(String(ID), primary_key=True, default=new_id)
    type: Mapped[str] = mapped_column(String(32))
    instance_id: Mapped[str | None] = mapped_column(String(ID), index=True, default=None)
    definition_id: Mapped[str] = mapped_column(String(KEY))
    activity_id: Mapped[str | None] = mapped_column(String(KEY), default=None)
    configuration: Mapped[str] = mapped_column(String(ID), index=True)
    message: Mapped[str | None] = mapped_column(Text, default=None)
    created: Mapped[datetime] = _when(default=utcnow)


class EngineVariable(TenantMixin, Base):
    """Current value of a process variable, typed for Camunda-style queries."""

    __tablename__ = "engine_variables"
    __table_args__ = (Index("ix_engine_variables_lookup", "name", "text_value"),)

    instance_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    name: Mapped[str] = mapped_column(String(KEY), primary_key=True)
    type: Mapped[str] = mapped_column(String(16))
    value: Mapped[Any] = mapped_column(JsonType, nullable=True)
    text_value: Mapped[str | None] = mapped_column(String(4000), default=None)
    number_value: Mapped[float | None] = mapped_column(Float, default=None)
    revision: Mapped[int] = mapped_column(Integer, default=1)


class EngineHistoryActivity(TenantMixin, Base):
    """Append-only: one row per activity instance (user tasks carry assignee/due)."""

    __tablename__ = "engine_hist_activities"
    __table_args__ = (Index("ix_engine_hist_activities_instance", "instance_id", "seq"),)

    seq: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(ID), unique=True)
    instance_id: Mapped[str] = mapped_column(String(ID))
    activity_id: Mapped[str] = mapped_column(String(KEY))
    activity_name: Mapped[str | None] = mapped_column(String(KEY), default=None)
    activity_type: Mapped[str] = mapped_column(String(64))
    assignee: Mapped[str | None] = mapped_column(String(150), default=None)
    started_at: Mapped[datetime] = _when(default=utcnow)
    ended_at: Mapped[datetime | None] = _when(default=None)
    canceled: Mapped[bool] = mapped_column(Boolean, default=False)
    delete_reason: Mapped[str | None] = mapped_column(String(KEY), default=None)


class EngineHistoryVariable(TenantMixin, Base):
    """Append-only: every value a variable took (Camunda's variable-update details)."""

    __tablename__ = "engine_hist_variables"
    __table_args__ = (Index("ix_engine_hist_variables_instance", "instance_id", "id"),)

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    instance_id: Mapped[str] = mapped_column(String(ID))
    name: Mapped[str] = mapped_column(String(KEY))
    type: Mapped[str] = mapped_column(String(16))
    value: Mapped[Any] = mapped_column(JsonType, nullable=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    created: Mapped[datetime] = _when(default=utcnow)
