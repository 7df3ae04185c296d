"""The read side of `EmbeddedEngine`: queries over projections and history.

Why a separate mixin: none of these load instance state or change anything;
they open a short read transaction and map rows to the protocol's values.
"""

from __future__ import annotations

from typing import Any

from bpmn.embedded import queries
from bpmn.embedded.context import EngineContext
from bpmn.embedded.external import ExternalTasks, external_value
from bpmn.embedded.incidents import Incidents
from bpmn.embedded.jobs import Jobs
from bpmn.embedded.repository import Repository, definition_value
from bpmn.embedded.runner import instance_value
from bpmn.embedded.usertasks import UserTasks, task_value
from bpmn.engine_types import (
    ActivityInstance,
    DefinitionQuery,
    Deployment,
    ExternalTask,
    ExternalTaskQuery,
    HistoricActivity,
    HistoricInstance,
    HistoricTask,
    HistoricVariable,
    HistoryQuery,
    Incident,
    IncidentQuery,
    InstanceQuery,
    Job,
    JobQuery,
    ProcessDefinition,
    ProcessInstance,
    TaskQuery,
    UserTask,
)


class ReadSide:
    """Queries of the `Engine` protocol (mixed into `EmbeddedEngine`)."""

    ctx: EngineContext
    repository: Repository
    user_tasks: UserTasks
    external: ExternalTasks
    job_service: Jobs
    incidents_service: Incidents

    def deployments(self, tenant: str | None = None) -> list[Deployment]:
        with self.ctx.read() as s:
            return self.repository.deployments(s, tenant)

    def definitions(self, query: DefinitionQuery | None = None) -> list[ProcessDefinition]:
        with self.ctx.read() as s:
            return self.repository.definitions(s, query or DefinitionQuery())

    def definition(self, definition_id: str) -> ProcessDefinition:
        with self.ctx.read() as s:
            return definition_value(self.repository.get(s, definition_id))

    def definition_xml(self, definition_id: str) -> bytes:
        with self.ctx.read() as s:
            return self.repository.xml(s, definition_id)

    def instance(self, process_instance_id: str) -> ProcessInstance:
        with self.ctx.read() as s:
            return instance_value(queries.instance_row(s, process_instance_id))

    def instances(self, query: InstanceQuery | None = None) -> list[ProcessInstance]:
        with self.ctx.read() as s:
            return queries.instances(s, query or InstanceQuery())

    def count_instances(self, query: InstanceQuery | None = None) -> int:
        with self.ctx.read() as s:
            return queries.count_instances(s, query or InstanceQuery())

    def activity_instances(self, process_instance_id: str) -> list[ActivityInstance]:
        with self.ctx.read() as s:
            return queries.activity_instances(s, process_instance_id)

    def variables(self, process_instance_id: str) -> dict[str, Any]:
        with self.ctx.read() as s:
            return queries.variables(s, process_instance_id)

    def tasks(self, query: TaskQuery | None = None) -> list[UserTask]:
        with self.ctx.read() as s:
            return self.user_tasks.query(s, query or TaskQuery())

    def count_tasks(self, query: TaskQuery | None = None) -> int:
        with self.ctx.read() as s:
            return self.user_tasks.count(s, query or TaskQuery())

    def task(self, task_id: str) -> UserTask:
        with self.ctx.read() as s:
            return task_value(self.user_tasks.row(s, task_id))

    def task_variables(self, task_id: str) -> dict[str, Any]:
        with self.ctx.read() as s:
            return queries.variables(s, self.user_tasks.row(s, task_id).instance_id)

    def external_tasks(self, query: ExternalTaskQuery | None = None) -> list[ExternalTask]:
        with self.ctx.read() as s:
            return self.external.query(s, query or ExternalTaskQuery())

    def external_task(self, task_id: str) -> ExternalTask:
        with self.ctx.read() as s:
            return external_value(self.external.row(s, task_id))  # type: ignore[no-any-return]

    def jobs(self, query: JobQuery | None = None) -> list[Job]:
        with self.ctx.read() as s:
            return self.job_service.query(s, query or JobQuery())

    def incidents(self, query: IncidentQuery | None = None) -> list[Incident]:
        with self.ctx.read() as s:
            return self.incidents_service.query(s, query or IncidentQuery())

    def history_instances(self, query: HistoryQuery | None = None) -> list[HistoricInstance]:
        with self.ctx.read() as s:
            return queries.history_instances(s, query or HistoryQuery())

    def history_activities(self, process_instance_id: str) -> list[HistoricActivity]:
        with self.ctx.read() as s:
            return queries.history_activities(s, process_instance_id)

    def history_tasks(self, query: HistoryQuery | None = None) -> list[HistoricTask]:
        with self.ctx.read() as s:
            return queries.history_tasks(s, query or HistoryQuery())

    def history_variables(self, process_instance_id: str) -> list[HistoricVariable]:
        with self.ctx.read() as s:
            return queries.history_variables(s, process_instance_id)
