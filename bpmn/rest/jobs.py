"""``/job`` (timers and async continuations) and ``/incident``.

Why jobs are looked up through the query: the protocol finds jobs by query,
and going through it also confines every id to the caller's tenant.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from bpmn.engine_errors import BadUserRequest, NotFound
from bpmn.engine_types import Incident, IncidentQuery, Job, JobQuery
from bpmn.rest import shapes
from bpmn.rest.base import bp, engine, no_content, tenant, wake_fetchers
from bpmn.rest.definitions import by_id
from bpmn.rest.params import Params, bind_checks, body, like_match, listing, page, query_params

JOB_SORTS = {"jobId": lambda j: j.id, "executionId": lambda j: j.process_instance_id,
             "processInstanceId": lambda j: j.process_instance_id,
             "processDefinitionId": lambda j: j.process_definition_id,
             "processDefinitionKey": lambda j: j.process_definition_key,
             "jobPriority": lambda j: 0, "jobRetries": lambda j: j.retries,
             "jobDueDate": lambda j: j.due, "tenantId": lambda j: j.tenant}
INCIDENT_SORTS = {"incidentId": lambda i: i.id, "incidentMessage": lambda i: i.message,
                  "incidentTimestamp": lambda i: i.created, "incidentType": lambda i: i.type,
                  "executionId": lambda i: i.process_instance_id,
                  "activityId": lambda i: i.activity_id,
                  "processInstanceId": lambda i: i.process_instance_id,
                  "processDefinitionId": lambda i: i.process_definition_id,
                  "causeIncidentId": lambda i: i.id, "rootCauseIncidentId": lambda i: i.id,
                  "configuration": lambda i: i.configuration, "tenantId": lambda i: i.tenant}


#: Camunda's job-definition types for the engine's job types.
JOB_TYPES = {"timer": "timer-intermediate-transition", "timer-start": "timer-start-event",
             "async-continuation": "async-continuation"}


def _job_definition(definition_id: str) -> dict[str, Any]:
    kind, _, rest = definition_id.partition("@")
    activity, _, process_definition = rest.partition("@")
    if kind not in JOB_TYPES or not process_definition:
        raise NotFound(f"Job Definition with id {definition_id} does not exist")
    found = by_id(process_definition)
    return {"id": definition_id, "processDefinitionId": found.id,
            "processDefinitionKey": found.key, "activityId": activity or None,
            "jobType": JOB_TYPES[kind], "jobConfiguration": None,
            "overridingJobPriority": None, "suspended": found.suspended,
            "tenantId": found.tenant, "deploymentId": found.deployment_id}


def _jobs(args: Params, paging: tuple[int, int | None] | None) -> list[Job]:
    query = JobQuery(id=args.text("jobId"), process_instance_id=args.text("processInstanceId"),
                     process_definition_id=args.text("processDefinitionId"),
                     activity_id=args.text("activityId"), executable=args.flag("executable"),
                     with_exception=args.flag("withException"),
                     no_retries_left=args.flag("noRetriesLeft"), tenant=tenant())
    checks = bind_checks([
        (args.items("jobIds"), lambda j, v: j.id in v),
        (args.items("processInstanceIds"), lambda j, v: j.process_instance_id in v),
        (args.text("processDefinitionKey"), lambda j, v: j.process_definition_key == v),
        (args.text("failedActivityId"), lambda j, v: j.exception_message is not None
         and j.activity_id == v),
        (args.flag("timers"), lambda j, v: j.type.startswith("timer") == v),
        (args.flag("messages"), lambda j, v: (j.type == "async-continuation") == v),
        (args.flag("withRetriesLeft"), lambda j, v: (j.retries > 0) == v),
        (args.text("exceptionMessage"), lambda j, v: j.exception_message == v),
        (args.flag("suspended"), lambda j, v: j.suspended == v),
        (args.flag("active"), lambda j, v: j.suspended != v),
        (args.items("tenantIdIn"), lambda j, v: j.tenant in v)])

    def fetch(first: int, limit: int | None) -> list[Job]:
        query.first, query.max_results = first, limit
        return engine().jobs(query)

    return listing(fetch, checks, args.sorting(list(JOB_SORTS)), JOB_SORTS, paging)


@bp.get("/job-definition/<definition_id>")
def get_job_definition(definition_id: str) -> Any:
    return jsonify(_job_definition(definition_id))


@bp.get("/job-definition")
def list_job_definitions() -> Any:
    """The definitions behind the jobs that exist now (the engine keeps no others)."""
    args = Params.query()
    wanted = args.text("processDefinitionId")
    ids = dict.fromkeys(shapes.job_definition_id(j) for j in engine().jobs(JobQuery(
        process_definition_id=wanted, tenant=tenant())))
    first, limit = page()
    chosen = list(ids)[first:] if limit is None else list(ids)[first:first + limit]
    return jsonify([_job_definition(i) for i in chosen])


@bp.route("/job", methods=["GET", "POST"])
def list_jobs() -> Any:
    return jsonify([shapes.job(j) for j in _jobs(query_params(), page())])


@bp.route("/job/count", methods=["GET", "POST"])
def count_jobs() -> Any:
    return jsonify({"count": len(_jobs(query_params(), None))})


def _job(job_id: str) -> Job:
    found = engine().jobs(JobQuery(id=job_id, tenant=tenant()))
    if not found:
        raise NotFound(f"Job with id {job_id} does not exist")
    return found[0]


@bp.get("/job/<job_id>")
def get_job(job_id: str) -> Any:
    return jsonify(shapes.job(_job(job_id)))


@bp.get("/job/<job_id>/stacktrace")
def job_stacktrace(job_id: str) -> Any:
    return Response(_job(job_id).exception_message or "", mimetype="text/plain")


@bp.put("/job/<job_id>/retries")
def set_job_retries(job_id: str) -> Any:
    retries = Params(body(), from_query=False).number("retries")
    if retries is None or retries < 0:
        raise BadUserRequest("The number of job retries must be a non-negative Integer")
    _job(job_id)
    engine().set_job_retries(job_id, retries)
    return no_content()


@bp.post("/job/<job_id>/execute")
def execute_job(job_id: str) -> Any:
    _job(job_id)
    engine().execute_job(job_id)
    return no_content()


def _incidents(args: Params, paging: tuple[int, int | None] | None) -> list[Incident]:
    query = IncidentQuery(id=args.text("incidentId"), type=args.text("incidentType"),
                          process_instance_id=args.text("processInstanceId"),
                          activity_id=args.text("activityId"),
                          configuration=args.text("configuration"), tenant=tenant())
    checks = bind_checks([
        (args.text("processDefinitionId"), lambda i, v: i.process_definition_id == v),
        (args.text("incidentMessage"), lambda i, v: i.message == v),
        (args.text("incidentMessageLike"), lambda i, v: like_match(i.message, v)),
        (args.text("failedActivityId"), lambda i, v: i.activity_id == v),
        (args.items("tenantIdIn"), lambda i, v: i.tenant in v)])

    def fetch(first: int, limit: int | None) -> list[Incident]:
        query.first, query.max_results = first, limit
        return engine().incidents(query)

    return listing(fetch, checks, args.sorting(list(INCIDENT_SORTS)), INCIDENT_SORTS, paging)


@bp.get("/incident")
def list_incidents() -> Any:
    return jsonify([shapes.incident(i) for i in _incidents(Params.query(), page())])


@bp.get("/incident/count")
def count_incidents() -> Any:
    return jsonify({"count": len(_incidents(Params.query(), None))})


def _incident(incident_id: str) -> Incident:
    found = engine().incidents(IncidentQuery(id=incident_id, tenant=tenant()))
    if not found:
        raise NotFound(f"Incident with id {incident_id} does not exist")
    return found[0]


@bp.get("/incident/<incident_id>")
def get_incident(incident_id: str) -> Any:
    return jsonify(shapes.incident(_incident(incident_id)))


@bp.delete("/incident/<incident_id>")
def resolve_incident(incident_id: str) -> Any:
    _incident(incident_id)
    engine().resolve_incident(incident_id)
    wake_fetchers()
    return no_content()
