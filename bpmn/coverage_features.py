"""Which BPMN elements and Camunda extensions a document uses, and what CaseStudio does with each.

Why a census of features: the coverage table lists, per element or
extension, how many corpus files use it, how many of those deploy and how
many run to their end — the evidence behind "supported". The support
statement itself comes from the lint's vocabulary (`bpmn.lint`), the single
source of what the engine runs, so the table cannot drift from the rules.
"""

from __future__ import annotations

from lxml import etree

from bpmn.errors import XmlError
from bpmn.lint import (
    IGNORED_ELEMENTS,
    JAVA_ATTRIBUTES,
    SUPPORTED_ELEMENTS,
    SUPPORTED_EVENTS,
    UNSUPPORTED_CHILDREN,
)
from bpmn.xml import BPMN_NS, CAMUNDA_NS, normalize_namespaces, parse_xml

_BPMN = f"{{{BPMN_NS}}}"
_CAMUNDA = f"{{{CAMUNDA_NS}}}"
#: Camunda extensions worth a row, with what CaseStudio does with them.
_INCIDENT = "deploys; raises an incident naming it when reached (topic casestudio.unsupported)"
EXTENSIONS = {
    "camunda:type=external": "runs (fetch-and-lock external tasks)",
    "camunda:class": f"Java delegate: {_INCIDENT}; bundles: refused",
    "camunda:delegateExpression": f"Java delegate: {_INCIDENT}; bundles: refused",
    "camunda:expression": f"JUEL bean call: {_INCIDENT}; bundles: refused",
    "camunda:executionListener": "ignored (Java code; lint warning); bundles: refused",
    "camunda:taskListener": "ignored (Java code; lint warning); bundles: refused",
    "camunda:connector": f"Java plug-in: {_INCIDENT}; bundles: refused",
    "camunda:inputOutput": "runs (script parameters: the element raises an incident)",
    "camunda:in/out": "runs (call activity variable mappings)",
    "camunda:formKey": "runs (form:<key> rendered; other keys kept for Camunda clients)",
    "camunda:formData": "kept (Camunda generated forms are not rendered)",
    "camunda:asyncBefore/After": "runs (async continuations as jobs)",
    "camunda:decisionRef": f"DMN: {_INCIDENT}; bundles: refused",
}
#: What ``/engine-rest`` (Camunda mode, `bpmn.spiff.lenient`) does where the lint's
#: vocabulary (the strict bundle rules) says "refused".
CAMUNDA_MODE = {
    "link intermediateThrowEvent": "runs (rewritten to the sequence flow it stands for)",
    "link intermediateCatchEvent": "runs (rewritten to the sequence flow it stands for)",
    "compensate boundaryEvent": "ignored with its handler (compensation is not run)",
    "compensate intermediateThrowEvent": f"{_INCIDENT}",
    "compensate endEvent": f"{_INCIDENT}",
    "conditional boundaryEvent": "deploys (Spiff's conditional events; bundles: refused)",
    "conditional startEvent": "deploys (Spiff's conditional events; bundles: refused)",
    "cancel boundaryEvent": "runs (transactions)", "cancel endEvent": "runs (transactions)",
    "transaction": "runs (as an embedded sub-process; cancel end events cancel it)",
    "humanPerformer": "ignored (lint warning); use camunda:assignee/candidate*",
    "potentialOwner": "ignored (lint warning); use camunda:assignee/candidate*",
    "dataStoreReference": "ignored (no behaviour, as in Camunda)",
}
_EVENT_ELEMENTS = frozenset(SUPPORTED_EVENTS) - {"eventSubProcessStart"}
_NOTES = {"scriptTask": f"runs where scripts are allowed (sandboxed Python); else {_INCIDENT}",
          "serviceTask": f"runs as an external task (camunda:type=\"external\"); else {_INCIDENT}",
          "businessRuleTask": f"runs as an external task; DMN: {_INCIDENT}",
          "sendTask": "runs (message to a waiting process or start event)"}


