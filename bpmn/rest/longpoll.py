"""Long polling for ``fetchAndLock`` (``asyncResponseTimeout``) under WSGI.

The trade-off. Camunda parks a waiting fetch request without a thread
(JAX-RS async responses). A WSGI request owns its worker thread until it
answers, so a truly thread-free wait needs an async server; what we can do
here is make the waiting cheap and bounded:

* one `Waker` (a condition variable) per app process; a request that found
  nothing blocks on it instead of re-querying in a loop;
* the engine listener for ``external_task.created`` wakes the waiters right
  after the creating transaction commits (so the re-fetch can see the task),
  and the facade wakes them after ``unlock``/``failure``/``retries`` too;
* tasks that become available silently (an expired lock, a retry timeout)
  are found by a re-fetch every ``tick`` seconds;
* at most ``max_waiters`` requests wait at once; beyond that a fetch answers
  immediately (empty), which Camunda clients treat as "poll again later", and
  no wait lasts longer than ``max_wait`` seconds, so waiting requests can
  never take every server thread;
* under gevent/eventlet workers the same code waits on greenlets, so the
  thread cost disappears without changes here.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import event

from bpmn.engine_types import EngineEvent

T = TypeVar("T")
_PENDING = "engine_rest_wake_pending"


class Waker:
    """Wakes waiting fetch requests when external tasks may have become available."""

    def __init__(self, *, tick: float = 1.0, max_waiters: int = 32,
                 max_wait: float = 60.0) -> None:
        self.tick = tick
        self.max_wait = max_wait
        self._condition = threading.Condition()
        self._generation = 0
        self._slots = threading.BoundedSemaphore(max_waiters)

    def configure(self, *, tick: float, max_waiters: int, max_wait: float) -> None:
        """Change the tunables; call before requests wait (the slot pool is replaced)."""
        self.tick = tick
        self.max_wait = max_wait
        self._slots = threading.BoundedSemaphore(max_waiters)

    def notify(self) -> None:
        with self._condition:
            self._generation += 1
            self._condition.notify_all()

    def on_engine_event(self, session: Any, engine_event: EngineEvent) -> None:
        """Engine listener: wake waiters once the transaction creating a task commits."""
        if engine_event.type != "external_task.created":
            return
        info = getattr(session, "info", None)
        if info is None:
            self.notify()
            return
        if info.get(_PENDING):
            return
        info[_PENDING] = True

        def committed(committed_session: Any) -> None:
            committed_session.info.pop(_PENDING, None)
            self.notify()

        event.listen(session, "after_commit", committed, once=True)

    def _changed_since(self, generation: int) -> bool:
        return self._generation != generation

    def wait_for(self, fetch: Callable[[], list[T]], timeout: float) -> list[T]:
        """``fetch()`` now, and again on each wake-up or tick until it finds something."""
        deadline = time.monotonic() + min(max(timeout, 0.0), self.max_wait)
        seen = self._generation
        found = fetch()
        if found or timeout <= 0 or not self._slots.acquire(blocking=False):
            return found
        try:
            while not found:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                with self._condition:
                    self._condition.wait_for(partial(self._changed_since, seen),
                                             timeout=min(remaining, self.tick))
                seen = self._generation
                found = fetch()
            return found
        finally:
            self._slots.release()
