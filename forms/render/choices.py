"""Choice widgets: selects, radios, a boolean's checkbox and multiple-choice checkboxes.

Options carry ``choice_token`` values (``forms.render.encoding``) so ``forms.coerce``
maps a posted option back to the exact enum member, ``1`` and ``"1"`` included.
Frozen (read-only or disabled) choices are rendered disabled, with hidden inputs
carrying the chosen values, because browsers do not post disabled controls.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from markupsafe import Markup

from forms.render.context import Context, Notes, Slot
from forms.render.encoding import choice_token
from forms.render.html import join, tag, void
from forms.render.kinds import Choice, FieldSpec
from forms.render.widgets import aria, carriers, group, label, locked, posted_scalar, present, wrap

#: A boolean shown as radios or a select.
BOOLEAN_CHOICES = (Choice(True, "true", "Yes"), Choice(False, "false", "No"))


def choice_list(spec: FieldSpec) -> tuple[Choice, ...]:
    """The options of a choice field; a boolean with a radio/select widget gets Yes/No."""
    return BOOLEAN_CHOICES if spec.kind == "boolean" else spec.choices


def select_field(ctx: Context, spec: FieldSpec, slot: Slot) -> Markup:
    """A ``<select>``; it offers an empty option unless a required value is set."""
    chosen = choice_token(slot.value) if present(slot) else None
    frozen = any(locked(ctx, spec, slot))
    notes = ctx.notes(spec, slot)
    name = ctx.name(slot.pointer)
    options = [] if slot.required and chosen is not None else [
        tag("option", {"value": ""}, slot.option("placeholder") or "—")]
    options += [tag("option", {"value": c.token, "selected": c.token == chosen}, c.label)
                for c in choice_list(spec)]
    attrs = {"id": ctx.id(slot.pointer), "name": None if frozen else name,
             "disabled": frozen, **aria(notes, slot)}
    control = tag("select", attrs, join(options))
    extra = carriers(name, [chosen] if frozen and chosen is not None else [])
    return wrap(slot, notes, join([label(ctx, slot), control, extra]))


def radio_field(ctx: Context, spec: FieldSpec, slot: Slot) -> Markup:
    """Radios in a fieldset; every radio has its own label."""
    chosen = choice_token(slot.value) if present(slot) else None
    frozen = any(locked(ctx, spec, slot))
    notes = ctx.notes(spec, slot)
    return group(ctx, slot, notes, _options(ctx, slot, notes, "radio", choice_list(spec),
                                            {chosen} if chosen is not None else set(), frozen),
                 "radio")


def _options(ctx: Context, slot: Slot, notes: Notes, kind: str, choices: Sequence[Choice],
             chosen: set[str], frozen: bool) -> Markup:
    """One input + label per choice, then carriers when the group is frozen."""
    name, base = ctx.name(slot.pointer), ctx.id(slot.pointer)
    rows = []
    for index, choice in enumerate(choices):
        attrs = {"type": kind, "id": f"{base}__opt{index}", "name": None if frozen else name,
                 "value": choice.token, "checked": choice.token in chosen, "disabled": frozen,
                 **aria(notes, slot, required=kind == "radio")}
        rows.append(tag("div", {"class": "cs-choice"}, void("input", attrs),
                        tag("label", {"for": f"{base}__opt{index}"}, choice.label)))
    extra = carriers(name, [c.token for c in choices if c.token in chosen]) if frozen else ""
    return join([*rows, extra])


def checkbox_field(ctx: Context, spec: FieldSpec, slot: Slot) -> Markup:
    """A boolean as one checkbox, preceded by a hidden input of the same name: a
    checked box posts ``true`` after it, and the last value wins.

    The hidden value is ``false`` when the field has a value or is required, and
    empty when an optional field is absent: leaving such a box alone keeps the
    member absent instead of inventing ``false``.
    """
    checked = slot.value is True
    frozen = any(locked(ctx, spec, slot))
    notes = ctx.notes(spec, slot)
    name = ctx.name(slot.pointer)
    attrs = {"type": "checkbox", "id": ctx.id(slot.pointer), "name": None if frozen else name,
             "value": "true", "checked": checked, "disabled": frozen,
             **aria(notes, slot, required=False)}
    unchecked = "false" if slot.posts_presence else ""
    marker = carriers(name, posted_scalar(spec, slot.value) if frozen else [unchecked])
    # No required marker: the hidden input always posts, so "required" always holds.
    body = join([marker, void("input", attrs), label(ctx, replace(slot, required=False))])
    return wrap(slot, notes, body, "checkbox")


def checkboxes_field(ctx: Context, spec: FieldSpec, slot: Slot, seen: Markup) -> Markup:
    """Multiple choice (unique enumerated items) as checkboxes, or ``<select multiple>``."""
    chosen = {choice_token(v) for v in slot.value} if isinstance(slot.value, list) else set()
    frozen = any(locked(ctx, spec, slot))
    notes = ctx.notes(spec, slot, subtree=True)
    if slot.option("widget") != "select":
        body = _options(ctx, slot, notes, "checkbox", spec.choices, chosen, frozen)
        return group(ctx, slot, notes, join([seen, body]), "checkboxes")
    name = ctx.name(slot.pointer)
    options = [tag("option", {"value": c.token, "selected": c.token in chosen}, c.label)
               for c in spec.choices]
    attrs = {"id": ctx.id(slot.pointer), "name": None if frozen else name, "multiple": True,
             "disabled": frozen, **aria(notes, slot, required=False)}
    extra = carriers(name, [c.token for c in spec.choices if c.token in chosen]) if frozen else ""
    body = join([label(ctx, slot), seen, tag("select", attrs, join(options)), extra])
    return wrap(slot, notes, body, "select-multiple")
