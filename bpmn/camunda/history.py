"""History of a remote Camunda/Operaton (pycamunda has no history API: plain REST).

Why ``/history/detail`` for variables: the protocol's variable history lists
every revision (``a=1`` then ``a=2``); Camunda keeps revisions as historic
*details*, while ``/history/variable-instance`` holds only the latest value.
A server without the detail endpoint (404) is read through the latter.
"""

from __future__ import annotations

from typing import Any

from bpmn.camunda import convert
from bpmn.camunda.connection import Connection
from bpmn.engine_errors import NotFound
from bpmn.engine_types import (
    HistoricActivity,
    HistoricInstance,
    HistoricTask,
    HistoricVariable,
    HistoryQuery,
)


def history_params(q: HistoryQuery) -> dict[str, Any]:
    params: dict[str, Any] = {**convert.listing(q.tenant, q.first, q.max_results)}
    for name, value in (("processInstanceId", q.process_instance_id),
                        ("processDefinitionKey", q.definition_key),
                        ("processInstanceBusinessKey", q.business_key)):
        if value is not None:
            params[name] = value
    if q.finished is not None:
        params["finished" if q.finished else "unfinished"] = "true"
    return params


class HistoryMixin:
    """The history part of `CamundaEngine`."""

    rest: Connection

    def history_instances(self, query: HistoryQuery | None = None) -> list[HistoricInstance]:
        params = {**history_params(query or HistoryQuery()), "sortBy": "startTime",
                  "sortOrder": "asc"}
        return [convert.historic_instance(h) for h in
                self.rest.call("GET", "/history/process-instance", params=params) or []]

    def history_activities(self, process_instance_id: str) -> list[HistoricActivity]:
        """In order of occurrence: by start time, ties kept in the server's order."""
        rows = self.rest.call("GET", "/history/activity-instance",
                              params={"processInstanceId": process_instance_id}) or []
        found = [convert.historic_activity(a) for a in rows]
        return sorted(found, key=lambda a: a.started_at)

    def history_tasks(self, query: HistoryQuery | None = None) -> list[HistoricTask]:
        params = history_params(query or HistoryQuery())
        return [convert.historic_task(t) for t in
                self.rest.call("GET", "/history/task", params=params) or []]

    def history_variables(self, process_instance_id: str) -> list[HistoricVariable]:
        params = {"processInstanceId": process_instance_id, "deserializeValues": "false"}
        try:
            rows = self.rest.call("GET", "/history/detail",
                                  params={**params, "variableUpdates": "true",
                                          "sortBy": "time", "sortOrder": "asc"})
        except NotFound:
            rows = self.rest.call("GET", "/history/variable-instance", params=params)
        return [convert.historic_variable(v) for v in rows or []]
