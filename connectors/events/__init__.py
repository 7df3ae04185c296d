"""Event bus: ``memory://`` (in-process fan-out) or ``kafka://host:port``.

Events are plain dicts ``{id, type, tenant, caseId, at, actor, data}``
(DESIGN §6); the outbox relay is the only publisher.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from connectors.urls import load_adapter

REGISTRY = {
    "memory": "connectors.events.memory:MemoryBus",
    "kafka": "connectors.events.kafka:KafkaBus",
}

Event = dict[str, Any]
Subscriber = Callable[[Event], None]


class EventBus(Protocol):
    """Publish in order; subscribers see every event of this process's bus."""

    def publish(self, events: list[Event]) -> None: ...

    def subscribe(self, subscriber: Subscriber) -> None: ...

    def close(self) -> None: ...

    def check(self) -> dict[str, Any]: ...


def open_bus(url: str) -> EventBus:
    """Instantiate the bus selected by ``url``'s scheme."""
    return load_adapter("events", url, REGISTRY)(url)  # type: ignore[no-any-return]
