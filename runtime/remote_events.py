"""Cases follow a remote engine: its history, polled, becomes case history and hooks.

Why polling: a remote Camunda / Operaton runs processes in its own transactions, so it
cannot call our listeners inside them (see ``bpmn.camunda.engine``). Its history can be
read after the fact; ``CamundaEngine.poll_events`` turns what changed into the same
engine events the embedded engine emits, and the runtime's listener mirrors them into
the case timeline and runs the case type's hooks, each in a transaction of its own.
Only the process that runs the built-in workers polls, so one feed is mirrored once.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Protocol, runtime_checkable

log = logging.getLogger(__name__)


@runtime_checkable
class EventFeed(Protocol):
    def poll_events(self) -> list[Any]: ...


class EventPoller:
    """Calls ``engine.poll_events()`` every ``interval`` seconds in a daemon thread."""

    def __init__(self, engine: EventFeed, interval: float = 2.0) -> None:
        self.engine = engine
        self.interval = interval
        self.polled = 0
        self.failures = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> int:
        """One poll; the number of events handed to the listeners."""
        events = self.engine.poll_events()
        self.polled += len(events)
        return len(events)

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="remote-events", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # an unreachable engine must not end the thread
                self.failures += 1
                log.exception("polling the remote engine's events failed")
            self._stop.wait(self.interval)

    def check(self) -> dict[str, Any]:
        alive = self._thread is None or self._thread.is_alive()
        return {"status": "up" if alive else "down", "events": self.polled,
                "failures": self.failures}
