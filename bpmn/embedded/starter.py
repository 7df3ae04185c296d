"""Starting instances: plainly, or through a message, signal or timer start event.

Why one path: whatever triggers it, a new instance is created, run until its
start events wait, then the triggering event is delivered and the instance is
run on — so a process with several start events behaves the same whichever
one fires, and start variables are process variables from the first step.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from SpiffWorkflow.bpmn.specs.defaults import StartEvent
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy.orm import Session

from bpmn.embedded.projector import Live
from bpmn.embedded.runner import Runner
from bpmn.engine_errors import BadUserRequest, EngineError, ProcessEngineError
from bpmn.spiff.inspect import event_definitions
from bpmn.spiff.specs import EngineMessageEventDefinition, EngineTimer
from models.engine import EngineDefinition


class Starter:
    """See module docstring."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner

    def start(self, session: Session, definition: EngineDefinition, business_key: str | None,
              variables: Mapping[str, Any] | None, *, via: str = "none",
              event_name: str | None = None) -> Live:
        """``via``: none | message | signal | timer (``event_name`` names the message/signal)."""
        kinds = {kind for _, kind, _ in definition.start_kinds}
        if via not in kinds:
            raise BadUserRequest(f"Cannot instantiate process definition {definition.id}: it "
                                 f"has no {via} start event")
        if definition.suspended:  # Camunda's SuspendedEntityInteractionException, via REST
            raise EngineError(f"Cannot instantiate process definition {definition.id}: "
                              f"Process Definition with id '{definition.id}' is suspended.",
                              type="RestException")
        live = self.runner.create(session, definition, business_key, variables)
        if via != "none":
            self._run(live)
            self._trigger(live, via, event_name)
        self.runner.advance(session, live)
        return live

    def _run(self, live: Live) -> None:
        """Run up to the start events, and drop none start events: another one fires."""
        try:
            _run_to_start_events(live.wf)
        except SpiffWorkflowException as exc:
            raise ProcessEngineError(str(exc)) from exc

    def _trigger(self, live: Live, via: str, name: str | None) -> None:
        if via == "message":
            catch(live.wf, BpmnEvent(EngineMessageEventDefinition(name), payload={}))
        elif via == "signal":
            catch(live.wf, BpmnEvent(SignalEventDefinition(name), payload={}))
        else:
            fire_start_timers(live.wf)


def _run_to_start_events(workflow: Any) -> None:
    ran = True
    while ran:
        ran = False
        for task in workflow.get_tasks(state=TaskState.READY):
            if not isinstance(task.task_spec, StartEvent):
                task.run()
                ran = True
    for task in workflow.get_tasks(state=TaskState.READY):
        if isinstance(task.task_spec, StartEvent) and task.workflow is workflow:
            task.cancel()


def catch(workflow: Any, event: BpmnEvent) -> int:
    """Deliver an event from outside; never queues it as thrown when nobody waits."""
    return int(workflow.event_manager.catch(event, internal=False))


def fire_start_timers(workflow: Any) -> None:
    """Mark the waiting top-level timer start events of a fresh instance as fired."""
    for task in workflow.get_tasks(state=TaskState.WAITING):
        if task.task_spec not in workflow.spec.bpmn_start_events:
            continue
        for definition in event_definitions(task):
            if isinstance(definition, EngineTimer):
                definition.fire(task, last=True)  # repetitions belong to the start job
                task.task_spec._update(task)
