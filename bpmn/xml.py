"""Hardened XML parsing for BPMN, DMN and every other XML document CaseStudio accepts.

Why refuse DOCTYPE outright instead of merely not resolving entities: BPMN and
DMN never need a DTD, and a document without one cannot declare entities at all,
so external entities (XXE with ``file://`` or ``http://``), entity expansion
bombs ("billion laughs") and external DTD fetches are ruled out by construction,
whatever the parser's defaults in a future lxml. The size limit is checked
before the parser sees a byte. Operaton, the Camunda 7 fork, writes its
extensions in its own namespace; ``normalize_namespaces`` maps them onto
``camunda:`` so the rest of the system reads one dialect.
"""

from __future__ import annotations

import re

from lxml import etree

from bpmn.errors import XmlError

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
OPERATON_NS = "http://operaton.org/schema/1.0/bpmn"
CAMUNDA_DMN_NS = "http://camunda.org/schema/1.0/dmn"
OPERATON_DMN_NS = "http://operaton.org/schema/1.0/dmn"
ACTIVITI_NS = "http://activiti.org/bpmn"  # legacy namespace Camunda 7 still reads
MAX_BYTES = 5_000_000

#: Extension namespaces rewritten by ``normalize_namespaces`` (Operaton/Activiti -> Camunda).
NAMESPACE_ALIASES = {OPERATON_NS: CAMUNDA_NS, OPERATON_DMN_NS: CAMUNDA_DMN_NS,
                     ACTIVITI_NS: CAMUNDA_NS}

_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_ENCODING_DECLARATION = re.compile(r"^(\s*<\?xml[^>]*?)\s+encoding\s*=\s*(['\"])[^'\"]*\2")


def _parser() -> etree.XMLParser:
    """A fresh parser per call: lxml parsers are not safe to share between threads."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False)


def parse_xml(data: bytes | str, *, max_bytes: int = MAX_BYTES) -> etree._Element:
    """Parse ``data`` into its root element, or raise XmlError with a line where known."""
    raw = _as_bytes(data)
    if len(raw) > max_bytes:
        raise XmlError(f"XML document is {len(raw)} bytes; the limit is {max_bytes}")
    _refuse_doctype(raw)
    try:
        root = etree.fromstring(raw, _parser())
    except etree.XMLSyntaxError as exc:
        raise XmlError(f"malformed XML: {exc.msg}", exc.lineno or None) from None
    except ValueError as exc:
        raise XmlError(f"malformed XML: {exc}") from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise XmlError("DOCTYPE declarations are not allowed")  # e.g. hidden in UTF-16
    return root


def _as_bytes(data: bytes | str) -> bytes:
    """Text is encoded as UTF-8; its own encoding declaration would then be a lie."""
    if isinstance(data, bytes):
        return data
    return _ENCODING_DECLARATION.sub(r"\1", data, count=1).encode("utf-8")


def _refuse_doctype(raw: bytes) -> None:
    match = _DOCTYPE.search(raw)
    if match is not None:
        line = raw.count(b"\n", 0, match.start()) + 1
        raise XmlError("DOCTYPE declarations are not allowed (no DTDs or entities)", line)


def normalize_namespaces(root: etree._Element) -> etree._Element:
    """Rewrite Operaton (and legacy Activiti) extensions to the Camunda namespace, in place.

    An element carrying both ``camunda:x`` and ``operaton:x`` keeps the Camunda value.
    """
    changed = False
    for element in root.iter():
        if isinstance(element.tag, str):
            changed = _rename_tag(element) | changed
        changed = _rename_attributes(element) | changed
    if changed and root.nsmap.get("camunda") in (None, CAMUNDA_NS):
        etree.cleanup_namespaces(root, top_nsmap={"camunda": CAMUNDA_NS})
    return root


def _alias(name: str) -> str | None:
    """``{operaton-ns}local`` -> ``{camunda-ns}local``; None when not an aliased namespace."""
    if not name.startswith("{"):
        return None
    namespace, _, local = name[1:].partition("}")
    target = NAMESPACE_ALIASES.get(namespace)
    return f"{{{target}}}{local}" if target else None


def _rename_tag(element: etree._Element) -> bool:
    new = _alias(element.tag)
    if new is not None:
        element.tag = new
    return new is not None


def _rename_attributes(element: etree._Element) -> bool:
    renamed = [(name, new) for name in element.attrib if (new := _alias(name)) is not None]
    for name, new in renamed:
        value = element.attrib.pop(name)
        if new not in element.attrib:
            element.set(new, value)
    return bool(renamed)
