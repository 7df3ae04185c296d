"""External tasks (fetch-and-lock) on a remote Camunda/Operaton.

Why the topic dicts are built here: pycamunda's ``FetchAndLock.add_topic``
knows only name, lock duration and variables, while the protocol's
`TopicRequest` also filters by business key, definition key and tenant and
may ask for local variables — all plain fields of Camunda's topic DTO.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pycamunda.externaltask

from bpmn.camunda import convert
from bpmn.camunda.connection import Connection
from bpmn.camunda.values import typed_map
from bpmn.engine_types import ExternalTask, ExternalTaskQuery, LockedExternalTask, TopicRequest


def topic_dto(topic: TopicRequest) -> dict[str, Any]:
    dto: dict[str, Any] = {"topicName": topic.topic, "lockDuration": topic.lock_duration_ms,
                           "deserializeValues": False, "localVariables": topic.local_variables}
    fields = (("variables", topic.variables), ("businessKey", topic.business_key),
              ("processDefinitionKey", topic.process_definition_key))
    dto.update({name: value for name, value in fields if value is not None})
    if topic.tenant_ids is not None:
        ids = [convert.tenant_id(t) for t in topic.tenant_ids]
        dto.update({"tenantIdIn": [t for t in ids if t]} if all(ids) else {"withoutTenantId":
                                                                         True})
    return dto


def external_params(q: ExternalTaskQuery) -> dict[str, Any]:
    params: dict[str, Any] = {**convert.listing(q.tenant, q.first, q.max_results)}
    for name, value in (("externalTaskId", q.id), ("topicName", q.topic),
                        ("workerId", q.worker_id), ("processInstanceId", q.process_instance_id),
                        ("activityId", q.activity_id)):
        if value is not None:
            params[name] = value
    if q.locked is not None:
        params["locked" if q.locked else "notLocked"] = "true"
    if q.with_retries_left is not None:
        params["withRetriesLeft" if q.with_retries_left else "noRetriesLeft"] = "true"
    return params


class ExternalTaskMixin:
    """The external-task part of `CamundaEngine`."""

    rest: Connection

    def fetch_and_lock(self, worker_id: str, topics: list[TopicRequest], max_tasks: int = 1,
                       use_priority: bool = False, *,
                       session: Any = None) -> list[LockedExternalTask]:
        request = pycamunda.externaltask.FetchAndLock(self.rest.url, worker_id, max_tasks,
                                                      use_priority=use_priority)
        request.topics = [topic_dto(t) for t in topics]
        return [convert.locked_task(t) for t in self.rest.send(request, "POST") or []]

    def complete_external(self, task_id: str, worker_id: str,
                          variables: Mapping[str, Any] | None = None,
                          local_variables: Mapping[str, Any] | None = None, *,
                          session: Any = None) -> None:
        request = pycamunda.externaltask.Complete(self.rest.url, task_id, worker_id)
        request.variables = typed_map(variables)
        request.local_variables = typed_map(local_variables)
        self.rest.send(request, "POST")

    def handle_failure(self, task_id: str, worker_id: str, error_message: str | None,
                       error_details: str | None = None, retries: int = 0,
                       retry_timeout_ms: int = 0, *, session: Any = None) -> None:
        request = pycamunda.externaltask.HandleFailure(
            self.rest.url, task_id, worker_id, error_message, error_details, retries,
            retry_timeout_ms)
        self.rest.send(request, "POST")

    def handle_bpmn_error(self, task_id: str, worker_id: str, error_code: str,
                          error_message: str | None = None,
                          variables: Mapping[str, Any] | None = None, *,
                          session: Any = None) -> None:
        request = pycamunda.externaltask.HandleBPMNError(
            self.rest.url, task_id, worker_id, error_code, error_message)
        request.variables = typed_map(variables)
        self.rest.send(request, "POST")

    def extend_lock(self, task_id: str, worker_id: str, new_duration_ms: int, *,
                    session: Any = None) -> None:
        request = pycamunda.externaltask.ExtendLock(self.rest.url, task_id, new_duration_ms,
                                                    worker_id)
        self.rest.send(request, "POST")

    def unlock(self, task_id: str, *, session: Any = None) -> None:
        self.rest.send(pycamunda.externaltask.Unlock(self.rest.url, task_id), "POST")

    def set_external_retries(self, task_id: str, retries: int, *,
                             session: Any = None) -> None:
        request = pycamunda.externaltask.SetRetries(self.rest.url, task_id, retries)
        self.rest.send(request, "PUT")

    def external_tasks(self, query: ExternalTaskQuery | None = None) -> list[ExternalTask]:
        params = external_params(query or ExternalTaskQuery())
        return [convert.external_task(t) for t in
                self.rest.call("GET", "/external-task", params=params) or []]

    def external_task(self, task_id: str) -> ExternalTask:
        return convert.external_task(self.rest.call("GET", f"/external-task/{task_id}"))
