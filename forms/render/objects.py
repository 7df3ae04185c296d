"""Which properties an object shows for its *current* data.

``if``/``then``/``else``, ``dependencies``/``dependentSchemas``/``dependentRequired``
and object-level ``oneOf``/``anyOf`` make the field list depend on the values.
The renderer resolves them against the data it displays; ``forms.coerce``
resolves them against the data it has typed so far, until the answer is stable.
Both call ``resolve_object`` so they agree on every field's schema.
"""

from __future__ import annotations

import functools
import re
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from jsonschema.protocols import Validator

from forms.errors import FormSchemaError
from forms.formats import FORMAT_CHECKER
from forms.render.encoding import choice_token
from forms.render.kinds import MAX_PARTS, expand, merge
from forms.validation import FormValidator, compiled_validator, schema_key

#: ``matches(schema, instance)``: is ``instance`` valid against a subschema of the root?
Matcher = Callable[[Any, Any], bool]
_ABSENT = object()
_lock = threading.Lock()
#: Validators for schemas the deploy checks refuse (still rendered), by content hash.
_unchecked: dict[str, Validator | None] = {}


def _validator(root: Any) -> Validator | None:
    """The deployed validator for ``root``; for a schema the deploy checks refuse
    (a studio preview can still render it), an unchecked one, remembered so the
    refusal is not recomputed on every render; None if jsonschema cannot load it."""
    key = schema_key(root)
    with _lock:
        if key in _unchecked:
            return _unchecked[key]
    try:
        return compiled_validator(root)
    except FormSchemaError:
        pass
    try:
        found: Validator | None = FormValidator(root, format_checker=FORMAT_CHECKER)
    except Exception:  # jsonschema cannot even load it: no condition will hold
        found = None
    with _lock:
        _unchecked[key] = found
        while len(_unchecked) > 64:
            _unchecked.pop(next(iter(_unchecked)))
    return found


def make_matcher(root: Any) -> Matcher:
    """A condition evaluator for subschemas of ``root`` (``$ref`` resolves in ``root``).

    Built lazily: most forms have no conditions and never pay for a validator. A
    condition that cannot be evaluated (bad regex, dangling reference) counts as
    false, which shows the ``else`` side rather than failing the page.
    """
    holder: list[Validator | None] = []

    def matches(schema: Any, instance: Any) -> bool:
        if isinstance(schema, bool):
            return schema
        if not holder:
            holder.append(_validator(root))
        validator = holder[0]
        try:
            return validator is not None and bool(
                validator.evolve(schema=schema).is_valid(instance))
        except Exception:  # an analyst's schema jsonschema chokes on: "does not hold"
            return False

    return matches


@dataclass
class ObjectView:
    """The resolved shape of one object: declarations per property, in precedence order."""

    properties: dict[str, list[Any]] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)
    conditional: bool = False
    parts: list[dict[str, Any]] = field(default_factory=list)
    dormant: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def key(self) -> tuple[int, ...]:
        """Identity of the applied parts (coercion iterates until it stops changing)."""
        return tuple(id(part) for part in self.parts)

    def declarations(self, name: str) -> list[Any]:
        """Schemas for member ``name``: declared, else from an inactive branch, else
        ``patternProperties``/``additionalProperties``, else ``{}`` (any JSON)."""
        if name in self.properties:
            return self.properties[name]
        if name in self.dormant:
            return self.dormant[name]
        for part in self.parts:
            patterns = part.get("patternProperties")
            for pattern, sub in patterns.items() if isinstance(patterns, dict) else ():
                if _search(pattern, name):
                    return [sub]
        extra: Any = next((p["additionalProperties"] for p in self.parts
                      if isinstance(p.get("additionalProperties"), dict)), {})
        return [extra]


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except (re.error, RecursionError, OverflowError):
        return None


def _search(pattern: str, name: str) -> bool:
    compiled = _compiled(pattern)
    return bool(compiled and compiled.search(name))


