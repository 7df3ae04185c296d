"""The case-worker portal: dashboard, cases (list, kanban, case page), tasks, notifications.

The route modules attach their views to :data:`bp` when imported.
"""

from __future__ import annotations

from studio.web import page_blueprint

bp = page_blueprint("portal")


def load_routes() -> None:
    """Import the route modules (kept out of import time to avoid cycles)."""
    from studio.portal import (  # noqa: F401
        board,
        case_actions,
        case_page,
        cases,
        dashboard,
        new_case,
        notifications,
        task_pages,
    )
