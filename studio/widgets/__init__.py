"""Studio widgets: the form builder (with live preview) and the BPMN modeler (with lint).

Why widgets apart from the studio pages: each is a self-contained component (a Jinja
macro, a script and a small JSON endpoint) that the editor tabs embed; its state lives
in a ``<textarea data-draft-file="PATH">`` the page's autosave watches.
"""

from __future__ import annotations

from studio.web import page_blueprint

bp = page_blueprint("widgets", url_prefix="/studio/widgets")


def load_routes() -> None:
    """Import the view modules (they register routes on ``bp``)."""
