"""The outbox relay: publishes committed events once, in id order, and retries a failed batch."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from connectors.events import Event
from models import Database
from models.events import OutboxEvent
from runtime import journal
from runtime.relay import OutboxRelay


class Recording:
    """A bus that keeps what it was given and can be told to fail."""

    def __init__(self) -> None:
        self.batches: list[list[Event]] = []
        self.fail = False

    def publish(self, events: list[Event]) -> None:
        if self.fail:
            raise ConnectionError("broker down")
        self.batches.append(events)

    def subscribe(self, subscriber: Any) -> None: ...

    def close(self) -> None: ...

    def check(self) -> dict[str, Any]:
        return {"status": "up"}


def commit_events(db: Database, *types: str) -> None:
    with db.session() as s:
        for kind in types:
            journal.record(s, tenant="t", case_id="c1", actor="ann", action=kind,
                           event=f"case.{kind}", data={"kind": kind})


def test_events_are_published_once_in_commit_order_and_stamped(db: Database) -> None:
    bus = Recording()
    relay = OutboxRelay(db, bus)
    commit_events(db, "created", "updated")
    commit_events(db, "closed")
    assert relay.drain() == 3 and relay.drain() == 0
    [batch] = bus.batches
    assert [e["type"] for e in batch] == ["case.created", "case.updated", "case.closed"]
    assert [e["seq"] for e in batch] == sorted(e["seq"] for e in batch)
    with db.read() as s:
        assert all(row.published_at for row in s.scalars(select(OutboxEvent)))


def test_a_batch_the_bus_refused_is_sent_again(db: Database) -> None:
    bus = Recording()
    relay = OutboxRelay(db, bus)
    commit_events(db, "created")
    bus.fail = True
    with pytest.raises(ConnectionError):
        relay.drain()
    bus.fail = False
    assert relay.drain() == 1
    assert [e["type"] for e in bus.batches[0]] == ["case.created"]
