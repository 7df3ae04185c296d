"""Turn jsonschema's ValidationErrors into human-readable ``FieldError`` lists.

jsonschema's own messages embed ``repr`` of the offending value (possibly a whole
nested document) and report a missing property at its parent. Forms need the
opposite: short sentences a case worker understands, attached to the field that
needs attention. Everything here is pure conversion; no validation happens.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from jsonschema.exceptions import ValidationError

from forms.errors import FieldError
from forms.pointers import child, to_pointer
from forms.schema_walk import MAPS

_MAX_SHOWN = 60
_MAX_CHOICES = 20
_TYPE_NAMES = {
    "string": "a string", "number": "a number", "integer": "a whole number",
    "object": "an object", "array": "a list", "boolean": "true or false", "null": "empty",
}
_FORMAT_NAMES = {
    "email": "a valid email address", "date": "a valid date (YYYY-MM-DD)",
    "date-time": "a valid date and time with time zone", "uri": "a valid URI",
}
#: Keywords whose failure means "this alternative was not meant", used to pick the
#: alternative of a oneOf/anyOf that the user most likely intended.
_DISCRIMINATING = frozenset({"const", "enum"})


def show(value: Any) -> str:
    """A short rendering of a JSON value: strings bare, the rest as JSON, capped."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False,
                                                           default=str)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"


def _plural(count: Any, noun: str) -> str:
    return f"{show(count)} {noun}{'' if count == 1 else 's'}"


def _choices(values: Iterable[Any]) -> str:
    """Long enums are cut: the form shows the choices; the message only reminds."""
    shown = [show(value) for value in values]
    extra = ", …" if len(shown) > _MAX_CHOICES else ""
    return "must be one of: " + ", ".join(shown[:_MAX_CHOICES]) + extra


def _type(value: Any) -> str:
    """Type names as a case worker would say them (``array`` is a list)."""
    names = value if isinstance(value, list) else [value]
    return "must be " + " or ".join(_TYPE_NAMES.get(name, str(name)) for name in names)


def _format(value: Any) -> str:
    return "is not " + _FORMAT_NAMES.get(value, f"a valid {show(value)}")


_SENTENCES: dict[str | None, Callable[[Any], str]] = {
    "type": _type,
    "const": lambda v: f"must be {show(v)}",
    "enum": _choices,
    "format": _format,
    "minLength": lambda v: f"must be at least {_plural(v, 'character')}",
    "maxLength": lambda v: f"must be at most {_plural(v, 'character')}",
    "pattern": lambda v: "does not match the required pattern",
    "minimum": lambda v: f"must be at least {show(v)}",
    "maximum": lambda v: f"must be at most {show(v)}",
    "exclusiveMinimum": lambda v: f"must be greater than {show(v)}",
    "exclusiveMaximum": lambda v: f"must be less than {show(v)}",
    "multipleOf": lambda v: f"must be a multiple of {show(v)}",
    "minItems": lambda v: f"must have at least {_plural(v, 'item')}",
    "maxItems": lambda v: f"must have at most {_plural(v, 'item')}",
    "uniqueItems": lambda v: "must not contain duplicate items",
    "contains": lambda v: "does not contain the expected items",
    "minProperties": lambda v: f"must have at least {_plural(v, 'field')}",
    "maxProperties": lambda v: f"must have at most {_plural(v, 'field')}",
    "unevaluatedProperties": lambda v: "contains fields that are not allowed",
    "unevaluatedItems": lambda v: "contains items that are not allowed",
    "not": lambda v: "is not allowed",
    None: lambda v: "is not allowed",  # a `false` schema
}


def _missing_required(error: ValidationError) -> list[str]:
    """jsonschema names the missing property only inside its message; recompute it."""
    return [name for name in error.validator_value if name not in error.instance]


def _missing_dependencies(error: ValidationError) -> list[str]:
    """For ``dependentRequired`` and the array form of draft-07 ``dependencies``."""
    return [name for trigger, needed in error.validator_value.items()
            if trigger in error.instance and isinstance(needed, list)
            for name in needed if name not in error.instance]


_MISSING: dict[str, Callable[[ValidationError], list[str]]] = {
    "required": _missing_required,
    "dependentRequired": _missing_dependencies,
    "dependencies": _missing_dependencies,
}


def _branch_cost(errors: list[ValidationError], own_path: str) -> tuple[int, int]:
    """Rank alternatives: wrong type/const/enum means the user meant another one."""
    mismatches = sum(1 for e in errors if e.validator in _DISCRIMINATING
                     or (e.validator == "type" and to_pointer(e.absolute_path) == own_path))
    return mismatches, len(errors)


def _options_message(error: ValidationError) -> str:
    """Summary when no alternative stands out; lists them when they are plain values."""
    branches = error.validator_value
    if all(isinstance(b, dict) and ("const" in b or "enum" in b) for b in branches):
        return _choices(v for b in branches for v in ([b["const"]] if "const" in b else b["enum"]))
    return "must match one of the allowed options"


def _alternatives(error: ValidationError, path: str) -> Iterator[FieldError]:
    """oneOf/anyOf: the errors of the one clearly intended branch, else one summary."""
    if not error.context:
        yield FieldError(path, "must match exactly one of the allowed options")
        return
    branches: dict[Any, list[ValidationError]] = defaultdict(list)
    for sub in error.context:
        branches[sub.relative_schema_path[0]].append(sub)
    ranked = sorted((_branch_cost(errs, path), key) for key, errs in branches.items())
    if len(ranked) > 1 and ranked[0][0] == ranked[1][0]:
        yield FieldError(path, _options_message(error))
        return
    for sub in branches[ranked[0][1]]:
        yield from _convert(sub)


def _at_members(path: str, names: list[str]) -> Iterator[FieldError]:
    """"is required" at each missing member; at ``path`` if none could be named
    (a failed check must never turn into zero errors)."""
    if not names:
        yield FieldError(path, "is missing required fields")
    for name in names:
        yield FieldError(child(path, name), "is required")


def _names_a_key(schema_path: Iterable[Any]) -> bool:
    """Did the error come from ``propertyNames``? (Its instance is a member *name*.)
    Tokens right after map keywords such as ``properties`` are names, not keywords."""
    after_map = False
    for step in schema_path:
        if step == "propertyNames" and not after_map:
            return True
        after_map = not after_map and step in MAPS
    return False


def _convert(error: ValidationError) -> Iterator[FieldError]:
    """One jsonschema error as the field errors a form can show."""
    path = to_pointer(error.absolute_path)
    keyword = error.validator
    if keyword in ("oneOf", "anyOf"):
        yield from _alternatives(error, path)
    elif isinstance(keyword, str) and keyword in _MISSING:
        yield from _at_members(path, _MISSING[keyword](error))
    elif _names_a_key(error.absolute_schema_path):
        yield FieldError(path, f"has a field name that is not allowed: {show(error.instance)}")
    else:
        sentence = _SENTENCES.get(keyword, lambda v: f"is not valid ({keyword})")
        yield FieldError(path, sentence(error.validator_value))


def field_errors(errors: Iterable[ValidationError]) -> list[FieldError]:
    """Deduplicated, sorted (by path, then message) field errors."""
    return sorted({found for error in errors for found in _convert(error)})
