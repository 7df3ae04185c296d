"""Keeping projection rows in step with an instance's Spiff state.

Why diffing against the instance's ``projected`` bookkeeping: after each step
only the few things that started or stopped waiting are written, without
reading projection tables back, so a step costs O(what changed). Listeners
hear about new and vanished tasks from here, inside the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from bpmn.embedded.context import EngineContext, quiet
from bpmn.embedded.history import sync_history, sync_variables
from bpmn.embedded.incidents import Incidents
from bpmn.embedded.rows import external_task_row, user_task_row
from bpmn.embedded.unsupported import flag_if_unsupported
from bpmn.spiff.inspect import Snapshot, activity_id, snapshot
from models.base import new_id
from models.deferred import insert_rows
from models.engine import (
    EngineDefinition,
    EngineExternalTask,
    EngineIdentityLink,
    EngineIncident,
    EngineInstance,
    EngineJob,
    EngineSubscription,
    EngineUserTask,
)


@dataclass
class Live:
    """An instance loaded for change inside one transaction."""

    row: EngineInstance
    wf: Any
    definition: EngineDefinition
    since: float
    completed: set[str] = field(default_factory=set)
    assignees: dict[str, str] = field(default_factory=dict)


class Projector:
    """Writes the rows derived from a live workflow (see module docstring)."""

    def __init__(self, ctx: EngineContext) -> None:
        self.ctx = ctx
        self.incidents = Incidents(ctx)

    def sync(self, session: Session, live: Live) -> None:
        _flush_all_but(session, live.row)
        snap = snapshot(live.wf) if live.row.state in ("ACTIVE", "SUSPENDED") else Snapshot()
        prev = dict(live.row.projected or {})
        now = self.ctx.now()
        prev["user"] = self._user_tasks(session, live, snap, prev.get("user", []), now)
        prev["ext"] = self._external(session, live, snap, prev.get("ext", []), now)
        prev["jobs"] = self._jobs(session, live, snap, prev.get("jobs", {}), now)
        prev["subs"] = self._subscriptions(session, live, snap, prev.get("subs", []))
        prev["act"] = sync_history(session, live, snap, prev.get("act", []), now)
        prev["vars"] = sync_variables(session, live, prev.get("vars", {}), now)
        live.row.projected = prev

    def _user_tasks(self, session: Session, live: Live, snap: Snapshot, before: list[str],
                    now: datetime) -> list[str]:
        row = live.row
        gone = [tid for tid in before if tid not in snap.user_tasks]
        if gone:
            quiet(session, delete(EngineIdentityLink).where(EngineIdentityLink.task_id.in_(gone)))
            quiet(session, delete(EngineUserTask).where(EngineUserTask.id.in_(gone)))
        for tid in gone:
            if tid not in live.completed:
                self._emit(session, live, "task.deleted", task_id=tid)
        for tid, task in snap.user_tasks.items():
            if tid in before:
                continue
            task_row, links = user_task_row(task, row, now)
            insert_rows(session, EngineUserTask, [task_row])
            insert_rows(session, EngineIdentityLink, links)
            self._emit(session, live, "task.created", **_task_event(task_row))
            if task_row["assignee"]:
                live.assignees[tid] = task_row["assignee"]
                self._emit(session, live, "task.assigned", task_id=tid,
                           assignee=task_row["assignee"], activity_id=task_row["activity_id"])
        return sorted(snap.user_tasks)

    def _external(self, session: Session, live: Live, snap: Snapshot, before: list[str],
                  now: datetime) -> list[str]:
        gone = [tid for tid in before if tid not in snap.external_tasks]
        if gone:
            quiet(session, delete(EngineExternalTask).where(EngineExternalTask.id.in_(gone)))
            quiet(session, delete(EngineIncident).where(EngineIncident.configuration.in_(gone)))
        for tid, task in snap.external_tasks.items():
            if tid in before:
                continue
            ext_row = external_task_row(task, live.row, now)
            session.add(ext_row)
            self._emit(session, live, "external_task.created", task_id=tid,
                       topic=ext_row.topic, activity_id=ext_row.activity_id)
            flag_if_unsupported(session, self.incidents, ext_row)
        return sorted(snap.external_tasks)

    def _jobs(self, session: Session, live: Live, snap: Snapshot, before: dict[str, Any],
              now: datetime) -> dict[str, Any]:
        wanted: dict[str, tuple[Any, str | None, datetime]] = {
            key: (task, name, due) for key, (task, name, due) in snap.timers.items()}
        wanted.update({tid: (task, None, now) for tid, task in snap.asyncs.items()})
        kept: dict[str, Any] = {}
        stale = []
        for key, (job_id, due_iso) in before.items():
            item = wanted.get(key)
            if item is not None and (item[1] is None or item[2].isoformat() == due_iso):
                kept[key] = [job_id, due_iso]
            else:
                stale.append(job_id)
        if stale:
            quiet(session, delete(EngineJob).where(EngineJob.id.in_(stale)))
        for key, (task, name, due) in wanted.items():
            if key not in kept:
                job = self._job(live, task, name, due)
                session.add(job)
                kept[key] = [job.id, due.isoformat()]
        return kept

    def _job(self, live: Live, task: Any, timer: str | None, due: datetime) -> EngineJob:
        row = live.row
        return EngineJob(id=new_id(), type="timer" if timer else "async-continuation",
                         instance_id=row.id,
                         definition_id=row.definition_id, definition_key=row.definition_key,
                         activity_id=activity_id(task), task_id=task.id.hex, timer=timer,
                         due=due, created=self.ctx.now(), tenant=row.tenant,
                         suspended=row.state == "SUSPENDED")

    def _subscriptions(self, session: Session, live: Live, snap: Snapshot,
                       before: list[str]) -> list[str]:
        keys = sorted([f"message|{k}" for k in snap.messages]
                      + [f"signal|{k}" for k in snap.signals])
        if keys == sorted(before):
            return keys
        row = live.row
        quiet(session, delete(EngineSubscription).where(EngineSubscription.instance_id == row.id))
        for kind, items in (("message", snap.messages), ("signal", snap.signals)):
            for task, name in items.values():
                session.add(EngineSubscription(
                    event_type=kind, event_name=name, instance_id=row.id,
                    definition_id=row.definition_id, business_key=row.business_key,
                    activity_id=activity_id(task) if task is not None else None,
                    task_id=task.id.hex if task is not None else None, tenant=row.tenant))
        return keys

    def _emit(self, session: Session, live: Live, kind: str, **data: Any) -> None:
        row = live.row
        self.ctx.emit(session, kind, instance_id=row.id, business_key=row.business_key,
                      tenant=row.tenant, **data)


def _flush_all_but(session: Session, row: EngineInstance) -> None:
    """Flush pending engine rows first (the bulk statements of a sync skip autoflush), but
    not the instance row itself: it is written once, with its new state and bookkeeping,
    by the caller's flush — one INSERT or UPDATE per step instead of two. The caller's
    own rows (a new case) cannot collide with a sync's statements, so they wait too."""
    others = (obj for group in (session.new, session.dirty) for obj in group
              if obj is not row and type(obj).__module__ == EngineInstance.__module__)
    if session.deleted or next(others, None) is not None:
        session.flush()


def _task_event(row: dict[str, Any]) -> dict[str, Any]:
    return {"task_id": row["id"], "name": row["name"], "activity_id": row["activity_id"],
            "assignee": row["assignee"], "candidate_users": list(row["candidate_users"]),
            "candidate_groups": list(row["candidate_groups"]), "form_key": row["form_key"],
            "due": row["due"].isoformat() if row["due"] else None}
