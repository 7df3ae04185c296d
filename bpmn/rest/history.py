"""``/history/process-instance``, ``/history/activity-instance``, ``/history/task``.

Why activity history is asked per process instance: the protocol reads an
instance's activity history in one indexed query and has no cross-instance
activity query, so ``/history/activity-instance`` needs ``processInstanceId``
(a 400 says so otherwise) instead of scanning every instance of the tenant.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import jsonify

from bpmn.engine_errors import BadUserRequest, NotFound
from bpmn.engine_types import HistoricActivity, HistoricInstance, HistoricTask, HistoryQuery
from bpmn.rest.base import bp, engine, tenant
from bpmn.rest.params import Params, bind_checks, like_match, listing, page, query_params
from bpmn.rest.params import format_date as date

STATES = {"TERMINATED": "EXTERNALLY_TERMINATED"}
INSTANCE_SORTS = {"instanceId": lambda h: h.id, "definitionId": lambda h: h.definition_id,
                  "definitionKey": lambda h: h.definition_key,
                  "businessKey": lambda h: h.business_key, "startTime": lambda h: h.started_at,
                  "endTime": lambda h: h.ended_at, "tenantId": lambda h: h.tenant,
                  "duration": lambda h: _millis(h.started_at, h.ended_at)}
ACTIVITY_SORTS = {"activityInstanceId": lambda a: a.id, "activityId": lambda a: a.activity_id,
                  "activityName": lambda a: a.activity_name,
                  "activityType": lambda a: a.activity_type, "startTime": lambda a: a.started_at,
                  "endTime": lambda a: a.ended_at, "tenantId": lambda a: a.tenant,
                  "instanceId": lambda a: a.process_instance_id,
                  "duration": lambda a: _millis(a.started_at, a.ended_at)}
TASK_SORTS = {"taskId": lambda t: t.id, "activityInstanceId": lambda t: t.id,
              "processInstanceId": lambda t: t.process_instance_id,
              "taskName": lambda t: t.name, "taskDefinitionKey": lambda t: t.task_definition_key,
              "assignee": lambda t: t.assignee, "startTime": lambda t: t.created,
              "endTime": lambda t: t.ended_at, "deleteReason": lambda t: t.delete_reason,
              "tenantId": lambda t: t.tenant,
              "duration": lambda t: _millis(t.created, t.ended_at)}


def _millis(start: datetime, end: datetime | None) -> int | None:
    return None if end is None else int((end - start).total_seconds() * 1000)


def historic_instance(h: HistoricInstance) -> dict[str, Any]:
    version = h.definition_id.split(":")[1] if h.definition_id.count(":") >= 2 else ""
    return {"id": h.id, "rootProcessInstanceId": h.id, "superProcessInstanceId": None,
            "superCaseInstanceId": None, "caseInstanceId": None,
            "processDefinitionName": None, "processDefinitionKey": h.definition_key,
            "processDefinitionVersion": int(version) if version.isdigit() else None,
            "processDefinitionId": h.definition_id, "businessKey": h.business_key,
            "startTime": date(h.started_at), "endTime": date(h.ended_at), "removalTime": None,
            "durationInMillis": _millis(h.started_at, h.ended_at), "startUserId": None,
            "startActivityId": None, "deleteReason": h.delete_reason, "tenantId": h.tenant,
            "state": STATES.get(h.state, h.state)}


def historic_instances(args: Params, paging: tuple[int, int | None] | None
                       ) -> list[HistoricInstance]:
    finished = True if args.flag("finished") else (False if args.flag("unfinished") else None)
    query = HistoryQuery(process_instance_id=args.text("processInstanceId"),
                         definition_key=args.text("processDefinitionKey"),
                         business_key=args.text("processInstanceBusinessKey"),
                         finished=finished, tenant=tenant())
    checks = bind_checks([
        (args.items("processInstanceIds"), lambda h, v: h.id in v),
        (args.text("processDefinitionId"), lambda h, v: h.definition_id == v),
        (args.items("processDefinitionKeyIn"), lambda h, v: h.definition_key in v),
        (args.text("processInstanceBusinessKeyLike"), lambda h, v: like_match(h.business_key,
                                                                              v)),
        (args.when("startedBefore"), lambda h, v: h.started_at < v),
        (args.when("startedAfter"), lambda h, v: h.started_at > v),
        (args.when("finishedBefore"), lambda h, v: h.ended_at is not None and h.ended_at < v),
        (args.when("finishedAfter"), lambda h, v: h.ended_at is not None and h.ended_at > v),
        (args.flag("active"), lambda h, v: (h.state == "ACTIVE") == v),
        (args.flag("suspended"), lambda h, v: (h.state == "SUSPENDED") == v),
        (args.flag("completed"), lambda h, v: (h.state == "COMPLETED") == v),
        (args.flag("externallyTerminated"), lambda h, v: (h.state == "TERMINATED") == v),
        (args.items("tenantIdIn"), lambda h, v: h.tenant in v)])

    def fetch(first: int, limit: int | None) -> list[HistoricInstance]:
        query.first, query.max_results = first, limit
        return engine().history_instances(query)

    return listing(fetch, checks, args.sorting(list(INSTANCE_SORTS)), INSTANCE_SORTS, paging)


@bp.route("/history/process-instance", methods=["GET", "POST"])
def list_historic_instances() -> Any:
    return jsonify([historic_instance(h) for h in historic_instances(query_params(), page())])


@bp.route("/history/process-instance/count", methods=["GET", "POST"])
def count_historic_instances() -> Any:
    return jsonify({"count": len(historic_instances(query_params(), None))})


def one_historic_instance(instance_id: str) -> HistoricInstance:
    found = engine().history_instances(HistoryQuery(process_instance_id=instance_id,
                                                    tenant=tenant()))
    if not found:
        raise NotFound(f"Historic process instance with id {instance_id} does not exist")
    return found[0]


@bp.get("/history/process-instance/<instance_id>")
def get_historic_instance(instance_id: str) -> Any:
    return jsonify(historic_instance(one_historic_instance(instance_id)))


def _activity(a: HistoricActivity, h: HistoricInstance) -> dict[str, Any]:
    return {"id": a.id, "parentActivityInstanceId": h.id, "activityId": a.activity_id,
            "activityName": a.activity_name, "activityType": a.activity_type,
            "processDefinitionKey": h.definition_key, "processDefinitionId": h.definition_id,
            "processInstanceId": h.id, "executionId": h.id,
            "taskId": a.id if a.activity_type == "userTask" else None, "assignee": a.assignee,
            "calledProcessInstanceId": None, "calledCaseInstanceId": None,
            "startTime": date(a.started_at), "endTime": date(a.ended_at),
            "durationInMillis": _millis(a.started_at, a.ended_at), "canceled": a.canceled,
            "completeScope": a.activity_type == "endEvent" and not a.canceled,
            "tenantId": a.tenant, "removalTime": None, "rootProcessInstanceId": h.id}


def _activities(args: Params, paging: tuple[int, int | None] | None) -> list[dict[str, Any]]:
    instance_id = args.text("processInstanceId")
    if instance_id is None:
        raise BadUserRequest("This engine answers activity history per process instance: "
                             "give processInstanceId")
    owner = one_historic_instance(instance_id)
    finished = True if args.flag("finished") else (False if args.flag("unfinished") else None)
    checks = bind_checks([
        (args.text("activityInstanceId"), lambda a, v: a.id == v),
        (args.text("activityId"), lambda a, v: a.activity_id == v),
        (args.text("activityName"), lambda a, v: a.activity_name == v),
        (args.text("activityType"), lambda a, v: a.activity_type == v),
        (args.text("taskAssignee"), lambda a, v: a.assignee == v),
        (finished, lambda a, v: (a.ended_at is not None) == v),
        (args.flag("canceled"), lambda a, v: a.canceled == v)])
    found = listing(lambda first, limit: engine().history_activities(instance_id), checks,
                    args.sorting(list(ACTIVITY_SORTS)), ACTIVITY_SORTS, paging)
    return [_activity(a, owner) for a in found]


@bp.route("/history/activity-instance", methods=["GET", "POST"])
def list_historic_activities() -> Any:
    return jsonify(_activities(query_params(), page()))


@bp.route("/history/activity-instance/count", methods=["GET", "POST"])
def count_historic_activities() -> Any:
    return jsonify({"count": len(_activities(query_params(), None))})


def _task(t: HistoricTask, h: HistoricInstance) -> dict[str, Any]:
    return {"id": t.id, "processDefinitionKey": h.definition_key,
            "processDefinitionId": h.definition_id, "processInstanceId": h.id,
            "executionId": h.id, "caseDefinitionKey": None, "caseDefinitionId": None,
            "caseInstanceId": None, "caseExecutionId": None, "activityInstanceId": t.id,
            "name": t.name, "description": None, "deleteReason": t.delete_reason,
            "owner": None, "assignee": t.assignee, "startTime": date(t.created),
            "endTime": date(t.ended_at), "duration": _millis(t.created, t.ended_at),
            "taskDefinitionKey": t.task_definition_key, "priority": 50, "due": None,
            "parentTaskId": None, "followUp": None, "tenantId": t.tenant, "removalTime": None,
            "rootProcessInstanceId": h.id}


def _tasks(args: Params, paging: tuple[int, int | None] | None) -> list[dict[str, Any]]:
    finished = True if args.flag("finished") else (False if args.flag("unfinished") else None)
    query = HistoryQuery(process_instance_id=args.text("processInstanceId"), finished=finished,
                         tenant=tenant())
    owners = _owner_ids(args)
    checks = bind_checks([
        (owners, lambda t, v: t.process_instance_id in v),
        (args.text("taskId"), lambda t, v: t.id == v),
        (args.text("taskName"), lambda t, v: t.name == v),
        (args.text("taskNameLike"), lambda t, v: like_match(t.name, v)),
        (args.text("taskDefinitionKey"), lambda t, v: t.task_definition_key == v),
        (args.text("taskAssignee"), lambda t, v: t.assignee == v),
        (args.flag("assigned"), lambda t, v: (t.assignee is not None) == v),
        (args.flag("unassigned"), lambda t, v: (t.assignee is None) == v)])

    def fetch(first: int, limit: int | None) -> list[HistoricTask]:
        query.first, query.max_results = first, limit
        return engine().history_tasks(query)

    found = listing(fetch, checks, args.sorting(list(TASK_SORTS)), TASK_SORTS, paging)
    instances = {i: one_historic_instance(i) for i in {t.process_instance_id for t in found}}
    return [_task(t, instances[t.process_instance_id]) for t in found]


def _owner_ids(args: Params) -> set[str] | None:
    """Ids of the instances a task query's process-level filters allow (None: any)."""
    wanted = {"processDefinitionKey": args.text("processDefinitionKey"),
              "processInstanceBusinessKey": args.text("processInstanceBusinessKey")}
    if not any(wanted.values()):
        return None
    return {h.id for h in historic_instances(Params(wanted, from_query=False), None)}


@bp.route("/history/task", methods=["GET", "POST"])
def list_historic_tasks() -> Any:
    return jsonify(_tasks(query_params(), page()))


@bp.route("/history/task/count", methods=["GET", "POST"])
def count_historic_tasks() -> Any:
    return jsonify({"count": len(_tasks(query_params(), None))})
