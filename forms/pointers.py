"""JSON Pointer helpers (RFC 6901) and local ``$ref`` resolution.

Kept apart because three modules need them: error paths in validation, schema
checks (which must prove every ``$ref`` lands somewhere) and default filling
(which walks through ``$ref``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote

#: Sentinel for "this reference points to nothing"; ``None`` is a valid JSON value.
MISSING: Any = object()


def escape(token: str | int) -> str:
    """One pointer segment; ``~`` and ``/`` must be escaped in that order."""
    return str(token).replace("~", "~0").replace("/", "~1")


def to_pointer(path: Iterable[str | int]) -> str:
    """``["items", 2, "name"]`` -> ``"/items/2/name"``; the empty path is ``""``."""
    return "".join("/" + escape(token) for token in path)


def child(pointer: str, token: str | int) -> str:
    """The pointer of one member below ``pointer``."""
    return pointer + "/" + escape(token)


def _step(node: Any, token: str) -> Any:
    """Move one segment down, or MISSING when the segment does not exist."""
    if isinstance(node, dict):
        return node.get(token, MISSING)
    if isinstance(node, list) and token.isdigit() and int(token) < len(node):
        return node[int(token)]
    return MISSING


def resolve_pointer(document: Any, pointer: str) -> Any:
    """The value at ``pointer`` (unescaped form, e.g. ``/a/b``) or MISSING."""
    node = document
    for raw in pointer.split("/")[1:]:
        node = _step(node, raw.replace("~1", "/").replace("~0", "~"))
        if node is MISSING:
            return MISSING
    return node


def resolve_local_ref(root: Any, ref: str) -> Any:
    """Target of a same-document ``$ref`` (``#``, ``#/json/pointer``, ``#anchor``).

    Returns MISSING for anything else, so callers decide whether that is an error
    (schema checks) or simply "no defaults to find" (default filling).
    """
    if not ref.startswith("#"):
        return MISSING
    fragment = unquote(ref[1:])
    if fragment == "" or fragment.startswith("/"):
        return resolve_pointer(root, fragment)
    return find_anchor(root, fragment)


def find_anchor(root: Any, name: str) -> Any:
    """The subschema declaring ``$anchor`` (or ``$dynamicAnchor``) ``name``, or MISSING."""
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if name in (node.get("$anchor"), node.get("$dynamicAnchor")):
                return node
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return MISSING