def features(data: bytes) -> set[str]:
    """Element and extension names used inside the executable processes of ``data``."""
    try:
        root = normalize_namespaces(parse_xml(data))
    except XmlError:
        return set()
    found: set[str] = set()
    for process in root.iter(f"{_BPMN}process"):
        for element in process.iter(tag=etree.Element):
            found |= _element_features(element)
    return found


def _element_features(element: etree._Element) -> set[str]:
    tag = element.tag
    if tag.startswith(_BPMN):
        return _bpmn_feature(element, tag[len(_BPMN):])
    if tag.startswith(_CAMUNDA):
        local = tag[len(_CAMUNDA):]
        named = {"in": "camunda:in/out", "out": "camunda:in/out"}.get(local, f"camunda:{local}")
        return {named} if named in EXTENSIONS else set()
    return set()


def _bpmn_feature(element: etree._Element, local: str) -> set[str]:
    out = set(_attribute_features(element))
    if local in _EVENT_ELEMENTS:
        kinds = [etree.QName(c).localname.removesuffix("EventDefinition") for c in element
                 if isinstance(c.tag, str) and c.tag.endswith("EventDefinition")]
        out.add(f"{kinds[0] if kinds else 'none'} {local}")
    elif local.endswith("LoopCharacteristics"):
        sequential = element.get("isSequential") == "true"
        out.add(f"{local} ({'sequential' if sequential else 'parallel'})"
                if local.startswith("multi") else local)
    elif local not in _PARTS and not local.endswith("EventDefinition"):
        out.add(local)
    return out


#: Parts of other elements (or mere wiring), not features of their own.
_PARTS = frozenset({
    "conditionExpression", "script", "timeDuration", "timeDate", "timeCycle",
    "loopCardinality", "completionCondition", "text", "dataInput", "dataOutput", "inputSet",
    "outputSet", "sourceRef", "targetRef", "resourceAssignmentExpression", "formalExpression",
    "lane", "flowNodeRef", "childLaneSet", "assignment", "from", "to", "dataInputRefs",
    "dataOutputRefs", "laneSet", "extensionElements", "incoming", "outgoing",
    "documentation", "sequenceFlow", "loopDataInputRef", "inputDataItem",
    "loopDataOutputRef", "outputDataItem", "dataInputAssociation", "dataOutputAssociation",
    "association", "textAnnotation", "property", "process", "condition"})


def _attribute_features(element: etree._Element) -> list[str]:
    out = [f"camunda:{name}" for name in (*JAVA_ATTRIBUTES, "decisionRef", "formKey")
           if element.get(f"{_CAMUNDA}{name}")]
    if element.get(f"{_CAMUNDA}type") == "external":
        out.append("camunda:type=external")
    if element.get(f"{_CAMUNDA}asyncBefore") == "true" or element.get(
            f"{_CAMUNDA}asyncAfter") == "true":
        out.append("camunda:asyncBefore/After")
    return out


def support(feature: str) -> str:
    """What ``/engine-rest`` does with ``feature`` (the lint's vocabulary, Camunda mode)."""
    if feature in CAMUNDA_MODE:
        return CAMUNDA_MODE[feature]
    if feature in EXTENSIONS:
        return EXTENSIONS[feature]
    kind, _, element = feature.partition(" ")
    if element in SUPPORTED_EVENTS:
        allowed = SUPPORTED_EVENTS[element] | (
            SUPPORTED_EVENTS["eventSubProcessStart"] if element == "startEvent" else set())
        return "runs" if kind in allowed else "refused: event kind not supported"
    if feature.startswith("multiInstanceLoopCharacteristics"):
        return "runs"
    if feature in UNSUPPORTED_CHILDREN:
        return "refused: its meaning would be lost; use camunda:assignee/candidate* or loops"
    if feature in SUPPORTED_ELEMENTS:
        return _NOTES.get(feature, "runs")
    if feature in IGNORED_ELEMENTS:
        return "ignored (no behaviour)"
    return "refused: element not supported"
