"""``/variable-instance``, ``/history/variable-instance`` (list/count/get) and the
variable updates of ``/history/detail``.

Why ids are ``<processInstanceId>:<name>``: the embedded engine keeps one
variable scope per process instance and reads variables per instance, so a
composite id lets ``GET .../{id}`` find the variable with one indexed read
instead of scanning every instance; as in Camunda, a variable's historic id is
its runtime id (revisions get ``<processInstanceId>:<revisionId>``). Queries
likewise need ``processInstanceIdIn`` (or ``taskIdIn`` / ``processInstanceId``).
"""

from __future__ import annotations

from typing import Any

from flask import jsonify

from bpmn.engine_errors import BadUserRequest, NotFound
from bpmn.engine_types import HistoricInstance, HistoricVariable
from bpmn.rest.base import bp, engine
from bpmn.rest.history import one_historic_instance
from bpmn.rest.instances import running_instance, typed_variables
from bpmn.rest.params import Params, bind_checks, like_match, listing, page, query_params
from bpmn.rest.params import format_date as date
from bpmn.rest.tasks import open_task
from bpmn.rest.variables import to_dto

SORTS = {"variableName": lambda v: v["name"], "variableType": lambda v: v["type"],
         "activityInstanceId": lambda v: v["activityInstanceId"],
         "tenantId": lambda v: v["tenantId"], "instanceId": lambda v: v["processInstanceId"]}


def _instance_ids(args: Params) -> list[str]:
    ids = list(args.items("processInstanceIdIn") or [])
    single = args.text("processInstanceId")
    ids += [single] if single else []
    ids += [open_task(t).process_instance_id for t in args.items("taskIdIn") or []]
    if not ids:
        raise BadUserRequest("This engine reads variables per process instance: give "
                             "processInstanceIdIn (or taskIdIn)")
    return list(dict.fromkeys(ids))


def _checks(args: Params) -> list[Any]:
    return bind_checks([
        (args.text("variableName"), lambda v, w: v["name"] == w),
        (args.text("variableNameLike"), lambda v, w: like_match(v["name"], w)),
        (args.items("variableTypeIn"), lambda v, w: v["type"] in w)])


def _runtime(instance_id: str) -> list[dict[str, Any]]:
    found = running_instance(instance_id)
    return [{"id": f"{found.id}:{name}", "name": name,
             "processDefinitionId": found.definition_id, "processInstanceId": found.id,
             "executionId": found.id, "caseInstanceId": None, "caseExecutionId": None,
             "taskId": None, "batchId": None, "activityInstanceId": found.id,
             "tenantId": found.tenant, "errorMessage": None, **dto}
            for name, dto in typed_variables(instance_id, engine().variables(instance_id)).items()]


def _runtime_list(args: Params, paging: tuple[int, int | None] | None) -> list[dict[str, Any]]:
    ids = _instance_ids(args)
    return listing(lambda first, limit: [v for i in ids for v in _runtime(i)], _checks(args),
                   args.sorting(list(SORTS)), SORTS, paging)


@bp.route("/variable-instance", methods=["GET", "POST"])
def list_variable_instances() -> Any:
    return jsonify(_runtime_list(query_params(), page()))


@bp.route("/variable-instance/count", methods=["GET", "POST"])
def count_variable_instances() -> Any:
    return jsonify({"count": len(_runtime_list(query_params(), None))})


def _split(composite: str, kind: str) -> tuple[str, str]:
    instance_id, _, rest = composite.partition(":")
    if not rest:
        raise NotFound(f"{kind} with Id '{composite}' does not exist.")
    return instance_id, rest


@bp.get("/variable-instance/<variable_id>")
def get_variable_instance(variable_id: str) -> Any:
    instance_id, _ = _split(variable_id, "Variable instance")
    try:
        found = [v for v in _runtime(instance_id) if v["id"] == variable_id]
    except NotFound:
        found = []
    if not found:
        raise NotFound(f"Variable instance with Id '{variable_id}' does not exist.")
    return jsonify(found[0])


