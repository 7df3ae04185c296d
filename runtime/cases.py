"""Case lifecycle: create, read, patch (JSON merge patch), close/reopen, comments.

Every mutation runs in one transaction with its audit row and outbox event;
the case's ``revision`` is both the ETag and SQLAlchemy's optimistic version,
so a concurrent writer gets 412/409 instead of silently losing an update.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from connectors.identity import Principal
from forms import TemplateError, clean, format_number, render_title
from models.base import new_id, utcnow
from models.cases import Case, Comment, HistoryEntry
from models.db import Database
from runtime import journal
from runtime.authz import Authorizer, case_resource
from runtime.errors import Conflict, NotFound, PreconditionFailed, ValidationFailed
from runtime.hooks import apply_hooks, status_event
from runtime.locking import note_locked
from runtime.search import search_text
from runtime.sequences import next_value
from runtime.sla import stage_due
from runtime.stale import ATTEMPTS as STALE_ATTEMPTS
from runtime.stale import retry_stale
from runtime.versions import VersionInfo, definition_of, latest_version_info

#: Starts the case's process inside the creating transaction; returns the instance id.
ProcessStarter = Callable[[Session, Case, VersionInfo], str | None]
PATCHABLE = ("data", "queue", "assignee", "stage")


class CaseService:
    """Use cases on single cases; lists live in :mod:`runtime.case_queries`."""

    def __init__(self, db: Database, authz: Authorizer,
                 start_process: ProcessStarter | None = None) -> None:
        self.db = db
        self.authz = authz
        self.start_process = start_process

    # -- create ---------------------------------------------------------------
    def create(self, principal: Principal, case_type: str, data: Any) -> Case:
        """Validate, number, title, store, start the process — all or nothing."""
        with self.db.session() as s:
            version = latest_version_info(s, principal.tenant, case_type)
            if version is None:
                raise NotFound(f"case type {case_type!r} does not exist")
            self.authz.require(principal, "case.create", {"kind": "case",
                                                          "caseType": case_type})
            case = self._new_case(s, principal, version, _valid_data(version, data))
            journal.record(s, tenant=case.tenant, case_id=case.id, actor=principal.id,
                           action="created", event="case.created",
                           changes={"stage": case.stage, "status": case.status},
                           data=_event_data(case))
            apply_hooks(s, self, case, "case.created", {"stage": case.stage})
            if self.start_process is not None:
                instance_id = self.start_process(s, case, version)
                if case.process_instance_id != instance_id:  # see ProcessBridge.start_process
                    _link_process(s, case, instance_id)
        return case

    def _new_case(self, s: Session, principal: Principal, version: VersionInfo,
                  data: dict[str, Any]) -> Case:
        definition = version.definition
        now = utcnow()
        seq = next_value(s, principal.tenant, version.key)
        case = Case(id=new_id(), tenant=principal.tenant, case_type=version.key,
                    version_id=version.id,
                    version=version.version, number=format_number(definition["numbering"],
                                                                  seq, now),
                    stage=definition["stages"][0]["key"], status="open",
                    queue=(definition.get("queues") or [None])[0], data=data,
                    created_by=principal.id, created_at=now, updated_at=now)
        case.title = _title(definition, case)
        case.search_text = search_text(case)
        case.stage_due = stage_due(definition, case.stage, now)
        s.add(case)  # not flushed yet: its INSERT can carry the process instance id
        return case

    # -- read -----------------------------------------------------------------
    def get(self, principal: Principal, case_id: str, action: str = "case.read") -> Case:
        """A case the caller may see (404 hides cases of other tenants)."""
        with self.db.read() as s:
            return self._load(s, principal, case_id, action)

    def locked(self, s: Session, principal: Principal, case_id: str, action: str) -> Case:
        """A case the caller may ``action``, row-locked in ``s`` (404/403 as for ``get``)."""
        return self._load(s, principal, case_id, action, lock=True)

    def _load(self, s: Session, principal: Principal, case_id: str, action: str,
              lock: bool = False) -> Case:
        """``lock``: writers take the row lock first, so they queue instead of colliding."""
        case = s.get(Case, case_id, with_for_update=lock)
        if case is None or case.tenant != principal.tenant:
            raise NotFound(f"case {case_id!r} does not exist")
        if lock:
            note_locked(s, case.id)
        self.authz.require(principal, action, case_resource(case))
        return case

    def definition(self, case: Case) -> dict[str, Any]:
        with self.db.read() as s:
            return definition_of(s, case.version_id)

    # -- patch ----------------------------------------------------------------
    def patch(self, principal: Principal, case_id: str, patch: Any,
              if_match: int | None = None) -> Case:
        """Apply an RFC 7396 merge patch to ``{data, queue, assignee, stage}``.

        Without ``If-Match`` the patch applies to the current case, so losing a race
        with another writer costs a retry; with it, such a writer means 412.
        """
        _check_patch_shape(patch)
        try:
            return retry_stale(lambda: self._patch_once(principal, case_id, patch, if_match),
                               attempts=1 if if_match is not None else STALE_ATTEMPTS)
        except StaleDataError:
            if if_match is not None:
                raise PreconditionFailed("the case changed while the patch was applied; "
                                         "reload it and try again") from None
            raise Conflict("the case kept changing; reload and retry") from None

    def _patch_once(self, principal: Principal, case_id: str, patch: dict[str, Any],
                    if_match: int | None) -> Case:
        with self.db.session() as s:
            case = self._load(s, principal, case_id, "case.update", lock=True)
            _check_revision(case, if_match)
            self._apply(s, principal, case, patch)
        return case

    def _apply(self, s: Session, principal: Principal, case: Case, patch: dict[str, Any]
               ) -> None:
        definition = definition_of(s, case.version_id)
        before = snapshot(case)
        if "data" in patch:
            case.data = _valid_data_for(definition, merge_patch(case.data, patch["data"]))
        for field in ("queue", "assignee", "stage"):
            if field in patch:
                setattr(case, field, _checked_field(definition, field, patch[field]))
        self.commit_change(s, principal.id, case, before, definition)

    def commit_change(self, s: Session, actor: str, case: Case, before: dict[str, Any],
                      definition: dict[str, Any], hooks: bool = True) -> None:
        """Record what changed (history + events); no-op when nothing did."""
        changes = journal.diff(before, snapshot(case))
        if not changes:
            return
        case.title = _title(definition, case)
        case.search_text = search_text(case)
        case.updated_at = utcnow()
        journal.record(s, tenant=case.tenant, case_id=case.id, actor=actor, action="updated",
                       changes={"changes": changes}, event="case.updated",
                       data={**_event_data(case), "changes": changes})
        if before["stage"] != case.stage:
            case.stage_due = stage_due(definition, case.stage, case.updated_at)
            case.sla_breached = False
            journal.record(s, tenant=case.tenant, case_id=case.id, actor=actor,
                           action="stage_changed", event="case.stage_changed",
                           changes={"from": before["stage"], "to": case.stage})
            if hooks:
                apply_hooks(s, self, case, "case.stage_changed", {"stage": case.stage})

    def apply_set(self, s: Session, actor: str, case: Case, changes: dict[str, Any], *,
                  hooks: bool = True) -> None:
        """Set stage/queue/assignee/status/data from hooks and built-in workers."""
        definition = definition_of(s, case.version_id) or {"stages": [], "schema": {}}
        if changes.get("status") and changes["status"] != case.status:
            self.apply_status(s, actor, case, str(changes["status"]), hooks=hooks)
        before = snapshot(case)
        if "data" in changes:
            case.data = _valid_data_for(definition, merge_patch(case.data, changes["data"]))
        for field in ("queue", "assignee", "stage"):
            if field in changes:
                setattr(case, field, _checked_field(definition, field, changes[field]))
        self.commit_change(s, actor, case, before, definition, hooks)

    # -- status ---------------------------------------------------------------
    def set_status(self, principal: Principal, case_id: str, status: str) -> Case:
        """Close or reopen; closing an already closed case is a 409."""
        with self.db.session() as s:
            case = self._load(s, principal, case_id, "case.update", lock=True)
            if case.status == status:
                raise Conflict(f"case is already {status}")
            self.apply_status(s, principal.id, case, status)
        return case

    def apply_status(self, s: Session, actor: str, case: Case, status: str,
                     hooks: bool = True) -> None:
        """Change status with its audit row and events (also used by workers)."""
        before = case.status
        case.status = status
        case.closed_at = utcnow() if status == "closed" else None
        case.updated_at = utcnow()
        journal.record(s, tenant=case.tenant, case_id=case.id, actor=actor,
                       action="status_changed", event="case.status_changed",
                       changes={"from": before, "to": status}, data=_event_data(case))
        if status == "closed":
            journal.record(s, tenant=case.tenant, case_id=case.id, actor=actor,
                           action="closed", event="case.closed", data=_event_data(case))
        event = status_event(before, status)
        if hooks and event:
            apply_hooks(s, self, case, event, {"stage": case.stage})

    # -- comments & history ------------------------------------------------------
    def add_comment(self, principal: Principal, case_id: str, body: Any) -> Comment:
        if not isinstance(body, str) or not body.strip():
            raise ValidationFailed("a comment needs a body",
                                   errors=[{"path": "/body", "message": "is required"}])
        if len(body) > 20_000:
            raise ValidationFailed("comment too long", errors=[
                {"path": "/body", "message": "must be at most 20000 characters"}])
        with self.db.session() as s:
            case = self._load(s, principal, case_id, "case.read")
            comment = Comment(tenant=case.tenant, case_id=case.id, author=principal.id,
                              body=body.strip())
            s.add(comment)
            s.flush()
            journal.record(s, tenant=case.tenant, case_id=case.id, actor=principal.id,
                           action="commented", changes={"commentId": comment.id},
                           event="comment.added",
                           data={"commentId": comment.id, "body": comment.body})
        return comment

    def comments(self, principal: Principal, case_id: str) -> list[Comment]:
        with self.db.session() as s:
            self._load(s, principal, case_id, "case.read")
            return list(s.scalars(select(Comment).where(Comment.case_id == case_id)
                                  .order_by(Comment.created_at, Comment.id)))

    def history(self, principal: Principal, case_id: str) -> list[HistoryEntry]:
        with self.db.session() as s:
            self._load(s, principal, case_id, "case.read")
            return list(s.scalars(select(HistoryEntry).where(HistoryEntry.case_id == case_id)
                                  .order_by(HistoryEntry.id)))


def snapshot(case: Case) -> dict[str, Any]:
    """The diffable part of a case (what history records changes of)."""
    return {"data": copy.deepcopy(case.data), "stage": case.stage, "queue": case.queue,
            "assignee": case.assignee, "status": case.status}


def _link_process(s: Session, case: Case, instance_id: str | None) -> None:
    """Record the process instance without bumping the case revision (ETag)."""
    s.flush()
    s.execute(update(Case).where(Case.id == case.id).values(process_instance_id=instance_id)
              .execution_options(synchronize_session=False))
    set_committed_value(case, "process_instance_id", instance_id)


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396: objects merge recursively, ``null`` deletes, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _check_patch_shape(patch: Any) -> None:
    if not isinstance(patch, dict):
        raise ValidationFailed("a merge patch must be a JSON object",
                               errors=[{"path": "", "message": "must be an object"}])
    unknown = [k for k in patch if k not in PATCHABLE]
    if unknown:
        raise ValidationFailed("only data, queue, assignee and stage can be patched", errors=[
            {"path": f"/{k}", "message": "is read-only or unknown"} for k in sorted(unknown)])


def _check_revision(case: Case, if_match: int | None) -> None:
    if if_match is not None and if_match != case.revision:
        raise PreconditionFailed(
            f"the case has changed (revision {case.revision}, you sent {if_match})")


def _checked_field(definition: dict[str, Any], field: str, value: Any) -> Any:
    allowed = {"queue": definition.get("queues") or None,
               "stage": [s["key"] for s in definition["stages"]]}.get(field)
    if field == "stage" and value is None:
        raise ValidationFailed("stage cannot be empty",
                               errors=[{"path": "/stage", "message": "is required"}])
    if value is not None and not isinstance(value, str):
        raise ValidationFailed(f"{field} must be a string",
                               errors=[{"path": f"/{field}", "message": "must be a string"}])
    if allowed is not None and value is not None and value not in allowed:
        raise ValidationFailed(f"unknown {field} {value!r}", errors=[
            {"path": f"/{field}", "message": "must be one of: " + ", ".join(allowed)}])
    return value


def _valid_data(version: VersionInfo, data: Any) -> dict[str, Any]:
    return _valid_data_for(version.definition, data)


def _valid_data_for(definition: dict[str, Any], data: Any) -> dict[str, Any]:
    """Defaults applied and validated against the case schema (422 with field paths)."""
    if not isinstance(data, dict):
        raise ValidationFailed("case data must be a JSON object",
                               errors=[{"path": "", "message": "must be an object"}])
    cleaned, errors = clean(definition["schema"], data)
    if errors:
        raise ValidationFailed("the case data is invalid",
                               errors=[e.as_dict() for e in errors])
    return dict(cleaned)


def _title(definition: dict[str, Any], case: Case) -> str:
    template = definition.get("title") or ""
    if not template:
        return case.number
    try:
        return render_title(template, {"data": case.data, "number": case.number,
                                       "caseType": case.case_type}) or case.number
    except TemplateError:
        return case.number


def _event_data(case: Case) -> dict[str, Any]:
    return {"caseType": case.case_type, "number": case.number, "stage": case.stage,
            "status": case.status, "queue": case.queue, "assignee": case.assignee,
            "title": case.title}
