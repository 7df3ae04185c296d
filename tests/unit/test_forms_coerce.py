"""forms.coerce: posted strings back to typed JSON, and the array row operations."""

from __future__ import annotations

from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

from forms import FieldError, validate_data
from forms.coerce import apply_array_op, coerce_form

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["name", "count"],
    "properties": {
        "name": {"type": "string"},
        "count": {"type": "integer"},
        "ratio": {"type": "number"},
        "agree": {"type": "boolean"},
        "note": {"type": ["string", "null"]},
        "when": {"type": "string", "format": "date-time"},
        "day": {"type": "string", "format": "date"},
        "level": {"enum": [1, 2, "2", None, True]},
        "tags": {"type": "array", "uniqueItems": True, "items": {"enum": ["a", "b", "c"]}},
        "lines": {"type": "array", "items": {"$ref": "#/$defs/line"}},
        "scores": {"type": "array", "items": {"type": "number"}},
        "words": {"type": "array", "items": {"type": "string"}},
        "address": {"type": "object", "properties": {"city": {"type": "string"}}},
        "extra": {"not": {"type": "null"}},
    },
    "$defs": {"line": {"type": "object", "required": ["item"],
                       "properties": {"item": {"type": "string"}, "cost": {"type": "number"}}}},
}


def coerce(post: dict[str, list[str]], schema: dict[str, Any] | None = None) -> Any:
    data, errors = coerce_form(schema or SCHEMA, {"_seen": ["f"], **post})
    assert errors == [], errors
    return data


def test_scalars_are_typed_by_the_schema() -> None:
    assert coerce({"f/name": ["Ada"], "f/count": ["42"], "f/ratio": ["2.5"],
                   "f/day": ["2024-02-29"]}) == {
        "name": "Ada", "count": 42, "ratio": 2.5, "day": "2024-02-29"}


def test_integral_numbers_become_ints_and_fractions_stay_floats() -> None:
    data = coerce({"f/count": [" 7.0 "], "f/ratio": ["-1e3"], "f/scores/0": ["0.1"]})
    assert data == {"count": 7, "ratio": -1000, "scores": [0.1]}
    assert isinstance(data["count"], int)
    assert coerce({"f/count": ["1.5"]})["count"] == 1.5  # the validator will object


@pytest.mark.parametrize("text", ["ten", "1,5", "nan", "inf", "1e999", "0x10", "1_000"])
def test_bad_number_text_is_an_error_at_the_field_and_kept_for_redisplay(text: str) -> None:
    data, errors = coerce_form(SCHEMA, {"f/ratio": [text], "f/lines/0/cost": [text]})
    assert data == {"ratio": text, "lines": [{"cost": text}]}
    assert errors == [FieldError("/lines/0/cost", "must be a number"),
                      FieldError("/ratio", "must be a number")]


def test_checkbox_pair_posts_false_unchecked_and_true_checked() -> None:
    assert coerce({"f/agree": ["false"]}) == {"agree": False}
    assert coerce({"f/agree": ["false", "true"]}) == {"agree": True}
    assert coerce({"f/agree": [""]}) == {}  # optional box the data never had: stays absent


def test_empty_optional_fields_are_absent_not_empty_strings() -> None:
    assert coerce({"f/ratio": [""], "f/day": [""], "f/level": [""], "f/address/city": [""],
                   "f/agree": [""]}) == {}


def test_empty_required_text_is_absent_so_the_validator_reports_required() -> None:
    data = coerce({"f/name": [""], "f/count": ["1"]})
    assert data == {"count": 1}
    assert FieldError("/name", "is required") in validate_data(SCHEMA, data)


def test_empty_required_nullable_field_is_null() -> None:
    schema = {"type": "object", "required": ["note"],
              "properties": {"note": {"type": ["string", "null"]}}}
    assert coerce({"f/note": [""]}, schema) == {"note": None}
    assert coerce({"f/note": ["x\r\ny"]}, schema) == {"note": "x\ny"}


