"""Messages, signals, jobs and incidents on a remote Camunda/Operaton.

Why ``run_due_jobs`` executes jobs by hand: Camunda fires timers with its own
job executor, but the protocol lets a caller (tests, the corpus driver)
move time on — ``run_due_jobs(now=later)`` executes every job due before
``later`` through ``POST /job/{id}/execute``, which Camunda runs whatever its
due date. Job type and activity live on the job *definition* (Camunda's job
DTO has neither); pycamunda has no job API, so these are plain REST calls.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Literal

import pycamunda.incident
import pycamunda.message
import pycamunda.signal

from bpmn.camunda import convert
from bpmn.camunda.connection import Connection
from bpmn.camunda.values import format_date, parse_date, typed_map
from bpmn.engine_errors import EngineError, NotFound
from bpmn.engine_types import (
    CorrelationResult,
    Incident,
    IncidentQuery,
    Job,
    JobQuery,
    ProcessInstance,
)

log = logging.getLogger(__name__)
JobType = Literal["timer", "timer-start", "async-continuation"]


def job_params(q: JobQuery) -> dict[str, Any]:
    params: dict[str, Any] = {**convert.listing(q.tenant, q.first, q.max_results),
                              "sortBy": "jobDueDate", "sortOrder": "asc"}
    for name, value in (("jobId", q.id), ("processInstanceId", q.process_instance_id),
                        ("processDefinitionId", q.process_definition_id),
                        ("activityId", q.activity_id)):
        if value is not None:
            params[name] = value
    for name, flag in (("executable", q.executable), ("withException", q.with_exception),
                       ("noRetriesLeft", q.no_retries_left)):
        if flag:
            params[name] = "true"
    if q.type is not None:
        params["messages" if q.type == "async-continuation" else "timers"] = "true"
    if q.due_before is not None:
        params["dueDates"] = f"lt_{format_date(q.due_before)}"
    return params


class EventMixin:
    """Correlation, signals, jobs and incidents of `CamundaEngine`."""

    rest: Connection
    _job_definitions: dict[str, dict[str, Any]]

    instance: Callable[[str], ProcessInstance]  # from RuntimeMixin

    def correlate(self, message_name: str, *, business_key: str | None = None,
                  process_instance_id: str | None = None,
                  correlation_keys: Mapping[str, Any] | None = None,
                  variables: Mapping[str, Any] | None = None, all: bool = False,
                  tenant: str | None = None, session: Any = None) -> list[CorrelationResult]:
        camunda_tenant = convert.tenant_id(tenant)
        request = pycamunda.message.CorrelateSingle(
            self.rest.url, message_name, business_key=business_key, tenant_id=camunda_tenant,
            without_tenant_id=tenant is not None and camunda_tenant is None,
            process_instance_id=process_instance_id, result_enabled=True)
        request.all_ = all
        request.correlation_keys = typed_map(correlation_keys) or None
        request.process_variables = typed_map(variables)
        return [self._correlation(r) for r in self.rest.send(request, "POST") or []]

    def _correlation(self, result: dict[str, Any]) -> CorrelationResult:
        kind: Literal["Execution", "ProcessDefinition"] = (
            "ProcessDefinition" if result.get("resultType") == "ProcessDefinition"
            else "Execution")
        started = result.get("processInstance") or {}
        execution = result.get("execution") or {}
        instance_id = started.get("id") or execution.get("processInstanceId")
        return CorrelationResult(kind, self.instance(str(instance_id)))

    def signal(self, name: str, variables: Mapping[str, Any] | None = None, *,
               tenant: str | None = None, session: Any = None) -> None:
        camunda_tenant = convert.tenant_id(tenant)
        request = pycamunda.signal.EventAll(
            self.rest.url, name, tenant_id=camunda_tenant,
            without_tenant_id=tenant is not None and camunda_tenant is None)
        request.variables = typed_map(variables) or None
        self.rest.send(request, "POST")

    # -- jobs ------------------------------------------------------------------
    def jobs(self, query: JobQuery | None = None) -> list[Job]:
        params = job_params(query or JobQuery())
        rows = self.rest.call("GET", "/job", params=params) or []
        kinds: dict[str, str | None] = {
            row["id"]: self._job_definition(row.get("jobDefinitionId")).get("jobType")
            for row in rows}
        if any(kind is None for kind in kinds.values()):  # no job definitions: ask by type
            timers = {r["id"] for r in self.rest.call(
                "GET", "/job", params={**params, "timers": "true"}) or []}
            kinds = {i: k or ("timer" if i in timers else "async-continuation")
                     for i, k in kinds.items()}
        return [self._job(row, kinds[row["id"]]) for row in rows]

    def _job(self, row: dict[str, Any], kind: str | None) -> Job:
        definition = self._job_definition(row.get("jobDefinitionId"))
        return Job(id=row["id"], type=_job_type(kind, row),
                   process_instance_id=row.get("processInstanceId"),
                   process_definition_id=row.get("processDefinitionId") or "",
                   process_definition_key=row.get("processDefinitionKey") or "",
                   activity_id=definition.get("activityId") or row.get("failedActivityId"),
                   due=parse_date(row.get("dueDate")), retries=int(row.get("retries") or 0),
                   exception_message=row.get("exceptionMessage"),
                   created=parse_date(row.get("createTime")) or datetime.now(UTC),
                   tenant=convert.tenant_of(row), suspended=bool(row.get("suspended")))

    def _job_definition(self, definition_id: str | None) -> dict[str, Any]:
        """Job definitions never change: each is read once (empty when unavailable)."""
        if not definition_id:
            return {}
        if definition_id not in self._job_definitions:
            try:
                found = self.rest.call("GET", f"/job-definition/{definition_id}") or {}
            except NotFound:
                found = {}
            self._job_definitions[definition_id] = found
        return self._job_definitions[definition_id]

    def execute_job(self, job_id: str) -> None:
        self.rest.call("POST", f"/job/{job_id}/execute")

    def set_job_retries(self, job_id: str, retries: int, *, session: Any = None) -> None:
        self.rest.call("PUT", f"/job/{job_id}/retries", json={"retries": retries})

    def run_due_jobs(self, now: datetime | None = None, limit: int = 100) -> int:
        """Execute jobs due by ``now`` (default: the current time) until none is left."""
        moment = now or datetime.now(UTC)
        done: set[str] = set()
        while len(done) < limit:
            due = [j for j in self.jobs(JobQuery(due_before=moment, max_results=limit))
                   if j.id not in done and j.retries > 0 and not j.suspended
                   and (j.due is None or j.due <= moment)]
            if not due:
                break
            for job in due[:limit - len(done)]:
                done.add(job.id)
                self._execute_quietly(job.id)
        return len(done)

    def _execute_quietly(self, job_id: str) -> None:
        """A job that fails records its own exception (and incident) in the engine."""
        try:
            self.execute_job(job_id)
        except NotFound:
            log.debug("job %s was executed by someone else", job_id)
        except EngineError as exc:
            log.warning("job %s failed: %s", job_id, exc.message)

    # -- incidents -------------------------------------------------------------
    def incidents(self, query: IncidentQuery | None = None) -> list[Incident]:
        q = query or IncidentQuery()
        params: dict[str, Any] = {**convert.listing(q.tenant, q.first, q.max_results)}
        for name, value in (("incidentId", q.id), ("incidentType", q.type),
                            ("processInstanceId", q.process_instance_id),
                            ("activityId", q.activity_id), ("configuration", q.configuration)):
            if value is not None:
                params[name] = value
        return [convert.incident(i) for i in self.rest.call("GET", "/incident", params=params)
                or []]

    def resolve_incident(self, incident_id: str, *, session: Any = None) -> None:
        self.rest.send(pycamunda.incident.Resolve(self.rest.url, incident_id), "DELETE")


def _job_type(kind: str | None, row: dict[str, Any]) -> JobType:
    """Camunda's job-definition type (``timer-start-event``, ``async-continuation``...)."""
    if kind == "async-continuation":
        return "async-continuation"
    if kind == "timer-start-event" or not row.get("processInstanceId"):
        return "timer-start"
    return "timer"
