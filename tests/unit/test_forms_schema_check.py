"""check_form_schema: metaschema errors and our own refusals, as pointers into the schema."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from forms import FieldError, check_form_schema


def _at(schema: Any) -> list[str]:
    return [error.path for error in check_form_schema(schema)]


def test_a_good_schema_passes() -> None:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://forms.example.org/grant.schema.json",
        "type": "object",
        "required": ["amount"],
        "properties": {
            "amount": {"type": "number", "minimum": 0},
            "address": {"$ref": "#/$defs/address"},
            "legacy": {"$ref": "#/definitions/legacy"},
            "anchored": {"$ref": "#money"},
        },
        "dependencies": {"amount": ["currency"], "address": {"required": ["amount"]}},
        "$defs": {"address": {"type": "object"}, "money": {"$anchor": "money"}},
        "definitions": {"legacy": {"type": "string", "pattern": "^[a-z]+$"}},
    }
    assert check_form_schema(schema) == []


@pytest.mark.parametrize("schema", [True, [], "schema", None, 3])
def test_the_document_must_be_a_json_object(schema: Any) -> None:
    assert _at(schema) == [""]


@pytest.mark.parametrize("ref", [
    "https://evil.example/schema.json", "other.json#/x", "//host/x", "file:///etc/passwd",
])
def test_remote_references_are_refused(ref: str) -> None:
    errors = check_form_schema({"properties": {"a": {"items": {"$ref": ref}}}})
    assert errors == [FieldError("/properties/a/items/$ref",
                                 "only local references (starting with '#') are allowed")]


def test_dangling_and_non_schema_local_references_are_refused() -> None:
    schema = {"title": "T", "properties": {"a": {"$ref": "#/$defs/nope"},
                                           "b": {"$ref": "#/title"},
                                           "c": {"$dynamicRef": "#missing"}}}
    messages = {e.path: e.message for e in check_form_schema(schema)}
    assert messages == {"/properties/a/$ref": "#/$defs/nope points to nothing in this schema",
                        "/properties/b/$ref": "#/title does not point to a schema",
                        "/properties/c/$dynamicRef": "#missing points to nothing in this schema"}


def test_ref_like_keys_inside_data_keywords_are_not_mistaken_for_references() -> None:
    schema = {"enum": [{"$ref": "http://x"}], "default": {"$ref": "http://x"},
              "properties": {"$ref": {"type": "string"}}}
    assert check_form_schema(schema) == []


@pytest.mark.parametrize(("schema", "path"), [
    ({"required": "name"}, "/required"),
    ({"properties": {"x": {"minLength": -1}}}, "/properties/x/minLength"),
    ({"properties": []}, "/properties"),
    ({"allOf": {}}, "/allOf"),
    ({"properties": {"a/b": {"enum": "x"}}}, "/properties/a~1b/enum"),
    ({"$defs": {"x": {"maxItems": "3"}}}, "/$defs/x/maxItems"),
])
def test_metaschema_errors_point_into_the_schema(schema: dict[str, Any], path: str) -> None:
    assert _at(schema) == [path]


def test_unknown_type_gets_a_helpful_message() -> None:
    (error,) = check_form_schema({"properties": {"x": {"type": "strin"}}})
    assert error.path == "/properties/x/type"
    assert "unknown type strin" in error.message and "string" in error.message


def test_regular_expressions_must_compile() -> None:
    schema = {"properties": {"x": {"pattern": "([a-z"}},
              "patternProperties": {"^ok$": {}, "*bad": {}}}
    assert _at(schema) == ["/patternProperties/*bad", "/properties/x/pattern"]
    assert all("regular expression" in e.message for e in check_form_schema(schema))


def test_draft7_tuple_items_are_refused_with_advice() -> None:
    errors = check_form_schema({"items": [{"type": "string"}], "additionalItems": False})
    assert [e.path for e in errors] == ["/additionalItems", "/items"]
    assert "prefixItems" in errors[1].message


@pytest.mark.parametrize(("schema", "path"), [
    ({"$schema": "http://json-schema.org/draft-07/schema#"}, "/$schema"),
    ({"properties": {"a": {"$schema": "https://json-schema.org/draft/2020-12/schema"}}},
     "/properties/a/$schema"),
    ({"$defs": {"a": {"$id": "https://other.example/a"}}}, "/$defs/a/$id"),
])
def test_one_dialect_and_one_resource_per_document(schema: dict[str, Any], path: str) -> None:
    assert _at(schema) == [path]


def test_non_json_values_from_yaml_are_refused() -> None:
    assert _at({"properties": {"d": {"default": datetime.date(2024, 1, 1)}}}) == [
        "/properties/d/default"]
    assert _at({"properties": {1: {}}}) == ["/properties"]


def test_absurd_nesting_is_refused_without_recursion_errors() -> None:
    schema: dict[str, Any] = {}
    for _ in range(5000):
        schema = {"not": schema}
    (error,) = check_form_schema(schema)
    assert "nests too deeply" in error.message
