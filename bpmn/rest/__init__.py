"""The Camunda 7 REST API (``/engine-rest``) over whichever `Engine` the app runs.

Mount with ``init_app(app)`` (idempotent). Each resource lives in its own
module; importing them registers their routes on `bp`. Tunables (app config):
``ENGINE_REST_LONG_POLL_TICK`` (s, default 1.0), ``ENGINE_REST_MAX_WAITERS``
(default 32) and ``ENGINE_REST_MAX_WAIT`` (s, default 60) — see `longpoll`.
"""

from __future__ import annotations

from flask import Flask

from bpmn.rest import (  # noqa: F401 - importing registers the routes
    definitions,
    deployment,
    errors,
    external_tasks,
    fetch_and_lock,
    history,
    instances,
    jobs,
    messages,
    task_extras,
    tasks,
    variable_instances,
)
from bpmn.rest.base import bp
from bpmn.rest.longpoll import Waker

EXTENSION = "engine_rest"


def init_app(app: Flask) -> None:
    """Register the blueprint and wire fetch-and-lock wake-ups to the app's engine."""
    if EXTENSION in app.extensions:
        return
    waker = Waker()
    app.extensions[EXTENSION] = waker
    configure(app)
    app.extensions["casestudio"].engine.add_listener(waker.on_engine_event)
    app.register_blueprint(bp)


def configure(app: Flask) -> None:
    """(Re)apply the long-polling tunables from ``app.config`` (also after mounting)."""
    app.extensions[EXTENSION].configure(
        tick=float(app.config.get("ENGINE_REST_LONG_POLL_TICK", 1.0)),
        max_waiters=int(app.config.get("ENGINE_REST_MAX_WAITERS", 32)),
        max_wait=float(app.config.get("ENGINE_REST_MAX_WAIT", 60.0)))


__all__ = ["bp", "configure", "init_app"]
