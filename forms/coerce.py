"""Form posts back to typed JSON, following the schema the form was drawn from.

Browsers post strings under the names ``forms.render`` gave the controls: the
JSON Pointer of each field under a prefix. This module rebuilds the document:
numbers parsed, booleans read from the checkbox/hidden pair, arrays rebuilt in
index order, multiple choices collected, JSON text areas parsed, ``datetime-local``
turned into RFC 3339. It uses the renderer's own classification and condition
resolution, so every field is read back as the kind it was drawn as.

Empty values: an empty text, number or choice of an object member is absent (not
``""``), also when required, so the validator says "is required" at that field;
a required *nullable* one is ``null``. An empty object, array or multiple choice is
``{}``/``[]`` when the form marked it present (``_seen``: the data had it, or it
is required) and absent otherwise. In an array row, empty means ``""`` for strings,
``{}``/``[]`` for containers and ``null`` otherwise. ``datetime-local`` text is
UTC by CaseStudio's rule and comes back as ``YYYY-MM-DDTHH:MM:SSZ``.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from forms.errors import FieldError
from forms.pointers import MISSING, child
from forms.render import check_prefix
from forms.render.encoding import JSON_MARK, SEEN, from_local_datetime, parse_json, parse_number
from forms.render.kinds import FieldSpec, classify
from forms.render.objects import Matcher, ObjectView, make_matcher, resolve_object

__all__ = ["apply_array_op", "coerce_form"]

#: Re-resolutions of one object's conditions while its typed members settle.
MAX_ROUNDS = 4
_TRUE, _FALSE = frozenset({"true", "on", "1"}), frozenset({"false", "off", "0"})


@dataclass
class Posted:
    """The posted strings below one pointer."""

    values: list[str] = field(default_factory=list)
    children: dict[str, Posted] = field(default_factory=dict)
    seen: bool = False
    json: bool = False

    @property
    def last(self) -> str:
        return self.values[-1] if self.values else ""


def _pairs(form: Any) -> Iterable[tuple[str, list[str]]]:
    """(name, values) from a werkzeug MultiDict or a plain ``{name: [values]}`` mapping."""
    pairs = form.lists() if hasattr(form, "lists") else form.items()
    for name, values in pairs:
        yield str(name), [values] if isinstance(values, str) else [str(v) for v in values]


def _tokens(name: str, prefix: str) -> list[str] | None:
    """Pointer tokens of a field name under ``prefix``; None for foreign names."""
    if name == prefix:
        return []
    if not name.startswith(prefix + "/"):
        return None
    return [t.replace("~1", "/").replace("~0", "~") for t in name[len(prefix) + 1:].split("/")]


def parse_post(form: Mapping[str, list[str]] | Any, prefix: str) -> Posted:
    """The tree of posted values under ``prefix`` (other names are ignored)."""
    root = Posted()

    def node(name: str) -> Posted | None:
        tokens = _tokens(name, prefix)
        here = root
        for token in tokens or ():
            here = here.children.setdefault(token, Posted())
        return None if tokens is None else here

    for name, values in _pairs(form):
        marks = {SEEN: "seen", JSON_MARK: "json"}
        for target in (node(v) for v in values) if name in marks else ():
            if target is not None:
                setattr(target, marks[name], True)
        target = node(name) if name not in marks else None
        if target is not None:
            target.values.extend(values)
    return root


class _Coercer:
    """One post: the root schema, its condition evaluator and the errors found."""

    def __init__(self, schema: Any) -> None:
        self.root = schema
        self.matches: Matcher = make_matcher(schema)
        self.errors: list[FieldError] = []
        self._specs: dict[tuple[int, ...], tuple[list[Any], FieldSpec]] = {}

    def spec(self, decls: list[Any]) -> FieldSpec:
        key = tuple(id(d) for d in decls)
        if key not in self._specs:
            self._specs[key] = (decls, classify(self.root, decls))
        return self._specs[key][1]

    def value(self, spec: FieldSpec, posted: Posted, pointer: str, where: str) -> Any:
        """Typed value, or MISSING for "leave the member out".

        ``where``: ``optional``/``required`` (object members), ``row``, ``root``.
        """
        if posted.json or spec.kind in ("json", "never"):
            return self.json(spec, posted, pointer, where)
        if spec.kind == "object":
            return self.object(spec, posted, pointer, where)
        if spec.kind in ("array", "multi"):
            return self.array(spec, posted, pointer, where)
        return self.scalar(spec, posted, pointer, where)

    def empty(self, spec: FieldSpec, posted: Posted, where: str) -> Any:
        """The value of a field left empty (see the module docstring)."""
        container = {"object": {}, "array": [], "multi": []}.get(spec.kind, MISSING)
        if container is not MISSING:
            return container if posted.seen or where in ("row", "root") else MISSING
        if where == "optional":
            return MISSING
        if where == "required":
            return None if spec.nullable else MISSING
        return "" if spec.kind == "string" else None

    def json(self, spec: FieldSpec, posted: Posted, pointer: str, where: str) -> Any:
        text = posted.last.strip()
        if not text:
            return self.empty(spec, posted, where)
        try:
            return parse_json(text)
        except ValueError as exc:
            self.errors.append(FieldError(pointer, f"is not valid JSON: {exc}"))
            return posted.last

    def scalar(self, spec: FieldSpec, posted: Posted, pointer: str, where: str) -> Any:
        text = posted.last
        if spec.kind == "choice":
            found = next((c.value for c in spec.choices if c.token == text), MISSING)
            return copy.deepcopy(found) if found is not MISSING else \
                text if text else self.empty(spec, posted, where)
        if spec.kind == "boolean" and text.lower() in _TRUE | _FALSE:
            return text.lower() in _TRUE
        if not text.strip() or spec.kind == "null":
            return self.empty(spec, posted, where)
        if spec.kind in ("number", "integer"):
            number = parse_number(text, spec.kind == "integer")
            if number is None:
                self.errors.append(FieldError(pointer, "must be a number"))
                return text
            return number
        text = text.replace("\r\n", "\n")
        return from_local_datetime(text) if spec.schema.get("format") == "date-time" else text

    def object(self, spec: FieldSpec, posted: Posted, pointer: str, where: str) -> Any:
        """Members typed by the object's view, re-resolved until its conditions settle."""
        result: dict[str, Any] = {}
        key: tuple[int, ...] | None = None
        mark = len(self.errors)
        for _ in range(MAX_ROUNDS):
            view = resolve_object(self.root, spec.parts, result, self.matches)
            if view.key == key:
                break
            key = view.key
            del self.errors[mark:]
            result = self.members(view, posted, pointer)
        return result or self.empty(spec, posted, where)

    def members(self, view: ObjectView, posted: Posted, pointer: str) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for name, sub in posted.children.items():
            where = "required" if name in view.required else "optional"
            value = self.value(self.spec(view.declarations(name)), sub, child(pointer, name),
                               where)
            if value is not MISSING:
                found[name] = value
        return found

    def array(self, spec: FieldSpec, posted: Posted, pointer: str, where: str) -> Any:
        """Rows in index order (gaps closed), or the chosen values of a multiple choice."""
        items = spec.schema.get("items", {})
        item = self.spec([{} if items is True else items])
        indexes = sorted(int(t) for t in posted.children if t.isdigit() and len(t) < 10)
        if indexes:
            return [self.value(item, posted.children[str(i)], child(pointer, i), "row")
                    for i in indexes if str(i) in posted.children]
        chosen = [self.scalar(item, Posted([v]), pointer, "row") for v in posted.values if v]
        return chosen or self.empty(spec, posted, where)


def coerce_form(schema: dict[str, Any], form: Mapping[str, list[str]] | Any, *,
                prefix: str = "f") -> tuple[Any, list[FieldError]]:
    """The typed JSON of a post and the problems typing found (bad numbers, bad JSON).

    A value that could not be typed is kept as the posted string, so re-rendering
    the form shows what the user typed next to the error. Validation against the
    schema is a separate step (``forms.validate_data``/``forms.clean``).
    """
    state = _Coercer(schema)
    posted = parse_post(form, check_prefix(prefix))
    value = state.value(state.spec([schema]), posted, "", "root")
    return (None if value is MISSING else value), sorted(set(state.errors))


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
    state = _Coercer(schema)
    spec, node = state.spec([schema]), data
    for token in tokens:
        if spec.kind == "object":
            view = resolve_object(schema, spec.parts, node, state.matches)
            spec = state.spec(view.declarations(token))
        else:
            items = spec.schema.get("items", {})
            spec = state.spec([{} if items is True else items])
        node = node.get(token) if isinstance(node, dict) else None
    items = spec.schema.get("items", {})
    item = state.spec([{} if items is True else items])
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
