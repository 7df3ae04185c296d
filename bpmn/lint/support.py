"""Shared vocabulary of the BPMN lint: what is supported, the issue type, the context.

The sets are public constants so the embedded engine's parser and the studio's
palette can import and refine the same list instead of keeping their own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from lxml import etree

from bpmn.errors import ExpressionError
from bpmn.expressions import parse_expression
from bpmn.xml import BPMN_NS, CAMUNDA_NS

BUILTIN_TOPICS = ("case.set-stage", "case.set-status", "case.set-queue", "case.update",
                  "case.notify", "email.send")
#: Topic prefixes owned by the runtime's workers: unknown ones there are typos.
RESERVED_TOPIC_PREFIXES = ("case.", "email.")

#: Flow elements the embedded engine runs (local names in the BPMN namespace).
SUPPORTED_ELEMENTS = frozenset({
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent",
    "boundaryEvent", "task", "userTask", "serviceTask", "sendTask", "receiveTask",
    "manualTask", "scriptTask", "businessRuleTask", "exclusiveGateway", "parallelGateway",
    "inclusiveGateway", "eventBasedGateway", "subProcess", "callActivity",
})
#: Event definitions allowed per event element ("none" = no definition).
SUPPORTED_EVENTS: dict[str, frozenset[str]] = {
    "startEvent": frozenset({"none", "message", "timer", "signal"}),
    "eventSubProcessStart": frozenset({"message", "timer", "signal", "error", "escalation"}),
    "endEvent": frozenset({"none", "terminate", "error", "escalation", "message"}),
    "intermediateCatchEvent": frozenset({"message", "timer", "signal"}),
    "intermediateThrowEvent": frozenset({"none", "message", "signal", "escalation"}),
    "boundaryEvent": frozenset({"message", "timer", "signal", "error", "escalation"}),
}
#: Children of a process or sub-process that carry no behaviour.
IGNORED_ELEMENTS = frozenset({
    "documentation", "extensionElements", "laneSet", "textAnnotation", "association",
    "group", "dataObject", "dataObjectReference", "dataStoreReference", "ioSpecification",
    "property", "sequenceFlow",
    # children of a sub-process as an activity, checked with the sub-process itself
    "incoming", "outgoing", "multiInstanceLoopCharacteristics", "standardLoopCharacteristics",
    "dataInputAssociation", "dataOutputAssociation", "potentialOwner", "humanPerformer",
    "performer",
})
#: Children of activities whose meaning would silently be lost.
UNSUPPORTED_CHILDREN = frozenset({
    "standardLoopCharacteristics", "potentialOwner", "humanPerformer", "performer",
})
#: Ids that clash with names SpiffWorkflow derives for its own specs (Start/End are renamed).
RESERVED_ID_PREFIXES = ("cs__",)
RESERVED_ID_SUFFIXES = (".BoundaryEventSplit", ".BoundaryEventJoin", ".EndJoin")
#: Attributes (local names) whose ``${...}`` value is evaluated by the engine.
EXPRESSION_ATTRIBUTES = frozenset({
    "assignee", "candidateUsers", "candidateGroups", "dueDate", "followUpDate", "priority",
    "taskPriority", "calledElement", "collection", "businessKey", "sourceExpression",
})
#: Attributes of flow elements and their event definitions that hold another element's id.
REFERENCE_ATTRIBUTES = ("attachedToRef", "default", "messageRef", "signalRef", "errorRef",
                        "escalationRef")
#: camunda:* attributes that name Java code (classes, beans, JUEL method calls).
JAVA_ATTRIBUTES = ("class", "delegateExpression", "expression")

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class LintIssue:
    """One finding; ``element_id`` is the flow element to highlight (None: the document)."""

    severity: Severity
    element_id: str | None
    message: str
    code: str


@dataclass
class Lint:
    """The options of one lint run and the issues found so far; rules append to it."""

    form_keys: frozenset[str]
    builtin_topics: frozenset[str]
    allow_scripts: bool
    known_processes: frozenset[str]
    ids: set[str] = field(default_factory=set)
    issues: list[LintIssue] = field(default_factory=list)

    def report(self, element: etree._Element | None, code: str, message: str,
               severity: Severity = "error") -> None:
        self.issues.append(LintIssue(severity, owner_id(element), message, code))

    def warn(self, element: etree._Element, code: str, message: str) -> None:
        self.report(element, code, message, "warning")

    def expression(self, element: etree._Element, text: str, what: str,
                   code: str = "expression-invalid") -> None:
        """Report ``text`` unless the sandboxed evaluator accepts it (parsed, not run)."""
        try:
            parse_expression(text.strip())
        except ExpressionError as exc:
            self.report(element, code, f"invalid {what}: {exc.message}: {text.strip()!r}")


Rule = Callable[[etree._Element, "Lint"], None]


def bpmn_tag(local: str) -> str:
    return f"{{{BPMN_NS}}}{local}"


def camunda_tag(local: str) -> str:
    return f"{{{CAMUNDA_NS}}}{local}"


def local_name(element: etree._Element) -> str:
    return etree.QName(element).localname


def bpmn_children(element: etree._Element) -> list[etree._Element]:
    """Child elements in the BPMN namespace (comments and extensions skipped)."""
    return [c for c in element if isinstance(c.tag, str) and c.tag.startswith(f"{{{BPMN_NS}}}")]


def owner_id(element: etree._Element | None) -> str | None:
    """The id of the flow element (or process) containing ``element``."""
    containers = {bpmn_tag(n) for n in ("process", "subProcess", "transaction", "adHocSubProcess")}
    node = element
    while node is not None:
        parent = node.getparent()
        if node.get("id") and (parent is None or parent.tag in containers
                               or node.tag in containers):
            return node.get("id")
        node = parent
    return element.get("id") if element is not None else None


