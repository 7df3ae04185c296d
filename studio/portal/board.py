"""The kanban board: one column per stage of a case type, drag a card to move it.

Why moves go through a plain form (stage select + Move button): the same POST
serves drag-and-drop (board.js fills the select and submits), keyboard users
and browsers without JavaScript; the revision makes a stale card fail with a
clear message instead of overwriting someone else's move.
"""

from __future__ import annotations

from typing import Any

from flask import flash, make_response, redirect, render_template, request, url_for

from runtime.case_queries import CaseQuery
from runtime.errors import DomainError, NotFound
from studio.catalog import TypeInfo, all_queues, catalog, scope_allows, stage_name
from studio.portal import bp
from studio.web import is_htmx, principal, services, toast_header

COLUMN_LIMIT = 50


def _board_type() -> TypeInfo | None:
    types = catalog()
    key = request.values.get("caseType") or next(iter(sorted(types)), None)
    if key is not None and key not in types:
        raise NotFound(f"case type {key!r} does not exist")
    return types.get(key) if key else None


def _columns(info: TypeInfo) -> list[dict[str, Any]]:
    """Open cases of each stage (newest first), at most ``COLUMN_LIMIT`` per column."""
    queries, user = services().case_queries, principal()
    extra = {k: request.values[k] for k in ("queue", "assignee") if request.values.get(k)}
    columns = []
    for stage in info.stages:
        query = CaseQuery(filters={"caseType": info.key, "stage": stage["key"],
                                   "status": "open", **extra}, limit=COLUMN_LIMIT)
        if extra.get("assignee") == "me":
            query.filters["assignee"] = user.id
        rows, cursor = queries.list(user, query)
        columns.append({"key": stage["key"], "name": stage.get("name") or stage["key"],
                        "sla": stage.get("sla"), "cases": rows, "more": cursor is not None})
    return columns


def _render(info: TypeInfo | None, status: int = 200) -> Any:
    context = {"info": info, "columns": _columns(info) if info else [],
               "movable": info is not None and scope_allows("case.update", info.key),
               "filters": request.values}
    if is_htmx():
        return render_template("portal/_board_columns.html", **context), status
    return render_template("portal/board.html", **context, types=catalog(),
                           queues=all_queues()), status


@bp.get("/cases/board")
def board() -> Any:
    return _render(_board_type())


@bp.post("/cases/<case_id>/stage")
def move_case(case_id: str) -> Any:
    """Change a case's stage (PATCH via the service, with the card's revision)."""
    stage = request.form.get("stage", "")
    try:
        case = services().cases.patch(principal(), case_id, {"stage": stage},
                                      if_match=_revision())
    except DomainError as exc:
        if exc.status not in (409, 412, 422):
            raise
        return _moved(f"Not moved: {_reason(exc)}", "error", exc.status)
    return _moved(f"{case.number} moved to {stage_name(case.case_type, stage)}.", "ok", 200)


def _moved(message: str, kind: str, status: int) -> Any:
    if is_htmx():
        body, code = _render(_board_type(), status)
        return toast_header(make_response(body, code), message, kind)
    flash(message, kind)
    return redirect(url_for("portal.board", caseType=request.values.get("caseType")))


def _revision() -> int | None:
    raw = request.form.get("revision", "")
    return int(raw) if raw.isdigit() else None


def _reason(exc: DomainError) -> str:
    if exc.status in (409, 412):
        return "someone changed this case meanwhile; the board has been refreshed."
    return exc.errors[0]["message"] if exc.errors else exc.detail
