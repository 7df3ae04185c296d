"""Studio widgets: the form builder (with live preview) and the BPMN modeler (with lint).

Why widgets apart from the studio pages: each is a self-contained component (a Jinja
macro, a script and a small JSON endpoint) that the editor tabs embed; its state lives
in a ``<textarea data-draft-file="PATH">`` the page's autosave watches.
"""

from __future__ import annotations

from runtime.topics import HANDLERS
from studio.web import page_blueprint, principal, services

bp = page_blueprint("widgets", url_prefix="/studio/widgets")


@bp.before_request
def _require_studio_access() -> None:
    """Only analysts may use the widgets (runs after the login/CSRF guard)."""
    services().authz.require(principal(), "studio.access", {"kind": "system"})


@bp.app_template_global("widget_topics")
def builtin_topics() -> list[str]:
    """The external-task topics the runtime's own workers handle (the modeler's picker)."""
    return list(HANDLERS)


def load_routes() -> None:
    """Import the view modules (they register routes on ``bp``)."""
    from studio.widgets import demo, lint, preview  # noqa: F401
