"""``/external-task``: fetchAndLock (long polling), complete, failure, bpmnError,
extendLock, unlock, retries, list/count/get.

Why ``null`` is welcome everywhere: the Python external-task client sends
``"sorting": null``, ``"variables": null`` and untyped variables; Camunda
treats null as "not given", and so do we. Lock ownership and retry rules are
the engine's: another worker's lock or a wrong ``workerId`` is a 400, as in
Camunda.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify

from bpmn.engine_errors import BadUserRequest, NotFound
from bpmn.engine_types import ExternalTask, ExternalTaskQuery, LockedExternalTask, TopicRequest
from bpmn.rest import shapes
from bpmn.rest.base import bp, engine, in_tenant, no_content, tenant
from bpmn.rest.instances import typed_variables
from bpmn.rest.params import Params, bind_checks, body, listing, page, query_params
from bpmn.rest.variables import variables_in

MAX_ASYNC_TIMEOUT_MS = 1_800_000
SORT_KEYS = {"id": lambda t: t.id, "lockExpirationTime": lambda t: t.lock_expiration,
             "processInstanceId": lambda t: t.process_instance_id,
             "processDefinitionId": lambda t: t.process_definition_id,
             "processDefinitionKey": lambda t: t.process_definition_key,
             "tenantId": lambda t: t.tenant, "taskPriority": lambda t: t.priority}


def _mandatory(args: Params, name: str) -> str:
    value = args.text(name)
    if not value:
        raise BadUserRequest(f"'{name}' is mandatory")
    return value


def _topics(item: Any) -> list[TopicRequest]:
    """One topic of the request (several with ``processDefinitionKeyIn``)."""
    if not isinstance(item, dict):
        raise BadUserRequest("every entry of 'topics' must be an object")
    args = Params(item, from_query=False)
    lock = args.number("lockDuration")
    if lock is None or lock <= 0:
        raise BadUserRequest("'lockDuration' is mandatory and must be greater than 0")
    tenants = args.items("tenantIdIn")
    if tenants is not None and tenant() not in tenants:
        return []
    keys: list[str | None] = [*(args.items("processDefinitionKeyIn") or [])] or [
        args.text("processDefinitionKey")]
    return [TopicRequest(topic=_mandatory(args, "topicName"), lock_duration_ms=lock,
                         variables=args.items("variables"),
                         business_key=args.text("businessKey"), process_definition_key=key,
                         tenant_ids=[tenant()], local_variables=bool(args.flag(
                             "localVariables"))) for key in keys]


def _value_filter(item: Any) -> dict[str, Any]:
    filters = item.get("processVariables") if isinstance(item, dict) else None
    if filters is not None and not isinstance(filters, dict):
        raise BadUserRequest("'processVariables' must be an object of names and values")
    return dict(filters or {})


def _matching(tasks: list[LockedExternalTask], filters: dict[str, Any]
              ) -> list[LockedExternalTask]:
    """Keep tasks whose process variables equal ``filters``; release the others at once."""
    if not filters:
        return tasks
    kept = []
    for task in tasks:
        values = engine().variables(task.process_instance_id)
        if all(name in values and values[name] == want for name, want in filters.items()):
            kept.append(task)
        else:
            engine().unlock(task.id)
    return kept


@bp.post("/external-task/fetchAndLock")
def fetch_and_lock() -> Any:
    data = body()
    args = Params(data, from_query=False)
    worker = _mandatory(args, "workerId")
    max_tasks = args.number("maxTasks")
    max_tasks = 1 if max_tasks is None else max_tasks
    timeout = args.number("asyncResponseTimeout") or 0
    if max_tasks < 0 or not 0 <= timeout <= MAX_ASYNC_TIMEOUT_MS:
        raise BadUserRequest("'maxTasks' must not be negative and 'asyncResponseTimeout' must "
                             f"be between 0 and {MAX_ASYNC_TIMEOUT_MS} milliseconds")
    raw_topics = data.get("topics") or []
    if not isinstance(raw_topics, list):
        raise BadUserRequest("'topics' must be a list")
    groups = [(_topics(item), _value_filter(item), bool(isinstance(item, dict) and item.get(
        "includeExtensionProperties"))) for item in raw_topics]
    use_priority = bool(args.flag("usePriority"))

    def fetch() -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for topics, filters, extensions in groups:
            if topics and len(out) < max_tasks:
                locked = engine().fetch_and_lock(worker, topics, max_tasks - len(out),
                                                 use_priority)
                out += [shapes.locked_task(t, typed_variables(t.process_instance_id, t.variables),
                                           extensions) for t in _matching(locked, filters)]
        return out

    return jsonify(current_app.extensions["engine_rest"].wait_for(fetch, timeout / 1000))


def _task(task_id: str) -> ExternalTask:
    message = f"External task with id {task_id} does not exist"
    try:
        found = engine().external_task(task_id)
    except NotFound:
        raise NotFound(message) from None
    return in_tenant(found, message)  # type: ignore[no-any-return]


def _wake() -> None:
    current_app.extensions["engine_rest"].notify()


@bp.post("/external-task/<task_id>/complete")
def complete_external_task(task_id: str) -> Any:
    data = body()
    worker = _mandatory(Params(data, from_query=False), "workerId")
    variables = variables_in(data.get("variables"))
    local = variables_in(data.get("localVariables"), "localVariables")
    _task(task_id)
    engine().complete_external(task_id, worker, variables, local)
    return no_content()


@bp.post("/external-task/<task_id>/failure")
def external_task_failure(task_id: str) -> Any:
    args = Params(body(), from_query=False)
    worker = _mandatory(args, "workerId")
    retries, retry_timeout = args.number("retries") or 0, args.number("retryTimeout") or 0
    if retries < 0 or retry_timeout < 0:
        raise BadUserRequest("The number of retries and the retry timeout cannot be negative")
    _task(task_id)
    engine().handle_failure(task_id, worker, args.text("errorMessage"),
                            args.text("errorDetails"), retries, retry_timeout)
    _wake()
    return no_content()


@bp.post("/external-task/<task_id>/bpmnError")
def external_task_bpmn_error(task_id: str) -> Any:
    data = body()
    args = Params(data, from_query=False)
    worker, code = _mandatory(args, "workerId"), _mandatory(args, "errorCode")
    variables = variables_in(data.get("variables"))
    _task(task_id)
    engine().handle_bpmn_error(task_id, worker, code, args.text("errorMessage"), variables)
    return no_content()


@bp.post("/external-task/<task_id>/extendLock")
def extend_external_task_lock(task_id: str) -> Any:
    args = Params(body(), from_query=False)
    worker, duration = _mandatory(args, "workerId"), args.number("newDuration")
    if duration is None or duration <= 0:
        raise BadUserRequest("'newDuration' is mandatory and must be greater than 0")
    _task(task_id)
    engine().extend_lock(task_id, worker, duration)
    return no_content()


@bp.post("/external-task/<task_id>/unlock")
def unlock_external_task(task_id: str) -> Any:
    _task(task_id)
    engine().unlock(task_id)
    _wake()
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
    _wake()
    return no_content()


@bp.put("/external-task/retries")
def set_external_tasks_retries() -> Any:
    args = Params(body(), from_query=False)
    retries, ids = _retries(args), args.items("externalTaskIds") or []
    for task_id in ids:
        _task(task_id)
    for task_id in ids:
        engine().set_external_retries(task_id, retries)
    _wake()
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
