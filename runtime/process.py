"""The bridge between cases and the BPMN engine.

Deploys a bundle's BPMN inside the deploy transaction, starts a case's process
inside the create transaction, and turns engine events (task created, task
completed, process ended, incident) into case history, outbox events and
case-type hooks — inside the engine's transaction, so nothing is half-done.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from bpmn.engine import Engine, EngineEvent
from bpmn.engine_errors import EngineError
from models.cases import Case
from models.db import Database
from runtime import journal
from runtime.bundles.model import Bundle
from runtime.errors import ValidationFailed
from runtime.hooks import apply_hooks
from runtime.locking import lock_case
from runtime.versions import VersionInfo

log = logging.getLogger(__name__)

#: Engine events mirrored onto the case (history action, outbox event type).
MIRRORED = {
    "task.created": ("task_created", "task.created"),
    "task.assigned": ("task_assigned", "task.assigned"),
    "task.completed": ("task_completed", "task.completed"),
    "process.completed": ("process_completed", None),
    "process.cancelled": ("process_cancelled", None),
    "incident.created": ("incident_created", "incident.created"),
}


#: ``Session.info`` key: the case whose process ``start_process`` is starting.
_STARTING = "casestudio.starting_case"


class ProcessBridge:
    """Wires one engine to the case runtime (see module docstring)."""

    def __init__(self, engine: Engine, wake_workers: Callable[[], None] | None = None,
                 db: Database | None = None) -> None:
        self.engine = engine
        self.db = db  # for events that arrive outside a transaction (a remote engine)
        self.wake_workers = wake_workers
        self.case_changer: Any = None  # set by the container (CaseService)
        engine.add_listener(self.on_engine_event)
        lock_first = getattr(engine, "lock_business_keys_first", None)
        if lock_first is not None:  # the embedded engine: cases are locked before instances
            lock_first(lock_case)

    def deploy_processes(self, s: Session, bundle: Bundle, tenant: str) -> dict[str, Any]:
        """Deploy the bundle's BPMN files; refusal becomes a 422 naming the elements."""
        try:
            deployment = self.engine.deploy(f"{bundle.key}", bundle.processes, tenant=tenant,
                                            source="casestudio", session=s)
        except EngineError as exc:
            raise ValidationFailed("the engine refused the process", errors=[
                {"file": bundle.definition.get("process", ""), "path": "",
                 "message": exc.message}]) from None
        return {"deploymentId": deployment.id,
                "definitions": {d.key: d.id for d in deployment.process_definitions}}

    def start_process(self, s: Session, case: Case, version: VersionInfo) -> str | None:
        """Start the case's process (business key = case id) in the same transaction."""
        process_id = version.definition.get("processId")
        if not process_id:
            return None
        definition_id = version.engine_refs.get("definitions", {}).get(process_id)
        variables = {**_top_level(case.data), "caseId": case.id, "caseNumber": case.number,
                     "caseType": case.case_type}
        s.info[_STARTING] = case
        try:
            instance = self.engine.start(process_id if definition_id is None else None,
                                         definition_id=definition_id, business_key=case.id,
                                         variables=variables, tenant=case.tenant, session=s)
        except EngineError as exc:
            raise ValidationFailed(f"the case's process could not start: {exc.message}",
                                   errors=[{"path": "", "message": exc.message}]) from None
        finally:
            s.info.pop(_STARTING, None)
        return instance.id

    def on_engine_event(self, session: Session | None, event: EngineEvent) -> None:
        """Mirror engine events onto cases; wake the built-in workers."""
        if event.type == "process.started" and session is not None:
            _name_instance_of_new_case(session, event)
        if event.type == "external_task.created" and self.wake_workers:
            self.wake_workers()
        if MIRRORED.get(event.type) is None or not event.business_key:
            return
        if session is not None:
            self._mirror(session, event)
        elif self.db is not None:  # polled from a remote engine: a transaction of its own
            with self.db.session() as own:
                self._mirror(own, event)

    def _mirror(self, session: Session, event: EngineEvent) -> None:
        """The event in the case's timeline and outbox; the case type's hooks applied."""
        case = _starting_case(session, event) or session.get(Case, event.business_key)
        if case is None:
            return
        action, outbox = MIRRORED[event.type]
        data = {**event.data, "processInstanceId": event.process_instance_id}
        journal.record(session, tenant=case.tenant, case_id=case.id, actor=_actor(event),
                       action=action, changes=data, event=outbox, data=data)
        if self.case_changer is not None:
            apply_hooks(session, self.case_changer, case, event.type, event.data)


def _actor(event: EngineEvent) -> str:
    """Who the audit names: the engine's ``user`` when it knows one; a completed task
    was completed by its assignee, if it had one; else the process itself."""
    if event.data.get("user"):
        return str(event.data["user"])
    if event.type == "task.completed" and event.data.get("assignee"):
        return str(event.data["assignee"])
    return "system"


def _top_level(data: dict[str, Any]) -> dict[str, Any]:
    """Process variables at start: the top-level fields of the case data."""
    return dict(data)


def _name_instance_of_new_case(session: Session, event: EngineEvent) -> None:
    """A new case not written yet gets its instance id before its INSERT.

    Why: the engine announces the instance before it writes anything, so the case's
    INSERT carries the id and no UPDATE follows (one statement less per case start).
    A case already written (a hook flushed it) is linked by ``CaseService`` instead;
    a call activity's child instance never replaces the id set first.
    """
    case = _starting_case(session, event)
    if case is not None and case.process_instance_id is None and inspect(case).pending:
        case.process_instance_id = event.process_instance_id


def _starting_case(session: Session, event: EngineEvent) -> Case | None:
    """The case being started in ``session`` when ``event`` is about it (maybe unwritten:
    ``Session.get`` would flush it to find it)."""
    case: Case | None = session.info.get(_STARTING)
    return case if case is not None and case.id == event.business_key else None
