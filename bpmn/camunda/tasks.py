"""User tasks on a remote Camunda/Operaton: the inbox queries, claim, complete.

Why two extra reads per listing: Camunda's task DTO carries neither the
candidate users/groups (they are identity links, one call per task) nor the
business key (read for all listed tasks' instances in one historic query),
and the protocol's `UserTask` has both, because the case runtime shows them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pycamunda.task

from bpmn.camunda import convert
from bpmn.camunda.connection import Connection
from bpmn.camunda.runtime import historic_by_id
from bpmn.camunda.values import format_date, plain_map, typed_map
from bpmn.engine_types import TaskQuery, UserTask

#: TaskQuery.sort -> Camunda's sortBy.
SORTS = {"created": "created", "due": "dueDate", "priority": "priority", "name": "name"}


def task_body(q: TaskQuery) -> dict[str, Any]:
    """Camunda's POST ``/task`` query body for a `TaskQuery` (without paging)."""
    body: dict[str, Any] = {**convert.tenant_body(q.tenant), "sorting": [
        {"sortBy": SORTS[q.sort], "sortOrder": "desc" if q.descending else "asc"}]}
    fields = (("taskIdIn", [q.id] if q.id else None),
              ("processInstanceId", q.process_instance_id),
              ("processInstanceBusinessKey", q.business_key), ("assignee", q.assignee),
              ("candidateUser", q.candidate_user),
              ("candidateGroups", list(q.candidate_groups) if q.candidate_groups else None),
              ("taskDefinitionKey", q.task_definition_key), ("name", q.name),
              ("nameLike", q.name_like), ("dueBefore", format_date(q.due_before)),
              ("dueAfter", format_date(q.due_after)),
              ("followUpBefore", format_date(q.follow_up_before)),
              ("followUpAfter", format_date(q.follow_up_after)))
    body.update({name: value for name, value in fields if value is not None})
    if q.unassigned is not None:
        body["unassigned" if q.unassigned else "assigned"] = True
    return body


class TaskMixin:
    """The user-task part of `CamundaEngine`."""

    rest: Connection

    def _user_tasks(self, rows: list[dict[str, Any]]) -> list[UserTask]:
        instances = historic_by_id(self.rest, sorted({r["processInstanceId"] for r in rows
                                           if r.get("processInstanceId")}))
        out = []
        for row in rows:
            links = self.rest.send(pycamunda.task.IdentityLinksGetList(self.rest.url, row["id"]),
                                   "GET") or []
            owner = instances.get(row.get("processInstanceId") or "", {})
            out.append(convert.user_task(row, links, owner.get("businessKey")))
        return out

    def tasks(self, query: TaskQuery | None = None) -> list[UserTask]:
        q = query or TaskQuery()
        rows = self.rest.call("POST", "/task", params=convert.paging(q.first, q.max_results),
                              json=task_body(q)) or []
        return self._user_tasks(rows)

    def count_tasks(self, query: TaskQuery | None = None) -> int:
        body = task_body(query or TaskQuery())
        body.pop("sorting")
        return int(self.rest.call("POST", "/task/count", json=body)["count"])

    def task(self, task_id: str) -> UserTask:
        row = self.rest.send(pycamunda.task.Get(self.rest.url, task_id), "GET")
        return self._user_tasks([row])[0]

    def task_variables(self, task_id: str) -> dict[str, Any]:
        """All variables visible from the task (pycamunda only reads *local* ones)."""
        return plain_map(self.rest.call("GET", f"/task/{task_id}/variables",
                                        params={"deserializeValues": "false"}))

    def claim(self, task_id: str, user: str, *, session: Any = None) -> None:
        self.rest.send(pycamunda.task.Claim(self.rest.url, task_id, user), "POST")

    def unclaim(self, task_id: str, *, session: Any = None) -> None:
        self.rest.send(pycamunda.task.Unclaim(self.rest.url, task_id), "POST")

    def set_assignee(self, task_id: str, user: str | None, *, session: Any = None) -> None:
        """``userId: null`` removes the assignee (pycamunda would drop the null field)."""
        self.rest.call("POST", f"/task/{task_id}/assignee", json={"userId": user})

    def complete(self, task_id: str, variables: Mapping[str, Any] | None = None, *,
                 session: Any = None) -> None:
        request = pycamunda.task.Complete(self.rest.url, task_id)
        request.variables = typed_map(variables)
        self.rest.send(request, "POST")
