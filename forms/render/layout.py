"""Which widget a field gets, and the containers: objects, arrays, the error summary.

``render_field`` is the single dispatch point. A value the chosen widget cannot
show faithfully (a string in a boolean field, an object in a text field) and every
shape the widgets do not support fall back to the JSON text area, so rendering
never raises and a post never loses data.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from markupsafe import Markup

from forms.errors import FieldError
from forms.pointers import MISSING, child
from forms.render import choices as ch
from forms.render import widgets as w
from forms.render.context import Context, Slot, humanise
from forms.render.encoding import OP, SEEN, choice_token, parse_number
from forms.render.html import AttrValue, classes, join, tag
from forms.render.kinds import FieldSpec, items_schema
from forms.render.objects import ObjectView, resolve_object

#: Deeper structures are edited as JSON (bounds work on hostile or recursive data).
MAX_DEPTH = 24
UNSUPPORTED_HINT = "This field is edited as JSON text."
MISFIT_HINT = "The current value does not fit this field's form; it is shown as JSON text."


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and \
        math.isfinite(value)


def typed_text(spec: FieldSpec, value: Any) -> bool:
    """Is ``value`` what a user typed into a number field that is not a number?

    Coercion keeps such text (``"12abc"``) so that the form can show it again next to
    "must be a number"; it posts back as the same string, so the number field (as a
    text input) can hold it instead of a JSON text area.
    """
    return spec.kind in ("number", "integer") and isinstance(value, str) and \
        bool(value.strip()) and parse_number(value, spec.kind == "integer") is None


def fits(spec: FieldSpec, slot: Slot) -> bool:
    """Can the kind's widget show ``slot.value`` and post it back unchanged?"""
    value = slot.value
    if value is MISSING or spec.kind in ("json", "never") or typed_text(spec, value):
        return True
    if value is None:
        return spec.nullable or spec.kind == "null" or (
            slot.row and spec.kind in ("number", "integer", "choice"))
    if spec.kind == "choice":
        return choice_token(value) in {c.token for c in spec.choices}
    if spec.kind == "multi":
        tokens = [choice_token(v) for v in value] if isinstance(value, list) else None
        return tokens is not None and len(set(tokens)) == len(tokens) and \
            set(tokens) <= {c.token for c in spec.choices}
    expected = {"string": lambda v: isinstance(v, str), "boolean": lambda v: isinstance(v, bool),
                "number": _is_number, "integer": _is_number, "null": lambda v: False,
                "object": lambda v: isinstance(v, dict), "array": lambda v: isinstance(v, list)}
    return expected[spec.kind](value)


def render_field(ctx: Context, spec: FieldSpec, slot: Slot) -> Markup:
    """The markup of one field of any kind."""
    if spec.kind == "never" and slot.value is MISSING:
        return Markup("")
    if spec.kind in ("json", "never") or len(ctx.ancestors) > MAX_DEPTH:
        return w.json_field(ctx, spec, slot, UNSUPPORTED_HINT)
    if not fits(spec, slot):
        return w.json_field(ctx, spec, slot, MISFIT_HINT)
    if spec.kind == "object":
        return object_field(ctx, spec, slot)
    if spec.kind in ("array", "multi"):
        return array_field(ctx, spec, slot)
    return _scalar(ctx, spec, slot)


def _scalar(ctx: Context, spec: FieldSpec, slot: Slot) -> Markup:
    widget = slot.option("widget")
    if spec.kind == "null":
        return w.note_field(ctx, spec, slot)
    if widget == "hidden":
        return w.hidden_field(ctx, spec, slot)
    if spec.kind == "choice" or (spec.kind == "boolean" and widget in ("radio", "select")):
        return ch.radio_field(ctx, spec, slot) if widget == "radio" else \
            ch.select_field(ctx, spec, slot)
    if spec.kind == "boolean":
        return ch.checkbox_field(ctx, spec, slot)
    return w.text_field(ctx, spec, slot)


