"""Structural rules: ids, supported flow elements and events, flows, gateways, tasks.

Why separate from the per-element rules: these need the element's place in the
graph (its container's sequence flows, whether it starts an event sub-process),
while the others look at one element and its attributes alone.
"""

from __future__ import annotations

from collections import Counter

from lxml import etree

from bpmn.expressions import is_expression
from bpmn.lint.support import (
    IGNORED_ELEMENTS,
    JAVA_ATTRIBUTES,
    REFERENCE_ATTRIBUTES,
    RESERVED_ID_PREFIXES,
    RESERVED_ID_SUFFIXES,
    SUPPORTED_ELEMENTS,
    SUPPORTED_EVENTS,
    UNSUPPORTED_CHILDREN,
    Lint,
    LintIssue,
    Rule,
    bpmn_children,
    bpmn_tag,
    camunda_tag,
    local_name,
)
from bpmn.xml import BPMN_NS


def check_ids(root: etree._Element, lint: Lint) -> None:
    """Duplicate and reserved ids of BPMN elements (Camunda form-field ids may repeat)."""
    counts = Counter(e.get("id") for e in root.iter(f"{{{BPMN_NS}}}*") if e.get("id"))
    lint.ids = set(counts)
    for element_id, count in counts.items():
        if count > 1:
            lint.issues.append(LintIssue("error", element_id, f"id {element_id!r} is used "
                                         f"{count} times", "duplicate-id"))
        if element_id.startswith(RESERVED_ID_PREFIXES) or element_id.endswith(
                RESERVED_ID_SUFFIXES):
            lint.issues.append(LintIssue("error", element_id, f"id {element_id!r} clashes "
                                         "with a name the engine uses internally", "id-reserved"))


def walk(container: etree._Element, lint: Lint, *, event_subprocess: bool) -> None:
    """Check the flow elements of a process or sub-process, recursing into sub-processes."""
    for child in bpmn_children(container):
        name = local_name(child)
        if name in IGNORED_ELEMENTS:
            continue
        if name not in SUPPORTED_ELEMENTS:
            lint.report(child, "unsupported-element", f"{name} {child.get('id')!r} is not "
                        "supported by the CaseStudio engine")
            continue
        _check_node(child, name, lint, event_subprocess)
        if name == "subProcess":
            walk(child, lint, event_subprocess=child.get("triggeredByEvent") == "true")
    _check_flows(container, lint)


def _check_node(node: etree._Element, name: str, lint: Lint, event_subprocess: bool) -> None:
    if name in SUPPORTED_EVENTS:
        key = "eventSubProcessStart" if name == "startEvent" and event_subprocess else name
        _check_event(node, key, lint)
    rule = _NODE_RULES.get(name)
    if rule is not None:
        rule(node, lint)
    _check_multi_instance(node, lint)
    _check_references(node, lint)
    for child in bpmn_children(node):
        if local_name(child) in UNSUPPORTED_CHILDREN:
            lint.report(node, "unsupported-element", f"{local_name(child)} on {name} "
                        f"{node.get('id')!r} is not supported")


def _check_event(node: etree._Element, key: str, lint: Lint) -> None:
    kinds = [local_name(c).removesuffix("EventDefinition") for c in bpmn_children(node)
             if local_name(c).endswith("EventDefinition")]
    if len(kinds) > 1:
        lint.report(node, "unsupported-element", f"{local_name(node)} {node.get('id')!r} has "
                    "several event definitions; use one")
        return
    kind = kinds[0] if kinds else "none"
    if kind not in SUPPORTED_EVENTS[key]:
        where = "event sub-process start" if key == "eventSubProcessStart" else local_name(node)
        lint.report(node, "unsupported-element", f"{kind} {where} {node.get('id')!r} is not "
                    "supported")


def _check_references(node: etree._Element, lint: Lint) -> None:
    """Boundary hosts, default flows and message/signal/error/escalation definitions exist."""
    for element in (node, *bpmn_children(node)):
        for attribute in REFERENCE_ATTRIBUTES:
            target = (element.get(attribute) or "").rpartition(":")[2]  # QName: tns:id
            if target and target not in lint.ids:
                lint.report(node, "reference-unknown", f"{local_name(element)} "
                            f"{attribute}={element.get(attribute)!r} refers to nothing in "
                            "this file")


