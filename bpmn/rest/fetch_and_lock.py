"""``/external-task/fetchAndLock``: topics, filters and long polling.

Why ``null`` is welcome everywhere: the Python external-task client sends
``"sorting": null``, ``"variables": null`` and untyped variables; Camunda
treats null as "not given", and so do we. Every topic is confined to the
caller's tenant; ``processVariables`` filters are checked on the locked
tasks, and tasks that do not match are released at once. Waiting
(``asyncResponseTimeout``) is `bpmn.rest.longpoll`'s business.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify

from bpmn.engine_errors import BadUserRequest
from bpmn.engine_types import LockedExternalTask, TopicRequest
from bpmn.rest import shapes
from bpmn.rest.base import bp, engine, tenant
from bpmn.rest.instances import typed_variables
from bpmn.rest.params import Params, body

MAX_ASYNC_TIMEOUT_MS = 1_800_000


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
    return [TopicRequest(topic=args.required("topicName"), lock_duration_ms=lock,
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
    worker = args.required("workerId")
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
