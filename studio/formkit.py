"""The pages' side of generated forms: render, read a post, apply row buttons, diff.

Why an adapter: pages deal in one ``FormState`` (data + errors at fields), while
``forms.render``/``forms.coerce`` stay plain functions without Flask; and the
same merge-patch diff serves the case data form and nothing else needs to know
that a cleared field must be sent as ``null``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from forms import clean
from forms.coerce import apply_array_op, coerce_form
from forms.errors import FieldError
from forms.render import OP, render_form


@dataclass
class FormState:
    """What a form shows: its schema, values and errors at their fields."""

    schema: dict[str, Any]
    ui: dict[str, Any] | None
    data: Any
    errors: list[FieldError] = field(default_factory=list)
    prefix: str = "f"
    read_only: bool = False

    def html(self) -> Markup:
        return render_form(self.schema, self.ui, self.data, self.errors, prefix=self.prefix,
                           read_only=self.read_only)


@dataclass
class Posted:
    """A submitted form: typed data, conversion errors, and a row button if one was hit."""

    data: Any
    errors: list[FieldError]
    op: str | None


def read_form(schema: dict[str, Any], form: Mapping[str, Any], prefix: str) -> Posted:
    """Typed JSON from a post; an array row button (``_op``) is applied at once.

    When some values could not be typed, the rest is validated too, so the user
    sees every problem at once (the service validates again before saving).
    """
    data, errors = coerce_form(schema, form, prefix=prefix)
    op = form.get(OP) or None
    if op:
        return Posted(apply_array_op(data, op, schema=schema), [], op)
    if errors:
        typed = {e.path for e in errors}
        _cleaned, invalid = clean(schema, data if data is not None else {})
        errors = [*errors, *(e for e in invalid if e.path not in typed)]
    return Posted(data, list(errors), op)


def field_errors(items: list[dict[str, Any]]) -> list[FieldError]:
    """``ValidationFailed.errors`` (``[{path, message}]``) as renderer errors."""
    return [FieldError(str(e.get("path", "")), str(e.get("message", ""))) for e in items]


def merge_diff(old: Any, new: Any) -> dict[str, Any]:
    """The RFC 7396 merge patch turning ``old`` into ``new`` (removed keys -> ``null``)."""
    old = old if isinstance(old, dict) else {}
    patch: dict[str, Any] = {key: None for key in old if key not in new}
    for key, value in new.items():
        before = old.get(key)
        if isinstance(value, dict) and isinstance(before, dict):
            inner = merge_diff(before, value)
            if inner:
                patch[key] = inner
        elif key not in old or before != value:
            patch[key] = value
    return patch
