"""The case list: filters as chips, free text, sortable columns, keyset "load more", views.

Why one query per page whatever the filters: ``CaseQueries.list`` turns the
policy scope into SQL and pages by keyset, so the list costs the same on page
1 and page 1,000 and never evaluates the policy per row.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from runtime.case_queries import FILTERS, CaseQuery
from runtime.errors import DomainError
from studio.catalog import all_queues, all_stages, catalog, stage_name, type_name
from studio.portal import bp, saved_views
from studio.web import is_htmx, principal, services

PAGE_SIZE = 50
STATUSES = ("open", "closed", "archived")
#: Columns the list sorts by: the ones with an index that keeps a page a range scan.
#: (``updatedAt`` is supported by the API but unindexed: a 100k-case sort is too slow.)
SORTABLE = ("number", "createdAt")


def _query() -> CaseQuery:
    query = CaseQuery.from_args(request.args, principal())
    query.limit = PAGE_SIZE
    return query


def _list_args(**changes: Any) -> dict[str, Any]:
    """The current list parameters (without the cursor), with ``changes`` applied."""
    args = {k: request.args[k] for k in saved_views.VIEW_PARAMS if request.args.get(k)}
    args.update({k: v for k, v in changes.items() if v})
    for key in [k for k, v in changes.items() if not v]:
        args.pop(key, None)
    return args


def chips() -> list[dict[str, str]]:
    """Active filters as removable chips (label + the URL without that filter)."""
    labels = {"caseType": "Type", "stage": "Stage", "status": "Status", "queue": "Queue",
              "assignee": "Assignee", "q": "Text"}
    out = []
    for key in (*FILTERS, "q"):
        value = request.args.get(key)
        if value:
            shown = {"caseType": type_name, "stage": _stage_label}.get(key, str)(value)
            out.append({"label": labels[key], "value": shown,
                        "href": url_for("portal.cases", **_list_args(**{key: None}))})
    return out


def _stage_label(key: str) -> str:
    return dict(all_stages()).get(key, key)


def sort_link(column: str) -> dict[str, str]:
    """The header link of a sortable column: toggles direction, marks the current one."""
    current = request.args.get("sort", "-createdAt")
    if column not in SORTABLE:
        raise ValueError(f"the list does not sort by {column}")
    active = current.lstrip("-") == column
    descending = current.startswith("-")
    target = column if active and descending else f"-{column}"
    state = ("descending" if descending else "ascending") if active else "none"
    return {"href": url_for("portal.cases", **_list_args(sort=target)), "aria": state}


def _page() -> tuple[list[Any], str | None]:
    return services().case_queries.list(principal(), _query())


def _context(rows: list[Any], cursor: str | None) -> dict[str, Any]:
    more = url_for("portal.case_rows", **_list_args(), cursor=cursor) if cursor else None
    return {"rows": rows, "more_url": more, "types": catalog(), "stage_name": stage_name,
            "chips": chips(), "sort_link": sort_link,
            "rows_url": url_for("portal.case_rows", **_list_args())}


@bp.get("/cases")
def cases() -> Any:
    rows, cursor = _page()
    context = _context(rows, cursor)
    if is_htmx() and request.headers.get("HX-Target") == "results":
        return render_template("portal/_case_results.html", **context)
    return render_template(
        "portal/cases.html", **context, args=request.args, stages=all_stages(),
        queues=all_queues(), statuses=STATUSES, filters_active=bool(context["chips"]),
        views=saved_views.list_views(services().db, principal()), view_href=view_href,
        current_query=saved_views.view_query(request.args))


@bp.get("/cases/rows")
def case_rows() -> Any:
    """Table rows only: the next keyset page ("load more") or a live refresh."""
    rows, cursor = _page()
    return render_template("portal/_case_rows.html", **_context(rows, cursor))


@bp.post("/cases/views")
def save_view() -> Any:
    query = request.form.get("query", "")
    try:
        view = saved_views.save_view(services().db, principal(), request.form.get("name", ""),
                                     query)
    except DomainError as exc:
        flash(f"The view was not saved: {exc.errors[0]['message'] if exc.errors else exc}",
              "error")
        return redirect(url_for("portal.cases") + ("?" + query if query else ""))
    flash(f"Saved the view “{view.name}”.", "ok")
    return redirect(url_for("portal.cases") + ("?" + view.query if view.query else ""))


@bp.post("/cases/views/<view_id>/delete")
def delete_view(view_id: str) -> Any:
    saved_views.delete_view(services().db, principal(), view_id)
    flash("The view was deleted.", "ok")
    return redirect(url_for("portal.cases"))


def view_href(query: str) -> str:
    return url_for("portal.cases") + ("?" + query if query else "")
