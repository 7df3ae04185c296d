"""What a user does on the case page: save data, assign, comment, upload, close, reopen.

Why failures re-render instead of redirect: the user's input must survive a
validation error or a concurrent change (DESIGN §10: "a conflict tells the user
and keeps their input"); successes redirect (post/redirect/get) with a toast.
"""

from __future__ import annotations

import io
from typing import Any

from flask import flash, make_response, redirect, render_template, request, url_for

from runtime.errors import DomainError, PreconditionFailed, ValidationFailed
from studio.formkit import field_errors, merge_diff, read_form
from studio.portal import bp
from studio.portal.case_page import CASE_PREFIX, Draft, render_case, timeline_entries
from studio.web import is_htmx, principal, services, toast_header


def _back(case_id: str, message: str, kind: str = "ok") -> Any:
    flash(message, kind)
    return redirect(url_for("portal.case_page", case_id=case_id))


def _revision() -> int | None:
    raw = request.form.get("revision", "")
    return int(raw) if raw.isdigit() else None


@bp.post("/cases/<case_id>/data")
def save_data(case_id: str) -> Any:
    """Save the data form with optimistic locking (hidden ``revision``)."""
    c, user = services(), principal()
    case = c.cases.get(user, case_id, "case.update")
    schema = c.cases.definition(case).get("schema", {})
    posted = read_form(schema, request.form, CASE_PREFIX)
    if posted.op or posted.errors:
        return render_case(case_id, 200 if posted.op else 422, Draft(posted.data, posted.errors))
    try:
        c.cases.patch(user, case_id, {"data": merge_diff(case.data, posted.data)},
                      if_match=_revision())
    except ValidationFailed as exc:
        return render_case(case_id, 422, Draft(posted.data, field_errors(exc.errors)))
    except PreconditionFailed:
        return render_case(case_id, 409, Draft(posted.data, conflict=True))
    return _back(case_id, "Changes saved.")


@bp.post("/cases/<case_id>/assignment")
def save_assignment(case_id: str) -> Any:
    """Queue and assignee from the side panel ("Assign to me" posts ``assign_me``)."""
    user = principal()
    assignee = user.id if request.form.get("assign_me") else request.form.get("assignee", "")
    patch: dict[str, Any] = {"assignee": assignee.strip() or None}
    if request.form.get("queue"):
        patch["queue"] = request.form["queue"]
    try:
        services().cases.patch(user, case_id, patch, if_match=_revision())
    except PreconditionFailed:
        return _back(case_id, "Someone changed this case meanwhile; check and try again.",
                     "error")
    except ValidationFailed as exc:
        return _back(case_id, f"Not saved: {_first(exc)}", "error")
    return _back(case_id, "Assignment saved.")


@bp.post("/cases/<case_id>/comments")
def add_comment(case_id: str) -> Any:
    body = request.form.get("body", "")
    try:
        services().cases.add_comment(principal(), case_id, body)
    except ValidationFailed as exc:
        if is_htmx():
            raise  # a toast says why; the typed comment stays in its box
        return _back(case_id, f"Comment not added: {_first(exc)}", "error")
    if not is_htmx():
        return _back(case_id, "Comment added.")
    return toast_header(_timeline(case_id, 200), "Comment added.")


@bp.post("/cases/<case_id>/documents")
def upload_document(case_id: str) -> Any:
    """Multipart upload (case.js sends it with XHR to show progress)."""
    upload = request.files.get("file")
    stream, name, ctype = ((upload.stream, upload.filename, upload.mimetype) if upload
                           else (io.BytesIO(), None, None))
    try:
        doc = services().documents.upload(principal(), case_id, stream, name, ctype)
    except DomainError as exc:
        if exc.status not in (413, 422):
            raise
        if not is_htmx():
            return _back(case_id, f"Upload failed: {_first(exc)}", "error")
        raise
    if not is_htmx():
        return _back(case_id, f"Uploaded {doc.name}.")
    return toast_header(_timeline(case_id, 200), f"Uploaded {doc.name}.")


@bp.post("/cases/<case_id>/<any(close, reopen):action>")
def change_status(case_id: str, action: str) -> Any:
    status = "closed" if action == "close" else "open"
    try:
        case = services().cases.set_status(principal(), case_id, status)
    except DomainError as exc:
        if exc.status != 409:
            raise
        return _back(case_id, exc.detail, "error")
    return _back(case_id, f"{case.number} {'closed' if status == 'closed' else 'reopened'}.")


def _timeline(case_id: str, status: int) -> Any:
    c, user = services(), principal()
    case = c.cases.get(user, case_id)
    body = render_template("portal/_timeline.html", case=case,
                           entries=timeline_entries(case, c.cases.definition(case)))
    return make_response(body, status)


def _first(exc: DomainError) -> str:
    return str(exc.errors[0]["message"]) if exc.errors else exc.detail
