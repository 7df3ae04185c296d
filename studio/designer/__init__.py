"""The analysts' studio (``/studio``): case-type drafts, editor tabs, validate, test run,
deploy with diff, versions, import/export.

Why a separate package from the portal: analysts and case workers share the shell and
the forms renderer but nothing else; keeping the studio apart keeps both small.
"""

from __future__ import annotations

from typing import Any

from flask import render_template

from studio.web import page_blueprint

bp = page_blueprint("studio_home")


@bp.get("/studio")
def studio_home() -> Any:
    """Case types with their latest version, draft state and last deploy."""
    from studio.designer.context import overview, studio

    studio()
    return render_template("designer/home.html", rows=overview())


def load_routes() -> None:
    """Import the view modules (they register routes on ``bp``)."""
    from studio.designer import checks, deploys, editor, testrun, transfer  # noqa: F401
