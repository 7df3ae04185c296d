"""CamundaParser subclasses so every ``camunda:*`` setting reaches the Spiff spec.

The mixins doing the reading live in `bpmn.spiff.extensions`.

Why: SpiffWorkflow 3.2's CamundaParser reads only ``camunda:formKey`` and
properties (FACTS.md). Our parsers copy every ``camunda:`` attribute of an
element (assignee, candidateUsers/Groups, type, topic, dueDate, followUpDate,
priority, taskPriority, asyncBefore/After, ...), ``camunda:inputOutput``,
``camunda:in``/``camunda:out`` and properties into ``spec.extensions`` as plain
JSON, and build our Camunda-semantics specs (`bpmn.spiff.specs`).
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser
from SpiffWorkflow.bpmn.parser.event_parsers import (
    BoundaryEventParser,
    EndEventParser,
    EventBasedGatewayParser,
    IntermediateCatchEventParser,
    IntermediateThrowEventParser,
    ReceiveTaskParser,
    SendTaskParser,
    StartEventParser,
)
from SpiffWorkflow.bpmn.parser.task_parsers import (
    ConditionalGatewayParser,
    GatewayParser,
    SubprocessParser,
)
from SpiffWorkflow.bpmn.parser.TaskParser import TaskParser
from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.specs.defaults import (
    BoundaryEvent,
    EndEvent,
    EventBasedGateway,
    EventSubprocess,
    ExclusiveGateway,
    InclusiveGateway,
    IntermediateCatchEvent,
    IntermediateThrowEvent,
    ManualTask,
    NoneTask,
    ParallelGateway,
    ReceiveTask,
    ScriptTask,
    SendTask,
    StartEvent,
    SubWorkflowTask,
    TransactionSubprocess,
)
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.camunda.parser.task_spec import ScriptTaskParser as _CamundaScriptParser
from SpiffWorkflow.camunda.parser.task_spec import UserTaskParser as _CamundaUserTaskParser
from SpiffWorkflow.camunda.specs.user_task import UserTask

from bpmn.spiff.extensions import CamundaExtensions, EventDefinitions
from bpmn.spiff.specs import CamundaCallActivity, ExternalServiceTask


def _is_external(parser: Any) -> bool:
    return parser.parse_extensions().get("type") == "external"


class TaskP(CamundaExtensions, TaskParser):
    pass


class UserTaskP(CamundaExtensions, _CamundaUserTaskParser):
    pass


class ScriptTaskP(CamundaExtensions, _CamundaScriptParser):
    pass


class ExternalTaskP(CamundaExtensions, TaskParser):
    """serviceTask / businessRuleTask: only ``camunda:type="external"`` can run here."""

    def create_task(self) -> Any:
        if not _is_external(self):
            self.raise_validation_exception(
                'Only external tasks are supported here: set camunda:type="external" '
                "and camunda:topic")
        return ExternalServiceTask(self.spec, self.bpmn_id, **self.bpmn_attributes)


class SubProcessP(CamundaExtensions, TaskParser):
    def create_task(self) -> Any:
        subworkflow_spec = SubprocessParser.get_subprocess_spec(self)
        cls = EventSubprocess if self.node.get("triggeredByEvent") == "true" else SubWorkflowTask
        return cls(self.spec, self.bpmn_id, subworkflow_spec=subworkflow_spec,
                   **self.bpmn_attributes)


class TransactionP(CamundaExtensions, TaskParser):
    """A transaction runs like an embedded sub-process; its cancel end event cancels it."""

    def create_task(self) -> Any:
        subworkflow_spec = SubprocessParser.get_subprocess_spec(self)
        return TransactionSubprocess(self.spec, self.bpmn_id, subworkflow_spec=subworkflow_spec,
                                     **self.bpmn_attributes)


class CallActivityP(CamundaExtensions, TaskParser):
    def create_task(self) -> Any:
        called = SubprocessParser.get_call_activity_spec(self)
        return CamundaCallActivity(self.spec, self.bpmn_id, subworkflow_spec=called,
                                   **self.bpmn_attributes)


class GatewayP(CamundaExtensions, GatewayParser):
    pass


class ConditionalGatewayP(CamundaExtensions, ConditionalGatewayParser):
    pass


class StartP(CamundaExtensions, EventDefinitions, StartEventParser):
    def parse_extensions(self, node: Any = None) -> dict[str, Any]:
        ext = super().parse_extensions(node)
        ext["isInterrupting"] = self.node.get("isInterrupting", "true")
        return ext


class EndP(CamundaExtensions, EventDefinitions, EndEventParser):
    def create_task(self) -> Any:
        if not _is_external(self):
            return super().create_task()
        task = ExternalServiceTask(self.spec, self.bpmn_id, **self.bpmn_attributes)
        task.connect(self.spec.end)
        return task


class CatchP(CamundaExtensions, EventDefinitions, IntermediateCatchEventParser):
    pass


class ThrowP(CamundaExtensions, EventDefinitions, IntermediateThrowEventParser):
    def create_task(self) -> Any:
        if _is_external(self):
            return ExternalServiceTask(self.spec, self.bpmn_id, **self.bpmn_attributes)
        return super().create_task()


class SendP(CamundaExtensions, EventDefinitions, SendTaskParser):
    def create_task(self) -> Any:
        if _is_external(self):
            return ExternalServiceTask(self.spec, self.bpmn_id, **self.bpmn_attributes)
        return super().create_task()


class ReceiveP(CamundaExtensions, EventDefinitions, ReceiveTaskParser):
    pass


class BoundaryP(CamundaExtensions, EventDefinitions, BoundaryEventParser):
    pass


class EventGatewayP(CamundaExtensions, EventDefinitions, EventBasedGatewayParser):
    pass


class EngineParser(CamundaParser):
    """The parser the embedded engine uses for every deployment."""

    OVERRIDE_PARSER_CLASSES = {
        full_tag("userTask"): (UserTaskP, UserTask),
        full_tag("serviceTask"): (ExternalTaskP, ExternalServiceTask),
        full_tag("businessRuleTask"): (ExternalTaskP, ExternalServiceTask),
        full_tag("sendTask"): (SendP, SendTask),
        full_tag("receiveTask"): (ReceiveP, ReceiveTask),
        full_tag("manualTask"): (TaskP, ManualTask),
        full_tag("task"): (TaskP, NoneTask),
        full_tag("scriptTask"): (ScriptTaskP, ScriptTask),
        full_tag("subProcess"): (SubProcessP, SubWorkflowTask),
        full_tag("callActivity"): (CallActivityP, CamundaCallActivity),
        full_tag("transaction"): (TransactionP, TransactionSubprocess),
        full_tag("exclusiveGateway"): (ConditionalGatewayP, ExclusiveGateway),
        full_tag("inclusiveGateway"): (ConditionalGatewayP, InclusiveGateway),
        full_tag("parallelGateway"): (GatewayP, ParallelGateway),
        full_tag("eventBasedGateway"): (EventGatewayP, EventBasedGateway),
        full_tag("startEvent"): (StartP, StartEvent),
        full_tag("endEvent"): (EndP, EndEvent),
        full_tag("intermediateCatchEvent"): (CatchP, IntermediateCatchEvent),
        full_tag("intermediateThrowEvent"): (ThrowP, IntermediateThrowEvent),
        full_tag("boundaryEvent"): (BoundaryP, BoundaryEvent),
    }

    def _find_dependencies(self, process: Any) -> None:
        """Call activities only: DMN decisions are refused before parsing (lint)."""
        BpmnParser._find_dependencies(self, process)

    def _get_parser_class(self, tag: str) -> tuple[Any, Any]:
        """Only our own mapping: anything else (transaction, ad hoc...) is unsupported."""
        return self.OVERRIDE_PARSER_CLASSES.get(tag, (None, None))