class _Resolver:
    """One resolution: a work queue of parts, applying each part's conditions."""

    def __init__(self, root: Any, data: dict[str, Any], matches: Matcher) -> None:
        self.root, self.data, self.matches = root, data, matches
        self.view = ObjectView()
        self.queue: deque[dict[str, Any]] = deque()
        self.seen: set[int] = set()

    def effective(self) -> dict[str, Any]:
        """The data plus the defaults the form shows for absent declared members."""
        found = dict(self.data)
        for name, decls in self.view.properties.items():
            if name not in found:
                default = merge(p for d in decls for p in expand(self.root, d)).get(
                    "default", _ABSENT)
                if default is not _ABSENT:
                    found[name] = default
        return found

    def run(self, parts: list[dict[str, Any]]) -> ObjectView:
        self.queue.extend(parts)
        while self.queue and len(self.view.parts) < MAX_PARTS:
            part = self.queue.popleft()
            if id(part) not in self.seen:
                self.seen.add(id(part))
                self.apply(part)
        return self.view

    def apply(self, part: dict[str, Any]) -> None:
        """Record the part's members, then let its conditions add further parts."""
        self.view.parts.append(part)
        declared = part.get("properties")
        for name, sub in declared.items() if isinstance(declared, dict) else ():
            self.view.properties.setdefault(name, []).append(sub)
        required = part.get("required")
        self.view.required.update(n for n in required or () if isinstance(n, str))
        if "if" in part:
            self.condition(part)
        for keyword in ("dependencies", "dependentSchemas", "dependentRequired"):
            if isinstance(part.get(keyword), dict):
                self.dependencies(part[keyword])
        for keyword in ("oneOf", "anyOf"):
            if isinstance(part.get(keyword), list):
                self.alternatives([b for b in part[keyword] if isinstance(b, dict)])

    def include(self, schema: Any, active: bool) -> None:
        """Queue an applicable branch; remember an inactive one's declarations."""
        self.view.conditional = True
        if active:
            self.queue.extend(expand(self.root, schema))
            return
        for sub in expand(self.root, schema):
            declared = sub.get("properties")
            for name, decl in declared.items() if isinstance(declared, dict) else ():
                self.view.dormant.setdefault(name, []).append(decl)

    def condition(self, part: dict[str, Any]) -> None:
        holds = self.matches(part["if"], self.effective())
        self.include(part.get("then"), holds)
        self.include(part.get("else"), not holds)

    def dependencies(self, rules: dict[str, Any]) -> None:
        """Array values: more required names; schema values: a branch (draft-07 and 2020-12)."""
        present = self.effective()
        for trigger, rule in rules.items():
            if isinstance(rule, list):
                self.view.conditional = True
                if trigger in present:
                    self.view.required.update(n for n in rule if isinstance(n, str))
            else:
                self.include(rule, trigger in present)

    def alternatives(self, branches: list[dict[str, Any]]) -> None:
        """Object-level ``oneOf``/``anyOf``: show the branches the data points to.

        A branch is chosen by its discriminators (properties it pins with
        ``const``/``enum``); branches without any always show. Each discriminator
        is offered with the values of *all* branches, so the user can switch.
        """
        pins = [_discriminators(self.root, branch) for branch in branches]
        for name, values in _union(pins).items():
            self.view.properties.setdefault(name, []).append({"enum": values})
        present = self.effective()
        for branch, pinned in zip(branches, pins, strict=True):
            active = all(name in present and choice_token(present[name]) in tokens
                         for name, (tokens, _) in pinned.items())
            self.include(branch, active)


def _discriminators(root: Any, branch: Any) -> dict[str, tuple[set[str], list[Any]]]:
    """Properties a branch pins to fixed values: name -> (tokens, values)."""
    pinned: dict[str, tuple[set[str], list[Any]]] = {}
    for part in expand(root, branch):
        declared = part.get("properties")
        for name, decl in declared.items() if isinstance(declared, dict) else ():
            merged = merge(expand(root, decl))
            values = [merged["const"]] if "const" in merged else merged.get("enum")
            if isinstance(values, list) and values:
                pinned[name] = ({choice_token(v) for v in values}, values)
    return pinned


def _union(pins: list[dict[str, tuple[set[str], list[Any]]]]) -> dict[str, list[Any]]:
    """Every pinned value per discriminator name, first occurrence first."""
    union: dict[str, dict[str, Any]] = {}
    for pinned in pins:
        for name, (_, values) in pinned.items():
            for value in values:
                union.setdefault(name, {}).setdefault(choice_token(value), value)
    return {name: list(values.values()) for name, values in union.items()}


def resolve_object(root: Any, parts: tuple[dict[str, Any], ...] | list[dict[str, Any]],
                   data: Any, matches: Matcher) -> ObjectView:
    """The object's view for ``data`` (a non-object counts as ``{}``)."""
    values = data if isinstance(data, dict) else {}
    return _Resolver(root, values, matches).run(list(parts))
