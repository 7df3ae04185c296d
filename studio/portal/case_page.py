"""The case page: summary header, data form, open tasks, timeline, side panel, diagram.

Why one ``render_case`` with overrides: a failed save (invalid data, a
concurrent change) or a failed task completion must show the same page again
with the user's input and the errors at their fields — so every POST handler
renders through here instead of redirecting and losing what was typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Response, render_template

from bpmn.engine import HistoryQuery, IncidentQuery
from bpmn.engine_errors import EngineError
from forms.errors import FieldError
from runtime.authz import case_resource
from runtime.errors import NotFound
from studio.formkit import FormState
from studio.portal import bp, timeline
from studio.web import principal, services

CASE_PREFIX = "case"


@dataclass
class Draft:
    """Input a user posted that the page shows again (with its errors)."""

    data: Any
    errors: list[FieldError] = field(default_factory=list)
    conflict: bool = False


def task_prefix(task_id: str) -> str:
    """Form field prefix of one task's form (unique per page: ids never clash)."""
    return "t" + "".join(ch for ch in task_id if ch.isalnum())


def stepper(definition: dict[str, Any], current: str) -> list[dict[str, Any]]:
    """Stages with their state (done / current / todo) for the header's stepper."""
    keys = [s["key"] for s in definition.get("stages", [])]
    index = keys.index(current) if current in keys else -1
    return [{"key": s["key"], "name": s.get("name") or s["key"],
             "state": "current" if i == index else ("done" if i < index else "todo")}
            for i, s in enumerate(definition.get("stages", []))]


def stage_namer(definition: dict[str, Any]) -> Any:
    names = {s["key"]: s.get("name") or s["key"] for s in definition.get("stages", [])}
    return lambda key: names.get(key, key or "—")


def task_views(case_id: str, drafts: dict[str, Draft]) -> list[dict[str, Any]]:
    """Open tasks of the case, each with its form (and a draft after a failed completion)."""
    c, user = services(), principal()
    out = []
    for listed in c.tasks.list(user, case_id=case_id):
        view = c.tasks.get(user, listed.task.id)
        draft = drafts.get(view.task.id)
        form = view.form or {"schema": {"type": "object", "properties": {}}}
        state = FormState(form["schema"], form.get("ui"), draft.data if draft else view.data,
                          draft.errors if draft else [], prefix=task_prefix(view.task.id))
        out.append({"view": view, "task": view.task, "form": state,
                    "mine": view.task.assignee == user.id,
                    "claimable": not view.task.assignee})
    return out


def timeline_entries(case: Any, definition: dict[str, Any]) -> list[timeline.Entry]:
    c, user = services(), principal()
    return timeline.build(c.cases.history(user, case.id), c.cases.comments(user, case.id),
                          c.documents.list(user, case.id), stage_namer(definition))


def render_case(case_id: str, status: int = 200, draft: Draft | None = None,
                task_drafts: dict[str, Draft] | None = None) -> Any:
    """The whole case page (``draft`` keeps a failed data save's input)."""
    c, user = services(), principal()
    case = c.cases.get(user, case_id)
    definition = c.cases.definition(case)
    can_update = c.authz.allowed(user, "case.update", case_resource(case))
    data = draft.data if draft else case.data
    form = FormState(definition.get("schema", {}), definition.get("ui"), data,
                     draft.errors if draft else [], prefix=CASE_PREFIX, read_only=not can_update)
    page = render_template(
        "portal/case.html", case=case, definition=definition, form=form, draft=draft,
        can_update=can_update, steps=stepper(definition, case.stage),
        stage_name=stage_namer(definition), tasks=task_views(case.id, task_drafts or {}),
        entries=timeline_entries(case, definition), documents=c.documents.list(user, case.id),
        max_upload=c.settings.max_upload_bytes)
    return page, status


@bp.get("/cases/<case_id>")
def case_page(case_id: str) -> Any:
    return render_case(case_id)


@bp.get("/cases/<case_id>/timeline")
def case_timeline(case_id: str) -> Any:
    """The timeline fragment (live refresh after comments, uploads, process steps)."""
    c, user = services(), principal()
    case = c.cases.get(user, case_id)
    definition = c.cases.definition(case)
    return render_template("portal/_timeline.html", case=case,
                           entries=timeline_entries(case, definition))


@bp.get("/cases/<case_id>/tasks")
def case_tasks(case_id: str) -> Any:
    case = services().cases.get(principal(), case_id)
    return render_template("portal/_case_tasks.html", case=case, tasks=task_views(case.id, {}))


@bp.get("/cases/<case_id>/summary")
def case_summary(case_id: str) -> Any:
    """The header (stage stepper, status, SLA): refreshed live when the process moves."""
    c, user = services(), principal()
    case = c.cases.get(user, case_id)
    definition = c.cases.definition(case)
    return render_template("portal/_case_header.html", case=case, definition=definition,
                           steps=stepper(definition, case.stage),
                           can_update=c.authz.allowed(user, "case.update", case_resource(case)))


@bp.get("/cases/<case_id>/diagram")
def case_diagram(case_id: str) -> Any:
    """The case's BPMN XML and its active activities (for the bpmn-js viewer)."""
    c = services()
    case = c.cases.get(principal(), case_id)
    if not case.process_instance_id:
        return Response("", 204)
    return diagram_json(case.process_instance_id)


def diagram_json(instance_id: str) -> Any:
    """``{xml, active, incidents, state}`` of a process instance (also for admin pages)."""
    engine = services().engine
    definition_id, state = _definition_of(instance_id)
    xml = engine.definition_xml(definition_id).decode("utf-8")
    running = state in ("ACTIVE", "SUSPENDED")
    active = sorted({a.activity_id for a in engine.activity_instances(instance_id)}
                    ) if running else []
    incidents = sorted({i.activity_id for i in engine.incidents(
        IncidentQuery(process_instance_id=instance_id)) if i.activity_id})
    return {"xml": xml, "active": active, "incidents": incidents, "state": state}


def _definition_of(instance_id: str) -> tuple[str, str]:
    """Definition id and state of a running or finished instance (404 when unknown)."""
    engine = services().engine
    try:
        instance = engine.instance(instance_id)
        return instance.definition_id, instance.state
    except EngineError:
        done = engine.history_instances(HistoryQuery(process_instance_id=instance_id))
        if not done:
            raise NotFound(f"process instance {instance_id!r} does not exist") from None
        return done[0].definition_id, done[0].state
