"""Engine value types -> Camunda's JSON DTOs (field for field, nulls included).

Why every field, even the ones our engine never fills: third-party clients
(pycamunda among them) index the JSON with ``data['caseInstanceId']`` and
crash on a missing key, and Camunda itself always sends the full DTO.
"""

from __future__ import annotations

from typing import Any

from bpmn.engine_types import (
    ActivityInstance,
    Deployment,
    ExternalTask,
    Incident,
    Job,
    LockedExternalTask,
    ProcessDefinition,
    ProcessInstance,
    UserTask,
)
from bpmn.rest.params import format_date as date


def definition(d: ProcessDefinition) -> dict[str, Any]:
    return {"id": d.id, "key": d.key, "category": "http://bpmn.io/schema/bpmn",
            "description": None, "name": d.name, "version": d.version,
            "resource": d.resource_name, "deploymentId": d.deployment_id, "diagram": None,
            "suspended": d.suspended, "tenantId": d.tenant, "versionTag": None,
            "historyTimeToLive": None, "startableInTasklist": True}


def deployment(d: Deployment, with_definitions: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"links": [], "id": d.id, "name": d.name, "source": d.source,
                           "deploymentTime": date(d.deployed_at), "tenantId": d.tenant}
    if with_definitions:
        out.update({"deployedProcessDefinitions": {p.id: definition(p)
                                                   for p in d.process_definitions} or None,
                    "deployedCaseDefinitions": None, "deployedDecisionDefinitions": None,
                    "deployedDecisionRequirementsDefinitions": None})
    return out


def instance(p: ProcessInstance, variables: dict[str, dict[str, Any]] | None = None
             ) -> dict[str, Any]:
    """A ProcessInstanceDto; with ``variables`` (typed DTOs) one "WithVariables"."""
    out: dict[str, Any] = {
        "links": [], "id": p.id, "definitionId": p.definition_id, "businessKey": p.business_key,
        "caseInstanceId": None, "ended": p.state in ("COMPLETED", "TERMINATED"),
        "suspended": p.state == "SUSPENDED", "tenantId": p.tenant}
    if variables is not None:
        out["variables"] = variables
    return out


def task(t: UserTask) -> dict[str, Any]:
    return {"id": t.id, "name": t.name, "assignee": t.assignee, "owner": None,
            "created": date(t.created), "due": date(t.due), "followUp": date(t.follow_up),
            "delegationState": None, "description": t.description,
            "executionId": t.process_instance_id, "parentTaskId": None, "priority": t.priority,
            "processDefinitionId": t.process_definition_id,
            "processInstanceId": t.process_instance_id, "caseExecutionId": None,
            "caseDefinitionId": None, "caseInstanceId": None,
            "taskDefinitionKey": t.task_definition_key, "suspended": False,
            "formKey": t.form_key, "camundaFormRef": None, "tenantId": t.tenant}


def external_task(t: ExternalTask) -> dict[str, Any]:
    return {"activityId": t.activity_id, "activityInstanceId": None,
            "errorMessage": t.error_message, "executionId": t.process_instance_id, "id": t.id,
            "lockExpirationTime": date(t.lock_expiration),
            "processDefinitionId": t.process_definition_id,
            "processDefinitionKey": t.process_definition_key,
            "processDefinitionVersionTag": None, "processInstanceId": t.process_instance_id,
            "tenantId": t.tenant, "retries": t.retries, "suspended": t.suspended,
            "workerId": t.worker_id, "topicName": t.topic, "priority": t.priority,
            "businessKey": t.business_key}


def locked_task(t: LockedExternalTask, variables: dict[str, dict[str, Any]],
                extension_properties: bool) -> dict[str, Any]:
    out = {**external_task(t), "errorDetails": t.error_details, "variables": variables}
    if extension_properties:
        out["extensionProperties"] = dict(t.extension_properties)
    return out


def job_definition_id(job: Job) -> str:
    """``type@activity@definition``: BPMN ids cannot contain '@', so the parts come back."""
    return f"{job.type}@{job.activity_id or ''}@{job.process_definition_id}"


def job(j: Job) -> dict[str, Any]:
    return {"id": j.id, "jobDefinitionId": job_definition_id(j), "dueDate": date(j.due),
            "processInstanceId": j.process_instance_id, "executionId": j.process_instance_id,
            "processDefinitionId": j.process_definition_id,
            "processDefinitionKey": j.process_definition_key, "retries": j.retries,
            "exceptionMessage": j.exception_message,
            "failedActivityId": j.activity_id if j.exception_message else None,
            "suspended": j.suspended, "priority": 0, "tenantId": j.tenant,
            "createTime": date(j.created)}


def incident(i: Incident) -> dict[str, Any]:
    return {"id": i.id, "processDefinitionId": i.process_definition_id,
            "processInstanceId": i.process_instance_id, "executionId": i.process_instance_id,
            "incidentTimestamp": date(i.created), "incidentType": i.type,
            "activityId": i.activity_id, "failedActivityId": i.activity_id,
            "causeIncidentId": i.id, "rootCauseIncidentId": i.id,
            "configuration": i.configuration, "tenantId": i.tenant,
            "incidentMessage": i.message, "jobDefinitionId": None, "annotation": None}


def activity_tree(p: ProcessInstance, activities: list[ActivityInstance],
                  incidents: list[Incident]) -> dict[str, Any]:
    """Camunda's activity-instance tree: the instance, its waiting activities below it."""
    children = [_activity(p, a, [i for i in incidents if i.activity_id == a.activity_id])
                for a in activities]
    return {**_activity_base(p, p.id, None, p.definition_id, None, "processDefinition", []),
            "childActivityInstances": children}


def _activity(p: ProcessInstance, a: ActivityInstance, incidents: list[Incident]
              ) -> dict[str, Any]:
    return {**_activity_base(p, a.id, p.id, a.activity_id, a.activity_name, a.activity_type,
                             incidents), "childActivityInstances": []}


def _activity_base(p: ProcessInstance, id_: str, parent: str | None, activity_id: str,
                   name: str | None, kind: str, incidents: list[Incident]) -> dict[str, Any]:
    return {"id": id_, "parentActivityInstanceId": parent, "activityId": activity_id,
            "activityName": name, "name": name, "activityType": kind,
            "processInstanceId": p.id, "processDefinitionId": p.definition_id,
            "childTransitionInstances": [], "executionIds": [p.id],
            "incidentIds": [i.id for i in incidents],
            "incidents": [{"id": i.id, "activityId": i.activity_id} for i in incidents]}