def test_enum_options_map_back_to_their_exact_values() -> None:
    assert coerce({"f/level": ["2"]}) == {"level": 2}
    assert coerce({"f/level": ['"2"']})["level"] == '"2"'  # not a token: kept as text
    assert coerce({"f/level": ["null"]}) == {"level": None}
    assert coerce({"f/level": ["true"]})["level"] is True


def test_multiple_choice_collects_checked_values_in_order() -> None:
    assert coerce({"f/tags": ["c", "a"]}) == {"tags": ["c", "a"]}
    assert coerce({"_seen": ["f", "f/tags"]}) == {"tags": []}  # shown, nothing checked
    assert coerce({}) == {}  # not on the form: absent


def test_rows_are_rebuilt_in_index_order_with_gaps_closed() -> None:
    post = {"f/words/10": ["ten"], "f/words/2": ["two"], "f/words/0": [""],
            "f/lines/1/item": ["b"], "f/lines/0/item": ["a"], "f/lines/0/cost": ["3"]}
    assert coerce(post) == {"words": ["", "two", "ten"],
                            "lines": [{"item": "a", "cost": 3}, {"item": "b"}]}


def test_row_markers_keep_empty_rows_and_empty_arrays() -> None:
    post = {"_seen": ["f", "f/lines", "f/lines/0", "f/scores", "f/scores/0"],
            "f/lines/0/item": [""], "f/scores/0": [""]}
    assert coerce(post) == {"lines": [{}], "scores": [None]}
    assert coerce({"_seen": ["f", "f/lines"]}) == {"lines": []}


def test_nested_objects_appear_only_when_filled_or_marked() -> None:
    assert coerce({"f/address/city": ["Oslo"]}) == {"address": {"city": "Oslo"}}
    assert coerce({"f/address/city": [""]}) == {}
    assert coerce({"_seen": ["f", "f/address"], "f/address/city": [""]}) == {"address": {}}


def test_datetime_local_is_read_as_utc_rfc3339() -> None:
    assert coerce({"f/when": ["2024-05-01T13:45"]}) == {"when": "2024-05-01T13:45:00Z"}
    assert coerce({"f/when": ["2024-05-01T13:45:07.25"]}) == {"when": "2024-05-01T13:45:07.25Z"}
    assert coerce({"f/when": ["2024-05-01T13:45:07+02:00"]}) == {
        "when": "2024-05-01T13:45:07+02:00"}  # typed into a text fallback: left as it is


def test_json_fields_are_parsed_and_bad_json_is_an_error_at_the_field() -> None:
    assert coerce({"f/extra": ['{"a": [1, 2]}']}) == {"extra": {"a": [1, 2]}}
    data, errors = coerce_form(SCHEMA, {"f/extra": ["{oops"], "f/lines/0/item": ["NaN"],
                                        "_json": ["f/lines/0/item"]})
    assert data == {"extra": "{oops", "lines": [{"item": "NaN"}]}
    assert [e.path for e in errors] == ["/extra", "/lines/0/item"]
    assert all(e.message.startswith("is not valid JSON") for e in errors)


def test_json_marker_overrides_the_kind_for_values_a_widget_could_not_show() -> None:
    post = {"f/count": ['"seven"'], "f/agree": ["[1]"], "_json": ["f/count", "f/agree"]}
    assert coerce(post) == {"count": "seven", "agree": [1]}


def test_undeclared_members_use_pattern_and_additional_properties() -> None:
    schema = {"type": "object", "patternProperties": {"^n_": {"type": "integer"}},
              "additionalProperties": {"type": "boolean"}}
    assert coerce({"f/n_1": ["5"], "f/flag": ["false", "true"], "f/other": ["x"]},
                  schema) == {"n_1": 5, "flag": True, "other": "x"}


