"""Process instances and their variables on a remote Camunda/Operaton.

Why instances are read from history: Camunda's runtime DTO has neither the
definition key nor the start time, and a finished instance vanishes from the
runtime API, while the protocol's `ProcessInstance` carries both and
``instance()`` must still answer COMPLETED after the end. Runtime queries
(variable filters, suspension) select the ids; one historic query fills in
the details.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pycamunda.processdef
import pycamunda.processinst

from bpmn.camunda import convert
from bpmn.camunda.connection import Connection
from bpmn.camunda.values import plain_map, typed_map
from bpmn.engine_errors import BadUserRequest
from bpmn.engine_types import ActivityInstance, InstanceQuery, ProcessInstance


def instance_body(q: InstanceQuery) -> dict[str, Any]:
    body: dict[str, Any] = convert.tenant_body(q.tenant)
    for field, value in (("processInstanceIds", list(q.ids) if q.ids is not None else None),
                         ("processDefinitionId", q.definition_id),
                         ("processDefinitionKey", q.definition_key),
                         ("businessKey", q.business_key)):
        if value is not None:
            body[field] = value
    if q.suspended is not None:
        body["suspended" if q.suspended else "active"] = True
    if q.variables:
        body["variables"] = [{"name": v.name, "operator": v.operator, "value": v.value}
                             for v in q.variables]
    return body


def historic_by_id(rest: Connection, ids: list[str]) -> dict[str, dict[str, Any]]:
    """Historic instance DTOs of ``ids`` (one query), by id."""
    if not ids:
        return {}
    rows = rest.call("POST", "/history/process-instance", json={"processInstanceIds": ids})
    return {row["id"]: row for row in rows or []}


class RuntimeMixin:
    """Start, query, cancel, suspend instances; their variables and activities."""

    rest: Connection

    def start(self, key: str | None = None, *, definition_id: str | None = None,
              business_key: str | None = None, variables: Mapping[str, Any] | None = None,
              tenant: str = "default", session: Any = None) -> ProcessInstance:
        if (key is None) == (definition_id is None):
            raise BadUserRequest("start needs exactly one of key or definition_id")
        request = pycamunda.processdef.StartInstance(
            self.rest.url, id_=definition_id, key=key, business_key=business_key,
            tenant_id=convert.tenant_id(tenant) if key is not None else None)
        request.variables = typed_map(variables)
        started = self.rest.send(request, "POST")
        return self.instance(started["id"])

    def instance(self, process_instance_id: str) -> ProcessInstance:
        found = self.rest.call("GET", f"/history/process-instance/{process_instance_id}")
        return convert.instance(found)

    def instances(self, query: InstanceQuery | None = None) -> list[ProcessInstance]:
        q = query or InstanceQuery()
        rows = self.rest.call("POST", "/process-instance", json=instance_body(q),
                              params=convert.paging(q.first, q.max_results)) or []
        ids = [row["id"] for row in rows]
        details = historic_by_id(self.rest, ids)
        return [convert.instance(details[i]) for i in ids if i in details]

    def count_instances(self, query: InstanceQuery | None = None) -> int:
        answer = self.rest.call("POST", "/process-instance/count",
                                json=instance_body(query or InstanceQuery()))
        return int(answer["count"])

    def cancel(self, process_instance_id: str, reason: str | None = None, *,
               session: Any = None) -> None:
        """Camunda's REST delete takes no reason; history records the deletion."""
        request = pycamunda.processinst.Delete(self.rest.url, process_instance_id)
        self.rest.send(request, "DELETE")

    def suspend(self, process_instance_id: str, *, session: Any = None) -> None:
        self.rest.send(pycamunda.processinst.Suspend(self.rest.url, process_instance_id), "PUT")

    def activate(self, process_instance_id: str, *, session: Any = None) -> None:
        self.rest.send(pycamunda.processinst.Activate(self.rest.url, process_instance_id), "PUT")

    def activity_instances(self, process_instance_id: str) -> list[ActivityInstance]:
        request = pycamunda.processinst.GetActivityInstance(self.rest.url, process_instance_id)
        tree = self.rest.send(request, "GET")
        return convert.activities(tree) if tree else []

    def variables(self, process_instance_id: str) -> dict[str, Any]:
        request = pycamunda.processinst.VariablesGetList(
            self.rest.url, process_instance_id, deserialize_values=False)
        return plain_map(self.rest.send(request, "GET"))

    def set_variables(self, process_instance_id: str, modifications: Mapping[str, Any],
                      deletions: Iterable[str] = (), *, session: Any = None) -> None:
        request = pycamunda.processinst.VariablesModify(
            self.rest.url, process_instance_id, deletions=list(deletions))
        request.modifications = typed_map(modifications)
        self.rest.send(request, "POST")
