"""Append-only history of activities and variables, plus the variables projection.

Why append-only with bookkeeping in the instance row: history grows without
bound, so it is written (one row per activity instance, one per variable
change) but never read back when an instance steps; the instance remembers
only which activity rows are still open and a digest per variable.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from bpmn.embedded.context import quiet
from bpmn.embedded.values import json_safe, type_name
from bpmn.spiff.inspect import (
    Snapshot,
    activity_id,
    activity_type,
    current_variables,
    recently_finished,
)
from bpmn.spiff.stepper import find_task
from models.deferred import insert_rows
from models.engine import EngineHistoryActivity, EngineHistoryVariable, EngineVariable

if TYPE_CHECKING:
    from bpmn.embedded.projector import Live

_TEXT_LIMIT = 4000


def sync_history(session: Session, live: Live, snap: Snapshot, open_before: list[str],
                 now: datetime) -> list[str]:
    """Open rows for activities that started, close rows of those that ended."""
    row = live.row
    before = set(open_before)
    ended = [tid for tid in open_before if tid not in snap.active]
    cancelled = [tid for tid in ended if _was_cancelled(live.wf, tid)]
    if ended:
        completed = [tid for tid in ended if tid not in cancelled]
        _close(session, completed, now, canceled=False)
        _close(session, cancelled, now, canceled=True)
    finished = recently_finished(live.wf, live.since)
    new: list[tuple[Any, datetime | None]] = [
        (task, now) for task in finished if task.id.hex not in before
        and task.id.hex not in snap.active and task.state == TaskState.COMPLETED]
    new += [(task, None) for tid, task in snap.active.items() if tid not in before]
    ordered = sorted(new, key=lambda item: item[0].last_state_change)
    insert_rows(session, EngineHistoryActivity, [
        _activity(task, row, now, ended_at, live.assignees.get(task.id.hex))
        for task, ended_at in ordered])
    return sorted(snap.active)


def _activity(task: Any, row: Any, now: datetime, ended: datetime | None,
              assignee: str | None) -> dict[str, Any]:
    return {"id": task.id.hex, "instance_id": row.id, "activity_id": activity_id(task),
            "activity_name": getattr(task.task_spec, "bpmn_name", None),
            "activity_type": activity_type(task.task_spec), "assignee": assignee,
            "started_at": now, "ended_at": ended, "canceled": False, "delete_reason": None,
            "tenant": row.tenant}


def _was_cancelled(workflow: Any, tid: str) -> bool:
    task = find_task(workflow, tid)
    return task is not None and task.state == TaskState.CANCELLED


def _close(session: Session, ids: list[str], now: datetime, *, canceled: bool) -> None:
    if ids:
        quiet(session, update(EngineHistoryActivity)
                        .where(EngineHistoryActivity.id.in_(ids))
                        .values(ended_at=now, canceled=canceled))


def close_all_open(session: Session, live: Live, now: datetime, reason: str) -> None:
    """Instance cancelled: every open activity row ends as cancelled."""
    ids = list(live.row.projected.get("act", []))
    if ids:
        quiet(session, update(EngineHistoryActivity)
                        .where(EngineHistoryActivity.id.in_(ids))
                        .values(ended_at=now, canceled=True, delete_reason=reason))


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def sync_variables(session: Session, live: Live, before: dict[str, Any],
                   now: datetime) -> dict[str, Any]:
    """Upsert changed variables (and append their history); drop removed ones."""
    row = live.row
    if row.state not in ("ACTIVE", "SUSPENDED"):
        quiet(session, delete(EngineVariable).where(EngineVariable.instance_id == row.id))
        values = {} if live.wf is None else current_variables(live.wf)
        _append_final(session, row, before, values, now)
        return {}
    current = current_variables(live.wf)
    after: dict[str, Any] = {}
    added: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    for name, raw in current.items():
        value = json_safe(raw)
        digest = _digest(value)
        old = before.get(name)
        revision = 1 if old is None else old[1] + (old[0] != digest)
        after[name] = [digest, revision]
        if old is None or old[0] != digest:
            fields = _fields(raw, value, revision)
            if old is None:
                added.append({"instance_id": row.id, "name": name, "tenant": row.tenant,
                              **fields})
            else:
                quiet(session, update(EngineVariable).where(
                    EngineVariable.instance_id == row.id, EngineVariable.name == name)
                    .values(**fields))
            history.append(_history_row(row, name, fields["type"], value, revision, now))
    insert_rows(session, EngineVariable, added)
    removed = [name for name in before if name not in current]
    if removed:
        quiet(session, delete(EngineVariable).where(EngineVariable.instance_id == row.id,
                                                     EngineVariable.name.in_(removed)))
        history += [_history_row(row, name, "Null", None, before[name][1] + 1, now,
                                 deleted=True) for name in removed]
    insert_rows(session, EngineHistoryVariable, history)
    return after


def _history_row(row: Any, name: str, type_: str, value: Any, revision: int, now: datetime,
                 deleted: bool = False) -> dict[str, Any]:
    return {"instance_id": row.id, "name": name, "type": type_, "value": value,
            "revision": revision, "deleted": deleted, "created": now, "tenant": row.tenant}


def _append_final(session: Session, row: Any, before: dict[str, Any], values: dict[str, Any],
                  now: datetime) -> None:
    """Changes made by the very last step still reach the history."""
    changed = []
    for name, raw in values.items():
        value = json_safe(raw)
        old = before.get(name)
        if old is None or old[0] != _digest(value):
            changed.append(_history_row(row, name, type_name(raw), value,
                                        1 if old is None else old[1] + 1, now))
    insert_rows(session, EngineHistoryVariable, changed)


def _fields(raw: Any, value: Any, revision: int) -> dict[str, Any]:
    """The projected columns of a variable (text and number copies make it queryable)."""
    text = ("true" if value else "false") if isinstance(value, bool) else \
        value if isinstance(value, str) else None
    number = float(value) if isinstance(value, int | float) and not isinstance(value, bool) \
        else None
    return {"type": type_name(raw), "value": value, "revision": revision,
            "text_value": text[:_TEXT_LIMIT] if text is not None else None,
            "number_value": number}
