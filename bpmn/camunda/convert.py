"""Camunda's JSON DTOs -> the value types of `bpmn.engine_types`.

Why ``.get`` everywhere: Camunda versions (and Operaton) add or omit fields,
and a missing optional field must not break a listing. The ``default``
tenant of CaseStudio is Camunda's "no tenant" (``tenantId: null``), so a
cluster without multi-tenancy needs no configuration.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bpmn.camunda.values import parse_date, plain, plain_map
from bpmn.engine_types import (
    ActivityInstance,
    Deployment,
    ExternalTask,
    HistoricActivity,
    HistoricInstance,
    HistoricTask,
    HistoricVariable,
    Incident,
    InstanceState,
    LockedExternalTask,
    ProcessDefinition,
    ProcessInstance,
    UserTask,
)

DEFAULT_TENANT = "default"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: Camunda's historic states that CaseStudio folds into one.
_STATES: dict[str, InstanceState] = {
    "ACTIVE": "ACTIVE", "SUSPENDED": "SUSPENDED", "COMPLETED": "COMPLETED",
    "EXTERNALLY_TERMINATED": "TERMINATED", "INTERNALLY_TERMINATED": "TERMINATED",
    "TERMINATED": "TERMINATED"}


def tenant_of(dto: dict[str, Any]) -> str:
    return str(dto.get("tenantId") or DEFAULT_TENANT)


def tenant_id(tenant: str | None) -> str | None:
    """The ``tenantId`` to send for a CaseStudio tenant (None for the default one)."""
    return None if tenant in (None, DEFAULT_TENANT) else tenant


def tenant_params(tenant: str | None) -> dict[str, str]:
    """Query parameters confining a GET listing to one CaseStudio tenant (None: all)."""
    camunda_tenant = tenant_id(tenant)
    if tenant is None:
        return {}
    return {"tenantIdIn": camunda_tenant} if camunda_tenant else {"withoutTenantId": "true"}


def tenant_body(tenant: str | None) -> dict[str, Any]:
    """The same filter as fields of a POST query body."""
    camunda_tenant = tenant_id(tenant)
    if tenant is None:
        return {}
    return {"tenantIdIn": [camunda_tenant]} if camunda_tenant else {"withoutTenantId": True}


def listing(tenant: str | None, first: int = 0, max_results: int | None = None
            ) -> dict[str, Any]:
    """Tenant filter and paging (``firstResult``/``maxResults``) of a GET listing."""
    params: dict[str, Any] = {**tenant_params(tenant)}
    if first:
        params["firstResult"] = first
    if max_results is not None:
        params["maxResults"] = max_results
    return params


def paging(first: int, max_results: int | None) -> dict[str, Any]:
    return listing(None, first, max_results)


def definition(d: dict[str, Any]) -> ProcessDefinition:
    return ProcessDefinition(id=d["id"], key=d["key"], version=int(d.get("version") or 0),
                             name=d.get("name"), deployment_id=d.get("deploymentId") or "",
                             resource_name=d.get("resource") or "", tenant=tenant_of(d),
                             suspended=bool(d.get("suspended")))


def deployment(d: dict[str, Any], definitions: list[ProcessDefinition]) -> Deployment:
    return Deployment(id=d["id"], name=d.get("name") or "",
                      deployed_at=parse_date(d.get("deploymentTime")) or EPOCH,
                      tenant=tenant_of(d), source=d.get("source"),
                      process_definitions=definitions)


def state(h: dict[str, Any]) -> InstanceState:
    return _STATES.get(str(h.get("state") or "ACTIVE"), "ACTIVE")


def instance(h: dict[str, Any]) -> ProcessInstance:
    """A process instance from its *historic* DTO (the runtime DTO has no key or times)."""
    return ProcessInstance(id=h["id"], definition_id=h.get("processDefinitionId") or "",
                           definition_key=h.get("processDefinitionKey") or "",
                           business_key=h.get("businessKey"), state=state(h),
                           started_at=parse_date(h.get("startTime")) or EPOCH,
                           ended_at=parse_date(h.get("endTime")), tenant=tenant_of(h))


def historic_instance(h: dict[str, Any]) -> HistoricInstance:
    p = instance(h)
    return HistoricInstance(id=p.id, definition_id=p.definition_id,
                            definition_key=p.definition_key, business_key=p.business_key,
                            state=p.state, started_at=p.started_at, ended_at=p.ended_at,
                            tenant=p.tenant, delete_reason=h.get("deleteReason"))


def user_task(t: dict[str, Any], links: list[dict[str, Any]],
              business_key: str | None) -> UserTask:
    """A task DTO plus its identity links (candidates) and its instance's business key."""
    def candidates(kind: str, field: str) -> list[str]:
        return [str(link[field]) for link in links
                if link.get("type") == kind and link.get(field)]
    return UserTask(
        id=t["id"], name=t.get("name"), task_definition_key=t.get("taskDefinitionKey") or "",
        process_instance_id=t.get("processInstanceId") or "",
        process_definition_id=t.get("processDefinitionId") or "", business_key=business_key,
        assignee=t.get("assignee"), candidate_users=candidates("candidate", "userId"),
        candidate_groups=candidates("candidate", "groupId"), due=parse_date(t.get("due")),
        follow_up=parse_date(t.get("followUp")), priority=int(t.get("priority") or 0),
        form_key=t.get("formKey"), created=parse_date(t.get("created")) or EPOCH,
        tenant=tenant_of(t), description=t.get("description"))