def _scope(owner: HistoricInstance) -> dict[str, Any]:
    """The fields every historic variable row shares (one scope per instance here)."""
    return {"processDefinitionKey": owner.definition_key,
            "processDefinitionId": owner.definition_id, "processInstanceId": owner.id,
            "executionId": owner.id, "activityInstanceId": owner.id, "caseDefinitionKey": None,
            "caseDefinitionId": None, "caseInstanceId": None, "caseExecutionId": None,
            "taskId": None, "tenantId": owner.tenant, "errorMessage": None,
            "removalTime": None, "rootProcessInstanceId": owner.id}


def _historic(instance_id: str, include_deleted: bool) -> list[dict[str, Any]]:
    """One row per variable (its latest revision), with the runtime variable's id."""
    owner = one_historic_instance(instance_id)
    latest: dict[str, HistoricVariable] = {}
    for item in engine().history_variables(instance_id):
        if item.name not in latest or item.revision >= latest[item.name].revision:
            latest[item.name] = item
    return [{"id": f"{owner.id}:{v.name}", "name": v.name, **_scope(owner),
             "state": "DELETED" if v.deleted else "CREATED", "createTime": date(v.created),
             **to_dto(v.value, v.type)}
            for v in latest.values() if include_deleted or not v.deleted]


def _updates(instance_id: str) -> list[dict[str, Any]]:
    """Every revision of every variable, as Camunda's variable-update details."""
    owner = one_historic_instance(instance_id)
    return [{"id": f"{owner.id}:{v.id}", "type": "variableUpdate", **_scope(owner),
             "userOperationId": None, "time": date(v.created), "fieldId": None,
             "fieldValue": None, "variableName": v.name,
             "variableInstanceId": f"{owner.id}:{v.name}", "variableType": dto["type"],
             "value": dto["value"], "valueInfo": dto["valueInfo"], "initial": v.revision == 1,
             "revision": v.revision}
            for v in engine().history_variables(instance_id)
            for dto in [to_dto(v.value, v.type)]]


DETAIL_SORTS = {"processInstanceId": lambda d: d["processInstanceId"],
                "variableName": lambda d: d["variableName"],
                "variableType": lambda d: d["variableType"],
                "variableRevision": lambda d: d["revision"], "time": lambda d: d["time"],
                "occurrence": lambda d: d["time"], "tenantId": lambda d: d["tenantId"]}


@bp.get("/history/detail")
def historic_details() -> Any:
    """Variable updates of given process instances (there are no form-field details)."""
    args = Params.query()
    if args.flag("formFields"):
        return jsonify([])
    ids = _instance_ids(args)
    checks = bind_checks([(args.items("variableTypeIn"), lambda d, v: d["variableType"] in v),
                          (args.text("variableInstanceId"),
                           lambda d, v: d["variableInstanceId"] == v)])
    return jsonify(listing(lambda first, limit: [d for i in ids for d in _updates(i)], checks,
                           args.sorting(list(DETAIL_SORTS)), DETAIL_SORTS, page()))


def _history_list(args: Params, paging: tuple[int, int | None] | None) -> list[dict[str, Any]]:
    ids, deleted = _instance_ids(args), bool(args.flag("includeDeleted"))
    return listing(lambda first, limit: [v for i in ids for v in _historic(i, deleted)],
                   _checks(args), args.sorting(list(SORTS)), SORTS, paging)


@bp.route("/history/variable-instance", methods=["GET", "POST"])
def list_historic_variables() -> Any:
    return jsonify(_history_list(query_params(), page()))


@bp.route("/history/variable-instance/count", methods=["GET", "POST"])
def count_historic_variables() -> Any:
    return jsonify({"count": len(_history_list(query_params(), None))})


@bp.get("/history/variable-instance/<variable_id>")
def get_historic_variable(variable_id: str) -> Any:
    instance_id, _ = _split(variable_id, "Historic variable instance")
    try:
        found = [v for v in _historic(instance_id, True) if v["id"] == variable_id]
    except NotFound:
        found = []
    if not found:
        raise NotFound(f"Historic variable instance with Id '{variable_id}' does not exist.")
    return jsonify(found[0])


