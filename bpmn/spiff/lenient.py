"""Rewriting Camunda BPMN the embedded engine cannot run into BPMN it can.

Why a rewrite of the XML before Spiff parses it: Camunda deploys any valid
BPMN and leaves what an element does to run time, and a Camunda user moving
to CaseStudio expects the same files to deploy. Elements whose
implementation is Java (``camunda:class``, ``delegateExpression``,
``expression``, connectors, DMN ``decisionRef``), scripts the engine may not
run, and call activities without a target become external tasks on the
reserved topic `UNSUPPORTED_TOPIC`: when an instance reaches one, the engine
opens an incident naming the element and the reason (see
`bpmn.embedded.unsupported`). Everything else is rewritten to its exact
meaning: data stores and data objects are dropped (no behaviour in Camunda
7 either), ``loopDataInputRef``/``inputDataItem`` become
``camunda:collection``/``camunda:elementVariable``, link events become the
sequence flow they stand for, and sub-processes without an end event get
an implicit one (Camunda ends a scope when its last token has nowhere to go).

The rewrite depends only on the XML and ``allow_scripts``, so a definition
recompiled after a restart gets the same specs. Whether the substitutions
are acceptable is the deploy's decision: the strict (bundle) deploy refuses
any, the ``camunda`` deploy accepts them (`Rewrite.unsupported`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from bpmn.xml import BPMN_NS, CAMUNDA_NS

UNSUPPORTED_TOPIC = "casestudio.unsupported"
#: The ``camunda:property`` carrying the reason to the external task row.
REASON_PROPERTY = "casestudio.unsupported"
_B = f"{{{BPMN_NS}}}"
_C = f"{{{CAMUNDA_NS}}}"
_JAVA = ("class", "delegateExpression", "expression")
_CODE_TASKS = frozenset({"serviceTask", "businessRuleTask", "sendTask"})
_THROWS = frozenset({"endEvent", "intermediateThrowEvent"})
_ACTIVITIES = frozenset({"task", "userTask", "serviceTask", "sendTask", "receiveTask",
                         "manualTask", "scriptTask", "businessRuleTask", "callActivity",
                         "subProcess", "transaction"})
_PYTHON = frozenset({"", "python", "py"})
#: Data elements with no behaviour in the engine (Camunda 7 ignores them too).
_DATA = ("dataStoreReference", "dataObject", "dataObjectReference", "dataInputAssociation",
         "dataOutputAssociation", "ioSpecification", "property")
_SCOPES = ("process", "subProcess", "transaction")


@dataclass
class Rewrite:
    """What the rewrite changed: element id -> reason it cannot run (an incident later)."""

    unsupported: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)


def local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def rewrite(root: etree._Element, *, allow_scripts: bool) -> Rewrite:
    """Rewrite ``root`` (namespaces normalized) in place; see module docstring."""
    result = Rewrite()
    _drop_data(root, result)
    for process in root.iter(f"{_B}process"):
        _map_loops(process)
        _link_events(process, result)
        _drop_compensation_handlers(process, result)
        _implicit_splits(process, result)
        for element in list(process.iter(tag=etree.Element)):
            reason = _reason(element, allow_scripts)
            if reason:
                _make_unsupported(element, reason)
                result.unsupported[element.get("id") or "?"] = reason
            else:
                _drop_scripted_parameters(element, result)
        for scope in [process, *process.iter(f"{_B}subProcess", f"{_B}transaction")]:
            _implicit_end(scope, result)
    return result


# -- what cannot run -------------------------------------------------------------
def _reason(element: etree._Element, allow_scripts: bool) -> str | None:
    kind = local(element)
    code = kind in _CODE_TASKS or (kind in _THROWS and _message(element) is not None)
    reason = _code_reason(element, kind) if code else None
    if reason:
        return reason
    if kind in _THROWS and element.find(f"{_B}compensateEventDefinition") is not None:
        return "compensation is not supported"
    if kind == "scriptTask":
        return _script_reason(element, allow_scripts)
    if kind == "callActivity" and not (element.get("calledElement") or "").strip():
        return "the call activity has no calledElement (case references are not supported)"
    if kind in _ACTIVITIES and _scripted_parameters(element):
        names = ", ".join(repr(p.get("name")) for p in _scripted_parameters(element))
        return f"input/output parameter {names} is a script"
    collection = _loop_collection(element)
    if collection is not None:
        return f"camunda:collection {collection!r} is not a variable name"
    return None


def _code_reason(element: etree._Element, kind: str) -> str | None:
    holders = [element, *([_message(element)] if kind in _THROWS else [])]
    for holder in holders:
        if holder is None:
            continue
        if holder.get(f"{_C}type") == "external":
            return None
        for attribute in _JAVA:
            value = holder.get(f"{_C}{attribute}")
            if value:
                return f"camunda:{attribute} {value!r} is Java code"
        if holder.get(f"{_C}decisionRef"):
            return f"DMN decision {holder.get(f'{_C}decisionRef')!r} is not evaluated"
        if holder.get(f"{_C}type"):
            return f"camunda:type {holder.get(f'{_C}type')!r} is a Java plug-in"
    connector = element.find(f"{_B}extensionElements/{_C}connector/{_C}connectorId")
    if connector is not None:
        return f"Camunda connector {(connector.text or '').strip()!r} is a Java plug-in"
    if kind in ("serviceTask", "businessRuleTask"):
        return "no implementation (camunda:type=\"external\", class or expression)"
    return None


def _script_reason(element: etree._Element, allow_scripts: bool) -> str | None:
    language = (element.get("scriptFormat") or "").strip().lower()
    script = element.find(f"{_B}script")
    if element.get(f"{_C}resource"):
        return f"the script is an external resource ({element.get(f'{_C}resource')!r})"
    if not allow_scripts:
        return "script tasks are not allowed on this engine"
    if language not in _PYTHON:
        return f"scriptFormat {language!r} cannot run (only sandboxed Python scripts)"
    if script is None or not (script.text or "").strip():
        return "the script task has no script"
    return None


def _message(element: etree._Element) -> etree._Element | None:
    return element.find(f"{_B}messageEventDefinition")


def _scripted_parameters(element: etree._Element) -> list[etree._Element]:
    io = element.find(f"{_B}extensionElements/{_C}inputOutput")
    return [] if io is None else [p for p in io if p.find(f".//{_C}script") is not None]


def _loop_collection(element: etree._Element) -> str | None:
    loop = element.find(f"{_B}multiInstanceLoopCharacteristics")
    collection = None if loop is None else loop.get(f"{_C}collection")
    if collection is None:
        return None
    text = collection.strip()
    inner = text[2:-1].strip() if text.startswith(("${", "#{")) and text.endswith("}") else text
    return None if inner.isidentifier() else collection


# -- the substitution ------------------------------------------------------------
def _make_unsupported(element: etree._Element, reason: str) -> None:
    """Turn ``element`` into an external task on the reserved topic carrying ``reason``."""
    kind = local(element)
    if kind not in _CODE_TASKS | _THROWS:
        for child in element.findall(f"{_B}script"):
            element.remove(child)
        loop = element.find(f"{_B}multiInstanceLoopCharacteristics")
        if loop is not None and _loop_collection(element) is not None:
            element.remove(loop)
        element.tag = f"{_B}serviceTask"
    for attribute in (*_JAVA, "decisionRef", "resultVariable", "resource"):
        element.attrib.pop(f"{_C}{attribute}", None)
    element.set(f"{_C}type", "external")
    element.set(f"{_C}topic", UNSUPPORTED_TOPIC)
    for parameter in _scripted_parameters(element):
        parameter.getparent().remove(parameter)
    _set_property(element, REASON_PROPERTY, f"{kind} {element.get('id')!r}: {reason}")


def _set_property(element: etree._Element, name: str, value: str) -> None:
    extensions = element.find(f"{_B}extensionElements")
    if extensions is None:
        extensions = etree.Element(f"{_B}extensionElements")
        element.insert(0, extensions)
    properties = extensions.find(f"{_C}properties")
    if properties is None:
        properties = etree.SubElement(extensions, f"{_C}properties")
    etree.SubElement(properties, f"{_C}property", name=name, value=value)


def _drop_scripted_parameters(element: etree._Element, result: Rewrite) -> None:
    """Events and gateways keep running; a script mapping on them is dropped (noted)."""
    for parameter in _scripted_parameters(element):
        parameter.getparent().remove(parameter)
        result.ignored.append(f"{element.get('id')}: scripted parameter "
                              f"{parameter.get('name')!r} ignored")


# -- exact rewrites --------------------------------------------------------------
def _drop_data(root: etree._Element, result: Rewrite) -> None:
    for process in root.iter(f"{_B}process", f"{_B}subProcess", f"{_B}transaction"):
        for element in process.iter(*(f"{_B}{name}" for name in _DATA)):
            if element.getparent() is not None and _droppable(element):
                element.getparent().remove(element)
    for store in root.findall(f"{_B}dataStore"):
        root.remove(store)
        result.ignored.append(f"{store.get('id')}: data store ignored")


def _droppable(element: etree._Element) -> bool:
    """``property`` is only a data element directly under a process or activity."""
    if local(element) != "property":
        return True
    parent = element.getparent()
    return parent is not None and parent.tag.startswith(_B)


def _map_loops(process: etree._Element) -> None:
    """``loopDataInputRef``/``inputDataItem`` -> ``camunda:collection``/``elementVariable``."""
    for loop in process.iter(f"{_B}multiInstanceLoopCharacteristics"):
        source = loop.find(f"{_B}loopDataInputRef")
        item = loop.find(f"{_B}inputDataItem")
        if source is not None and (source.text or "").strip() and \
                loop.get(f"{_C}collection") is None:
            loop.set(f"{_C}collection", (source.text or "").strip())
        if item is not None and item.get("name") and loop.get(f"{_C}elementVariable") is None:
            loop.set(f"{_C}elementVariable", item.get("name") or "")
        for name in ("loopDataInputRef", "inputDataItem", "loopDataOutputRef",
                     "outputDataItem"):
            for child in loop.findall(f"{_B}{name}"):
                loop.remove(child)


def _link_events(process: etree._Element, result: Rewrite) -> None:
    """A link throw/catch pair is one sequence flow from the thrower to the catcher."""
    catchers: dict[str, etree._Element] = {}
    for event in process.iter(f"{_B}intermediateCatchEvent"):
        link = event.find(f"{_B}linkEventDefinition")
        if link is not None:
            catchers[link.get("name") or event.get("name") or ""] = event
            event.remove(link)
    for event in process.iter(f"{_B}intermediateThrowEvent"):
        link = event.find(f"{_B}linkEventDefinition")
        if link is None:
            continue
        target = catchers.get(link.get("name") or event.get("name") or "")
        event.remove(link)
        if target is None:
            result.ignored.append(f"{event.get('id')}: link without a catching event")
            continue
        flow = etree.SubElement(event.getparent(), f"{_B}sequenceFlow")
        flow.set("id", f"{event.get('id')}__link")
        flow.set("sourceRef", event.get("id") or "")
        flow.set("targetRef", target.get("id") or "")


def _drop_compensation_handlers(process: etree._Element, result: Rewrite) -> None:
    """Compensation boundary events and their handlers only run when compensation is thrown,
    which raises an incident (see `_reason`): they are dropped with their associations."""
    gone: set[str] = set()
    for element in list(process.iter(f"{_B}boundaryEvent", *(f"{_B}{a}" for a in _ACTIVITIES))):
        if _is_compensation(element) or (local(element) == "boundaryEvent" and element.find(
                f"{_B}compensateEventDefinition") is not None):
            gone.add(element.get("id") or "")
            element.getparent().remove(element)
            result.ignored.append(f"{element.get('id')}: compensation handler ignored")
    for association in list(process.iter(f"{_B}association")):
        if {association.get("sourceRef"), association.get("targetRef")} & gone:
            association.getparent().remove(association)


def _implicit_splits(process: etree._Element, result: Rewrite) -> None:
    """Several flows leaving an activity or event are a split: a gateway makes it explicit.

    Camunda takes every unconditional flow and each conditional one whose
    condition holds (an inclusive split); Spiff refuses such activities.
    """
    for scope in [process, *process.iter(f"{_B}subProcess", f"{_B}transaction")]:
        flows = [c for c in scope if local(c) == "sequenceFlow"]
        for node in [c for c in scope if isinstance(c.tag, str) and "Gateway" not in local(c)
                     and c.get("id")]:
            leaving = [f for f in flows if f.get("sourceRef") == node.get("id")]
            if len(leaving) < 2:
                continue
            conditional = any(f.find(f"{_B}conditionExpression") is not None for f in leaving)
            split = etree.SubElement(scope, f"{_B}{'inclusive' if conditional else 'parallel'}"
                                     "Gateway", id=f"{node.get('id')}__split")
            etree.SubElement(scope, f"{_B}sequenceFlow", id=f"{split.get('id')}_in",
                             sourceRef=node.get("id") or "", targetRef=split.get("id") or "")
            if node.get("default"):
                split.set("default", node.attrib.pop("default"))
            for flow in leaving:
                flow.set("sourceRef", split.get("id") or "")
                if conditional and flow.find(f"{_B}conditionExpression") is None and \
                        flow.get("id") != split.get("default"):
                    etree.SubElement(flow, f"{_B}conditionExpression").text = "${true}"
            for outgoing in node.findall(f"{_B}outgoing"):
                node.remove(outgoing)
            result.ignored.append(f"{node.get('id')}: implicit split made a gateway")


def _implicit_end(scope: etree._Element, result: Rewrite) -> None:
    """A scope without an end event ends where its paths end (Camunda's implicit end)."""
    children = [c for c in scope if isinstance(c.tag, str)]
    if any(local(c) == "endEvent" for c in children):
        return
    sources = {c.get("sourceRef") for c in children if local(c) == "sequenceFlow"}
    dangling = [c for c in children if c.get("id") and c.get("id") not in sources
                and local(c) in _ACTIVITIES | {"intermediateCatchEvent",
                                               "intermediateThrowEvent", "startEvent"}
                and not _is_compensation(c)]
    if not dangling:
        return
    end_id = f"{scope.get('id')}__implicitEnd"
    etree.SubElement(scope, f"{_B}endEvent", id=end_id)
    for index, node in enumerate(dangling):
        etree.SubElement(scope, f"{_B}sequenceFlow", id=f"{end_id}_{index}",
                         sourceRef=node.get("id") or "", targetRef=end_id)
    result.ignored.append(f"{scope.get('id')}: implicit end event added")


def _is_compensation(element: etree._Element) -> bool:
    return (element.get("isForCompensation") or "").lower() == "true"
