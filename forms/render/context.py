"""State of one ``render_form`` call and the per-field facts widgets need.

A ``Context`` lives for one call: it knows the root schema (for ``$ref`` and
conditions), which errors exist and which of them a field has already shown (the
rest go to the summary), and caches field classifications so a 100-row array
classifies its item schema once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from forms.errors import FieldError
from forms.pointers import MISSING
from forms.render.html import html_id, join, tag
from forms.render.kinds import Classifier, FieldSpec
from forms.render.objects import Matcher

_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])|[^\sA-Za-z0-9_\-]+")


def humanise(name: str) -> str:
    """``firstName`` / ``first_name`` -> ``First name``; other names keep their words."""
    if not name.strip():
        return "Field"
    if " " in name.strip():
        return name[:1].upper() + name[1:]
    words = _WORDS.findall(name) or [name]
    text = " ".join(word if word.isupper() and len(word) > 1 else word.lower()
                    for word in words)
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Slot:
    """Where a field sits: its data pointer, label, value (MISSING if absent) and UI."""

    pointer: str
    label: str
    value: Any = MISSING
    ui: dict[str, Any] = field(default_factory=dict)
    required: bool = False
    row: bool = False

    @property
    def present(self) -> bool:
        """Does the data hold this field (the root and array rows always exist)?"""
        return self.value is not MISSING or self.row or not self.pointer

    @property
    def posts_presence(self) -> bool:
        """Must a container say "I exist" even when it ends up empty? Only when the
        data has it or it is required: an untouched optional one stays absent."""
        return self.present or self.required

    def option(self, key: str, default: Any = None) -> Any:
        """``ui:<key>``, falling back to rjsf's ``ui:options: {key: …}``."""
        if f"ui:{key}" in self.ui:
            return self.ui[f"ui:{key}"]
        options = self.ui.get("ui:options")
        return options.get(key, default) if isinstance(options, dict) else default


@dataclass
class Notes:
    """Help and error texts of a field, and the ARIA attributes that point at them."""

    markup: Markup
    describedby: str | None
    invalid: bool


@dataclass
class Context:
    """One rendering pass."""

    root: Any
    prefix: str
    read_only: bool
    matches: Matcher
    errors: Sequence[FieldError] = ()
    shown: set[FieldError] = field(default_factory=set)
    ancestors: list[frozenset[int]] = field(default_factory=list)
    locks: tuple[bool, bool] = (False, False)
    _ids: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.spec = Classifier(self.root)

    @contextmanager
    def inside(self, parts: frozenset[int], locks: tuple[bool, bool]) -> Iterator[None]:
        """Render a container's children: ``parts`` joins the ancestors (recursion
        guard, depth bound) and the container's (read-only, disabled) state is inherited."""
        saved = self.locks
        self.ancestors.append(parts)
        self.locks = locks
        try:
            yield
        finally:
            self.ancestors.pop()
            self.locks = saved

    def name(self, pointer: str) -> str:
        return self.prefix + pointer

    def id(self, pointer: str) -> str:
        found = self._ids.get(pointer)
        if found is None:
            found = self._ids[pointer] = html_id(self.prefix + pointer)
        return found

    def take_errors(self, pointer: str, subtree: bool = False) -> list[FieldError]:
        """Errors at ``pointer`` (and below it, for fields that edit a whole subtree),
        marked as shown so the summary leaves them out."""
        if not self.errors:
            return []
        found = [e for e in self.errors if e.path == pointer
                 or (subtree and e.path.startswith(pointer + "/"))]
        self.shown.update(found)
        return found

    def notes(self, spec: FieldSpec, slot: Slot, subtree: bool = False,
              hint: str | None = None) -> Notes:
        """Description, ``ui:help``, a widget's own hint and the error texts, each
        with an id for aria-describedby."""
        base = self.id(slot.pointer)
        description = slot.option("description", spec.schema.get("description"))
        pieces: list[tuple[str, Markup]] = []
        for suffix, text in (("desc", description), ("help", slot.option("help")),
                             ("hint", hint)):
            if isinstance(text, str) and text:
                pieces.append((suffix, tag("p", {"class": "cs-help", "id": f"{base}__{suffix}"},
                                           text)))
        errors = self.take_errors(slot.pointer, subtree)
        if errors:
            # coerce_form and validate_data may both report one problem: say it once
            text = "; ".join(dict.fromkeys(_relative(e, slot.pointer) for e in errors))
            pieces.append(("error", tag("p", {"class": "cs-error", "id": f"{base}__error"},
                                        text)))
        ids = " ".join(f"{base}__{suffix}" for suffix, _ in pieces)
        return Notes(join(p for _, p in pieces), ids or None, bool(errors))


def _relative(error: FieldError, pointer: str) -> str:
    """An error inside a subtree field names the spot inside it."""
    inner = error.path[len(pointer):]
    return f"{inner}: {error.message}" if inner else error.message
