"""Server-side HTML for JSON-schema forms (no JavaScript needed).

``render_form`` draws the fields of a form (the page adds ``<form>``, CSRF and the
submit button); ``forms.coerce.coerce_form`` turns the post back into typed JSON.
Input names are the JSON Pointers of the fields under a prefix (``f/items/0/name``),
so a post maps back to the data without guessing. Three reserved names never
collide with them: ``_seen`` (a container was on the form), ``_json`` (a control
holds JSON text) and ``_op`` (the array row buttons).

CSS classes (the portal's stylesheet styles these; nothing else is emitted):
``cs-form`` (root), ``cs-error-summary`` (+ ``__title``), ``cs-field`` with modifiers
``--error``, ``--checkbox``, ``--radio``, ``--checkboxes``, ``--select-multiple``,
``--json``, ``--note``; ``cs-label``, ``cs-required``, ``cs-help``, ``cs-error``,
``cs-choice``, ``cs-json``, ``cs-fieldset`` (nested objects and arrays), ``cs-array``,
``cs-array__row``, ``cs-array__toolbar``, ``cs-array__button`` (+ ``--add``, ``--remove``,
``--up``, ``--down``). Containers carry ``data-pointer``; a container whose fields depend
on its values (``if``/``then``, dependencies, alternatives) has ``data-conditional="1"``:
the page re-renders the form through the server when a value inside it changes.

A page's POST handler, in short::

    data, problems = coerce_form(schema, request.form)
    if "_op" in request.form:              # a row button: apply it, show the form again
        return show(render_form(schema, ui, apply_array_op(data, request.form["_op"],
                                                           schema=schema)))
    data, invalid = clean(schema, data)    # defaults + the API's own validator
    if problems or invalid:
        return show(render_form(schema, ui, data, problems + invalid))
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from forms.errors import FieldError
from forms.pointers import MISSING
from forms.render.context import Context, Slot
from forms.render.encoding import JSON_MARK, OP, SEEN
from forms.render.html import join
from forms.render.layout import render_field, summary
from forms.render.objects import make_matcher

__all__ = ["JSON_MARK", "OP", "SEEN", "check_prefix", "render_form"]


def check_prefix(prefix: str) -> str:
    """A prefix must not look like a pointer or a reserved name."""
    if not prefix or "/" in prefix or "~" in prefix or prefix.startswith("_"):
        raise ValueError(f"invalid form prefix {prefix!r}: use letters and digits, e.g. 'f'")
    return prefix


def render_form(schema: dict[str, Any], ui: dict[str, Any] | None, data: Any,
                errors: list[FieldError] | None = None, *, prefix: str = "f",
                read_only: bool = False) -> Markup:
    """The fields of ``schema`` showing ``data``, with ``errors`` at their fields.

    ``data`` None means "nothing entered yet" (defaults are shown). Errors whose
    path has no field on the form are listed in a summary (``role="alert"``) at the
    top. Never raises for a strange schema or data: unsupported parts become JSON
    text areas.
    """
    ctx = Context(schema, check_prefix(prefix), read_only, make_matcher(schema),
                  list(errors or ()))
    spec = ctx.spec([schema])
    value = MISSING if data is None else data
    if value is MISSING:
        value = spec.schema.get("default", MISSING)
    ui_root = ui if isinstance(ui, dict) else {}
    title = spec.schema.get("title")
    slot = Slot("", title if isinstance(title, str) and title else "Value", value, ui_root,
                required=True)
    body = render_field(ctx, spec, slot)
    return join([summary(ctx), body])
