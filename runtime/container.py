"""Wiring: one object that builds every backend and service from the settings.

Why a container and not module globals: tests build several independent apps
in one process (SQLite and PostgreSQL side by side), and the CLI, the job
runner and the web app must share exactly the same construction.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from bpmn.engine import Engine
from bpmn.factory import open_engine
from bpmn.jobs import JobExecutor, JobSource
from connectors.events import EventBus, open_bus
from connectors.identity import Identity, open_identity
from connectors.storage import Storage, open_storage
from models.db import Database
from policies import Policy, open_policy
from runtime.authz import Authorizer
from runtime.case_queries import CaseQueries
from runtime.cases import CaseService
from runtime.casetypes import CaseTypeService
from runtime.components import check_urls
from runtime.documents import DocumentService
from runtime.inbox import Inbox
from runtime.policy_sync import PolicySync, deployed_fingerprint
from runtime.process import ProcessBridge
from runtime.relay import OutboxRelay
from runtime.remote_events import EventFeed, EventPoller
from runtime.settings import Settings
from runtime.sla import SlaMonitor
from runtime.tasks import TaskService
from runtime.workers import BuiltinWorkers

log = logging.getLogger(__name__)


class Container:
    """Holds the backends and services of one CaseStudio process."""

    def __init__(self, settings: Settings) -> None:
        check_urls(settings)
        self.settings = settings
        self.db = Database(settings.database_url)
        self.identity: Identity = open_identity(
            settings.identity_url, db=self.db, demo=settings.demo,
            token_ttl_seconds=settings.token_ttl_seconds)
        self.policy: Policy = open_policy(settings.policy_url)
        self.authz = Authorizer(self.policy)
        self.storage: Storage = open_storage(settings.storage_url)
        self.bus: EventBus = open_bus(settings.events_url)
        self.relay = OutboxRelay(self.db, self.bus)
        self.engine: Engine = open_engine(settings.engine_url, db=self.db,
                                          allow_scripts=settings.allow_scripts)
        self.bridge = ProcessBridge(self.engine, db=self.db)
        self.case_types = CaseTypeService(self.db, self.authz,
                                          deploy_processes=self.bridge.deploy_processes,
                                          on_change=self.refresh_policy)
        self.cases = CaseService(self.db, self.authz, start_process=self.bridge.start_process)
        self.bridge.case_changer = self.cases
        self.case_queries = CaseQueries(self.db, self.authz)
        self.tasks = TaskService(self.db, self.authz, self.engine, self.cases)
        self.documents = DocumentService(self.db, self.storage, self.cases,
                                         settings.max_upload_bytes)
        self.inbox = Inbox(self.db)
        self.workers = BuiltinWorkers(self.db, self.engine, self.cases)
        self.bridge.wake_workers = self.workers.wake
        self.jobs = JobExecutor(self.engine) if isinstance(self.engine, JobSource) else None
        self.sla = SlaMonitor(self.db)
        self.remote_events = remote_events(self.engine)
        self.policy_sync = PolicySync(lambda: deployed_fingerprint(self.db),
                                      lambda: self.policy.set_data(self.case_types.policy_data()))
        self._started = False

    def refresh_policy(self) -> None:
        """Push case-type permissions into the policy engine (after each deploy)."""
        self.policy_sync.refresh()

    def start(self) -> None:
        """Begin background work (outbox relay; later the job executor and workers)."""
        if self._started:
            return
        self.refresh_policy()
        self.relay.start()
        if self.settings.run_workers:
            self.workers.start()
            if self.remote_events is not None:
                self.remote_events.start()
        if self.settings.run_jobs and self.jobs is not None:
            self.jobs.start()
        self.sla.start()
        self.policy_sync.start()
        self._started = True

    def stop(self) -> None:
        if self._started:
            self.policy_sync.stop()
            self.sla.stop()
            if self.jobs is not None:
                self.jobs.stop()
            self.workers.stop()
            if self.remote_events is not None:
                self.remote_events.stop()
        self.relay.stop()
        self.bus.close()
        self.db.dispose()
        self._started = False

    def health(self) -> dict[str, Any]:
        """Status of every component, for ``GET /health``."""
        parts: dict[str, Any] = {}
        for name, component in (("database", self._db_check), ("identity", self.identity),
                                ("policy", self.policy), ("storage", self.storage),
                                ("events", self.bus), ("engine", self.engine)):
            parts[name] = _probe(component)
        parts["relay"] = self.relay.check()
        parts["workers"] = self.workers.check()
        parts["policySync"] = self.policy_sync.check()
        if self.remote_events is not None:
            parts["remoteEvents"] = self.remote_events.check()
        ok = all(p.get("status") == "up" for p in parts.values())
        return {"status": "up" if ok else "down", "pid": os.getpid(), "components": parts}

    def _db_check(self) -> dict[str, Any]:
        from sqlalchemy import text

        with self.db.session() as s:
            s.execute(text("SELECT 1"))
        return {"status": "up", "dialect": self.db.dialect}


def _probe(component: Any) -> dict[str, Any]:
    try:
        check = component if callable(component) else component.check
        report = dict(check())
        if report.get("status") == "ok":
            report["status"] = "up"
        return report
    except Exception as exc:  # a health probe must report, not raise
        log.warning("health check failed: %s", exc)
        return {"status": "down", "error": str(exc)}


def remote_events(engine: Engine) -> EventPoller | None:
    """A poller for engines that report changes only when asked (a remote Camunda)."""
    if isinstance(engine, EventFeed):  # a runtime-checkable protocol
        return EventPoller(engine)
    return None
