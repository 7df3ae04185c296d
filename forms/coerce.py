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
from forms.render.array_ops import apply_array_op
from forms.render.encoding import JSON_MARK, SEEN, from_local_datetime, parse_json, parse_number
from forms.render.kinds import Classifier, FieldSpec, items_schema
from forms.render.objects import Matcher, ObjectView, make_matcher, resolve_object

#: ``apply_array_op`` is re-exported: a page applies it right after ``coerce_form``.
__all__ = ["apply_array_op", "coerce_form", "parse_post"]

#: Re-resolutions of one object's conditions while its typed members settle.
MAX_ROUNDS = 4
#: Marker inputs and the flag each sets on the node its value names.
_MARKS = {SEEN: "seen", JSON_MARK: "json"}
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
        if name in _MARKS:
            for marked in filter(None, map(node, values)):
                setattr(marked, _MARKS[name], True)
        elif (target := node(name)) is not None:
            target.values.extend(values)
    return root


class _Coercer:
    """One post: the root schema, its condition evaluator and the errors found."""

    def __init__(self, schema: Any) -> None:
        self.root = schema
        self.matches: Matcher = make_matcher(schema)
        self.errors: list[FieldError] = []
        self.spec = Classifier(schema)

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
        item = self.spec([items_schema(spec)])
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

