"""The form builder's preview: the portal renderer and validator behind a forgiving front."""

from __future__ import annotations

import json

from werkzeug.datastructures import MultiDict

from studio.widgets.lint import form_keys
from studio.widgets.payload import parse_json_text
from studio.widgets.preview import build_preview, declared_only, read_schema

SCHEMA = {"type": "object", "required": ["summary"],
          "properties": {"summary": {"title": "Summary", "type": "string", "minLength": 3},
                         "count": {"title": "Count", "type": "integer"}}}
UI = {"ui:order": ["count", "summary"], "summary": {"ui:help": "One line, please."}}


def test_the_preview_is_the_portal_form_with_required_markers_help_and_order() -> None:
    result = build_preview(json.dumps(SCHEMA), json.dumps(UI), prefix="p1")
    assert result.schema_errors == [] and result.ui_errors == [] and result.errors == []
    assert 'for="p1-summary">Summary<span class="cs-required"' in result.html
    assert "One line, please." in result.html
    assert result.html.index("p1-count") < result.html.index("p1-summary")


def test_checking_empty_sample_data_reports_the_required_field_at_its_path() -> None:
    result = build_preview(json.dumps(SCHEMA), "", prefix="p1", check=True)
    assert [e.path for e in result.errors] == ["/summary"]
    assert 'id="p1-summary__error"' in result.html


def test_typed_form_fields_round_trip_into_typed_data_and_are_validated() -> None:
    form = MultiDict([("_seen", "p1"), ("p1/summary", "ok"), ("p1/count", "7")])
    result = build_preview(json.dumps(SCHEMA), None, form=form, prefix="p1", check=True)
    assert result.data == {"summary": "ok", "count": 7}
    assert [(e.path, "at least 3" in e.message or "short" in e.message) for e in result.errors] \
        == [("/summary", True)]
    assert 'value="ok"' in result.html
    untyped = build_preview(json.dumps(SCHEMA), None, prefix="p1", check=False,
                            form=MultiDict([("_seen", "p1"), ("p1/count", "seven")]))
    assert "/count" in [e.path for e in untyped.errors]  # typing errors always show


def test_json_sample_data_is_accepted_too() -> None:
    result = build_preview(SCHEMA, UI, data={"summary": "Broken heater"}, check=True)
    assert result.errors == [] and 'value="Broken heater"' in result.html


def test_invalid_json_is_reported_with_its_position_and_nothing_is_drawn() -> None:
    result = build_preview('{"type": "object",\n  "properties": }', "{}")
    assert result.html == ""
    [error] = result.schema_errors
    assert "line 2" in error.message and "not valid JSON" in error.message


def test_schema_problems_are_reported_like_deploy_and_the_form_is_still_drawn() -> None:
    bad = {"type": "object", "properties": {"code": {"type": "string", "pattern": "(["},
                                            "n": {"type": "nmber"}}}
    result = build_preview(json.dumps(bad), "", check=True)
    paths = {e.path for e in result.schema_errors}
    assert "/properties/code/pattern" in paths and any(p.startswith("/properties/n") for p in paths)
    assert result.errors == []  # no validation against a broken schema
    assert 'name="preview/code"' in result.html


def test_non_object_documents_and_a_bad_ui_schema_are_errors_not_crashes() -> None:
    assert read_schema("[1, 2]")[1][0].message == "The JSON Schema must be a JSON object"
    result = build_preview(json.dumps(SCHEMA), "[]")
    assert [e.message for e in result.ui_errors] == ["The UI schema must be a JSON object"]
    assert "Summary" in result.html
    broken_ui = build_preview(json.dumps(SCHEMA), "{oops")
    assert "not valid JSON" in broken_ui.ui_errors[0].message and "Summary" in broken_ui.html


def test_array_row_buttons_are_applied_in_the_preview() -> None:
    schema = {"type": "object", "properties": {"rows": {"type": "array", "items": {
        "type": "object", "properties": {"name": {"type": "string"}}}}}}
    form = MultiDict([("_seen", "p1"), ("_op", "add:/rows")])
    result = build_preview(json.dumps(schema), None, form=form, prefix="p1", check=True)
    assert result.data == {"rows": [{}]} and result.errors == []
    assert 'name="p1/rows/0/name"' in result.html


def test_hostile_schemas_never_escape_as_exceptions() -> None:
    levels = 100_000  # deeper than Python's json parser can recurse
    deep = '{"type": "object", "properties": {"x": ' * levels + "{}" + "}}" * levels
    result = build_preview(deep, None, check=True)
    assert result.schema_errors  # too deep: refused or unparsable, but answered
    cyclic = {"$ref": "#", "type": "object"}
    assert build_preview(json.dumps(cyclic), None, check=True) is not None


def test_helpers_accept_both_spellings_of_form_keys_and_report_json_positions() -> None:
    assert form_keys(["form:review", "decision", " ", 3]) == ["review", "decision"]
    value, problems = parse_json_text("{\n}", "X")
    assert value == {} and problems == []
    assert parse_json_text("", "X") == (None, [])
    assert "line 1, column 2" in parse_json_text("{]", "X")[1][0].message


def test_fields_of_removed_schema_members_do_not_linger_in_the_sample() -> None:
    form = MultiDict([("_seen", "p1"), ("p1/summary", "kept"), ("p1/gone", "stale"),
                      ("p1/rows/0/name", "a"), ("p1/rows/0/old", "b")])
    schema = {"type": "object", "properties": {"summary": {"type": "string"}, "rows": {
        "type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}}}}}}
    result = build_preview(json.dumps(schema), None, form=form, prefix="p1")
    assert result.data == {"summary": "kept", "rows": [{"name": "a"}]}
    assert declared_only({"type": "object", "additionalProperties": {"type": "string"},
                          "properties": {}}, {"x": "y"}) == {"x": "y"}
