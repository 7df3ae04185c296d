"""forms.render: accessible, escaped HTML for each supported schema shape and UI option."""

from __future__ import annotations

from typing import Any

import lxml.html
import pytest
from markupsafe import Markup

from forms import FieldError
from forms.coerce import apply_array_op, coerce_form
from forms.render import render_form
from tests.unit.test_forms_render_roundtrip import assert_accessible, browser_post


def parse(markup: str) -> Any:
    return lxml.html.fragment_fromstring(str(markup), create_parent="div")


def one(root: Any, xpath: str) -> Any:
    found = root.xpath(xpath)
    assert len(found) == 1, (xpath, len(found))
    return found[0]


def control(root: Any, name: str) -> Any:
    """The visible control posting under ``name`` (not the hidden companion inputs)."""
    return one(root, f"//*[@name='{name}' and not(@type='hidden')]")


def label_of(root: Any, element: Any) -> str:
    return one(root, f"//label[@for='{element.get('id')}']").text_content()


def form(properties: dict[str, Any], data: Any = None, ui: dict[str, Any] | None = None,
         **keywords: Any) -> Any:
    schema = {"type": "object", "properties": properties, **keywords}
    markup = render_form(schema, ui, data)
    assert isinstance(markup, Markup)
    assert_accessible(markup)
    return parse(markup)


def round_trip(schema: dict[str, Any], data: Any, ui: dict[str, Any] | None = None) -> Any:
    back, errors = coerce_form(schema, browser_post(render_form(schema, ui, data)))
    assert errors == []
    return back


def test_labels_come_from_title_ui_title_or_the_humanised_name() -> None:
    root = form({"firstName": {"type": "string"}, "b": {"type": "string", "title": "Bee"},
                 "c": {"type": "string", "title": "Sea"}}, ui={"c": {"ui:title": "Cee"}})
    assert label_of(root, control(root, "f/firstName")) == "First name"
    assert label_of(root, control(root, "f/b")) == "Bee"
    assert label_of(root, control(root, "f/c")) == "Cee"


def test_required_fields_have_a_visible_marker_and_required_attributes() -> None:
    root = form({"a": {"type": "string"}, "b": {"type": "string"}}, required=["a"])
    a, b = control(root, "f/a"), control(root, "f/b")
    assert a.get("required") is not None and a.get("aria-required") == "true"
    assert one(root, "//label[@for='f-a']/span[@class='cs-required']").text == "*"
    assert b.get("required") is None and not root.xpath("//label[@for='f-b']/span")


def test_help_texts_are_linked_with_aria_describedby() -> None:
    root = form({"a": {"type": "string", "description": "From the schema"}},
                ui={"a": {"ui:help": "From the UI", "ui:placeholder": "type here"}})
    a = control(root, "f/a")
    texts = [one(root, f"//*[@id='{i}']").text for i in a.get("aria-describedby").split()]
    assert texts == ["From the schema", "From the UI"]
    assert a.get("placeholder") == "type here"


def test_errors_are_shown_at_their_fields_and_the_rest_in_a_summary() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string"},
                                               "h": {"type": "string"}}}
    errors = [FieldError("/a", "is required"), FieldError("/zzz/0", "is odd"),
              FieldError("/a", "is required"), FieldError("/zzz/0", "is odd"),
              FieldError("", "must match one of the allowed options"),
              FieldError("/h", "is hidden")]
    root = parse(render_form(schema, {"h": {"ui:widget": "hidden"}}, {}, errors))
    a = control(root, "f/a")
    assert a.get("aria-invalid") == "true"
    assert "cs-field--error" in a.getparent().get("class")
    error = one(root, "//*[@class='cs-error']")
    assert error.get("id") in a.get("aria-describedby").split()
    assert error.text == "is required"
    summary = one(root, "//*[@role='alert']")
    assert [li.text for li in summary.iter("li")] == [
        "Zzz, item 1: is odd", "Form: must match one of the allowed options", "H: is hidden"]
    assert root.xpath("//*[@role='alert']/following::input[@name='f/a']")  # summary on top


def test_everything_is_escaped() -> None:
    evil = '"><script>alert(1)</script>'
    properties = {"a": {"type": "string", "title": evil, "description": evil},
                  "b": {"enum": [evil], "title": evil}, evil: {"type": "string"}}
    markup = render_form({"type": "object", "properties": properties},
                         {"a": {"ui:placeholder": evil, "ui:classNames": evil}},
                         {"a": evil, "b": evil, evil: evil}, [FieldError("/a", evil),
                                                              FieldError("/x", evil)])
    root = parse(markup)
    assert not root.xpath("//script") and "<script>" not in markup
    assert label_of(root, control(root, "f/a")).startswith(evil)
    assert control(root, "f/a").get("value") == evil
    assert control(root, "f/" + evil.replace("/", "~1")).get("value") == evil
    assert one(root, "//option[@selected]").text == evil
    assert_accessible(markup)


