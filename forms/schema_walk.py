"""Walk the subschemas of a JSON Schema document, knowing which keywords hold schemas.

A naive walk over every dict would treat data (``enum``, ``const``, ``default``,
``examples``) and property *names* as schemas; checks such as "every ``$ref`` is
local" would then refuse harmless data that merely contains a ``"$ref"`` key.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from forms.pointers import child

#: Keywords whose value is one schema (``items`` is also accepted as a list below).
SINGLE = frozenset({
    "additionalItems", "additionalProperties", "contains", "contentSchema", "else", "if",
    "items", "not", "propertyNames", "then", "unevaluatedItems", "unevaluatedProperties",
})
#: Keywords whose value maps names to schemas (``dependencies`` may also map to arrays).
MAPS = frozenset({
    "$defs", "definitions", "dependencies", "dependentSchemas", "patternProperties",
    "properties",
})
#: Keywords whose value is a list of schemas.
LISTS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems", "items"})


def _children(pointer: str, node: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """Direct subschemas of ``node`` with their pointers."""
    for key, value in node.items():
        here = child(pointer, key)
        if key in SINGLE and isinstance(value, dict):
            yield here, value
        elif key in MAPS and isinstance(value, dict):
            yield from ((child(here, name), sub) for name, sub in value.items())
        elif key in LISTS and isinstance(value, list):
            yield from ((child(here, index), sub) for index, sub in enumerate(value))


def iter_subschemas(schema: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every object schema of the document with its JSON Pointer, root first.

    Iterative, so a deeply nested document cannot exhaust the Python stack.
    """
    stack: list[tuple[str, Any]] = [("", schema)]
    while stack:
        pointer, node = stack.pop()
        if isinstance(node, dict):
            yield pointer, node
            stack.extend(reversed(list(_children(pointer, node))))


def _schema_slots(node: dict[str, Any]) -> Iterator[tuple[dict[str, Any] | list[Any], Any]]:
    """(container, key) of every schema-valued position directly below ``node``."""
    for key, value in node.items():
        if key in SINGLE:
            yield node, key
        elif key in MAPS and isinstance(value, dict):
            yield from ((value, name) for name in value)
        elif key in LISTS and isinstance(value, list):
            yield from ((value, index) for index in range(len(value)))


def replace_false_schemas(schema: dict[str, Any]) -> dict[str, Any]:
    """Turn every ``false`` subschema into the equivalent ``{"not": {}}``, in place.

    jsonschema drops the last path segment of errors raised by a ``false``
    subschema (``properties: {vat: false}`` reports at the parent); the ``not``
    form is rejected identically but reported at the right field.
    """
    for _, node in list(iter_subschemas(schema)):
        for container, key in list(_schema_slots(node)):
            if container[key] is False:  # type: ignore[index]
                container[key] = {"not": {}}  # type: ignore[index]
    return schema


def json_problem(document: Any, max_depth: int) -> tuple[str, str] | None:
    """First (pointer, message) where ``document`` is not plain JSON, or nests too deeply.

    Schemas may come from YAML, which happily produces dates and integer keys;
    those would break hashing, metaschema validation and the REST API later.
    """
    stack: list[tuple[str, Any, int]] = [("", document, 0)]
    while stack:
        pointer, node, depth = stack.pop()
        if depth > max_depth:
            return pointer, f"nests too deeply (more than {max_depth} levels)"
        if isinstance(node, dict):
            if not all(isinstance(key, str) for key in node):
                return pointer, "has a member name that is not a string"
            stack.extend((child(pointer, k), v, depth + 1) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((child(pointer, i), v, depth + 1) for i, v in enumerate(node))
        elif not isinstance(node, str | int | float | bool | type(None)):
            return pointer, f"is not a JSON value ({type(node).__name__})"
    return None
