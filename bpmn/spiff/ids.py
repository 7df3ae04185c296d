"""Renaming BPMN ids that collide with SpiffWorkflow's internal task specs.

Why: Spiff names its own control specs ``Start``, ``End``, ``StartEventSplit``
and ``StartEventJoin``; a BPMN element with such an id silently overwrites one
and breaks the graph (FACTS.md). We prefix those ids before parsing and strip
the prefix whenever an id is reported outward, so callers only ever see the
ids of their own XML.
"""

from __future__ import annotations

from typing import Any

RESERVED = frozenset({"Start", "End", "Root", "StartEventSplit", "StartEventJoin"})
PREFIX = "cs__"

#: Attributes whose value is the id of another element.
_REF_ATTRIBUTES = ("id", "sourceRef", "targetRef", "attachedToRef", "default", "bpmnElement")
#: Attributes that may hold a QName (``tns:newInvoice``) naming a root element.
_QNAME_ATTRIBUTES = ("messageRef", "errorRef", "signalRef", "escalationRef")
#: Elements whose text is the id of another element.
_REF_TEXT_TAGS = frozenset({"incoming", "outgoing", "flowNodeRef", "sourceRef", "targetRef"})


def internal_id(bpmn_id: str) -> str:
    """The Spiff-safe name for a BPMN id."""
    return PREFIX + bpmn_id if bpmn_id in RESERVED else bpmn_id


def external_id(name: str) -> str:
    """The original BPMN id for a (possibly renamed) Spiff spec name."""
    if name.startswith(PREFIX) and name[len(PREFIX):] in RESERVED:
        return name[len(PREFIX):]
    return name


def rename_reserved_ids(root: Any) -> int:
    """Rewrite reserved ids (and QName references) in place; returns how many ids."""
    count = 0
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments, processing instructions
        for attribute in _REF_ATTRIBUTES:
            value = element.get(attribute)
            if value in RESERVED:
                element.set(attribute, internal_id(value))
                count += attribute == "id"
        for attribute in _QNAME_ATTRIBUTES:
            value = element.get(attribute)
            if value and ":" in value:  # Camunda resolves QNames; Spiff looks up plain ids
                element.set(attribute, value.rsplit(":", 1)[-1])
        local = element.tag.rsplit("}", 1)[-1]
        if local in _REF_TEXT_TAGS and element.text and element.text.strip() in RESERVED:
            element.text = internal_id(element.text.strip())
    return count


def ensure_flow_ids(root: Any) -> int:
    """Give id-less sequence flows an id (Spiff only follows flows it can index by id)."""
    count = 0
    for element in root.iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}sequenceFlow"):
        if not element.get("id"):
            count += 1
            element.set("id", f"{PREFIX}flow_{count}")
    return count