def test_names_are_pointers_and_ids_are_unique_even_for_odd_names() -> None:
    odd = ["a/b", "a~b", "a b", "a-b", "a_b", "a_2f_b", "ü", ""]
    root = form({name: {"type": "string"} for name in odd},
                {name: name for name in odd})
    names = sorted(e.get("name") for e in root.xpath("//input[@type='text']"))
    assert names == sorted(["f/a~1b", "f/a~0b", "f/a b", "f/a-b", "f/a_b", "f/a_2f_b", "f/ü",
                            "f/"])
    ids = [e.get("id") for e in root.xpath("//input[@type='text']")]
    assert len(set(ids)) == len(odd) and all(" " not in i and i for i in ids)


def test_nested_objects_are_fieldsets_with_legends_and_pointer_names() -> None:
    root = form({"applicant": {"type": "object", "title": "Applicant",
                               "properties": {"email": {"type": "string", "format": "email"}}}},
                {"applicant": {"email": "a@b.org"}})
    fieldset = one(root, "//fieldset[@data-pointer='/applicant']")
    assert fieldset.find("legend").text == "Applicant"
    email = control(root, "f/applicant/email")
    assert email.get("type") == "email" and email.get("value") == "a@b.org"


@pytest.mark.parametrize(("schema", "attributes"), [
    ({"type": "string", "format": "email"}, {"type": "email"}),
    ({"type": "string", "format": "uri"}, {"type": "url"}),
    ({"type": "string", "format": "date"}, {"type": "date"}),
    ({"type": "string", "format": "date-time"}, {"type": "datetime-local", "step": "1"}),
    ({"type": "string", "minLength": 2, "maxLength": 5, "pattern": "^[a-z]+$"},
     {"type": "text", "minlength": "2", "maxlength": "5", "pattern": ".*(?:^[a-z]+$).*"}),
    ({"type": "integer", "minimum": 1, "maximum": 9}, {"type": "number", "step": "1",
                                                       "min": "1", "max": "9"}),
    ({"type": "number", "multipleOf": 0.5}, {"type": "number", "step": "0.5"}),
    ({"type": "number"}, {"type": "number", "step": "any"}),
])
def test_inputs_carry_the_schema_hints(schema: dict[str, Any], attributes: dict[str, str]) -> None:
    element = control(form({"x": schema}), "f/x")
    assert {key: element.get(key) for key in attributes} == attributes


def test_date_time_is_shown_in_utc_and_invalid_dates_stay_visible_as_text() -> None:
    root = form({"when": {"type": "string", "format": "date-time"},
                 "day": {"type": "string", "format": "date"}},
                {"when": "2024-01-01T10:00:00+01:00", "day": "2024-02-30"})
    when = control(root, "f/when")
    assert when.get("value") == "2024-01-01T09:00:00"
    assert "UTC" in one(root, "//*[@id='f-when__hint']").text
    day = control(root, "f/day")
    assert (day.get("type"), day.get("value")) == ("text", "2024-02-30")


def test_text_typed_into_a_number_field_stays_in_that_field_with_its_error() -> None:
    schema = {"type": "object", "properties": {
        "amount": {"type": "number", "title": "Amount", "minimum": 0},
        "count": {"type": "integer", "title": "Count"}}}
    data, errors = coerce_form(schema, {"f/amount": ["12abc"], "f/count": ["7"],
                                        "_seen": ["f"]})
    assert data == {"amount": "12abc", "count": 7}
    assert errors == [FieldError("/amount", "must be a number")]
    markup = render_form(schema, None, data, errors)
    assert_accessible(markup)
    root = parse(markup)
    amount = control(root, "f/amount")
    assert (amount.tag, amount.get("type"), amount.get("value")) == ("input", "text", "12abc")
    assert amount.get("aria-invalid") == "true" and amount.get("inputmode") == "decimal"
    assert one(root, "//*[@id='f-amount__error']").text == "must be a number"
    assert control(root, "f/count").get("type") == "number"
    again, errors_again = coerce_form(schema, browser_post(markup))  # posts back unchanged
    assert (again, errors_again) == (data, errors)


def test_a_numeric_string_in_a_number_field_is_still_shown_as_json() -> None:
    root = form({"amount": {"type": "number"}}, {"amount": "12"})
    assert control(root, "f/amount").tag == "textarea"  # posting 12 back would change it


