"""Fill ``default`` values from a schema into submitted data.

Forms omit untouched fields; the schema's defaults say what the case should hold
then. Filling happens before validation so defaults count towards ``required``.
The walk follows local ``$ref`` and ``allOf`` (the ways analysts share pieces of
a schema) and is bounded: recursive schemas and hostile nesting cannot make it
loop or exhaust the stack.
"""

from __future__ import annotations

import copy
from typing import Any

from forms.pointers import MISSING, resolve_local_ref

#: Deepest data level still filled; deeper values are kept as they are.
MAX_DEPTH = 100
#: Upper bound on objects created from defaults alone in one call.
MAX_CREATED = 10_000


class _Filler:
    """One default-filling pass over one document (holds the root for ``$ref``)."""

    def __init__(self, root: Any) -> None:
        self.root = root
        self.budget = MAX_CREATED

    def views(self, schema: Any) -> list[dict[str, Any]]:
        """The schema plus everything it pulls in via ``$ref`` and ``allOf``."""
        found: list[dict[str, Any]] = []
        stack, seen = [schema], set()
        while stack:
            node = stack.pop()
            if not isinstance(node, dict) or id(node) in seen:
                continue
            seen.add(id(node))
            found.append(node)
            members = node.get("allOf")
            stack.extend(reversed(members) if isinstance(members, list) else ())
            ref = node.get("$ref")
            if isinstance(ref, str):
                stack.append(resolve_local_ref(self.root, ref))
        return found

    def fill(self, schema: Any, value: Any, depth: int, ancestors: frozenset[int]) -> None:
        """Fill defaults into ``value`` in place (the caller owns a private copy).

        ``ancestors`` holds the ids of the schemas applied further up this path; an
        absent object is never created from one of them again, which is what stops
        recursive schemas (a tree node's children) from growing without end.
        """
        if depth > MAX_DEPTH or not isinstance(value, dict | list):
            return
        views = self.views(schema)
        inside = ancestors | frozenset(id(view) for view in views)
        if isinstance(value, dict):
            self._fill_object(views, value, depth, inside)
        else:
            self._fill_array(views, value, depth, inside)

    def _fill_object(self, views: list[dict[str, Any]], value: dict[str, Any], depth: int,
                     ancestors: frozenset[int]) -> None:
        """Descend into given members; create absent ones that have defaults.

        An absent object without a default of its own is only built when it is
        required: an optional group the user left out stays out, instead of being
        created half-filled and then failing its own ``required`` list.
        """
        required = _required(views)
        for name, sub in _properties(views).items():
            if name in value:
                self.fill(sub, value[name], depth + 1, ancestors)
                continue
            created = self._created(sub, depth + 1, ancestors, name in required)
            if created is not MISSING:
                value[name] = created

    def _fill_array(self, views: list[dict[str, Any]], value: list[Any], depth: int,
                    ancestors: frozenset[int]) -> None:
        """Items take ``prefixItems`` by position, then ``items``; arrays are never grown."""
        prefix = _first(views, "prefixItems", list) or []
        rest = _first(views, "items", dict)
        for index, item in enumerate(value):
            sub = prefix[index] if index < len(prefix) else rest
            if sub is not None:
                self.fill(sub, item, depth + 1, ancestors)

    def _created(self, schema: Any, depth: int, ancestors: frozenset[int],
                 required: bool) -> Any:
        """Value for an absent property: its default (itself filled), else an object
        built from the defaults of its own properties, else MISSING."""
        views = self.views(schema)
        ids = frozenset(id(view) for view in views)
        default = next((view["default"] for view in views if "default" in view), MISSING)
        if default is not MISSING:
            value = copy.deepcopy(default)
            if not ids & ancestors:
                self.fill(schema, value, depth, ancestors)
            return value
        if (not required or self.budget <= 0 or depth > MAX_DEPTH or ids & ancestors
                or not _properties(views)):
            return MISSING
        self.budget -= 1
        built: dict[str, Any] = {}
        self._fill_object(views, built, depth, ancestors | ids)
        return built or MISSING


def _first(views: list[dict[str, Any]], keyword: str, kind: type) -> Any:
    """The first view's value of ``keyword`` if it has the expected JSON kind."""
    return next((v[keyword] for v in views if isinstance(v.get(keyword), kind)), None)


def _required(views: list[dict[str, Any]]) -> set[str]:
    """Names listed in any view's ``required``."""
    names: set[str] = set()
    for view in views:
        listed = view.get("required")
        names.update(n for n in listed if isinstance(n, str)) if isinstance(listed, list) else None
    return names


def _properties(views: list[dict[str, Any]]) -> dict[str, Any]:
    """Declared properties across all views; a name declared twice gets both schemas."""
    merged: dict[str, list[Any]] = {}
    for view in views:
        declared = view.get("properties")
        for name, sub in declared.items() if isinstance(declared, dict) else ():
            merged.setdefault(name, []).append(sub)
    return {name: subs[0] if len(subs) == 1 else {"allOf": subs}
            for name, subs in merged.items()}


def apply_defaults(schema: dict[str, Any], data: Any) -> Any:
    """A new value: ``data`` with defaults filled in for absent properties.

    Given values are never overridden; absent nested objects are created only when
    they are required and something inside them has a default; array items get
    their ``items`` defaults.
    """
    result = copy.deepcopy(data)
    _Filler(schema).fill(schema, result, 0, frozenset())
    return result
