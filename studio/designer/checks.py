"""Validate: every deploy check of the draft, placed on the tab (and field) it is about."""

from __future__ import annotations

import json
from typing import Any

from flask import make_response, render_template

from studio.designer import bp
from studio.designer.context import TABS, load_draft, problems_of


@bp.get("/studio/<key>/validate")
def validate_page(key: str) -> Any:
    """The full list, grouped by tab, each linking to where it can be fixed."""
    view = load_draft(key)
    problems = problems_of(view)
    return render_template("designer/validate.html", view=view, problems=problems, tabs=TABS,
                           tab="validate")


@bp.get("/studio/<key>/problems")
def problems_fragment(key: str) -> Any:
    """htmx: the editor's problem panel; the list also goes to designer.js as an event
    so it can mark the fields and elements in the open tab."""
    view = load_draft(key)
    problems = problems_of(view)
    response = make_response(render_template("designer/_problems.html", view=view,
                                             problems=problems, tabs=TABS))
    response.headers["HX-Trigger"] = json.dumps({"cs-problems": {"problems": problems}})
    return response