def test_defaults_fill_absent_fields_only() -> None:
    properties = {"a": {"type": "string", "default": "dflt"},
                  "n": {"type": "integer", "default": 3}}
    root = form(properties)
    assert (control(root, "f/a").get("value"), control(root, "f/n").get("value")) == (
        "dflt", "3")
    assert control(form(properties, {"a": "mine"}), "f/a").get("value") == "mine"


def test_enums_render_as_select_or_radio_with_titles() -> None:
    properties = {"s": {"enum": ["a", "b"], "enumNames": ["Ay", "Bee"]},
                  "r": {"type": "integer", "oneOf": [{"const": 1, "title": "One"},
                                                     {"const": 2, "title": "Two"}]},
                  "b": {"type": "boolean"}}
    root = form(properties, {"s": "b", "r": 2, "b": False},
                {"r": {"ui:widget": "radio"}, "b": {"ui:widget": "select"}})
    select = control(root, "f/s")
    assert [(o.get("value"), o.text) for o in select.iter("option")] == [
        ("", "—"), ("a", "Ay"), ("b", "Bee")]
    assert one(select, ".//option[@selected]/@value") == "b"
    radios = root.xpath("//input[@name='f/r']")
    assert [(r.get("value"), label_of(root, r), r.get("checked") is not None)
            for r in radios] == [("1", "One", False), ("2", "Two", True)]
    assert [o.text for o in control(root, "f/b").iter("option")] == ["—", "Yes", "No"]
    assert one(root, "//fieldset[@id='f-r']/legend").text == "R"


def test_multiple_choice_renders_checkboxes_or_a_multiple_select() -> None:
    tags = {"type": "array", "uniqueItems": True, "items": {"enum": ["x", "y", "z"]}}
    root = form({"t": tags, "u": tags}, {"t": ["z", "x"], "u": ["y"]},
                {"u": {"ui:widget": "select"}})
    boxes = root.xpath("//input[@name='f/t' and @type='checkbox']")
    assert [(b.get("value"), b.get("checked") is not None) for b in boxes] == [
        ("x", True), ("y", False), ("z", True)]
    select = control(root, "f/u")
    assert select.get("multiple") is not None
    assert [o.get("value") for o in select.iter("option") if o.get("selected") is not None] == [
        "y"]


def test_boolean_checkbox_has_a_hidden_companion() -> None:
    root = form({"ok": {"type": "boolean"}}, {"ok": True})
    hidden, box = root.xpath("//input[@name='f/ok']")
    assert (hidden.get("type"), hidden.get("value")) == ("hidden", "false")
    assert (box.get("type"), box.get("value")) == ("checkbox", "true")
    assert box.get("checked") is not None


def test_ui_widgets_textarea_hidden_password_and_class_names() -> None:
    root = form({"t": {"type": "string"}, "h": {"type": "integer"}, "p": {"type": "string"},
                 "m": {"type": "string"}},
                {"t": "x", "h": 4, "p": "secret", "m": "two\nlines"},
                {"t": {"ui:widget": "textarea", "ui:options": {"rows": 7}},
                 "h": {"ui:widget": "hidden"}, "p": {"ui:widget": "password",
                                                     "ui:classNames": "wide"}})
    assert (control(root, "f/t").tag, control(root, "f/t").get("rows")) == ("textarea", "7")
    assert one(root, "//input[@name='f/h']").get("type") == "hidden"
    assert control(root, "f/p").get("type") == "password"
    assert "wide" in control(root, "f/p").getparent().get("class")
    assert control(root, "f/m").tag == "textarea"  # a newline would be lost in an input
    schema = {"type": "object", "properties": {"m": {"type": "string"}}}
    assert round_trip(schema, {"m": "\n\nstarts with newlines\r\n"}) == {
        "m": "\n\nstarts with newlines\n"}


def test_ui_order_with_wildcard() -> None:
    root = form({n: {"type": "string"} for n in "abcde"}, ui={"ui:order": ["d", "*", "a"]})
    assert [e.get("name") for e in root.xpath("//input[@type='text']")] == [
        "f/d", "f/b", "f/c", "f/e", "f/a"]


