"""Message correlation, signals, and events thrown by running processes.

Why subscriptions: correlating by name + business key / instance / variable
values is a query over the subscription projection, so only the instances
that really wait are loaded. Like Camunda, a message goes to one waiting
execution (or, failing that, starts one instance at a message start event);
``all=True`` delivers it to every match; no match is an error. Signals are
broadcast to every waiting instance and signal start event.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.util import BpmnEvent
from sqlalchemy import select
from sqlalchemy.orm import Session

from bpmn.embedded.context import EngineContext
from bpmn.embedded.projector import Live
from bpmn.embedded.repository import Repository
from bpmn.embedded.runner import Runner, instance_value
from bpmn.embedded.starter import Starter, catch
from bpmn.engine_errors import MismatchingMessageCorrelation
from bpmn.engine_types import CorrelationResult
from bpmn.spiff.inspect import set_process_variables
from bpmn.spiff.specs import EngineMessageEventDefinition
from models.engine import EngineDefinition, EngineSubscription, EngineVariable

MAX_DEPTH = 16


class Messages:
    """See module docstring."""

    def __init__(self, ctx: EngineContext, repository: Repository, runner: Runner,
                 starter: Starter) -> None:
        self.ctx = ctx
        self.repository = repository
        self.runner = runner
        self.starter = starter
        self._local = threading.local()
        runner.dispatch = self.dispatch

    def correlate(self, session: Session, name: str, *, business_key: str | None,
                  instance_id: str | None, correlation_keys: Mapping[str, Any] | None,
                  variables: Mapping[str, Any] | None, all: bool,
                  tenant: str | None) -> list[CorrelationResult]:
        waiting = self._waiting(session, "message", name, business_key, instance_id, tenant)
        waiting = [i for i in waiting if self._matches(session, i, correlation_keys)]
        if len(waiting) > 1 and not all:
            raise MismatchingMessageCorrelation(
                f"Cannot correlate a message '{name}' to a single execution. {len(waiting)} "
                "executions match the correlation keys")
        if waiting:
            return [self._deliver(session, i, name, variables) for i in waiting]
        starts = [] if instance_id is not None else self._starts(session, "message", name, tenant)
        if len(starts) > 1 and not all:
            raise MismatchingMessageCorrelation(
                f"Cannot correlate a message '{name}': {len(starts)} process definitions match")
        if not starts:
            raise MismatchingMessageCorrelation(
                f"Cannot correlate message '{name}': No process definition or execution matches "
                "the parameters")
        return [self._start(session, sub, business_key, variables) for sub in starts]

    def signal(self, session: Session, name: str, variables: Mapping[str, Any] | None,
               tenant: str | None) -> None:
        for instance_id in self._waiting(session, "signal", name, None, None, tenant):
            live = self.runner.load(session, instance_id)
            catch(live.wf, BpmnEvent(SignalEventDefinition(name), payload=dict(variables or {})))
            self.runner.advance(session, live)
        for sub in self._starts(session, "signal", name, tenant):
            definition = self.repository.get(session, sub.definition_id)
            self.starter.start(session, definition, None, variables, via="signal",
                               event_name=name)

    def _waiting(self, session: Session, kind: str, name: str, business_key: str | None,
                 instance_id: str | None, tenant: str | None) -> list[str]:
        table = EngineSubscription
        stmt = select(table.instance_id).where(table.event_type == kind, table.event_name == name,
                                               table.instance_id.is_not(None))
        for column, value in ((table.business_key, business_key), (table.tenant, tenant),
                              (table.instance_id, instance_id)):
            if value is not None:
                stmt = stmt.where(column == value)
        ids = session.scalars(stmt.order_by(table.id)).all()
        return list(dict.fromkeys(i for i in ids if i is not None))

    def _starts(self, session: Session, kind: str, name: str,
                tenant: str | None) -> list[EngineSubscription]:
        table = EngineSubscription
        stmt = select(table).where(table.event_type == kind, table.event_name == name,
                                   table.instance_id.is_(None),
                                   table.definition_id.not_in(  # suspended: no starts
                                       select(EngineDefinition.id).where(
                                           EngineDefinition.suspended.is_(True))))
        if tenant is not None:
            stmt = stmt.where(table.tenant == tenant)
        return list(session.scalars(stmt.order_by(table.id)))

    def _matches(self, session: Session, instance_id: str,
                 keys: Mapping[str, Any] | None) -> bool:
        if not keys:
            return True
        rows = session.execute(select(EngineVariable.name, EngineVariable.value).where(
            EngineVariable.instance_id == instance_id, EngineVariable.name.in_(list(keys))))
        values = {name: value for name, value in rows}
        return all(name in values and values[name] == value for name, value in keys.items())

    def _deliver(self, session: Session, instance_id: str, name: str,
                 variables: Mapping[str, Any] | None) -> CorrelationResult:
        live = self.runner.load(session, instance_id)
        set_process_variables(live.wf, dict(variables or {}))
        if catch(live.wf, BpmnEvent(EngineMessageEventDefinition(name), payload={})) == 0:
            raise MismatchingMessageCorrelation(
                f"Cannot correlate message '{name}': instance {instance_id} is not waiting")
        self.runner.advance(session, live)
        self.ctx.emit(session, "message.correlated", instance_id=instance_id,
                      business_key=live.row.business_key, tenant=live.row.tenant, message=name)
        return CorrelationResult("Execution", instance_value(live.row))

    def _start(self, session: Session, sub: EngineSubscription, business_key: str | None,
               variables: Mapping[str, Any] | None) -> CorrelationResult:
        definition = self.repository.get(session, sub.definition_id)
        live = self.starter.start(session, definition, business_key, variables, via="message",
                                  event_name=sub.event_name)
        return CorrelationResult("ProcessDefinition", instance_value(live.row),
                                 activity_id=sub.activity_id)

    def dispatch(self, session: Session, live: Live, events: list[Any]) -> None:
        """Messages/signals a process threw that nothing inside it caught."""
        depth = getattr(self._local, "depth", 0)
        if depth >= MAX_DEPTH:
            return
        self._local.depth = depth + 1
        try:
            for event in events:
                self._dispatch_one(session, live, event.event_definition)
        finally:
            self._local.depth = depth

    def _dispatch_one(self, session: Session, live: Live, definition: Any) -> None:
        row = live.row
        if isinstance(definition, SignalEventDefinition):
            self.signal(session, definition.name, None, row.tenant)
        elif isinstance(definition, MessageEventDefinition):
            targets = ([] if row.business_key is None else
                       self._waiting(session, "message", definition.name, row.business_key, None,
                                     row.tenant))
            for instance_id in [i for i in targets if i != row.id]:
                self._deliver(session, instance_id, definition.name, None)
            if not targets:
                for sub in self._starts(session, "message", definition.name, row.tenant):
                    self._start(session, sub, row.business_key, None)
