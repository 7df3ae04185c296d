"""`JobExecutor`: background threads that fire timers and async continuations.

Why poll the job table: jobs are rows (a restart loses nothing), due times
are indexed, and each executor claims jobs with a lock owner and expiry, so
several executors — threads here, or ``casestudio jobs`` processes elsewhere —
share the work with an exactly-once effect (see `bpmn.embedded.jobs`). When a
pass found work the next one starts at once; idle executors sleep ``interval``.
"""

from __future__ import annotations

import logging
import threading
import uuid
from typing import Protocol, runtime_checkable

log = logging.getLogger(__name__)


@runtime_checkable
class JobSource(Protocol):
    """What an executor needs from an engine (`EmbeddedEngine` provides it)."""

    def acquire_jobs(self, owner: str, limit: int = 10, lock_ms: int = 300_000) -> list[str]: ...
    def execute_job(self, job_id: str, owner: str | None = None) -> None: ...


class JobExecutor:
    """Runs due jobs of ``engine`` on ``threads`` daemon threads until `stop`."""

    def __init__(self, engine: JobSource, interval: float = 0.5, threads: int = 1,
                 batch: int = 10, lock_ms: int = 300_000) -> None:
        self.engine = engine
        self.interval = interval
        self.batch = batch
        self.lock_ms = lock_ms
        self.owner = f"executor-{uuid.uuid4().hex[:12]}"
        self._count = threads
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def running(self) -> bool:
        return any(t.is_alive() for t in self._threads)

    def start(self) -> None:
        if self.running:
            return
        self._stop.clear()
        self._threads = [threading.Thread(target=self._loop, args=(f"{self.owner}-{n}",),
                                          name=f"jobs-{n}", daemon=True)
                         for n in range(self._count)]
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)
        self._threads = []

    def run_once(self, owner: str | None = None) -> int:
        """One pass: claim a batch and execute it; returns how many jobs ran."""
        owner = owner or self.owner
        ids = self.engine.acquire_jobs(owner, self.batch, self.lock_ms)
        for job_id in ids:
            if self._stop.is_set():
                break
            self.engine.execute_job(job_id, owner)
        return len(ids)

    def _loop(self, owner: str) -> None:
        while not self._stop.is_set():
            try:
                busy = self.run_once(owner) > 0
            except Exception:  # a broken pass must not kill the executor thread
                log.exception("job executor pass failed")
                busy = False
            if not busy:
                self._stop.wait(self.interval)