def test_read_only_disabled_and_whole_form_read_only() -> None:
    properties = {"r": {"type": "string", "readOnly": True}, "d": {"enum": ["a", "b"]},
                  "t": {"type": "string"}, "rows": {"type": "array", "items": {}}}
    ui = {"d": {"ui:disabled": True}}
    data = {"r": "x", "d": "b", "t": "y", "rows": [1]}
    root = form(properties, data, ui)
    assert control(root, "f/r").get("readonly") is not None
    select = one(root, "//select")
    assert select.get("disabled") is not None and select.get("name") is None
    assert one(root, "//input[@name='f/d']").get("value") == "b"  # carried for the post
    schema = {"type": "object", "properties": properties}
    assert round_trip(schema, data, ui) == data
    locked = parse(render_form(schema, ui, data, read_only=True))
    assert locked.xpath("//textarea|//input[not(@type='hidden')]")
    assert all(e.get("readonly") is not None or e.get("disabled") is not None
               for e in locked.xpath("//textarea|//input[not(@type='hidden')]|//select"))
    assert not locked.xpath("//button")


def test_disabled_and_read_only_containers_lock_their_children() -> None:
    schema = {"type": "object", "properties": {
        "group": {"type": "object", "properties": {"a": {"type": "string"},
                                                   "b": {"type": "boolean"}}},
        "rows": {"type": "array", "readOnly": True, "items": {"type": "string"}}}}
    data = {"group": {"a": "x", "b": True}, "rows": ["r"]}
    ui = {"group": {"ui:disabled": True}}
    root = parse(render_form(schema, ui, data))
    assert one(root, "//input[@id='f-group-a']").get("disabled") is not None
    assert one(root, "//input[@id='f-group-b']").get("disabled") is not None
    assert control(root, "f/rows/0").get("readonly") is not None
    assert not root.xpath("//button")
    assert round_trip(schema, data, ui) == data


def test_array_rows_have_buttons_that_work_without_javascript() -> None:
    schema = {"type": "object", "properties": {"items": {
        "type": "array", "title": "Items", "maxItems": 3,
        "items": {"type": "object", "properties": {"name": {"type": "string"}}}}}}
    data = {"items": [{"name": "a"}, {"name": "b"}]}
    markup = render_form(schema, None, data)
    root = parse(markup)
    assert [b.get("value") for b in root.iter("button")] == [
        "down:/items/0", "remove:/items/0", "up:/items/1", "remove:/items/1", "add:/items"]
    assert all(b.get("type") == "submit" and b.get("formnovalidate") is not None
               for b in root.iter("button"))
    assert control(root, "f/items/1/name").get("value") == "b"
    post = browser_post(markup, click="add:/items")
    assert post["_op"] == ["add:/items"]
    back, _ = coerce_form(schema, post)
    grown = apply_array_op(back, post["_op"][0], schema=schema)
    assert grown == {"items": [{"name": "a"}, {"name": "b"}, {}]}
    full = parse(render_form(schema, None, grown))
    assert full.xpath("//input[@name='f/items/2/name']")
    assert not full.xpath("//button[@value='add:/items']")  # maxItems reached


def test_array_ui_options_hide_buttons() -> None:
    root = form({"l": {"type": "array", "items": {"type": "string"}}}, {"l": ["a", "b"]},
                {"l": {"ui:options": {"addable": False, "orderable": False}}})
    assert [b.get("value") for b in root.iter("button")] == ["remove:/l/0", "remove:/l/1"]
    assert label_of(root, control(root, "f/l/1")) == "Item 2"


def test_conditions_render_the_branch_that_applies_now() -> None:
    properties = {"kind": {"enum": ["person", "company"]}}
    keywords = {"if": {"properties": {"kind": {"const": "company"}}},
                "then": {"properties": {"vat": {"type": "string"}}, "required": ["vat"]},
                "else": {"properties": {"born": {"type": "string", "format": "date"}}}}
    person = form(properties, {"kind": "person"}, **keywords)
    company = form(properties, {"kind": "company"}, **keywords)
    assert person.xpath("//input[@name='f/born']") and not person.xpath("//*[@name='f/vat']")
    assert control(company, "f/vat").get("required") is not None
    assert one(company, "//*[@data-pointer='']").get("data-conditional") == "1"
    assert form({"x": {"type": "string"}}).xpath("//*[@data-conditional]") == []


def test_dependencies_mark_required_and_add_fields() -> None:
    properties = {"card": {"type": "number"}, "billing": {"type": "string"}}
    keywords = {"dependentRequired": {"card": ["billing"]},
                "dependencies": {"card": {"properties": {"cvv": {"type": "string"}}}}}
    without = form(properties, {}, **keywords)
    with_card = form(properties, {"card": 1}, **keywords)
    assert control(without, "f/billing").get("required") is None
    assert not without.xpath("//*[@name='f/cvv']")
    assert control(with_card, "f/billing").get("required") is not None
    assert with_card.xpath("//input[@name='f/cvv']")