def _ui(ui: Any, key: str) -> dict[str, Any]:
    found = ui.get(key) if isinstance(ui, dict) else None
    return found if isinstance(found, dict) else {}


def _title(ui: dict[str, Any], spec: FieldSpec, fallback: str) -> str:
    for candidate in (ui.get("ui:title"), spec.schema.get("title")):
        if isinstance(candidate, str) and candidate.strip():
            return candidate
    return fallback


def order(view: ObjectView, data: dict[str, Any], ui: dict[str, Any]) -> list[str]:
    """Declared members, then extra data members, rearranged by ``ui:order`` (``*`` =
    everything not listed; names it does not know are ignored)."""
    names = list(view.properties) + [n for n in data if n not in view.properties]
    wanted = ui.get("ui:order")
    if not isinstance(wanted, list):
        return names
    listed = [n for n in dict.fromkeys(x for x in wanted if isinstance(x, str)) if n in names]
    rest = [n for n in names if n not in listed]
    cut = wanted.index("*") if "*" in wanted else len(wanted)
    before = [n for n in listed if wanted.index(n) < cut]
    return before + rest + [n for n in listed if n not in before]


def member(ctx: Context, view: ObjectView, name: str, data: dict[str, Any],
           parent: Slot) -> Markup:
    """One member of an object, with its default shown when the data lacks it.

    Inside an absent optional object nothing is required and no default is shown:
    like ``apply_defaults``, the form does not create a group the user left out.
    """
    spec = ctx.spec(view.declarations(name))
    value = data.get(name, MISSING)
    live = parent.posts_presence
    if value is MISSING and live:
        value = spec.schema.get("default", MISSING)
    ui = _ui(parent.ui, name)
    slot = Slot(child(parent.pointer, name), _title(ui, spec, humanise(name)), value, ui,
                live and name in view.required)
    return render_field(ctx, spec, slot)


def object_field(ctx: Context, spec: FieldSpec, slot: Slot) -> Markup:
    """A fieldset of members; the form root is a plain ``div`` (the page titles it)."""
    parts = frozenset(id(part) for part in spec.parts)
    if slot.value is MISSING and any(parts & seen for seen in ctx.ancestors):
        return w.json_field(ctx, spec, slot, UNSUPPORTED_HINT)  # recursive schema, no data
    data = slot.value if isinstance(slot.value, dict) else {}
    view = resolve_object(ctx.root, spec.parts, data, ctx.matches)
    with ctx.inside(parts, w.locked(ctx, spec, slot)):
        members = [member(ctx, view, name, data, slot) for name in order(view, data, slot.ui)]
    seen = w.presence(ctx, slot)
    attrs: dict[str, AttrValue] = {"data-pointer": slot.pointer,
                                   "data-conditional": "1" if view.conditional else None}
    if not slot.pointer:
        description = spec.schema.get("description")
        intro = tag("p", {"class": "cs-help"}, description) if isinstance(description, str) \
            else Markup("")
        return tag("div", {"class": "cs-form", **attrs}, intro, seen, join(members))
    return fieldset(ctx, spec, slot, attrs, join([seen, *members]))


def fieldset(ctx: Context, spec: FieldSpec, slot: Slot, attrs: dict[str, AttrValue],
             body: Markup, modifier: str | None = None) -> Markup:
    """A nested object's or an array's container with legend, help and errors."""
    notes = ctx.notes(spec, slot)
    css = classes("cs-fieldset", modifier, notes.invalid and "cs-field--error",
                  w.ui_classes(slot))
    legend = w.label(ctx, slot, element="legend", target=False)
    return tag("fieldset", {"class": css, "id": ctx.id(slot.pointer), **attrs,
                            "aria-describedby": notes.describedby}, legend, notes.markup, body)


