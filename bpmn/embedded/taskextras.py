"""Identity links and comments of user tasks, and suspension of process definitions.

Why no tables of their own: candidate users/groups already live on the task
row (lists, for the DTO) and in ``engine_identity_links`` (normalized, for
inbox queries), so adding or removing one updates both; the owner is one
more link row (kind ``owner``), which inbox queries never match. Comments
are history in Camunda (``ACT_HI_COMMENT``: they outlive the task), so they
are rows of the append-only history table ``engine_hist_variables`` with
type ``Comment`` (name = task id, value = author and text), which the
variable history leaves out; deleting an instance's history drops them too.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bpmn.embedded.context import EngineContext
from bpmn.embedded.usertasks import UserTasks
from bpmn.engine_errors import BadUserRequest, NotFound
from bpmn.engine_types import IdentityLink, TaskComment
from models.engine import (
    EngineDefinition,
    EngineHistoryActivity,
    EngineHistoryVariable,
    EngineIdentityLink,
    EngineInstance,
    EngineJob,
    EngineUserTask,
)

COMMENT_TYPE = "Comment"
LINK_TYPES = ("candidate", "assignee", "owner")


def check_link(link: IdentityLink) -> None:
    """Camunda's rules: a known type, exactly one of user and group (a user for
    assignee/owner)."""
    if link.type not in LINK_TYPES:
        raise BadUserRequest(f"Identity link type {link.type!r} is not supported; "
                             f"use one of {', '.join(LINK_TYPES)}")
    if (link.user_id is None) == (link.group_id is None):
        raise BadUserRequest("Identity link must have either a userId or a groupId, not both")
    if link.type != "candidate" and link.user_id is None:
        raise BadUserRequest(f"An identity link of type {link.type!r} needs a userId")


class TaskExtras:
    """See module docstring."""

    def __init__(self, ctx: EngineContext, user_tasks: UserTasks) -> None:
        self.ctx = ctx
        self.user_tasks = user_tasks

    # -- identity links --------------------------------------------------------
    def links(self, session: Session, task_id: str) -> list[IdentityLink]:
        row = self.user_tasks.row(session, task_id)
        out = [IdentityLink("assignee", row.assignee)] if row.assignee else []
        out += [IdentityLink("owner", owner) for owner in self._owners(session, task_id)]
        out += [IdentityLink("candidate", user) for user in row.candidate_users]
        return out + [IdentityLink("candidate", None, group) for group in row.candidate_groups]

    def add_link(self, session: Session, task_id: str, link: IdentityLink) -> None:
        check_link(link)
        row = self.user_tasks.row(session, task_id, lock=True)
        if link.type == "assignee":
            self.user_tasks.assign(session, task_id, link.user_id)
        elif link.type == "owner":
            self._set_owner(session, row, link.user_id)
        else:
            self._candidate(session, row, link, add=True)

    def delete_link(self, session: Session, task_id: str, link: IdentityLink) -> None:
        check_link(link)
        row = self.user_tasks.row(session, task_id, lock=True)
        if link.type == "assignee":
            if row.assignee == link.user_id:
                self.user_tasks.assign(session, task_id, None)
        elif link.type == "owner":
            session.execute(delete(EngineIdentityLink).where(
                EngineIdentityLink.task_id == task_id, EngineIdentityLink.kind == "owner",
                EngineIdentityLink.identity == link.user_id))
        else:
            self._candidate(session, row, link, add=False)

    def _owners(self, session: Session, task_id: str) -> list[str]:
        return list(session.scalars(select(EngineIdentityLink.identity).where(
            EngineIdentityLink.task_id == task_id, EngineIdentityLink.kind == "owner")))

    def _set_owner(self, session: Session, row: EngineUserTask, user: str | None) -> None:
        session.execute(delete(EngineIdentityLink).where(
            EngineIdentityLink.task_id == row.id, EngineIdentityLink.kind == "owner"))
        session.add(EngineIdentityLink(task_id=row.id, kind="owner", identity=user or "",
                                       tenant=row.tenant))

    def _candidate(self, session: Session, row: EngineUserTask, link: IdentityLink,
                   add: bool) -> None:
        kind, who = ("user", link.user_id) if link.user_id else ("group", link.group_id)
        column = "candidate_users" if kind == "user" else "candidate_groups"
        current = [v for v in getattr(row, column) if v != who]
        setattr(row, column, [*current, who] if add else current)
        session.execute(delete(EngineIdentityLink).where(
            EngineIdentityLink.task_id == row.id, EngineIdentityLink.kind == kind,
            EngineIdentityLink.identity == who))
        if add:
            session.add(EngineIdentityLink(task_id=row.id, kind=kind, identity=who or "",
                                           tenant=row.tenant))

    # -- comments --------------------------------------------------------------
    def comments(self, session: Session, task_id: str) -> list[TaskComment]:
        self._instance_of(session, task_id)
        table = EngineHistoryVariable
        rows = session.scalars(select(table).where(table.type == COMMENT_TYPE,
                                                   table.name == task_id).order_by(table.id))
        return [_comment(row) for row in rows]

    def add_comment(self, session: Session, task_id: str, message: str,
                    user_id: str | None) -> TaskComment:
        if not message:
            raise BadUserRequest("A comment needs a message")
        instance_id, tenant = self._instance_of(session, task_id)
        row = EngineHistoryVariable(instance_id=instance_id, name=task_id, type=COMMENT_TYPE,
                                    value={"userId": user_id, "message": message},
                                    created=self.ctx.now(), tenant=tenant)
        session.add(row)
        session.flush()
        return _comment(row)

    def _instance_of(self, session: Session, task_id: str) -> tuple[str, str]:
        """The instance of an open or ended user task (comments outlive their task)."""
        found = session.execute(select(EngineHistoryActivity.instance_id,
                                       EngineHistoryActivity.tenant).where(
            EngineHistoryActivity.id == task_id,
            EngineHistoryActivity.activity_type == "userTask")).first()
        if found is None:
            raise NotFound(f"No task found for task id {task_id}")
        return found[0], found[1]

    # -- definition suspension -------------------------------------------------
    def suspend_definition(self, session: Session, definition_id: str,
                           suspended: bool) -> list[str]:
        """Flag the definition (and its start timers); returns its instances to flip."""
        row = session.get(EngineDefinition, definition_id)
        if row is None:
            raise NotFound(f"No matching definition with id {definition_id}")
        row.suspended = suspended
        session.execute(update(EngineJob).where(EngineJob.definition_id == definition_id,
                                                EngineJob.instance_id.is_(None))
                        .values(suspended=suspended))
        wrong = "ACTIVE" if suspended else "SUSPENDED"
        return list(session.scalars(select(EngineInstance.id).where(
            EngineInstance.definition_id == definition_id, EngineInstance.state == wrong)))


def _comment(row: EngineHistoryVariable) -> TaskComment:
    value = row.value if isinstance(row.value, dict) else {}
    created: datetime = row.created
    return TaskComment(id=str(row.id), task_id=row.name, process_instance_id=row.instance_id,
                       user_id=value.get("userId"), time=created,
                       message=str(value.get("message") or ""), tenant=row.tenant)
