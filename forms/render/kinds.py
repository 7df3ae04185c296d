"""What kind of control a (sub)schema needs: the classification both directions share.

The renderer picks a widget from the kind; ``forms.coerce`` types posted strings by
the same kind, so a field can never be drawn as one thing and read back as another.
Classification looks only at the schema (never at the UI schema): UI options change
how a field looks, not what its posted value means.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from forms.pointers import MISSING, resolve_local_ref
from forms.render.encoding import choice_token

#: Upper bound on the schemas one field pulls together via ``$ref``/``allOf``.
MAX_PARTS = 64
#: Keywords the widgets cannot honour: such fields become JSON text areas.
UNSUPPORTED = frozenset({"not", "prefixItems"})
SCALARS = frozenset({"string", "number", "integer", "boolean"})


@dataclass(frozen=True)
class Choice:
    """One selectable value: the JSON value, its option token and its label."""

    value: Any
    token: str
    label: str


@dataclass(frozen=True)
class FieldSpec:
    """A classified field.

    ``kind`` is one of: string, number, integer, boolean, null, choice, multi,
    object, array, json (edit as JSON text), never (a ``false`` schema).
    ``schema`` holds the merged keywords; ``parts`` the schemas they came from
    (objects resolve their properties, conditions included, from the parts).
    """

    kind: str
    schema: dict[str, Any]
    parts: tuple[dict[str, Any], ...] = ()
    nullable: bool = False
    choices: tuple[Choice, ...] = field(default=())


def expand(root: Any, schema: Any) -> list[dict[str, Any]]:
    """``schema`` plus everything it includes by local ``$ref`` and ``allOf``.

    Ordered by precedence: the schema's own keywords first (a ``title`` next to a
    ``$ref`` overrides the target's), then the reference, then ``allOf`` members.
    Cycles and hostile fan-out are cut off by ``seen`` and ``MAX_PARTS``.
    """
    parts: list[dict[str, Any]] = []
    stack, seen = [schema], set()
    while stack and len(parts) < MAX_PARTS:
        node = stack.pop()
        if not isinstance(node, dict) or id(node) in seen:
            continue
        seen.add(id(node))
        parts.append(node)
        included: list[Any] = []
        if isinstance(node.get("$ref"), str):
            included.append(resolve_local_ref(root, node["$ref"]))
        if isinstance(node.get("allOf"), list):
            included.extend(node["allOf"])
        stack.extend(reversed(included))
    return parts


def _type_list(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return None


def merge(parts: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """First declaration of each keyword wins; ``type`` is intersected (allOf semantics)."""
    merged: dict[str, Any] = {}
    for part in parts:
        for key, value in part.items():
            if key == "type" and "type" in merged:
                mine, theirs = _type_list(merged["type"]), _type_list(value)
                both = [t for t in mine or [] if t in (theirs or [])]
                merged["type"] = both or merged["type"]
            else:
                merged.setdefault(key, value)
    return merged


def _choice(value: Any, label: Any = None) -> Choice:
    token = choice_token(value)
    return Choice(value, token, label if isinstance(label, str) and label else token)


def _branch_choice(root: Any, branch: Any) -> Choice | None:
    """A ``oneOf``/``anyOf`` branch that stands for one value (``const`` or 1-item enum)."""
    merged = merge(expand(root, branch))
    if "const" in merged:
        return _choice(merged["const"], merged.get("title"))
    enum = merged.get("enum")
    if isinstance(enum, list) and len(enum) == 1:
        return _choice(enum[0], merged.get("title"))
    return None


def choices_of(root: Any, merged: dict[str, Any]) -> tuple[Choice, ...] | None:
    """The value list of an enumerated field, or None when the field is free-form."""
    if "const" in merged:
        return (_choice(merged["const"]),)
    enum = merged.get("enum")
    if isinstance(enum, list) and enum:
        names = merged.get("enumNames")
        if not (isinstance(names, list) and len(names) == len(enum)):
            names = [None] * len(enum)
        return tuple(_choice(value, label) for value, label in zip(enum, names, strict=True))
    for keyword in ("oneOf", "anyOf"):
        branches = merged.get(keyword)
        if isinstance(branches, list) and branches:
            found = [_branch_choice(root, branch) for branch in branches]
            if all(found):
                return tuple(choice for choice in found if choice)
    return None


def object_like(root: Any, schema: Any) -> bool:
    """Does ``schema`` describe an object (by type or by declaring properties)?"""
    merged = merge(expand(root, schema))
    return "object" in (_type_list(merged.get("type")) or []) or "properties" in merged


def _inferred(root: Any, merged: dict[str, Any]) -> str:
    """Kind of an untyped schema, from the keywords it uses."""
    if "properties" in merged or "required" in merged:
        return "object"
    if "items" in merged:
        return "array"
    branches = merged.get("oneOf", merged.get("anyOf"))
    if isinstance(branches, list) and branches and all(object_like(root, b) for b in branches):
        return "object"
    return "json"


def _base_kind(root: Any, merged: dict[str, Any], types: list[str] | None) -> str:
    """Kind from ``type`` (ignoring ``null``); several real types cannot share one widget."""
    if types is None:
        return _inferred(root, merged)
    real = [t for t in types if t != "null"]
    if set(real) == {"integer", "number"}:
        real = ["number"]
    if not real:
        return "null" if types else _inferred(root, merged)
    if len(real) > 1:
        return "json"
    return real[0] if real[0] in SCALARS | {"object", "array"} else "json"


def _array_kind(root: Any, merged: dict[str, Any]) -> tuple[str, tuple[Choice, ...]]:
    """Rows, a multiple choice (unique enumerated items), or JSON for tuple forms."""
    items = merged.get("items", {})
    if isinstance(items, list) or items is False:
        return "json", ()
    found = choices_of(root, merge(expand(root, items))) if isinstance(items, dict) else None
    if found and merged.get("uniqueItems") is True:
        return "multi", found
    return "array", ()


class Classifier:
    """``classify`` with a cache for one pass over one document.

    Keyed by the identities of the declarations; the cache holds the declarations
    themselves, so an id can never be reused by another object while cached.
    """

    def __init__(self, root: Any) -> None:
        self.root = root
        self._cache: dict[tuple[int, ...], tuple[Sequence[Any], FieldSpec]] = {}

    def __call__(self, decls: Sequence[Any]) -> FieldSpec:
        key = tuple(id(decl) for decl in decls)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._cache[key] = (decls, classify(self.root, decls))
        return hit[1]


def items_schema(spec: FieldSpec) -> Any:
    """The schema every row of an array field follows (``{}``: any JSON)."""
    items = spec.schema.get("items", {})
    return {} if items is True else items


def classify(root: Any, decls: Sequence[Any]) -> FieldSpec:
    """Classify the field declared by ``decls`` (usually one schema; several when an
    object declares the same property in more than one place)."""
    if any(decl is False for decl in decls):
        return FieldSpec("never", {})
    parts = tuple(part for decl in decls for part in expand(root, decl))
    merged = merge(parts)
    types = _type_list(merged.get("type"))
    nullable = types is not None and "null" in types
    found = choices_of(root, merged)
    if found is not None:
        nullable = nullable or any(choice.value is None for choice in found)
        return FieldSpec("choice", merged, parts, nullable, found)
    if UNSUPPORTED & merged.keys() or any(ref is MISSING for ref in _dangling(root, parts)):
        return FieldSpec("json", merged, parts, nullable)
    kind = _base_kind(root, merged, types)
    if kind == "array":
        kind, found = _array_kind(root, merged)
        return FieldSpec(kind, merged, parts, nullable, found)
    return FieldSpec(kind, merged, parts, nullable)


def _dangling(root: Any, parts: Sequence[dict[str, Any]]) -> list[Any]:
    """Targets of the parts' references (MISSING for a reference we cannot follow)."""
    return [resolve_local_ref(root, part["$ref"]) for part in parts
            if isinstance(part.get("$ref"), str)]
