"""The task inbox (mine / my groups / unassigned), the task page, claim, unclaim, complete.

Why completion failures re-render: the generated task form keeps the user's
input with the errors at their fields, on the page the user came from (the
task page or the case page).
"""

from __future__ import annotations

from typing import Any

from flask import flash, make_response, redirect, render_template, request, url_for

from runtime.errors import DomainError, ValidationFailed
from studio.catalog import catalog
from studio.formkit import FormState, field_errors, read_form
from studio.portal import bp
from studio.portal.case_page import Draft, render_case, task_prefix
from studio.web import is_htmx, principal, services, toast_header

TABS = {"mine": "Assigned to me", "groups": "My groups", "unassigned": "Unassigned"}
INBOX_LIMIT = 200


def _tab() -> str:
    tab = request.values.get("tab", "mine")
    return tab if tab in TABS else "mine"


def inbox_rows(tab: str) -> list[Any]:
    """The tasks of one inbox tab (only tasks of cases the user may read)."""
    tasks, user = services().tasks, principal()
    if tab == "mine":
        return tasks.list(user, assignee="me", limit=INBOX_LIMIT)
    if tab == "groups":
        return tasks.list(user, candidate="me", limit=INBOX_LIMIT)
    return [v for v in tasks.list(user, limit=INBOX_LIMIT) if not v.task.assignee]


@bp.get("/tasks")
def tasks() -> Any:
    tab = _tab()
    context = {"tab": tab, "rows": inbox_rows(tab), "types": catalog()}
    if is_htmx() and request.headers.get("HX-Target") == "task-rows":
        return render_template("portal/_task_rows.html", **context)
    return render_template("portal/tasks.html", tabs=TABS, **context)


@bp.get("/tasks/<task_id>")
def task_page(task_id: str) -> Any:
    return _render_task(task_id)


def _render_task(task_id: str, draft: Draft | None = None, status: int = 200) -> Any:
    view = services().tasks.get(principal(), task_id)
    form = view.form or {"schema": {"type": "object", "properties": {}}}
    state = FormState(form["schema"], form.get("ui"), draft.data if draft else view.data,
                      draft.errors if draft else [], prefix=task_prefix(task_id))
    return render_template("portal/task.html", view=view, task=view.task, case=view.case,
                           form=state, user_id=principal().id), status


@bp.post("/tasks/<task_id>/claim")
def claim_task(task_id: str) -> Any:
    return _claim(task_id, "claim")


@bp.post("/tasks/<task_id>/unclaim")
def unclaim_task(task_id: str) -> Any:
    return _claim(task_id, "unclaim")


def _claim(task_id: str, action: str) -> Any:
    service, user = services().tasks, principal()
    view = service.get(user, task_id)
    try:
        (service.claim if action == "claim" else service.unclaim)(user, task_id)
        message, kind = (f"{'Claimed' if action == 'claim' else 'Returned'} "
                         f"“{view.task.name}”.", "ok")
    except DomainError as exc:
        if exc.status != 409:
            raise
        message, kind = f"Not possible: {exc.detail}", "error"
    return _after(view, message, kind)


def _after(view: Any, message: str, kind: str) -> Any:
    """Back to where the user acted: inbox rows (htmx), the case page or the inbox."""
    if is_htmx():
        tab = _tab()
        page = render_template("portal/_task_rows.html", tab=tab, rows=inbox_rows(tab),
                               types=catalog())
        return toast_header(make_response(page, 200), message, kind)
    flash(message, kind)
    if request.form.get("next") == "case" and view.case is not None:
        return redirect(url_for("portal.case_page", case_id=view.case.id))
    return redirect(url_for("portal.tasks", tab=request.form.get("tab", "mine")))


@bp.post("/tasks/<task_id>/complete")
def complete_task(task_id: str) -> Any:
    service, user = services().tasks, principal()
    view = service.get(user, task_id)
    form = view.form or {"schema": {"type": "object", "properties": {}}}
    posted = read_form(form["schema"], request.form, task_prefix(task_id))
    draft = Draft(posted.data, posted.errors)
    if not posted.op and not posted.errors:
        try:
            service.complete(user, task_id, posted.data)
            return _after(view, f"Completed “{view.task.name}”.", "ok")
        except ValidationFailed as exc:
            draft = Draft(posted.data, field_errors(exc.errors))
        except DomainError as exc:
            if exc.status != 409:
                raise
            return _after(view, f"Not completed: {exc.detail}", "error")
    status = 200 if posted.op else 422
    if request.form.get("next") == "case" and view.case is not None:
        return render_case(view.case.id, status, task_drafts={task_id: draft})
    return _render_task(task_id, draft, status)