def _external_fields(t: dict[str, Any]) -> dict[str, Any]:
    retries = t.get("retries")
    return dict(
        id=t["id"], topic=t.get("topicName") or "", worker_id=t.get("workerId"),
        lock_expiration=parse_date(t.get("lockExpirationTime")),
        retries=None if retries is None else int(retries), error_message=t.get("errorMessage"),
        error_details=t.get("errorDetails"), process_instance_id=t.get("processInstanceId") or "",
        process_definition_id=t.get("processDefinitionId") or "",
        process_definition_key=t.get("processDefinitionKey") or "",
        business_key=t.get("businessKey"), activity_id=t.get("activityId") or "",
        priority=int(t.get("priority") or 0), tenant=tenant_of(t),
        suspended=bool(t.get("suspended")),
        extension_properties=dict(t.get("extensionProperties") or {}))


def external_task(t: dict[str, Any]) -> ExternalTask:
    return ExternalTask(**_external_fields(t))


def locked_task(t: dict[str, Any]) -> LockedExternalTask:
    return LockedExternalTask(**_external_fields(t), variables=plain_map(t.get("variables")))


def incident(i: dict[str, Any]) -> Incident:
    return Incident(id=i["id"], type=i.get("incidentType") or "failedJob",
                    process_instance_id=i.get("processInstanceId"),
                    process_definition_id=i.get("processDefinitionId") or "",
                    activity_id=i.get("activityId"), configuration=i.get("configuration") or "",
                    message=i.get("incidentMessage"),
                    created=parse_date(i.get("incidentTimestamp")) or EPOCH,
                    tenant=tenant_of(i))


def activities(tree: dict[str, Any]) -> list[ActivityInstance]:
    """The activity-instance tree below the process instance, depth first, flattened.

    Transition instances (an ``asyncBefore`` activity waiting for its job) count
    as the activity they lead to, like Camunda's cockpit shows them.
    """
    out: list[ActivityInstance] = []
    for child in tree.get("childActivityInstances") or []:
        out.append(ActivityInstance(id=child["id"], activity_id=child.get("activityId") or "",
                                    activity_name=child.get("activityName") or child.get("name"),
                                    activity_type=child.get("activityType") or ""))
        out.extend(activities(child))
    for transition in tree.get("childTransitionInstances") or []:
        out.append(ActivityInstance(id=transition["id"],
                                    activity_id=transition.get("activityId") or "",
                                    activity_name=transition.get("activityName"),
                                    activity_type=transition.get("activityType") or ""))
    return out


def historic_activity(a: dict[str, Any]) -> HistoricActivity:
    return HistoricActivity(id=a["id"], activity_id=a.get("activityId") or "",
                            activity_name=a.get("activityName"),
                            activity_type=a.get("activityType") or "",
                            process_instance_id=a.get("processInstanceId") or "",
                            started_at=parse_date(a.get("startTime")) or EPOCH,
                            ended_at=parse_date(a.get("endTime")),
                            canceled=bool(a.get("canceled")), assignee=a.get("assignee"),
                            tenant=tenant_of(a))


def historic_task(t: dict[str, Any]) -> HistoricTask:
    return HistoricTask(id=t["id"], name=t.get("name"),
                        task_definition_key=t.get("taskDefinitionKey") or "",
                        process_instance_id=t.get("processInstanceId") or "",
                        assignee=t.get("assignee"),
                        created=parse_date(t.get("startTime")) or EPOCH,
                        ended_at=parse_date(t.get("endTime")),
                        delete_reason=t.get("deleteReason"), tenant=tenant_of(t))


def historic_variable(v: dict[str, Any]) -> HistoricVariable:
    """From ``/history/detail`` (one entry per update) or ``/history/variable-instance``."""
    return HistoricVariable(id=v["id"], process_instance_id=v.get("processInstanceId") or "",
                            name=v.get("variableName") or v.get("name") or "",
                            type=v.get("variableType") or v.get("type") or "",
                            value=plain({"type": v.get("variableType") or v.get("type"),
                                               "value": v.get("value"),
                                               "valueInfo": v.get("valueInfo")}),
                            revision=int(v.get("revision") or 0),
                            created=parse_date(v.get("time") or v.get("createTime")) or EPOCH,
                            deleted=v.get("state") == "DELETED", tenant=tenant_of(v))