def array_field(ctx: Context, spec: FieldSpec, slot: Slot) -> Markup:
    """Multiple choice as checkboxes; any other array as rows with row buttons."""
    seen = w.presence(ctx, slot)
    item = ctx.spec([items_schema(spec)])
    if spec.kind == "array" and item.kind == "choice" and \
            slot.option("widget") in ("checkboxes", "select"):
        spec = replace(spec, kind="multi", choices=item.choices)
        if not fits(spec, slot):
            return w.json_field(ctx, spec, slot, MISFIT_HINT)
    if spec.kind == "multi":
        return ch.checkboxes_field(ctx, spec, slot, seen)
    values = slot.value if isinstance(slot.value, list) else []
    locks = w.locked(ctx, spec, slot)
    editable = not any(locks)
    noun = _title(_ui(slot.ui, "items"), item, "Item")
    with ctx.inside(frozenset(), locks):
        rows = [_row(ctx, item, slot, index, value, noun, len(values) if editable else 0)
                for index, value in enumerate(values)]
    body = join([seen, *rows, _add_button(ctx, spec, slot, noun, len(values), editable)])
    return fieldset(ctx, spec, slot, {"data-pointer": slot.pointer}, body, "cs-array")


def _row(ctx: Context, item: FieldSpec, parent: Slot, index: int, value: Any, noun: str,
         count: int) -> Markup:
    """One array row: its own presence marker, the item field, its buttons
    (``count`` is the number of rows, 0 when rows cannot be changed)."""
    pointer = child(parent.pointer, index)
    slot = Slot(pointer, f"{noun} {index + 1}", value, _ui(parent.ui, "items"), row=True)
    buttons = []
    for verb, text, shown in (("up", "Move up", index > 0 and parent.option("orderable", True)),
                              ("down", "Move down",
                               index < count - 1 and parent.option("orderable", True)),
                              ("remove", "Remove", parent.option("removable", True))):
        if shown is True and count:
            buttons.append(_button(verb, pointer, text, f"{text}: {slot.label}"))
    toolbar = tag("div", {"class": "cs-array__toolbar"}, join(buttons)) if buttons else ""
    return tag("div", {"class": "cs-array__row", "data-pointer": pointer},
               w.carriers(SEEN, [ctx.name(pointer)]), render_field(ctx, item, slot), toolbar)


def _button(verb: str, pointer: str, text: str, aria_label: str | None = None) -> Markup:
    """A submit button that works without JavaScript; the page applies ``_op``."""
    return tag("button", {"type": "submit", "name": OP, "value": f"{verb}:{pointer}",
                          "class": f"cs-array__button cs-array__button--{verb}",
                          "formnovalidate": True, "aria-label": aria_label}, text)


def _add_button(ctx: Context, spec: FieldSpec, slot: Slot, noun: str, count: int,
                editable: bool) -> Markup | str:
    limit = spec.schema.get("maxItems")
    full = isinstance(limit, int) and count >= limit
    if not editable or full or slot.option("addable", True) is not True:
        return ""
    text = f"Add {noun.lower()}"
    return _button("add", slot.pointer, text, f"{text} to {slot.label}")


def summary(ctx: Context) -> Markup:
    """Errors no field showed (their path has no field on the form), as one alert."""
    left = [error for error in dict.fromkeys(ctx.errors) if error not in ctx.shown]
    if not left:
        return Markup("")
    items = [tag("li", {}, f"{_where(error)}: {error.message}") for error in left]
    return tag("div", {"class": "cs-error-summary", "role": "alert"},
               tag("p", {"class": "cs-error-summary__title"}, "Please correct the following:"),
               tag("ul", {}, join(items)))


def _where(error: FieldError) -> str:
    """A human name for an error's place: the last member name, or "Form" for the root."""
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in error.path.split("/")[1:]]
    if not tokens:
        return "Form"
    if tokens[-1].isdigit():
        owner = humanise(tokens[-2]) if len(tokens) > 1 else "Form"
        return f"{owner}, item {int(tokens[-1]) + 1}"
    return humanise(tokens[-1])
