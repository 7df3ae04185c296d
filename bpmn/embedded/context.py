"""State shared by the embedded engine's services: database, clock, listeners.

Why one small object: the services (deployer, runner, task services, job
executor side) are separate modules with one job each; they all need the same
transaction rule ("join the caller's session or open our own"), the same clock
and the same listener fan-out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from bpmn.engine_types import EngineEvent
from bpmn.spiff.script_engine import SandboxedScriptEngine
from models.db import Database

log = logging.getLogger(__name__)

Listener = Callable[[Session | None, EngineEvent], None]


class EngineContext:
    """Database handle, clock, sandboxed script engine and listeners."""

    def __init__(self, db: Database, *, allow_scripts: bool = False,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.db = db
        self.allow_scripts = allow_scripts
        self._clock = clock or (lambda: datetime.now(UTC))
        self.script_engine = SandboxedScriptEngine(clock=self.now, allow_scripts=allow_scripts)
        self.listeners: list[Listener] = []
        #: Called with (session, business key) before an instance row is locked.
        self.lock_hooks: list[Callable[[Session, str], None]] = []
        self.postgres = db.dialect == "postgresql"

    def now(self) -> datetime:
        """The engine clock, always UTC-aware."""
        value = self._clock()
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)

    @contextmanager
    def tx(self, session: Session | None = None) -> Iterator[Session]:
        """Join ``session`` when given (the caller commits), else one new transaction."""
        if session is not None:
            yield session
            session.flush()
            return
        with self.db.session() as own:
            yield own

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction (on SQLite it takes no write lock; see Database.read)."""
        with self.db.read() as own:
            yield own

    def emit(self, session: Session, type: str, *, instance_id: str | None,
             business_key: str | None, tenant: str, **data: Any) -> None:
        """Call every listener inside the current transaction."""
        event = EngineEvent(type=type, process_instance_id=instance_id,
                            business_key=business_key, tenant=tenant, data=data)
        for listener in list(self.listeners):
            listener(session, event)


def quiet(session: Session, statement: Any) -> None:
    """Run a bulk UPDATE/DELETE without ORM session synchronization or autoflush.

    Why: projection bookkeeping issues a few of these per step; letting the ORM
    reconcile its identity map (and autoflush) first costs more than the SQL.
    """
    with session.no_autoflush:
        session.execute(statement, execution_options={"synchronize_session": False})
