"""The outbox relay: publishes committed outbox rows, in order, to the event bus.

Why an outbox: the event is written in the same transaction as the change,
so there is never an event for a rolled-back change nor a change without its
event. The relay wakes on every commit (and polls as a fallback), publishes
in id order (hence in order per case) and stamps ``published_at``.
On PostgreSQL, ``FOR UPDATE SKIP LOCKED`` lets several replicas relay safely.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, cast

from sqlalchemy import Table, event, select, update
from sqlalchemy.orm import Session

from connectors.events import Event, EventBus
from models.base import utcnow
from models.db import Database
from models.events import OutboxEvent
from runtime.journal import OUTBOX_PENDING

log = logging.getLogger(__name__)
BATCH = 200
#: After a wake-up, wait this long for more commits before draining (Kafka's linger.ms).
#: Why: under load a drain per commit cost a fifth of the process's CPU (three
#: statements and a commit for one or two events); 5 ms batches them, and the
#: event → socket.io budget (50 ms, DESIGN §8) has room for it.
LINGER_SECONDS = 0.005
OUTBOX = cast(Table, OutboxEvent.__table__)


def to_event(row: Any) -> Event:
    """The published JSON shape of DESIGN §6 (of an outbox row or ORM object)."""
    return {"id": row.event_id, "type": row.type, "tenant": row.tenant, "caseId": row.case_id,
            "at": row.at.isoformat(), "actor": row.actor, "data": row.data, "seq": row.id}


class OutboxRelay:
    """Background thread draining the outbox into the bus."""

    def __init__(self, db: Database, bus: EventBus, poll_interval: float = 1.0,
                 linger: float = LINGER_SECONDS) -> None:
        self.db = db
        self.bus = bus
        self.poll_interval = poll_interval
        self.linger = linger
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._drain_lock = threading.Lock()
        self.errors = 0

    def start(self) -> None:
        event.listen(Session, "after_commit", self._on_commit)
        self._thread = threading.Thread(target=self._run, name="outbox-relay", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if event.contains(Session, "after_commit", self._on_commit):
            event.remove(Session, "after_commit", self._on_commit)
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout=5)

    def _on_commit(self, session: Session) -> None:
        """Wake only for commits that wrote events: most commits (reads, the relay's
        own) have none, and a drain per commit doubled the latency of every request."""
        if session.bind is self.db.engine and session.info.pop(OUTBOX_PENDING, False):
            self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.poll_interval)
            self._stop.wait(self.linger)
            self._wake.clear()
            try:
                while self.drain() == BATCH:
                    pass
            except Exception:
                self.errors += 1
                log.exception("outbox relay failed; will retry")

    def drain(self) -> int:
        """Publish one batch of pending events; returns how many were published."""
        with self._drain_lock, self.db.session() as s:
            table = OUTBOX
            batch = (select(table.c.id).where(table.c.published_at.is_(None))
                     .order_by(table.c.id).limit(BATCH))
            if self.db.dialect == "postgresql":
                batch = batch.with_for_update(skip_locked=True)
            stamp = (update(table).where(table.c.id.in_(batch)).values(published_at=utcnow())
                     .returning(*table.c))  # claim and read in one statement
            rows = sorted(s.execute(stamp), key=lambda row: row.id)
            if rows:  # a failing publish rolls the stamp back: the batch is sent again
                self.bus.publish([to_event(r) for r in rows])
            return len(rows)

    def check(self) -> dict[str, Any]:
        alive = self._thread is not None and self._thread.is_alive()
        return {"status": "up" if alive or self._thread is None else "down",
                "errors": self.errors}
