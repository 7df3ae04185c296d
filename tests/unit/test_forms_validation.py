"""validate_data / apply_defaults / clean: field paths, messages, defaults, caching."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from forms import (
    FieldError,
    FormSchemaError,
    apply_defaults,
    clean,
    compiled_validator,
    schema_key,
    validate_data,
)

CONTACT: dict[str, Any] = {
    "type": "object",
    "required": ["name", "contact"],
    "properties": {
        "name": {"type": "string", "minLength": 3},
        "contact": {
            "type": "object",
            "required": ["email", "phone"],
            "properties": {"email": {"type": "string", "format": "email"},
                           "phone": {"type": "string"}},
        },
        "kind": {"enum": ["person", "company"]},
        "lines": {
            "type": "array",
            "items": {"type": "object", "required": ["name"],
                      "properties": {"name": {"type": "string"}, "qty": {"type": "integer"}}},
        },
    },
}


def _paths(errors: list[FieldError]) -> list[str]:
    return [error.path for error in errors]


def test_valid_data_has_no_errors() -> None:
    data = {"name": "Ada", "contact": {"email": "ada@example.org", "phone": "1"}}
    assert validate_data(CONTACT, data) == []


def test_missing_required_is_reported_at_its_own_path_top_level_and_nested() -> None:
    errors = validate_data(CONTACT, {"contact": {"phone": "1"}})
    assert errors == [FieldError("/contact/email", "is required"),
                      FieldError("/name", "is required")]


def test_required_names_are_escaped_as_json_pointer_tokens() -> None:
    schema = {"type": "object", "required": ["a/b", "c~d"]}
    assert _paths(validate_data(schema, {})) == ["/a~1b", "/c~0d"]


def test_dependent_required_and_draft7_dependencies_report_the_missing_field() -> None:
    schema = {
        "type": "object",
        "dependentRequired": {"card": ["billing"]},
        "dependencies": {"vat": ["country"], "pet": {"required": ["pet_age"]}},
    }
    assert validate_data(schema, {"name": "x"}) == []
    errors = validate_data(schema, {"card": 1, "vat": "DE1", "pet": "cat"})
    assert errors == [FieldError("/billing", "is required"),
                      FieldError("/country", "is required"),
                      FieldError("/pet_age", "is required")]


def test_if_then_else_applies_the_matching_branch() -> None:
    schema = {
        "type": "object",
        "properties": {"org": {"enum": ["person", "company"]}},
        "if": {"properties": {"org": {"const": "company"}}, "required": ["org"]},
        "then": {"required": ["vat"]},
        "else": {"properties": {"vat": False}},
    }
    assert validate_data(schema, {"org": "company"}) == [FieldError("/vat", "is required")]
    assert validate_data(schema, {"org": "company", "vat": "DE1"}) == []
    assert validate_data(schema, {"org": "person", "vat": "DE1"}) == [
        FieldError("/vat", "is not allowed")]


def test_enum_and_array_item_paths() -> None:
    data = {"name": "Ada", "contact": {"email": "a@b.org", "phone": "1"}, "kind": "robot",
            "lines": [{"name": "a"}, {"name": "b", "qty": 1.5}, {"qty": 2}]}
    assert validate_data(CONTACT, data) == [
        FieldError("/kind", "must be one of: person, company"),
        FieldError("/lines/1/qty", "must be a whole number"),
        FieldError("/lines/2/name", "is required"),
    ]


@pytest.mark.parametrize(("schema", "value", "message"), [
    ({"type": "string", "minLength": 3}, "ab", "must be at least 3 characters"),
    ({"type": "string", "maxLength": 1}, "ab", "must be at most 1 character"),
    ({"type": "number", "minimum": 18}, 17, "must be at least 18"),
    ({"type": "number", "exclusiveMaximum": 10}, 10, "must be less than 10"),
    ({"type": "number", "multipleOf": 5}, 7, "must be a multiple of 5"),
    ({"type": ["string", "null"]}, 3, "must be a string or empty"),
    ({"const": "yes"}, "no", "must be yes"),
    ({"type": "array", "minItems": 2}, [1], "must have at least 2 items"),
    ({"type": "array", "uniqueItems": True}, [1, 1], "must not contain duplicate items"),
    ({"type": "string", "pattern": "^[0-9]+$"}, "x1", "does not match the required pattern"),
    ({"not": {"type": "string"}}, "x", "is not allowed"),
])
def test_messages_are_human_readable(schema: dict[str, Any], value: Any, message: str) -> None:
    assert validate_data(schema, value) == [FieldError("", message)]


def test_messages_do_not_embed_huge_values() -> None:
    huge = "x" * 5000
    errors = validate_data({"type": "string", "maxLength": 10, "enum": ["a" * 200]}, huge)
    assert errors and all(len(error.message) < 100 for error in errors)
    assert all("xxxxxxxxxx" not in error.message for error in errors)


def test_additional_properties_are_reported_at_the_unexpected_field() -> None:
    schema = {"type": "object", "properties": {"a": {}}, "patternProperties": {"^x-": {}},
              "additionalProperties": False}
    errors = validate_data(schema, {"a": 1, "x-ok": 2, "zz": 3})
    assert errors == [FieldError("/zz", "is not allowed")]


def test_property_names_errors_name_the_key_and_a_field_called_property_names_is_a_field(
) -> None:
    schema = {"type": "object", "properties": {
        "propertyNames": {"type": "string"},
        "meta": {"type": "object", "propertyNames": {"maxLength": 3}}}}
    assert validate_data(schema, {"propertyNames": 1, "meta": {"abcd": 1, "ok": 2}}) == [
        FieldError("/meta", "has a field name that is not allowed: abcd"),
        FieldError("/propertyNames", "must be a string"),
    ]


def test_false_subschemas_report_at_the_field_itself() -> None:
    schema = {"type": "array", "prefixItems": [{"type": "string"}], "items": False}
    assert validate_data(schema, ["a", 1, 2]) == [FieldError("/1", "is not allowed"),
                                                  FieldError("/2", "is not allowed")]


@pytest.mark.parametrize(("fmt", "good", "bad"), [
    ("date", ["2024-02-29", "1999-12-31"],
     ["2023-02-29", "2024-1-01", "2024-13-01", "2024-01-01T00:00:00Z", "２０２４-01-01", ""]),
    ("date-time", ["2024-01-01T10:00:00Z", "2024-01-01t10:00:00.123+02:00",
                   "2016-12-31T23:59:60Z"],
     ["2024-01-01T10:00:00", "2024-01-01 10:00:00Z", "2024-01-01T24:00:00Z",
      "2024-02-30T10:00:00Z", "2024-01-01T10:00:00+25:00", "2024-01-01T10:30:60Z"]),
    ("email", ["ada@example.org", "first.last+tag@sub.example.co.uk", "jörg@bücher.de"],
     ["ada", "ada@", "@example.org", "ada@localhost", "a..b@example.org", "ada @x.org",
      "ada@example.123", "ada@-example.org", "ada@[127.0.0.1]"]),
    ("uri", ["https://example.org/a?b=1#c", "urn:isbn:0451450523", "mailto:ada@example.org"],
     ["example.org", "/relative/path", "https://", "http://exa mple.org", "http://[::1"]),
])
def test_formats(fmt: str, good: list[str], bad: list[str]) -> None:
    schema = {"type": "string", "format": fmt}
    assert [value for value in good if validate_data(schema, value)] == []
    assert [value for value in bad if not validate_data(schema, value)] == []
    assert validate_data(schema, bad[0])[0].message.startswith("is not a valid")


def test_format_does_not_judge_other_types_and_unknown_formats_are_annotations() -> None:
    assert validate_data({"format": "email"}, 42) == []
    assert validate_data({"type": "string", "format": "time"}, "whenever") == []


DISCRIMINATED: dict[str, Any] = {
    "oneOf": [
        {"type": "object", "required": ["kind", "iban"],
         "properties": {"kind": {"const": "bank"}, "iban": {"type": "string"}}},
        {"type": "object", "required": ["kind", "card"],
         "properties": {"kind": {"const": "card"}, "card": {"type": "string", "minLength": 12}}},
    ],
}


def test_one_of_reports_the_intended_branch_only() -> None:
    assert validate_data(DISCRIMINATED, {"kind": "card", "card": "123"}) == [
        FieldError("/card", "must be at least 12 characters")]
    assert validate_data(DISCRIMINATED, {"kind": "bank"}) == [
        FieldError("/iban", "is required")]


def test_ambiguous_alternatives_give_one_summary_not_a_flood() -> None:
    assert validate_data(DISCRIMINATED, {}) == [
        FieldError("", "must match one of the allowed options")]
    colours = {"anyOf": [{"const": "#ff0000", "title": "Red"}, {"enum": ["#00ff00"]}]}
    assert validate_data(colours, "#123456") == [
        FieldError("", "must be one of: #ff0000, #00ff00")]
    both = {"oneOf": [{"type": "integer"}, {"minimum": 0}]}
    assert validate_data(both, 3) == [
        FieldError("", "must match exactly one of the allowed options")]


def test_errors_are_sorted_and_deduplicated() -> None:
    schema = {"allOf": [{"required": ["b", "a"]}, {"required": ["a"]}],
              "properties": {"c": {"type": "string"}}}
    errors = validate_data(schema, {"c": 1})
    assert errors == [FieldError("/a", "is required"), FieldError("/b", "is required"),
                      FieldError("/c", "must be a string")]


def test_validators_are_cached_by_content_not_identity() -> None:
    first = compiled_validator(CONTACT)
    reordered = dict(reversed(list(copy.deepcopy(CONTACT).items())))
    assert schema_key(reordered) == schema_key(CONTACT)
    assert compiled_validator(reordered) is first


def test_cached_validator_is_not_affected_by_later_edits_of_the_callers_dict() -> None:
    schema = {"type": "object", "required": ["a"]}
    assert validate_data(schema, {}) == [FieldError("/a", "is required")]
    schema["required"] = ["b"]
    assert validate_data(schema, {}) == [FieldError("/b", "is required")]
    assert validate_data({"type": "object", "required": ["a"]}, {}) == [
        FieldError("/a", "is required")]


def test_invalid_schema_raises_with_schema_errors() -> None:
    with pytest.raises(FormSchemaError) as caught:
        validate_data({"properties": {"a": {"$ref": "https://evil.example/s.json"}}}, {})
    assert caught.value.errors[0].path == "/properties/a/$ref"


def test_data_nested_beyond_the_stack_is_an_error_not_a_crash() -> None:
    schema = {"$defs": {"n": {"type": "object", "properties": {"c": {"$ref": "#/$defs/n"}}}},
              "$ref": "#/$defs/n"}
    data: dict[str, Any] = {}
    for _ in range(5000):
        data = {"c": data}
    assert validate_data(schema, data) == [FieldError("", "is nested too deeply")]


DEFAULTS: dict[str, Any] = {
    "type": "object",
    "required": ["address"],
    "properties": {
        "currency": {"type": "string", "default": "EUR"},
        "address": {"$ref": "#/$defs/address"},
        "empty": {"type": "object", "properties": {"x": {"type": "string"}}},
        "lines": {"type": "array", "items": {"$ref": "#/$defs/line"}},
        "tags": {"type": "array", "default": ["new"]},
    },
    "$defs": {
        "address": {"type": "object", "properties": {"country": {"default": "DE"},
                                                     "city": {"type": "string"}}},
        "line": {"type": "object", "allOf": [{"properties": {"qty": {"default": 1}}}],
                 "properties": {"unit": {"default": "pc"}}},
    },
}


def test_defaults_fill_absent_fields_nested_and_in_array_items() -> None:
    filled = apply_defaults(DEFAULTS, {"lines": [{}, {"qty": 5, "unit": "kg"}]})
    assert filled == {
        "currency": "EUR", "address": {"country": "DE"}, "tags": ["new"],
        "lines": [{"qty": 1, "unit": "pc"}, {"qty": 5, "unit": "kg"}],
    }


def test_optional_absent_groups_are_not_created_from_their_defaults() -> None:
    schema = {"type": "object", "properties": {"extra": {
        "type": "object", "required": ["why"],
        "properties": {"why": {"type": "string"}, "flag": {"type": "boolean", "default": False}}}}}
    assert apply_defaults(schema, {}) == {}
    assert validate_data(schema, apply_defaults(schema, {})) == []
    assert apply_defaults(schema, {"extra": {"why": "x"}}) == {"extra": {"why": "x",
                                                                         "flag": False}}


def test_defaults_never_override_given_values_and_never_mutate_inputs() -> None:
    data = {"currency": "USD", "address": {"country": "FR", "city": "Paris"}, "empty": None}
    before = copy.deepcopy(data)
    schema_before = copy.deepcopy(DEFAULTS)
    filled = apply_defaults(DEFAULTS, data)
    assert filled["currency"] == "USD" and filled["address"] == {"country": "FR",
                                                                  "city": "Paris"}
    assert filled["empty"] is None
    filled["tags"].append("mutated")
    filled["address"]["city"] = "Lyon"
    assert data == before
    assert schema_before == DEFAULTS


def test_defaults_on_recursive_schemas_terminate() -> None:
    schema = {"$defs": {"node": {"type": "object", "properties": {
        "name": {"default": "n"}, "left": {"$ref": "#/$defs/node"},
        "right": {"$ref": "#/$defs/node"}}}}, "$ref": "#/$defs/node"}
    assert apply_defaults(schema, {}) == {"name": "n"}
    assert apply_defaults(schema, {"left": {"right": {}}}) == {
        "name": "n", "left": {"name": "n", "right": {"name": "n"}}}


def test_clean_fills_defaults_before_validating() -> None:
    schema = {"type": "object", "required": ["currency", "amount"],
              "properties": {"currency": {"enum": ["EUR", "USD"], "default": "EUR"},
                             "amount": {"type": "number"}}}
    assert clean(schema, {"amount": 3}) == ({"amount": 3, "currency": "EUR"}, [])
    assert clean(schema, {})[1] == [FieldError("/amount", "is required")]


def test_field_error_as_dict() -> None:
    assert FieldError("/a", "is required").as_dict() == {"path": "/a", "message": "is required"}
