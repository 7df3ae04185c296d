"""Identity links, task comments and definition suspension on a remote Camunda.

Why raw calls: pycamunda 0.6 covers none of these bodies fully, and each is
one documented REST call (Camunda 7 REST: ``/task/{id}/identity-links``,
``/task/{id}/comment``, ``/process-definition/{id}/suspended``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from bpmn.camunda import convert
from bpmn.camunda.connection import Connection
from bpmn.camunda.values import parse_date
from bpmn.engine_types import IdentityLink, TaskComment


def _link_body(link: IdentityLink) -> dict[str, Any]:
    return {"userId": link.user_id, "groupId": link.group_id, "type": link.type}


def _comment(dto: dict[str, Any]) -> TaskComment:
    return TaskComment(id=dto["id"], task_id=dto.get("taskId") or "",
                       process_instance_id=dto.get("processInstanceId"),
                       user_id=dto.get("userId"),
                       time=parse_date(dto.get("time")) or datetime.now(UTC),
                       message=dto.get("message") or "", tenant=convert.tenant_of(dto))


class ExtrasMixin:
    """The identity-link, comment and definition-suspension part of `CamundaEngine`."""

    rest: Connection

    def identity_links(self, task_id: str) -> list[IdentityLink]:
        rows = self.rest.call("GET", f"/task/{quote(task_id)}/identity-links") or []
        return [IdentityLink(r.get("type") or "", r.get("userId"), r.get("groupId"))
                for r in rows]

    def add_identity_link(self, task_id: str, link: IdentityLink, *,
                          session: Any = None) -> None:
        self.rest.call("POST", f"/task/{quote(task_id)}/identity-links", json=_link_body(link))

    def delete_identity_link(self, task_id: str, link: IdentityLink, *,
                             session: Any = None) -> None:
        self.rest.call("POST", f"/task/{quote(task_id)}/identity-links/delete",
                       json=_link_body(link))

    def task_comments(self, task_id: str) -> list[TaskComment]:
        return [_comment(c) for c in self.rest.call("GET", f"/task/{quote(task_id)}/comment")
                or []]

    def add_task_comment(self, task_id: str, message: str, *, user_id: str | None = None,
                         session: Any = None) -> TaskComment:
        """Camunda records the authenticated user as the author (``user_id`` is moot)."""
        return _comment(self.rest.call("POST", f"/task/{quote(task_id)}/comment/create",
                                       json={"message": message}))

    def set_definition_suspended(self, definition_id: str, suspended: bool, *,
                                 include_instances: bool = False,
                                 session: Any = None) -> None:
        self.rest.call("PUT", f"/process-definition/{quote(definition_id)}/suspended",
                       json={"suspended": suspended,
                             "includeProcessInstances": include_instances})
