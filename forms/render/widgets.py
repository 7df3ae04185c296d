"""Widgets for single fields: text-like inputs, text areas, selects, radios,
checkboxes, hidden inputs and the JSON text area every unsupported shape falls
back to.

Each widget returns the whole field (label, control, help, error) so layout code
only decides *which* widget a field gets. A control the user may not change is
rendered ``disabled`` without a name, and hidden inputs carry its value instead:
browsers do not post disabled controls, and the value must survive the post.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

from forms.formats import is_date
from forms.pointers import MISSING
from forms.render.context import Context, Notes, Slot
from forms.render.encoding import (
    JSON_MARK,
    SEEN,
    choice_token,
    json_text,
    number_text,
    to_local_datetime,
)
from forms.render.html import AttrValue, classes, join, tag, void
from forms.render.kinds import FieldSpec

_FORMAT_TYPES = {"email": "email", "uri": "url", "date": "date", "date-time": "datetime-local"}
#: UI overrides that change only how a string is typed, never what is posted.
_INPUT_TYPES = frozenset({"text", "email", "url", "tel", "search", "password"})
_WIDGET_TYPES = {"password": "password", "email": "email", "uri": "url", "text": "text"}
#: ``datetime-local`` has no time zone; CaseStudio reads and writes it as UTC.
UTC_HINT = "Date and time in UTC."
UNEDITABLE_HINT = "This value is nested too deeply (or is not JSON) and cannot be edited here."


def present(slot: Slot) -> bool:
    """Is there a value to show? (``null`` shows as an empty control.)"""
    return slot.value is not MISSING and slot.value is not None


def locked(ctx: Context, spec: FieldSpec, slot: Slot) -> tuple[bool, bool]:
    """(read-only, disabled) for this field: from the call, an enclosing object or
    array, the schema's ``readOnly`` and the UI's ``ui:readonly``/``ui:disabled``."""
    inherited_read_only, inherited_disabled = ctx.locks
    read_only = ctx.read_only or inherited_read_only or spec.schema.get("readOnly") is True \
        or slot.option("readonly") is True
    return read_only, inherited_disabled or slot.option("disabled") is True


def carriers(name: str, values: Sequence[str]) -> Markup:
    """Hidden inputs posting ``values`` under ``name`` for a disabled control."""
    return join(void("input", {"type": "hidden", "name": name, "value": v}) for v in values)


def presence(ctx: Context, slot: Slot) -> Markup:
    """The ``_seen`` marker of a container, when it must come back even if empty."""
    return carriers(SEEN, [ctx.name(slot.pointer)]) if slot.posts_presence else Markup("")


def label(ctx: Context, slot: Slot, *, element: str = "label", target: bool = True) -> Markup:
    """The visible label with the required marker (``*``, hidden from screen readers,
    which hear ``required`` from the control itself)."""
    marker = tag("span", {"class": "cs-required", "aria-hidden": "true"}, "*") \
        if slot.required else ""
    attrs: dict[str, AttrValue] = {"class": "cs-label"}
    if target:
        attrs["for"] = ctx.id(slot.pointer)
    return tag(element, attrs, slot.label, marker)


def wrap(slot: Slot, notes: Notes, body: Markup, modifier: str = "") -> Markup:
    """The field container: one ``div`` with the BEM classes the portal styles."""
    css = classes("cs-field", modifier and f"cs-field--{modifier}",
                  notes.invalid and "cs-field--error", ui_classes(slot))
    return tag("div", {"class": css}, body, notes.markup)


def group(ctx: Context, slot: Slot, notes: Notes, body: Markup, modifier: str) -> Markup:
    """Radios and checkbox lists: a fieldset whose legend labels the group."""
    css = classes("cs-field", f"cs-field--{modifier}", notes.invalid and "cs-field--error",
                  ui_classes(slot))
    attrs = {"class": css, "id": ctx.id(slot.pointer), "aria-describedby": notes.describedby}
    return tag("fieldset", attrs, label(ctx, slot, element="legend", target=False), body,
               notes.markup)


def ui_classes(slot: Slot) -> str | None:
    """``ui:classNames``: the analyst's extra classes, appended to ours."""
    names = slot.ui.get("ui:classNames")
    return names if isinstance(names, str) else None


def aria(notes: Notes, slot: Slot, *, required: bool = True) -> dict[str, AttrValue]:
    """``required`` for the browser plus the ARIA state screen readers announce.
    (Checkboxes pass ``required=False``: for them it would mean "must be ticked".)"""
    return {"required": required and slot.required,
            "aria-required": "true" if required and slot.required else None,
            "aria-invalid": "true" if notes.invalid else None,
            "aria-describedby": notes.describedby}


def _string_type(spec: FieldSpec, slot: Slot, value: Any) -> tuple[str, Any]:
    """Input type and the text to show; a value the typed control cannot show
    (an invalid date) gets a plain text input so it stays visible and editable."""
    chosen = _WIDGET_TYPES.get(str(slot.option("widget")))
    wanted = slot.option("inputType")
    if chosen is None and wanted in _INPUT_TYPES:
        chosen = wanted
    kind = chosen or _FORMAT_TYPES.get(str(spec.schema.get("format")), "text")
    if not isinstance(value, str) or not value or kind not in ("date", "datetime-local"):
        return kind, value
    if kind == "date":
        return ("date", value) if is_date(value) else ("text", value)
    local = to_local_datetime(value)
    return ("datetime-local", local) if local else ("text", value)


