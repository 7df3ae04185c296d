"""A background loop: call one function every few seconds until stopped.

Why one class: the SLA sweep and the policy-data check need the same daemon
thread, the same prompt stop (an ``Event`` wait, not a sleep) and the same rule
that a failing round is logged and retried at the next tick, never fatal.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Periodic:
    """Calls ``work`` every ``interval`` seconds on a daemon thread named ``name``."""

    def __init__(self, work: Callable[[], object], interval: float, name: str) -> None:
        self.work = work
        self.interval = interval
        self.name = name
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)

    def alive(self) -> bool:
        """True while running, and before it was started (nothing has failed yet)."""
        return self._thread is None or self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.work()
            except Exception:  # a database hiccup must not end the loop
                log.exception("%s failed; retrying in %.0f s", self.name, self.interval)
