"""The flow elements of a BPMN document as plain dicts, for diffs and the test run.

Why a summary and not the XML: comparing two processes element by element
("the condition of Flow_3 changed", "Task_Review was removed") needs each
element's id, kind, name and the attributes that change behaviour — not its
diagram coordinates or attribute order.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from bpmn.errors import XmlError
from bpmn.xml import BPMN_NS, CAMUNDA_NS, normalize_namespaces, parse_xml

SKIPPED = {"extensionElements", "incoming", "outgoing", "documentation", "conditionExpression",
           "timeDuration", "timeDate", "timeCycle", "text"}


def process_elements(data: bytes) -> list[dict[str, Any]]:
    """Each element with an id inside the executable processes; [] for broken XML."""
    try:
        root = normalize_namespaces(parse_xml(data))
    except XmlError:
        return []
    out: list[dict[str, Any]] = []
    for process in root.iter(f"{{{BPMN_NS}}}process"):
        for element in process.iter():
            if isinstance(element.tag, str) and element.get("id") and element is not process:
                kind = etree.QName(element).localname
                if kind not in SKIPPED and not kind.endswith("EventDefinition"):
                    out.append(_summary(element, kind))
    return out


def _summary(element: Any, kind: str) -> dict[str, Any]:
    item: dict[str, Any] = {"id": element.get("id"), "type": kind}
    for name, value in sorted(element.attrib.items()):
        qname = etree.QName(name)
        if qname.namespace in (None, CAMUNDA_NS) and qname.localname != "id":
            item[qname.localname] = value
    condition = element.find(f"{{{BPMN_NS}}}conditionExpression")
    if condition is not None and (condition.text or "").strip():
        item["condition"] = condition.text.strip()
    for timer in ("timeDuration", "timeDate", "timeCycle"):
        node = next(element.iter(f"{{{BPMN_NS}}}{timer}"), None)
        if node is not None:
            item[timer] = (node.text or "").strip()
    inputs = {p.get("name"): "".join(p.itertext()).strip()
              for p in element.iter(f"{{{CAMUNDA_NS}}}inputParameter")}
    if inputs:
        item["inputs"] = inputs
    return item