def _limits(spec: FieldSpec, input_type: str = "") -> dict[str, AttrValue]:
    """Browser hints from the schema (the server validates regardless)."""
    schema = spec.schema
    if spec.kind in ("number", "integer") and input_type == "text":
        return {"inputmode": "decimal"}  # showing typed text that is not a number
    if spec.kind in ("number", "integer"):
        step = _number(schema.get("multipleOf"))
        return {"min": _number(schema.get("minimum")), "max": _number(schema.get("maximum")),
                "step": step if step is not None else "1" if spec.kind == "integer" else "any"}
    pattern = schema.get("pattern")
    return {"minlength": _count(schema.get("minLength")),
            "maxlength": _count(schema.get("maxLength")),
            "pattern": f".*(?:{pattern}).*" if isinstance(pattern, str) else None}


def _number(value: Any) -> str | None:
    """A numeric schema keyword as attribute text; anything else is ignored."""
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    return number_text(value) if is_number else None


def _count(value: Any) -> int | None:
    """A length keyword if it is a real integer (``True`` is an int to Python)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def text_field(ctx: Context, spec: FieldSpec, slot: Slot) -> Markup:
    """String, number and integer inputs (and text areas for strings)."""
    value = slot.value if present(slot) else ""
    if spec.kind in ("number", "integer") and isinstance(value, str) and value.strip():
        input_type, text = "text", value  # typed text that is no number: show it as typed
    elif spec.kind in ("number", "integer"):
        input_type = "number"
        text = number_text(value) if isinstance(value, int | float) else ""
    else:
        input_type, text = _string_type(spec, slot, value)
    multiline = slot.option("widget") == "textarea" or "\n" in text or "\r" in text
    if spec.kind == "string" and multiline:
        return textarea(ctx, spec, slot, text)
    read_only, disabled = locked(ctx, spec, slot)
    notes = ctx.notes(spec, slot, hint=UTC_HINT if input_type == "datetime-local" else None)
    name = ctx.name(slot.pointer)
    attrs: dict[str, AttrValue] = {
        "type": input_type, "id": ctx.id(slot.pointer), "name": None if disabled else name,
        "value": text, "placeholder": slot.option("placeholder"), **_limits(spec, input_type),
        "readonly": read_only, "disabled": disabled, "autofocus": slot.option("autofocus") is True,
        **aria(notes, slot)}
    if input_type == "datetime-local":
        attrs["step"] = "1"
    control = void("input", attrs)
    extra = carriers(name, [text]) if disabled else Markup("")
    return wrap(slot, notes, join([label(ctx, slot), control, extra]))


def textarea(ctx: Context, spec: FieldSpec, slot: Slot, text: str) -> Markup:
    """Multi-line strings. The leading newline is eaten by HTML parsers, so one is
    always written: a value that itself starts with a newline keeps it."""
    read_only, disabled = locked(ctx, spec, slot)
    notes = ctx.notes(spec, slot)
    name = ctx.name(slot.pointer)
    rows = slot.option("rows")
    attrs: dict[str, AttrValue] = {
        "id": ctx.id(slot.pointer), "name": None if disabled else name,
        "rows": rows if isinstance(rows, int) else None, "placeholder": slot.option("placeholder"),
        "minlength": _count(spec.schema.get("minLength")),
        "maxlength": _count(spec.schema.get("maxLength")),
        "readonly": read_only, "disabled": disabled, **aria(notes, slot)}
    control = tag("textarea", attrs, "\n" + text)
    extra = carriers(name, [text]) if disabled else Markup("")
    return wrap(slot, notes, join([label(ctx, slot), control, extra]))


def hidden_field(ctx: Context, spec: FieldSpec, slot: Slot) -> Markup:
    """``ui:widget: hidden``: the value only, posted as the visible widget would."""
    return carriers(ctx.name(slot.pointer), posted_scalar(spec, slot.value))


def posted_scalar(spec: FieldSpec, value: Any) -> list[str]:
    """What a scalar or choice field posts for ``value`` (nothing when absent)."""
    if value is MISSING or value is None:
        return []
    if spec.kind == "choice" or isinstance(value, bool):
        return [choice_token(value)]
    if isinstance(value, int | float):
        return [number_text(value)]
    return [str(value)]


def json_field(ctx: Context, spec: FieldSpec, slot: Slot, reason: str) -> Markup:
    """The fallback: the value as JSON text, parsed back on post (``_json`` says so)."""
    read_only, disabled = locked(ctx, spec, slot)
    try:
        text = json_text(slot.value) if slot.value is not MISSING else ""
    except (RecursionError, TypeError, ValueError):
        # Too deep for json (or not JSON at all): shown, never posted, never a crash.
        text, reason, disabled = "", UNEDITABLE_HINT, True
    notes = ctx.notes(spec, slot, subtree=True, hint=reason)
    name = ctx.name(slot.pointer)
    attrs = {"id": ctx.id(slot.pointer), "name": None if disabled else name, "class": "cs-json",
             "spellcheck": "false", "rows": max(2, min(12, text.count("\n") + 1)),
             "readonly": read_only, "disabled": disabled, **aria(notes, slot)}
    body = join([label(ctx, slot), tag("textarea", attrs, "\n" + text),
                 carriers(JSON_MARK, [name]), carriers(name, [text]) if disabled and text else ""])
    return wrap(slot, notes, body, "json")


def note_field(ctx: Context, spec: FieldSpec, slot: Slot) -> Markup:
    """A ``null`` field: only text to read; a present or required null still posts."""
    notes = ctx.notes(spec, slot)
    name = ctx.name(slot.pointer)
    keep = slot.value is None or slot.required
    extra = join([carriers(name, ["null"]), carriers(JSON_MARK, [name])]) if keep else ""
    return wrap(slot, notes, join([label(ctx, slot, element="p", target=False), extra]),
                "note")