def test_local_references_are_followed() -> None:
    root = form({"a": {"$ref": "#/$defs/addr", "title": "Home"},
                 "b": {"$ref": "#/definitions/n"}},
                {"a": {"city": "Oslo"}},
                **{"$defs": {"addr": {"type": "object", "title": "Address",
                                      "properties": {"city": {"type": "string"}}}},
                   "definitions": {"n": {"type": "integer"}}})
    assert one(root, "//fieldset[@data-pointer='/a']/legend").text == "Home"
    assert control(root, "f/a/city").get("value") == "Oslo"
    assert control(root, "f/b").get("type") == "number"


@pytest.mark.parametrize("schema", [
    {"not": {"type": "string"}},
    {"type": "array", "prefixItems": [{"type": "string"}]},
    {"type": ["string", "number"]},
    {"type": "color"},
    {},
    {"$ref": "#/nowhere"},
])
def test_unsupported_shapes_become_json_text_areas(schema: dict[str, Any]) -> None:
    full = {"type": "object", "properties": {"x": schema}}
    root = parse(render_form(full, None, {"x": ["a", 1]}))
    area = control(root, "f/x")
    assert area.tag == "textarea" and "cs-json" in area.get("class")
    assert one(root, "//input[@name='_json']").get("value") == "f/x"
    assert round_trip(full, {"x": ["a", 1]}) == {"x": ["a", 1]}


@pytest.mark.parametrize(("schema", "value"), [
    ({"type": "boolean"}, "wrong"),
    ({"type": "number"}, "12"),
    ({"type": "string"}, {"a": 1}),
    ({"enum": ["a", "b"]}, "c"),
    ({"type": "object", "properties": {}}, [1]),
    ({"type": "array", "items": {"type": "string"}}, "x"),
    ({"type": "array", "uniqueItems": True, "items": {"enum": ["a"]}}, ["a", "a"]),
    ({"type": "string"}, None),
])
def test_values_a_widget_cannot_show_are_kept_as_json(schema: dict[str, Any],
                                                      value: Any) -> None:
    full = {"type": "object", "properties": {"x": schema}}
    assert control(parse(render_form(full, None, {"x": value})), "f/x").tag == "textarea"
    assert round_trip(full, {"x": value}) == {"x": value}


def test_extra_members_are_rendered_with_additional_or_pattern_schemas() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string"}},
              "patternProperties": {"^n": {"type": "integer"}},
              "additionalProperties": {"type": "boolean"}}
    data = {"a": "x", "n1": 3, "flag": True, "odd": "text"}
    root = parse(render_form(schema, None, data))
    assert control(root, "f/n1").get("type") == "number"
    assert control(root, "f/flag").get("type") == "checkbox"
    assert control(root, "f/odd").tag == "textarea"  # a string where booleans are expected
    assert round_trip(schema, data) == data


def test_recursive_schemas_and_deep_data_stay_bounded() -> None:
    schema = {"$defs": {"node": {"type": "object", "properties": {
        "name": {"type": "string"}, "child": {"$ref": "#/$defs/node"}}}},
        "$ref": "#/$defs/node"}
    data: dict[str, Any] = {"name": "root"}
    node = data
    for depth in range(60):
        node["child"] = {"name": f"n{depth}"}
        node = node["child"]
    root = parse(render_form(schema, None, {"name": "only"}))
    assert control(root, "f/child").tag == "textarea"  # absent recursion: edit as JSON
    assert round_trip(schema, data) == data
    assert round_trip(schema, {"name": "only"}) == {"name": "only"}


def test_prefix_changes_names_and_ids() -> None:
    markup = render_form({"type": "object", "properties": {"a": {"type": "string"}}}, None,
                         {"a": "x"}, prefix="task7")
    element = control(parse(markup), "task7/a")
    assert element.get("id") == "task7-a"
    assert_accessible(markup, prefix="task7")
    with pytest.raises(ValueError):
        render_form({}, None, None, prefix="_seen")


def test_strange_input_never_raises() -> None:
    for schema in [{"type": "object", "properties": {"a": {"pattern": "("}}},
                   {"type": "object", "properties": {"a": False}, "if": {"pattern": "("}},
                   {"type": "array"}, {"type": "null"}, {"enum": []}]:
        for data in [None, 1, "x", [None], {"a": {"b": [1, {}]}}]:
            for ui in ({"ui:order": 5, "a": "not a dict"}, {"ui:order": [{"x": 1}, "*", 2]}):
                assert_accessible(render_form(schema, ui, data))
