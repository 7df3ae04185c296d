"""An ordered hand-off from the relay thread to a worker thread.

Why: the relay calls bus subscribers while it still holds its database
transaction (on SQLite a ``BEGIN IMMEDIATE`` write lock), so a subscriber that
reads the database on that thread would wait for itself, and a slow emit would
hold the lock for every writer. The worker keeps publish order (one thread,
FIFO) and exits when idle, so an app that is dropped leaves no thread behind.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)


class Dispatcher:
    """Calls ``handle(item)`` for every submitted item, in order, off the caller's thread."""

    def __init__(self, handle: Callable[[Any], None], name: str,
                 idle_seconds: float = 5.0) -> None:
        self.handle = handle
        self.name = name
        self.idle_seconds = idle_seconds
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, item: Any) -> None:
        self._queue.put(item)
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                item = self._queue.get(timeout=self.idle_seconds)
            except queue.Empty:
                with self._lock:
                    if self._queue.empty():
                        self._thread = None
                        return
                continue
            try:
                self.handle(item)
            except Exception:
                log.exception("%s failed on an item; continuing", self.name)