def test_fields_of_the_active_branch_are_typed_by_that_branch() -> None:
    schema = {"type": "object", "properties": {"kind": {"enum": ["num", "text"]}},
              "if": {"properties": {"kind": {"const": "num"}}},
              "then": {"properties": {"value": {"type": "number"}}},
              "else": {"properties": {"value": {"type": "string"}}}}
    assert coerce({"f/kind": ["num"], "f/value": ["12"]}, schema) == {"kind": "num", "value": 12}
    assert coerce({"f/kind": ["text"], "f/value": ["12"]}, schema) == {
        "kind": "text", "value": "12"}


def test_discriminated_alternatives_type_their_own_fields() -> None:
    schema = {"type": "object", "oneOf": [
        {"properties": {"pet": {"const": "dog"}, "age": {"type": "integer"}}},
        {"properties": {"pet": {"const": "fish"}, "litres": {"type": "number"}}}]}
    assert coerce({"f/pet": ["fish"], "f/litres": ["2.5"]}, schema) == {
        "pet": "fish", "litres": 2.5}


def test_foreign_names_and_other_prefixes_are_ignored() -> None:
    post = MultiDict([("csrf_token", "x"), ("_op", "add:/words"), ("g/name", "other form"),
                      ("f/name", "Ada"), ("fx/name", "no")])
    data, errors = coerce_form(SCHEMA, post)
    assert (data, errors) == ({"name": "Ada"}, [])
    assert coerce_form(SCHEMA, {"g/name": ["Bo"]}, prefix="g")[0] == {"name": "Bo"}


def test_scalar_root_and_escaped_pointer_names() -> None:
    assert coerce_form({"type": "string"}, {"f": ["hello"]}) == ("hello", [])
    assert coerce_form({"type": "integer"}, {"f": ["3"]}) == (3, [])
    schema = {"type": "object", "properties": {"a/b": {"type": "integer"},
                                               "c~d": {"type": "integer"}}}
    assert coerce({"f/a~1b": ["1"], "f/c~0d": ["2"]}, schema) == {"a/b": 1, "c~d": 2}


def test_bad_prefix_is_refused() -> None:
    with pytest.raises(ValueError, match="prefix"):
        coerce_form(SCHEMA, {}, prefix="a/b")


DATA: dict[str, Any] = {"words": ["a", "b", "c"], "lines": [{"item": "x"}]}


@pytest.mark.parametrize(("op", "words"), [
    ("remove:/words/1", ["a", "c"]),
    ("up:/words/2", ["a", "c", "b"]),
    ("down:/words/0", ["b", "a", "c"]),
    ("up:/words/0", ["a", "b", "c"]),      # already first
    ("down:/words/2", ["a", "b", "c"]),    # already last
    ("remove:/words/9", ["a", "b", "c"]),  # stale button
])
def test_row_operations(op: str, words: list[str]) -> None:
    result = apply_array_op(DATA, op, schema=SCHEMA)
    assert result["words"] == words
    assert DATA["words"] == ["a", "b", "c"]  # the input is not changed


def test_add_appends_an_empty_row_of_the_item_kind() -> None:
    assert apply_array_op(DATA, "add:/words", schema=SCHEMA)["words"][-1] == ""
    assert apply_array_op(DATA, "add:/lines", schema=SCHEMA)["lines"] == [{"item": "x"}, {}]
    assert apply_array_op({}, "add:/scores", schema=SCHEMA) == {"scores": [None]}
    schema = {"type": "array", "items": {"type": "array", "items": {"default": 7}}}
    assert apply_array_op([[1]], "add:/0", schema=schema) == [[1, 7]]
    assert apply_array_op(None, "add:", schema=schema) == [[]]


@pytest.mark.parametrize("op", ["drop:/words/0", "remove:/words", "up:words/1", "remove:"])
def test_malformed_operations_raise(op: str) -> None:
    with pytest.raises(ValueError):
        apply_array_op(DATA, op, schema=SCHEMA)
