"""``memory://``: synchronous in-process fan-out (one node, no broker)."""

from __future__ import annotations

import logging
import threading
from typing import Any

from connectors.events import Event, Subscriber

log = logging.getLogger(__name__)


class MemoryBus:
    """Delivers each published event to every subscriber, in publish order.

    A failing subscriber is logged and skipped so one bad consumer cannot
    stop the relay (the outbox row is still marked published).
    """

    def __init__(self, url: str = "memory://") -> None:
        self.url = url
        self._subscribers: list[Subscriber] = []
        self._lock = threading.Lock()
        self.published = 0

    def publish(self, events: list[Event]) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for event in events:
            self.published += 1
            for subscriber in subscribers:
                try:
                    subscriber(event)
                except Exception:
                    log.exception("event subscriber failed on %s", event.get("type"))

    def subscribe(self, subscriber: Subscriber) -> None:
        with self._lock:
            self._subscribers.append(subscriber)

    def close(self) -> None:
        with self._lock:
            self._subscribers.clear()

    def check(self) -> dict[str, Any]:
        return {"status": "up", "backend": "memory", "published": self.published}
