"""Test run: a sandbox case walked through the draft's process, step by step.

Why plain forms: each step posts the run so far (hidden JSON) plus the task's
form, and the server replays it in a throwaway engine (`runtime.studio.simulate`);
the page needs no script, and nothing is stored or touches real cases.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from flask import render_template, request

from runtime.bundles.model import parse_bundle
from runtime.errors import ValidationFailed
from runtime.studio.drafts import as_bytes
from runtime.studio.samples import sample_data
from runtime.studio.simulate import simulate
from studio.designer import bp
from studio.designer.context import TABS, DraftView, load_draft, problems_of, studio
from studio.formkit import FormState, field_errors, read_form

START, TASK = "f", "t"
#: A test-run view, called with the loaded draft and its built definition.
TestRunView = Callable[[DraftView, dict[str, Any]], Any]


def _definition(view: DraftView) -> dict[str, Any] | None:
    try:
        return parse_bundle(as_bytes(view.files), allow_scripts=studio().allow_scripts).definition
    except ValidationFailed:
        return None


def _with_definition(status: int) -> Callable[[TestRunView], Callable[[str], Any]]:
    """Load the draft and build its definition; a draft that does not build gets the page
    with its problems (``status``) instead of the view."""
    def wrap(view_fn: TestRunView) -> Callable[[str], Any]:
        @functools.wraps(view_fn)
        def load(key: str) -> Any:
            view = load_draft(key)
            definition = _definition(view)
            if definition is None:
                return _page(view, None, status=status)
            return view_fn(view, definition)
        return load
    return wrap


def _page(view: DraftView, definition: dict[str, Any] | None, *, state: Any = None,
          start: FormState | None = None, task_errors: dict[str, Any] | None = None,
          error: str = "", status: int = 200) -> Any:
    problems = [] if definition is not None else problems_of(view)
    return render_template("designer/testrun.html", view=view, tabs=TABS, tab="test",
                           definition=definition, state=state, start=start, problems=problems,
                           task_errors=task_errors or {}, error=error, TASK=TASK,
                           run_json=json.dumps(state["run"]) if state else ""), status


@bp.get("/studio/<key>/test")
@_with_definition(200)
def test_page(view: DraftView, definition: dict[str, Any]) -> Any:
    schema = definition["schema"]
    start = FormState(schema, definition.get("ui"), sample_data(schema, view.files),
                      prefix=START)
    return _page(view, definition, start=start)


@bp.post("/studio/<key>/test")
@_with_definition(422)
def test_start(view: DraftView, definition: dict[str, Any]) -> Any:
    schema, ui = definition["schema"], definition.get("ui")
    posted = read_form(schema, request.form, START)
    if posted.op or posted.errors:
        start = FormState(schema, ui, posted.data, posted.errors, START)
        return _page(view, definition, start=start, status=200 if posted.op else 422)
    try:
        state = _simulate(view, {"data": posted.data or {}, "steps": []})
    except ValidationFailed as exc:
        errors = field_errors([{**e, "path": e["path"].removeprefix("/data")}
                               for e in exc.errors])
        start = FormState(schema, ui, posted.data, errors, START)
        return _page(view, definition, start=start, error=exc.detail, status=422)
    return _page(view, definition, state=state)


@bp.post("/studio/<key>/test/step")
@_with_definition(422)
def test_step(view: DraftView, definition: dict[str, Any]) -> Any:
    """Complete one waiting task with its form, or fire the due timers."""
    run = _run(request.form.get("run", ""))
    before = _simulate(view, run)
    if request.form.get("action") == "timers":
        step: dict[str, Any] = {"timers": True}
    else:
        task = request.form.get("task", "")
        form = _task_form(definition, request.form.get("form_key", ""))
        posted = read_form(form["schema"], request.form, TASK) if form else None
        if posted is not None and (posted.op or posted.errors):
            return _page(view, definition, state=before, task_errors={
                task: {"data": posted.data, "errors": posted.errors}},
                status=200 if posted.op else 422)
        step = {"task": task, "data": (posted.data if posted else None) or {},
                "variables": request.form.get("variables", "")}
    try:
        if "variables" in step:
            step["variables"] = _variables(step["variables"])
        state = _simulate(view, {**run, "steps": [*run["steps"], step]})
    except ValidationFailed as exc:
        prefix = f"/steps/{len(run['steps'])}/data"
        errors = field_errors([{**e, "path": e["path"].removeprefix(prefix)}
                               for e in exc.errors])
        return _page(view, definition, state=before, error=exc.detail, status=422,
                     task_errors={step.get("task", ""): {"data": step.get("data"),
                                                         "errors": errors}})
    return _page(view, definition, state=state)


def _variables(raw: str) -> Any:
    """Extra process variables typed as JSON (to steer gateways); {} when empty."""
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except ValueError:
        raise ValidationFailed("extra variables must be a JSON object", errors=[
            {"path": "/variables", "message": "is not valid JSON"}]) from None


def _run(raw: str) -> dict[str, Any]:
    try:
        run = json.loads(raw)
    except ValueError:
        run = None
    if not isinstance(run, dict) or not isinstance(run.get("steps", []), list):
        raise ValidationFailed("the test run was lost; start again",
                               errors=[{"path": "/run", "message": "is not a test run"}])
    return {"data": run.get("data") or {}, "steps": list(run.get("steps") or [])}


def _task_form(definition: dict[str, Any], form_key: str) -> dict[str, Any] | None:
    if not form_key.startswith("form:"):
        return None
    form = definition.get("forms", {}).get(form_key.removeprefix("form:"))
    return form if isinstance(form, dict) else None


def _simulate(view: DraftView, run: dict[str, Any]) -> dict[str, Any]:
    return simulate(as_bytes(view.files), run, allow_scripts=studio().allow_scripts)


def task_form_state(task: dict[str, Any], task_errors: dict[str, Any]) -> FormState | None:
    """The form of a waiting task, with the values and errors of a refused attempt."""
    form = task.get("form")
    if not form:
        return None
    attempt = task_errors.get(task["task"], {})
    return FormState(form["schema"], form.get("ui"), attempt.get("data"),
                     attempt.get("errors", []), TASK)


bp.add_app_template_global(task_form_state, "studio_task_form")
