"""``/external-task``: complete, failure, bpmnError, extendLock, unlock, retries,
list/count/get (fetchAndLock lives in `bpmn.rest.fetch_and_lock`).

Why the facade checks only the request: lock ownership and retry rules are the
engine's, and another worker's lock or a wrong ``workerId`` comes back as the
engine's 400, as in Camunda. Calls that can make a task fetchable again wake
waiting fetch requests.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from bpmn.engine_errors import BadUserRequest, NotFound
from bpmn.engine_types import ExternalTask, ExternalTaskQuery
from bpmn.rest import shapes
from bpmn.rest.base import bp, engine, in_tenant, no_content, tenant, wake_fetchers
from bpmn.rest.params import Params, bind_checks, body, listing, page, query_params
from bpmn.rest.variables import variables_in

SORT_KEYS = {"id": lambda t: t.id, "lockExpirationTime": lambda t: t.lock_expiration,
             "processInstanceId": lambda t: t.process_instance_id,
             "processDefinitionId": lambda t: t.process_definition_id,
             "processDefinitionKey": lambda t: t.process_definition_key,
             "tenantId": lambda t: t.tenant, "taskPriority": lambda t: t.priority}


def _task(task_id: str) -> ExternalTask:
    message = f"External task with id {task_id} does not exist"
    try:
        found = engine().external_task(task_id)
    except NotFound:
        raise NotFound(message) from None
    return in_tenant(found, message)  # type: ignore[no-any-return]


@bp.post("/external-task/<task_id>/complete")
def complete_external_task(task_id: str) -> Any:
    data = body()
    worker = Params(data, from_query=False).required("workerId")
    variables = variables_in(data.get("variables"))
    local = variables_in(data.get("localVariables"), "localVariables")
    _task(task_id)
    engine().complete_external(task_id, worker, variables, local)
    return no_content()


@bp.post("/external-task/<task_id>/failure")
def external_task_failure(task_id: str) -> Any:
    args = Params(body(), from_query=False)
    worker = args.required("workerId")
    retries, retry_timeout = args.number("retries") or 0, args.number("retryTimeout") or 0
    if retries < 0 or retry_timeout < 0:
        raise BadUserRequest("The number of retries and the retry timeout cannot be negative")
    _task(task_id)
    engine().handle_failure(task_id, worker, args.text("errorMessage"),
                            args.text("errorDetails"), retries, retry_timeout)
    wake_fetchers()
    return no_content()


@bp.post("/external-task/<task_id>/bpmnError")
def external_task_bpmn_error(task_id: str) -> Any:
    data = body()
    args = Params(data, from_query=False)
    worker, code = args.required("workerId"), args.required("errorCode")
    variables = variables_in(data.get("variables"))
    _task(task_id)
    engine().handle_bpmn_error(task_id, worker, code, args.text("errorMessage"), variables)
    return no_content()


@bp.post("/external-task/<task_id>/extendLock")
def extend_external_task_lock(task_id: str) -> Any:
    args = Params(body(), from_query=False)
    worker, duration = args.required("workerId"), args.number("newDuration")
    if duration is None or duration <= 0:
        raise BadUserRequest("'newDuration' is mandatory and must be greater than 0")
    _task(task_id)
    engine().extend_lock(task_id, worker, duration)
    return no_content()


@bp.post("/external-task/<task_id>/unlock")
def unlock_external_task(task_id: str) -> Any:
    _task(task_id)
    engine().unlock(task_id)
    wake_fetchers()
    return no_content()


def _retries(args: Params) -> int:
    retries = args.number("retries")
    if retries is None or retries < 0:
        raise BadUserRequest("The number of retries cannot be negative or missing")
    return retries


@bp.put("/external-task/<task_id>/retries")
def set_external_task_retries(task_id: str) -> Any:
    retries = _retries(Params(body(), from_query=False))
    _task(task_id)
    engine().set_external_retries(task_id, retries)
    wake_fetchers()
    return no_content()


@bp.put("/external-task/retries")
def set_external_tasks_retries() -> Any:
    args = Params(body(), from_query=False)
    retries, ids = _retries(args), args.items("externalTaskIds") or []
    for task_id in ids:
        _task(task_id)
    for task_id in ids:
        engine().set_external_retries(task_id, retries)
    wake_fetchers()
    return no_content()


def _tasks(args: Params, paging: tuple[int, int | None] | None) -> list[ExternalTask]:
    locked = True if args.flag("locked") else (False if args.flag("notLocked") else None)
    left = True if args.flag("withRetriesLeft") else (False if args.flag("noRetriesLeft")
                                                      else None)
    query = ExternalTaskQuery(id=args.text("externalTaskId"), topic=args.text("topicName"),
                              worker_id=args.text("workerId"), locked=locked,
                              with_retries_left=left,
                              process_instance_id=args.text("processInstanceId"),
                              activity_id=args.text("activityId"), tenant=tenant())
    tests: list[tuple[Any, Any]] = [
        (args.items("externalTaskIdIn"), lambda t, v: t.id in v),
        (args.items("activityIdIn"), lambda t, v: t.activity_id in v),
        (args.items("processInstanceIdIn"), lambda t, v: t.process_instance_id in v),
        (args.text("processDefinitionId"), lambda t, v: t.process_definition_id == v),
        (args.flag("suspended"), lambda t, v: t.suspended == v),
        (args.flag("active"), lambda t, v: t.suspended != v),
        (args.number("priorityHigherThanOrEquals"), lambda t, v: t.priority >= v),
        (args.number("priorityLowerThanOrEquals"), lambda t, v: t.priority <= v),
        (args.items("tenantIdIn"), lambda t, v: t.tenant in v)]
    checks = bind_checks(tests)

    def fetch(first: int, limit: int | None) -> list[ExternalTask]:
        query.first, query.max_results = first, limit
        return engine().external_tasks(query)

    return listing(fetch, checks, args.sorting(list(SORT_KEYS)), SORT_KEYS, paging)


@bp.route("/external-task", methods=["GET", "POST"])
def list_external_tasks() -> Any:
    return jsonify([shapes.external_task(t) for t in _tasks(query_params(), page())])


@bp.route("/external-task/count", methods=["GET", "POST"])
def count_external_tasks() -> Any:
    return jsonify({"count": len(_tasks(query_params(), None))})


@bp.get("/external-task/topic-names")
def external_task_topic_names() -> Any:
    return jsonify(sorted({t.topic for t in _tasks(Params.query(), None)}))


@bp.get("/external-task/<task_id>")
def get_external_task(task_id: str) -> Any:
    return jsonify(shapes.external_task(_task(task_id)))


@bp.get("/external-task/<task_id>/errorDetails")
def external_task_error_details(task_id: str) -> Any:
    return Response(_task(task_id).error_details or "", mimetype="text/plain")
