"""Reconnect resync: the events a socket missed, read back from the outbox.

Why the outbox and not a server-side buffer: the outbox is already the durable,
ordered record of every event (DESIGN §6), it is shared by all replicas, and a
client may reconnect to a different replica than the one it lost.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from models.db import Database
from models.events import OutboxEvent
from runtime.realtime.routing import CaseTypeOf, route
from runtime.relay import to_event

RESYNC_LIMIT = 500
"""More missed rows than this and the client is told to reload instead."""


def missed_events(db: Database, case_type_of: CaseTypeOf, tenant: str, since: int,
                  rooms: set[str]) -> list[dict[str, Any]] | None:
    """``[{name, data}]`` in seq order for a socket in ``rooms``; ``None`` means reload.

    Only published rows count: an unpublished row will still arrive live.
    """
    stmt = (select(OutboxEvent).where(OutboxEvent.tenant == tenant, OutboxEvent.id > since,
                                      OutboxEvent.published_at.is_not(None))
            .order_by(OutboxEvent.id).limit(RESYNC_LIMIT + 1))
    with db.session() as s:
        events = [to_event(row) for row in s.scalars(stmt)]
    if len(events) > RESYNC_LIMIT:
        return None
    return [{"name": d.name, "data": d.payload}
            for event in events for d in route(event, case_type_of) if rooms & set(d.rooms)]


def latest_seq(db: Database, tenant: str) -> int:
    """The newest published seq of ``tenant``: pages embed it so a first connect can resync."""
    stmt = select(func.max(OutboxEvent.id)).where(OutboxEvent.tenant == tenant,
                                                  OutboxEvent.published_at.is_not(None))
    with db.session() as s:
        return int(s.scalar(stmt) or 0)