def _check_flows(container: etree._Element, lint: Lint) -> None:
    flows = [c for c in bpmn_children(container) if local_name(c) == "sequenceFlow"]
    outgoing: dict[str, list[etree._Element]] = {}
    for flow in flows:
        outgoing.setdefault(flow.get("sourceRef") or "", []).append(flow)
        for end in ("sourceRef", "targetRef"):
            if flow.get(end) not in lint.ids:
                lint.report(flow, "reference-unknown", f"sequence flow {flow.get('id')!r} "
                            f"{end} {flow.get(end)!r} does not exist")
    for gateway in bpmn_children(container):
        if local_name(gateway) in ("exclusiveGateway", "inclusiveGateway"):
            _check_gateway(gateway, outgoing.get(gateway.get("id") or "", []), lint)


def _check_gateway(gateway: etree._Element, flows: list[etree._Element], lint: Lint) -> None:
    if len(flows) < 2:
        return
    for flow in flows:
        condition = flow.find(bpmn_tag("conditionExpression"))
        has_condition = condition is not None and (condition.text or "").strip()
        if flow.get("id") != gateway.get("default") and not has_condition:
            lint.report(flow, "gateway-condition-missing", f"flow {flow.get('id')!r} leaves "
                        f"{local_name(gateway)} {gateway.get('id')!r} without a condition and is "
                        "not its default flow")


def _check_service(node: etree._Element, lint: Lint) -> None:
    implemented = any(node.get(camunda_tag(a)) for a in ("type", *JAVA_ATTRIBUTES))
    connector = node.find(f"{bpmn_tag('extensionElements')}/{camunda_tag('connector')}")
    if not implemented and connector is None:
        lint.report(node, "service-task-unimplemented", f"{local_name(node)} {node.get('id')!r} "
                    'needs camunda:type="external" and a camunda:topic')


def _check_business_rule(node: etree._Element, lint: Lint) -> None:
    if node.get(camunda_tag("decisionRef")):
        lint.report(node, "dmn-unsupported", f"business rule task {node.get('id')!r}: DMN "
                    'decisions are not supported; use camunda:type="external"')
    else:
        _check_service(node, lint)


def _check_script(node: etree._Element, lint: Lint) -> None:
    if not lint.allow_scripts:
        lint.report(node, "script-task-refused", f"script task {node.get('id')!r} refused: "
                    "scripts are not allowed in this deployment")
        return
    language = (node.get("scriptFormat") or "").lower()
    if language not in ("", "python") or node.get(camunda_tag("resource")):
        lint.report(node, "script-task-refused", f"script task {node.get('id')!r}: only "
                    f"inline Python-style scripts run, not {language or 'resources'}")


def _check_call(node: etree._Element, lint: Lint) -> None:
    called = node.get("calledElement")
    if not called:
        lint.report(node, "call-activity-invalid", f"call activity {node.get('id')!r} needs "
                    "a calledElement (CMMN caseRef is not supported)")
    elif not is_expression(called) and called not in lint.known_processes | lint.ids:
        lint.warn(node, "call-activity-unknown", f"call activity {node.get('id')!r} calls "
                  f"{called!r}, which is neither in this file nor deployed")


def _check_multi_instance(node: etree._Element, lint: Lint) -> None:
    loop = node.find(bpmn_tag("multiInstanceLoopCharacteristics"))
    if loop is None:
        return
    collection = loop.get(camunda_tag("collection"))
    if collection is None and loop.find(bpmn_tag("loopCardinality")) is None:
        lint.report(node, "multi-instance-invalid", f"multi-instance {node.get('id')!r} needs "
                    "camunda:collection or loopCardinality")


_NODE_RULES: dict[str, Rule] = {
    "serviceTask": _check_service, "businessRuleTask": _check_business_rule,
    "scriptTask": _check_script, "callActivity": _check_call,
}

