"""The built-in external-task workers: a fetch-and-lock loop over any engine.

Why through fetch-and-lock even in-process: the same loop works against the
embedded engine and a remote Camunda (``casestudio worker``), and locking
makes several replicas safe. Case change and task completion share one
transaction on the embedded engine.
"""

from __future__ import annotations

import logging
import threading
import traceback
from typing import Any

from sqlalchemy.orm import Session

from bpmn.engine import Engine, LockedExternalTask, TopicRequest
from bpmn.engine_errors import EngineError
from models.cases import Case
from models.db import Database
from runtime.errors import DomainError
from runtime.locking import note_locked
from runtime.topics import HANDLERS, TopicError

log = logging.getLogger(__name__)
WORKER_ID = "casestudio-builtin"
LOCK_MS = 60_000
DEFAULT_RETRIES = 3
RETRY_TIMEOUT_MS = 5_000


class BuiltinWorkers:
    """Runs the handlers of :mod:`runtime.topics` for locked external tasks."""

    def __init__(self, db: Database, engine: Engine, cases: Any, *,
                 worker_id: str = WORKER_ID, interval: float = 2.0) -> None:
        self.db = db
        self.engine = engine
        self.cases = cases
        self.worker_id = worker_id
        self.interval = interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.processed = 0
        self.failed = 0

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="builtin-workers", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            try:
                while self.run_once() and not self._stop.is_set():
                    pass
            except Exception:
                log.exception("built-in worker loop failed; retrying")

    def run_once(self, max_tasks: int = 20) -> int:
        """Fetch, lock and handle one batch; returns how many tasks were handled."""
        topics = [TopicRequest(topic=t, lock_duration_ms=LOCK_MS) for t in HANDLERS]
        tasks = self.engine.fetch_and_lock(self.worker_id, topics, max_tasks)
        for task in tasks:
            self.handle(task)
        return len(tasks)

    def handle(self, task: LockedExternalTask) -> None:
        try:
            with self.db.session() as s:
                case = self._apply(s, task)  # held: listeners then find it in the session
                self.engine.complete_external(task.id, self.worker_id, session=s)
                del case
            self.processed += 1
        except (TopicError, DomainError, EngineError, LookupError) as exc:
            self.failed += 1
            self._fail(task, exc)

    def _apply(self, s: Session, task: LockedExternalTask) -> Case:
        case = s.get(Case, task.business_key or "", with_for_update=True)
        if case is None:
            raise LookupError(f"no case for business key {task.business_key!r}")
        note_locked(s, case.id)
        HANDLERS[task.topic](s, self.cases, case, dict(task.variables))
        return case

    def _fail(self, task: LockedExternalTask, exc: Exception) -> None:
        retries = DEFAULT_RETRIES if task.retries is None else task.retries
        message = getattr(exc, "detail", None) or getattr(exc, "message", None) or str(exc)
        log.warning("built-in topic %s failed for %s: %s", task.topic, task.business_key,
                    message)
        try:
            self.engine.handle_failure(task.id, self.worker_id, str(message)[:500],
                                       traceback.format_exc()[-4000:], max(retries - 1, 0),
                                       RETRY_TIMEOUT_MS)
        except EngineError:
            log.exception("could not report the failure of external task %s", task.id)

    def check(self) -> dict[str, Any]:
        alive = self._thread is None or self._thread.is_alive()
        return {"status": "up" if alive else "down", "processed": self.processed,
                "failed": self.failed}
