"""Creating, loading, stepping and saving process instances.

Why one place: every operation that changes an instance (start, complete a
task, fire a timer, deliver a message...) follows the same shape — lock the
row, rebuild the workflow from the compact state and the cached specs, change
it, run it forward, refresh projections, save with an optimistic version —
and every failure becomes a `ProcessEngineError` naming the activity.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from copy import deepcopy
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from bpmn.embedded.context import EngineContext
from bpmn.embedded.history import close_all_open
from bpmn.embedded.projector import Live, Projector
from bpmn.embedded.repository import Repository
from bpmn.engine_errors import BadUserRequest, NotFound, OptimisticLocking, ProcessEngineError
from bpmn.engine_types import ProcessInstance
from bpmn.spiff import stepper
from bpmn.spiff.serializer import SERIALIZER_VERSION, dump_state, load_state
from models.base import new_id
from models.engine import EngineDefinition, EngineInstance

RUNNING = ("ACTIVE", "SUSPENDED")


@contextmanager
def spiff_errors() -> Iterator[None]:
    """Spiff failures while changing a task become `ProcessEngineError` naming it."""
    try:
        yield
    except stepper.StepError as exc:
        raise ProcessEngineError(str(exc)) from exc
    except SpiffWorkflowException as exc:
        raise ProcessEngineError(str(stepper.StepError(str(exc), stepper.activity_of(exc)))) \
            from exc


def instance_value(row: EngineInstance) -> ProcessInstance:
    return ProcessInstance(id=row.id, definition_id=row.definition_id,
                           definition_key=row.definition_key, business_key=row.business_key,
                           state=row.state, started_at=row.started_at,  # type: ignore[arg-type]
                           ended_at=row.ended_at, tenant=row.tenant)


class Runner:
    """See module docstring."""

    def __init__(self, ctx: EngineContext, repository: Repository, projector: Projector) -> None:
        self.ctx = ctx
        self.repository = repository
        self.projector = projector
        #: Set by the message service: delivers what a process threw to other processes.
        self.dispatch: Callable[[Session, Live, list[Any]], None] | None = None

    def create(self, session: Session, definition: EngineDefinition, business_key: str | None,
               variables: Mapping[str, Any] | None) -> Live:
        """A new instance (not yet run); emits ``process.started``."""
        called: dict[str, str] = {}
        spec, subs = self.repository.specs(session, definition, called)
        workflow = BpmnWorkflow(spec, subs, script_engine=self.ctx.script_engine)
        workflow.task_tree.data.update(deepcopy(dict(variables or {})))
        row = EngineInstance(id=new_id(), definition_id=definition.id,
                             definition_key=definition.key, business_key=business_key,
                             state="ACTIVE", started_at=self.ctx.now(),
                             serializer_version=SERIALIZER_VERSION, called=called,
                             projected={}, tenant=definition.tenant)
        session.add(row)
        live = Live(row, workflow, definition, time.time())
        self.ctx.emit(session, "process.started", instance_id=row.id, business_key=business_key,
                      tenant=row.tenant, definition_id=definition.id,
                      definition_key=definition.key)
        return live

    def load(self, session: Session, instance_id: str, *, running: bool = True,
             business_key: str | None = None) -> Live:
        """Lock and rebuild an instance; refuses finished (and, if asked, suspended) ones.

        ``business_key`` (when the caller knows it) saves a lookup for the lock hooks.
        """
        self._lock_owner_first(session, instance_id, business_key)
        row = session.scalars(select(EngineInstance).where(EngineInstance.id == instance_id)
                              .with_for_update()
                              .execution_options(populate_existing=True)).first()
        if row is None:
            raise NotFound(f"Process instance with id {instance_id} does not exist")
        if row.state not in RUNNING or row.blob is None:
            raise NotFound(f"Process instance {instance_id} has ended ({row.state})")
        if running and row.state == "SUSPENDED":
            raise BadUserRequest(f"Process instance {instance_id} is suspended")
        definition = self.repository.get(session, row.definition_id)
        called = dict(row.called or {})
        spec, subs = self.repository.specs(session, definition, called)
        if called != row.called:  # a call target deployed since: pin its version now
            row.called = called
        workflow = load_state(row.blob, spec, subs, self.ctx.script_engine)
        return Live(row, workflow, definition, time.time())

    def _lock_owner_first(self, session: Session, instance_id: str,
                          business_key: str | None) -> None:
        """Run the lock hooks (see ``EmbeddedEngine.lock_business_keys_first``)."""
        if not self.ctx.lock_hooks:
            return
        key = business_key or session.scalar(select(EngineInstance.business_key).where(
            EngineInstance.id == instance_id))
        if key:
            for hook in self.ctx.lock_hooks:
                hook(session, key)

    def advance(self, session: Session, live: Live) -> None:
        """Run forward, refresh projections, save (the one path every change takes)."""
        with spiff_errors():
            stepper.run(live.wf)
        thrown = live.wf.get_events()
        self.finish_if_done(session, live)
        self.save(session, live)
        if thrown and self.dispatch is not None:
            self.dispatch(session, live, thrown)

    def finish_if_done(self, session: Session, live: Live, reason: str | None = None) -> None:
        if live.wf.completed and live.row.state in RUNNING:
            live.row.state = "COMPLETED"
            live.row.ended_at = self.ctx.now()
            live.row.delete_reason = reason
            self.ctx.emit(session, "process.completed", instance_id=live.row.id,
                          business_key=live.row.business_key, tenant=live.row.tenant)

    def save(self, session: Session, live: Live) -> None:
        with spiff_errors():
            self.projector.sync(session, live)
        row = live.row
        row.blob = dump_state(live.wf) if row.state in RUNNING else None
        try:
            session.flush()
        except StaleDataError as exc:
            raise OptimisticLocking(f"Process instance {row.id} was updated by another "
                                    "transaction concurrently") from exc

    def cancel(self, session: Session, live: Live, reason: str | None) -> None:
        """Terminate the instance: every waiting activity ends as cancelled."""
        live.wf.cancel()
        row = live.row
        row.state, row.ended_at, row.delete_reason = "TERMINATED", self.ctx.now(), reason
        close_all_open(session, live, row.ended_at, reason or "cancelled")
        row.projected = {**row.projected, "act": []}
        self.save(session, live)
        self.ctx.emit(session, "process.cancelled", instance_id=row.id,
                      business_key=row.business_key, tenant=row.tenant, reason=reason)
