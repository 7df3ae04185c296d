"""`CamundaEngine`: the `Engine` protocol against a real Camunda 7 / Operaton cluster.

Why a remote engine cannot call listeners: Camunda runs the process in its
own transaction on its own servers, so there is no "inside the engine's
transaction" to call back into. `add_listener` keeps the listeners and
`poll_events` replays what Camunda's history shows since the last poll (user
tasks created and completed, instances completed or cancelled; see
`bpmn.camunda.feed`) with ``session=None`` — after the fact, never
atomically with the engine's change; nothing is replayed for assignments,
incidents or external tasks.
Everything the runtime needs to stay consistent without listeners goes
through external tasks (the built-in workers of ``casestudio worker``), which
complete the Camunda task only after the case change committed. The
``session=`` arguments of the protocol are accepted and ignored.
"""

from __future__ import annotations

import logging
from typing import Any

from bpmn.camunda.connection import DEFAULT_TIMEOUT, Connection
from bpmn.camunda.events import EventMixin
from bpmn.camunda.external import ExternalTaskMixin
from bpmn.camunda.extras import ExtrasMixin
from bpmn.camunda.feed import EventFeed
from bpmn.camunda.history import HistoryMixin
from bpmn.camunda.repository import RepositoryMixin
from bpmn.camunda.runtime import RuntimeMixin
from bpmn.camunda.tasks import TaskMixin
from bpmn.engine import Listener
from bpmn.engine_errors import EngineError, NotFound
from bpmn.engine_types import EngineEvent

log = logging.getLogger(__name__)


class CamundaEngine(RuntimeMixin, RepositoryMixin, TaskMixin, ExternalTaskMixin, EventMixin,
                    HistoryMixin, ExtrasMixin):
    """``CamundaEngine("camunda+https://user:pw@host/engine-rest")`` (see module docstring)."""

    def __init__(self, url: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.rest = Connection(url, timeout=timeout)
        self.listeners: list[Listener] = []
        self.feed = EventFeed(self.rest)
        self._job_definitions: dict[str, dict[str, Any]] = {}
        log.info("Camunda engine at %s", self.rest.display_url)

    def add_listener(self, fn: Listener) -> None:
        """Listeners only hear what `poll_events` finds (after the fact, ``session=None``)."""
        self.listeners.append(fn)

    def poll_events(self) -> list[EngineEvent]:
        """Changes since the previous poll, also handed to every listener."""
        events = self.feed.poll()
        for event in events:
            for listener in list(self.listeners):
                listener(None, event)
        return events

    def check(self) -> dict[str, Any]:
        """``GET /version`` (``GET /engine`` on servers without it); never raises."""
        status = {"engine": "camunda", "url": self.rest.display_url}
        try:
            try:
                version = (self.rest.call("GET", "/version") or {}).get("version")
            except NotFound:
                self.rest.call("GET", "/engine")
                version = None
        except EngineError as exc:
            return {**status, "status": "down", "error": exc.message}
        return {**status, "status": "up", "version": version}

    def close(self) -> None:
        self.rest.close()
