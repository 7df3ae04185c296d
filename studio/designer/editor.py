"""The case-type editor: one page per tab, autosaved through the drafts API.

Why the pages only render: every change is saved by ``designer.js`` through
``PATCH /api/v1/studio/drafts/<key>`` with ``If-Match``, so the browser and a
script share one save path and one conflict rule. The few actions that create
several files at once (new case type, new task form) are plain form posts.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from flask import flash, redirect, render_template, request, url_for

from bpmn.lint import BUILTIN_TOPICS
from forms import TemplateError, check_numbering, format_number, render_title
from runtime.errors import Conflict, DomainError, ValidationFailed
from runtime.studio.drafts import KEY
from runtime.studio.samples import sample_data
from runtime.studio.template import TASK_FORM
from studio.designer import bp
from studio.designer.context import (
    TAB_KEYS,
    TABS,
    DraftView,
    load_draft,
    overview,
    studio,
    widgets_ready,
)
from studio.web import principal

IDENT = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,63}")
EMPTY_FORM = '{\n  "type": "object",\n  "properties": {}\n}\n'


@bp.post("/studio/new")
def new_case_type() -> Any:
    """**New case type**: a draft from the template, then the editor."""
    form = request.form
    key, name = form.get("key", "").strip(), form.get("name", "").strip()
    try:
        deployed = studio().deployer.latest_files(principal(), key) is not None \
            if KEY.match(key) else False
        studio().drafts.create(principal(), key, name, form.get("description", ""),
                               deployed=deployed)
    except (ValidationFailed, Conflict) as exc:
        errors = {e["path"].lstrip("/"): e["message"] for e in exc.errors}
        return render_template("designer/home.html", rows=overview(), new_errors=errors,
                               new_values=form, open_new=True), exc.status
    flash(f"Draft {key!r} created from the template.", "ok")
    return redirect(url_for("studio_home.edit", key=key, tab="general"))


@bp.get("/studio/<key>")
def draft_home(key: str) -> Any:
    return redirect(url_for("studio_home.edit", key=key, tab="general"))


@bp.get("/studio/<key>/edit/<tab>")
def edit(key: str, tab: str) -> Any:
    if tab not in TAB_KEYS:
        return redirect(url_for("studio_home.edit", key=key, tab="general"))
    view = load_draft(key)
    return render_template("designer/editor.html", view=view, tab=tab, tabs=TABS,
                           widgets_ready=widgets_ready(), **_tab_context(view, tab))


def _tab_context(view: DraftView, tab: str) -> dict[str, Any]:
    """Extra variables of one tab (examples, the selected task form, picker lists)."""
    files = view.files
    if tab == "general":
        return {"examples": examples(view, view.manifest.get("numbering"),
                                     view.manifest.get("title"))}
    if tab == "tasks":
        forms = view.task_forms()
        chosen = request.args.get("form") or next(iter(forms), None)
        return {"forms": forms, "chosen": chosen if chosen in forms else None}
    if tab == "process":
        process = view.manifest.get("process")
        return {"process_file": process if isinstance(process, str) else None,
                "form_keys": list(view.task_forms()), "topics": sorted(BUILTIN_TOPICS),
                "xml": files.get(process, "") if isinstance(process, str) else ""}
    if tab == "permissions":
        return {"roles": _roles(view)}
    return {}


def _roles(view: DraftView) -> list[str]:
    """Roles shown as columns: the usual ones plus any the bundle names."""
    roles = ["worker", "manager", "analyst", "admin"]
    perms = view.manifest.get("permissions")
    for listed in (perms.values() if isinstance(perms, dict) else []):
        roles += [r for r in (listed or []) if isinstance(r, str) and r not in roles]
    return roles


def examples(view: DraftView, numbering: Any, title: Any) -> dict[str, str]:
    """Live examples: the 42nd case number today, and the title of the sample case."""
    out = {"numbering": "", "numbering_error": "", "title": "", "title_error": ""}
    pattern = str(numbering or view.key.upper() + "-{seq:06}")
    problems = check_numbering(pattern)
    if problems:
        out["numbering_error"] = "; ".join(problems)
    else:
        out["numbering"] = format_number(pattern, 42, datetime.now(UTC))
    schema_file = view.manifest.get("schema")
    schema = _json(view.files.get(schema_file, "")) if isinstance(schema_file, str) else {}
    data = sample_data(schema, view.files)
    try:
        out["title"] = render_title(str(title or ""), {"data": data, "number": out["numbering"],
                                                       "caseType": view.key})
    except TemplateError as exc:
        out["title_error"] = str(exc)
    out["sample"] = json.dumps(data, ensure_ascii=False)[:400]
    return out


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return {}


@bp.get("/studio/<key>/example")
def example(key: str) -> Any:
    """htmx: the live examples for the numbering and title fields being typed."""
    view = load_draft(key)
    values = examples(view, request.args.get("numbering"), request.args.get("title"))
    return render_template("designer/_examples.html", examples=values)


@bp.post("/studio/<key>/forms")
def add_task_form(key: str) -> Any:
    """A new task form: its schema and UI files plus the manifest entry, in one save."""
    view = load_draft(key)
    form_key = request.form.get("form_key", "").strip() or TASK_FORM
    forms = dict(view.manifest.get("forms") or {})
    if form_key in forms or not _ident(form_key):
        flash(f"Choose a new form key (letters, digits, - _ .): {form_key!r} cannot be used.",
              "error")
        return redirect(url_for("studio_home.edit", key=key, tab="tasks"))
    paths = {"schema": f"forms/{form_key}.schema.json", "ui": f"forms/{form_key}.ui.json"}
    forms[form_key] = paths
    changes = {"files": {paths["schema"]: EMPTY_FORM, paths["ui"]: "{}\n"},
               "manifest": {"forms": forms}}
    _save(key, changes, request.form.get("revision"))
    flash(f"Task form {form_key!r} added; use camunda:formKey=\"form:{form_key}\".", "ok")
    return redirect(url_for("studio_home.edit", key=key, tab="tasks", form=form_key))


def _ident(text: str) -> bool:
    return IDENT.fullmatch(text) is not None


def _save(key: str, changes: dict[str, Any], revision: Any) -> None:
    rev = int(revision) if str(revision or "").isdigit() else None
    studio().drafts.save(principal(), key, changes, rev)


@bp.post("/studio/<key>/open")
def open_version(key: str) -> Any:
    """Edit a deployed version: its files replace the draft (the page asked first)."""
    raw = request.form.get("version", "")
    version = int(raw) if raw.isdigit() else None
    try:
        studio().transfer.from_version(principal(), key, version)
    except DomainError as exc:
        flash(f"Could not open the version: {exc.detail}", "error")
        return redirect(url_for("studio_home.studio_home"))
    flash(f"The draft now holds version {version or 'latest'} of {key!r}.", "ok")
    return redirect(url_for("studio_home.edit", key=key, tab="general"))


@bp.post("/studio/<key>/discard")
def discard(key: str) -> Any:
    studio().drafts.delete(principal(), key)
    flash(f"Draft {key!r} discarded; deployed versions are unchanged.", "ok")
    return redirect(url_for("studio_home.studio_home"))
