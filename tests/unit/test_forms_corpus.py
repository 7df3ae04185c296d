"""The forms package against real-world samples (rjsf playground, JSON Forms examples).

Each sample file holds a schema plus sample data ("formData" in rjsf, "data" in JSON
Forms; UI schemas are ignored here). Every schema must pass check_form_schema, except
the ones listed in REFUSED with the reason; for the accepted ones, validate_data must
call data valid exactly when jsonschema itself does, for the sample and mutations of it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator, Draft202012Validator, validators

from forms import FORMAT_CHECKER, apply_defaults, check_form_schema, validate_data

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "forms"
SAMPLES = sorted(CORPUS.glob("*.json"))

#: Refused on purpose: (pointer of the first error, why).
REFUSED = {
    "jsonforms-examples__oneOf.json":
        ("/$schema", "declares draft-07; our forms are read as 2020-12 only"),
    "rjsf-playground__arrays.json":
        ("/properties/fixedItemsList/additionalItems",
         "draft-07 tuple 'items' + 'additionalItems' (2020-12 spells it 'prefixItems')"),
    "rjsf-playground__schemaDependencies.json":
        ("/properties/fixedArrayOfConditionals/additionalItems",
         "draft-07 tuple 'items' + 'additionalItems' (2020-12 spells it 'prefixItems')"),
}

#: jsonschema's own 2020-12 validator plus its own draft-07 ``dependencies`` keyword,
#: which forms support on purpose (the plain 2020-12 validator silently ignores it).
Oracle = validators.extend(Draft202012Validator,
                           {"dependencies": Draft7Validator.VALIDATORS["dependencies"]})

_NO_DATA = object()
_REPLACEMENTS: list[Any] = [None, "", "not-a-date", -1, 1.5, True, [], {}, "x" * 300]


def _load(path: Path) -> tuple[dict[str, Any], Any]:
    sample = json.loads(path.read_text())
    return sample["schema"], sample.get("formData", sample.get("data", _NO_DATA))


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from _leaves(sub, (*path, key))
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            yield from _leaves(sub, (*path, index))


def _replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = json.loads(json.dumps(value))
    parent = copy
    for step in path[:-1]:
        parent = parent[step]
    if new is _NO_DATA:
        del parent[path[-1]]
    else:
        parent[path[-1]] = new
    return copy


def _declared_names(schema: Any) -> set[str]:
    """Every property name declared anywhere in the schema."""
    names: set[str] = set()
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("properties"), dict):
                names.update(node["properties"])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return names


def _variants(schema: dict[str, Any], data: Any) -> Iterator[Any]:
    """The sample, its defaults-filled form, every member replaced or dropped, and
    declared-but-absent properties added to each object (triggers dependencies)."""
    base = {} if data is _NO_DATA else data
    yield base
    yield apply_defaults(schema, base)
    names = sorted(_declared_names(schema))
    for path in _leaves(base):
        for new in [*_REPLACEMENTS, *([_NO_DATA] if path else [])]:
            yield _replaced(base, path, new)
        target = base
        for step in path:
            target = target[step]
        if isinstance(target, dict):
            yield from (_replaced(base, (*path, name), 1) for name in names
                        if name not in target)
    for name in schema.get("properties", {}):
        for new in _REPLACEMENTS:
            yield {**base, name: new} if isinstance(base, dict) else {name: new}


def _parent_exists(document: Any, pointer: str) -> bool:
    """Error paths point into the data: at a member, or at a missing member's parent."""
    node = document
    try:
        for token in pointer.split("/")[1:-1]:
            token = token.replace("~1", "/").replace("~0", "~")
            node = node[int(token)] if isinstance(node, list) else node[token]
    except (KeyError, IndexError, TypeError, ValueError):
        return False
    return isinstance(node, dict | list) or pointer == ""


def test_corpus_is_present() -> None:
    assert len(SAMPLES) >= 30, f"reference samples missing under {CORPUS}"


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_schema_is_accepted_or_refused_for_the_documented_reason(path: Path) -> None:
    schema, _ = _load(path)
    errors = check_form_schema(schema)
    if path.name in REFUSED:
        assert errors and errors[0].path == REFUSED[path.name][0], errors
    else:
        assert errors == []


@pytest.mark.parametrize("path", [p for p in SAMPLES if p.name not in REFUSED],
                         ids=lambda p: p.stem)
def test_validity_agrees_with_jsonschema(path: Path) -> None:
    schema, data = _load(path)
    oracle = Oracle(schema, format_checker=FORMAT_CHECKER)
    checked = 0
    for variant in _variants(schema, data):
        errors = validate_data(schema, variant)
        assert (errors == []) == oracle.is_valid(variant), (variant, errors)
        assert all(_parent_exists(variant, error.path) for error in errors), errors
        checked += 1
    assert checked >= 10
