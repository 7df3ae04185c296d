"""The array row buttons (``_op``): add, remove, move up, move down.

The forms work without JavaScript: a row button is a submit button named ``_op``;
the page coerces the post, applies the operation here and renders the form again
(no validation in between, so half-filled rows are kept).
"""

from __future__ import annotations

import copy
from typing import Any

from forms.pointers import MISSING, child, resolve_pointer
from forms.render.kinds import classify, items_schema
from forms.render.objects import make_matcher, resolve_object

__all__ = ["apply_array_op"]
_VERBS = frozenset({"add", "remove", "up", "down"})


def _split(pointer: str) -> list[str]:
    if pointer and not pointer.startswith("/"):
        raise ValueError(f"not a JSON pointer: {pointer!r}")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]


def _walk(document: Any, tokens: list[str], create: bool) -> Any:
    """The node at ``tokens``; with ``create``, absent object members become ``{}``/``[]``."""
    node = document
    for position, token in enumerate(tokens):
        if isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        elif isinstance(node, dict) and (token in node or create):
            last = position == len(tokens) - 1
            node = node.setdefault(token, [] if last else {})
        else:
            return MISSING
    return node


def _new_item(schema: dict[str, Any] | None, data: Any, tokens: list[str]) -> Any:
    """An empty row for the array at ``tokens``: the items' default, else an empty
    value of the item's kind (``{}``, ``[]``, ``""``, ``false``; ``null`` otherwise)."""
    if schema is None:
        return None
    matches = make_matcher(schema)
    spec, node = classify(schema, [schema]), data
    for token in tokens:
        if spec.kind == "object":
            view = resolve_object(schema, spec.parts, node, matches)
            spec = classify(schema, view.declarations(token))
        else:
            spec = classify(schema, [items_schema(spec)])
        node = resolve_pointer(node, child("", token))
    item = classify(schema, [items_schema(spec)])
    if "default" in item.schema:
        return copy.deepcopy(item.schema["default"])
    return {"object": {}, "array": [], "multi": [], "string": "", "boolean": False}.get(
        item.kind)


def apply_array_op(data: Any, op: str, *, schema: dict[str, Any] | None = None) -> Any:
    """A new document with one row button applied: ``add:/items``, ``remove:/items/2``,
    ``up:/items/2``, ``down:/items/2``.

    Pass ``schema`` so ``add`` appends a row of the right kind. Stale buttons (an
    index that no longer exists) change nothing; a malformed ``op`` raises ValueError.
    """
    verb, _, pointer = op.partition(":")
    if verb not in _VERBS:
        raise ValueError(f"unknown array operation {op!r}")
    tokens = _split(pointer)
    result = copy.deepcopy(data) if data is not None else {} if tokens else []
    if verb == "add":
        target = _walk(result, tokens, create=True)
        if isinstance(target, list):
            target.append(_new_item(schema, result, tokens))
        return result
    if not tokens or not tokens[-1].isdigit():
        raise ValueError(f"{verb} needs the pointer of a row, got {pointer!r}")
    rows, index = _walk(result, tokens[:-1], create=False), int(tokens[-1])
    if not isinstance(rows, list) or index >= len(rows):
        return result
    if verb == "remove":
        del rows[index]
    else:
        other = index - 1 if verb == "up" else index + 1
        if 0 <= other < len(rows):
            rows[index], rows[other] = rows[other], rows[index]
    return result
