"""Is a form definition a usable JSON Schema 2020-12 document?

Run at deploy time so a broken schema is refused with precise pointers into the
schema file, instead of failing later on the hot path of case creation. Beyond
the metaschema this refuses what the metaschema lets through but would break or
silently mislead at run time: remote references (network access and schemas
changing under a deployed version), dangling local references, regular
expressions Python cannot compile, and draft-07 array forms of ``items`` that
2020-12 reads differently.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from jsonschema import Draft202012Validator

from forms.errors import FieldError
from forms.messages import field_errors, show
from forms.pointers import MISSING, child, resolve_local_ref
from forms.schema_walk import iter_subschemas, json_problem

MAX_DEPTH = 100
DIALECTS = frozenset({"https://json-schema.org/draft/2020-12/schema",
                      "https://json-schema.org/draft/2020-12/schema#"})
TYPES = ("array", "boolean", "integer", "null", "number", "object", "string")
_META = Draft202012Validator(Draft202012Validator.META_SCHEMA)


def _dialect(pointer: str, node: dict[str, Any]) -> Iterator[FieldError]:
    """One dialect per document: the validator reads everything as 2020-12."""
    if "$schema" in node and (pointer or node["$schema"] not in DIALECTS):
        yield FieldError(child(pointer, "$schema"),
                         "must be omitted or be https://json-schema.org/draft/2020-12/schema"
                         if not pointer else "is only allowed at the top of the schema")
    if "$id" in node and pointer:
        yield FieldError(child(pointer, "$id"), "embedded $id is not supported: keep "
                         "definitions under $defs and refer to them with '#/$defs/…'")


def _references(root: Any, pointer: str, node: dict[str, Any]) -> Iterator[FieldError]:
    """Local and resolvable only: no fetching at run time, no crash on a typo."""
    for keyword in ("$ref", "$dynamicRef"):
        ref = node.get(keyword)
        if not isinstance(ref, str):
            continue
        target = resolve_local_ref(root, ref)
        if not ref.startswith("#"):
            message = "only local references (starting with '#') are allowed"
        elif target is MISSING:
            message = f"{show(ref)} points to nothing in this schema"
        elif not isinstance(target, dict | bool):
            message = f"{show(ref)} does not point to a schema"
        else:
            continue
        yield FieldError(child(pointer, keyword), message)


def _regex_error(pattern: str) -> str | None:
    """Compile as jsonschema will (Python ``re``), reporting the reason if it fails."""
    try:
        re.compile(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        return f"is not a valid regular expression ({exc})"
    return None


def _patterns(pointer: str, node: dict[str, Any]) -> Iterator[FieldError]:
    """Patterns are compiled at validation time; a bad one would crash every submit."""
    located = [(child(pointer, "pattern"), node.get("pattern"))]
    names = node.get("patternProperties")
    if isinstance(names, dict):
        located += [(child(child(pointer, "patternProperties"), n), n) for n in names]
    for where, pattern in located:
        problem = _regex_error(pattern) if isinstance(pattern, str) else None
        if problem:
            yield FieldError(where, problem)


def _keywords(pointer: str, node: dict[str, Any]) -> Iterator[FieldError]:
    """Clearer messages than the metaschema gives for common slips."""
    declared = node.get("type")
    names = declared if isinstance(declared, list) else [declared]
    unknown = [n for n in names if isinstance(n, str) and n not in TYPES]
    if unknown:
        yield FieldError(child(pointer, "type"),
                         f"unknown type {show(unknown[0])} (use one of: {', '.join(TYPES)})")
    if isinstance(node.get("items"), list):
        yield FieldError(child(pointer, "items"), "must be a single schema in draft 2020-12: "
                         "describe positional items with 'prefixItems'")
    if "additionalItems" in node:
        yield FieldError(child(pointer, "additionalItems"), "is ignored in draft 2020-12: "
                         "use 'items' next to 'prefixItems'")


def _targeted(schema: dict[str, Any]) -> list[FieldError]:
    """Our own checks over every subschema (the metaschema cannot express them)."""
    found: list[FieldError] = []
    for pointer, node in iter_subschemas(schema):
        found += _dialect(pointer, node)
        found += _references(schema, pointer, node)
        found += _patterns(pointer, node)
        found += _keywords(pointer, node)
    return found


def _covered(path: str, flagged: set[str]) -> bool:
    """A targeted message already explains this spot better than the metaschema."""
    return any(path == p or path.startswith(p + "/") for p in flagged)


def check_form_schema(schema: Any) -> list[FieldError]:
    """All problems of a form schema, as pointers into the schema document; [] if usable."""
    if not isinstance(schema, dict):
        return [FieldError("", "must be a JSON object (a JSON Schema document)")]
    problem = json_problem(schema, MAX_DEPTH)
    if problem:
        return [FieldError(*problem)]
    targeted = _targeted(schema)
    flagged = {error.path for error in targeted}
    meta = [e for e in field_errors(_META.iter_errors(schema)) if not _covered(e.path, flagged)]
    return sorted(set(targeted) | set(meta))
