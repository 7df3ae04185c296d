"""Validate case and task data against a form schema, with field paths.

Validation runs on every case creation and task completion, so compiled
validators are cached per schema content (schemas are immutable once deployed).
The validator is jsonschema's Draft 2020-12 one plus the draft-07 ``dependencies``
keyword, which analysts copy from older examples and which 2020-12 would
otherwise silently ignore.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from jsonschema import Draft202012Validator, ValidationError, validators
from jsonschema.protocols import Validator

from forms.defaults import apply_defaults
from forms.errors import FieldError, FormSchemaError
from forms.formats import FORMAT_CHECKER
from forms.messages import field_errors
from forms.schema_check import check_form_schema
from forms.schema_walk import replace_false_schemas

__all__ = ["apply_defaults", "clean", "compiled_validator", "schema_key", "validate_data"]

CACHE_SIZE = 512


def _dependencies(validator: Validator, dependencies: dict[str, Any], instance: Any,
                  schema: dict[str, Any]) -> Iterator[ValidationError]:
    """Draft-07 ``dependencies``: an array means dependentRequired, a schema
    means dependentSchemas."""
    if not validator.is_type(instance, "object"):
        return
    for trigger, needed in dependencies.items():
        if trigger not in instance:
            continue
        if isinstance(needed, list):
            for name in needed:
                if name not in instance:
                    yield ValidationError(f"{name!r} is required when {trigger!r} is present")
        else:
            yield from validator.descend(instance, needed, schema_path=trigger)


FormValidator = validators.extend(Draft202012Validator, {"dependencies": _dependencies})

_cache: OrderedDict[str, Validator] = OrderedDict()
_lock = threading.Lock()


def schema_key(schema: Any) -> str:
    """Stable content hash of a JSON document (key order does not matter)."""
    text = json.dumps(schema, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _compile(schema: Any) -> Validator:
    """Check once per distinct schema, then validate against a private copy."""
    problems = check_form_schema(schema)
    if problems:
        raise FormSchemaError(problems)
    private = json.loads(json.dumps(schema))  # later edits of the caller's dict cannot leak in
    return FormValidator(replace_false_schemas(private), format_checker=FORMAT_CHECKER)


def compiled_validator(schema: Any) -> Validator:
    """The cached validator for ``schema``; raises FormSchemaError for a bad schema."""
    try:
        key = schema_key(schema)
    except (TypeError, ValueError):
        raise FormSchemaError(check_form_schema(schema)) from None
    with _lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    validator = _compile(schema)
    with _lock:
        _cache[key] = validator
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return validator


def validate_data(schema: dict[str, Any], data: Any) -> list[FieldError]:
    """Problems of ``data`` under ``schema``, sorted by path then message; [] if valid."""
    validator = compiled_validator(schema)
    try:
        return field_errors(validator.iter_errors(data))
    except RecursionError:
        return [FieldError("", "is nested too deeply")]


def clean(schema: dict[str, Any], data: Any) -> tuple[Any, list[FieldError]]:
    """Defaults filled in, then validated: what case creation stores (if no errors)."""
    filled = apply_defaults(schema, data)
    return filled, validate_data(schema, filled)
