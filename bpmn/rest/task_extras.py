"""``/task/{id}/identity-links`` (list, add, delete) and ``/task/{id}/comment``.

Why 400 for an unknown task on identity links and comment creation but 404
when reading comments: that is what Camunda 7.16 documents for these
operations. Comments outlive their task (they are history in Camunda), so
reading them needs only a task that existed; new comments go on open tasks,
and their author is the authenticated caller.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from bpmn.engine_errors import BadUserRequest, NotFound
from bpmn.engine_types import IdentityLink, TaskComment
from bpmn.rest.base import bp, engine, in_tenant, no_content, principal
from bpmn.rest.params import Params, body
from bpmn.rest.params import format_date as date
from bpmn.rest.tasks import open_task


def _task_or_400(task_id: str) -> Any:
    try:
        return open_task(task_id)
    except NotFound:
        raise BadUserRequest(f"Cannot find task with id {task_id}") from None


def _link_dto(link: IdentityLink) -> dict[str, Any]:
    return {"userId": link.user_id, "groupId": link.group_id, "type": link.type}


def _link_in() -> IdentityLink:
    args = Params(body(), from_query=False)
    kind = args.text("type")
    if kind is None:
        raise BadUserRequest("Identity link type must be set")
    return IdentityLink(kind, args.text("userId"), args.text("groupId"))


@bp.get("/task/<task_id>/identity-links")
def identity_links(task_id: str) -> Any:
    _task_or_400(task_id)
    kind = Params.query().text("type")
    return jsonify([_link_dto(link) for link in engine().identity_links(task_id)
                    if kind is None or link.type == kind])


@bp.post("/task/<task_id>/identity-links")
def add_identity_link(task_id: str) -> Any:
    link = _link_in()
    _task_or_400(task_id)
    engine().add_identity_link(task_id, link)
    return no_content()


@bp.post("/task/<task_id>/identity-links/delete")
def delete_identity_link(task_id: str) -> Any:
    link = _link_in()
    _task_or_400(task_id)
    engine().delete_identity_link(task_id, link)
    return no_content()


def _comment_dto(comment: TaskComment) -> dict[str, Any]:
    href = f"{request.url_root.rstrip('/')}/engine-rest/task/{comment.task_id}/comment/" \
           f"{comment.id}"
    return {"id": comment.id, "userId": comment.user_id, "taskId": comment.task_id,
            "processInstanceId": comment.process_instance_id, "time": date(comment.time),
            "message": comment.message, "removalTime": None,
            "rootProcessInstanceId": comment.process_instance_id,
            "links": [{"method": "GET", "href": href, "rel": "self"}]}


def _comments(task_id: str, missing: type[Exception]) -> list[TaskComment]:
    message = f"No task found for task id {task_id}"
    try:
        found = engine().task_comments(task_id)
    except NotFound:
        raise missing(message) from None
    return [in_tenant(c, message) for c in found]


@bp.get("/task/<task_id>/comment")
def list_comments(task_id: str) -> Any:
    return jsonify([_comment_dto(c) for c in _comments(task_id, NotFound)])


@bp.get("/task/<task_id>/comment/<comment_id>")
def get_comment(task_id: str, comment_id: str) -> Any:
    for comment in _comments(task_id, NotFound):
        if comment.id == comment_id:
            return jsonify(_comment_dto(comment))
    raise NotFound(f"Task comment with id {comment_id} does not exist for task id {task_id}.")


@bp.post("/task/<task_id>/comment/create")
def create_comment(task_id: str) -> Any:
    message = Params(body(), from_query=False).text("message")
    if not message:
        raise BadUserRequest("Not enough parameters submitted: a comment needs a message")
    _task_or_400(task_id)  # an open task of the caller's tenant
    created = engine().add_task_comment(task_id, message, user_id=principal().id)
    return jsonify(_comment_dto(created))
