"""The analysts' studio (``/studio``): case-type drafts, editor tabs, validate, test run,
deploy with diff, versions, import/export.

Why a separate package from the portal: analysts and case workers share the shell and
the forms renderer but nothing else; keeping the studio apart keeps both small.
"""

from __future__ import annotations

from typing import Any

from flask import render_template

from studio.web import page_blueprint, principal, services

bp = page_blueprint("studio_home")


@bp.get("/studio")
def studio_home() -> Any:
    services().authz.require(principal(), "studio.access", {"kind": "system"})
    return render_template("studio_placeholder.html")


def load_routes() -> None:
    """Import the view modules (they register routes on ``bp``)."""
