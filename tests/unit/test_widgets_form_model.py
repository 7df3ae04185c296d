"""The form builder's model (studio/static/js/widgets-form-model.js), run in Node.

Why test the browser code here: the model decides what lands in the bundle's schema
files, so each kind the builder offers must yield a schema that deploy accepts and the
portal renders, and edits must leave everything else in the documents alone.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from forms import check_form_schema
from forms.render import render_form
from tests.support import require_server

MODEL = Path(__file__).resolve().parents[2] / "studio" / "static" / "js" / "widgets-form-model.js"
HARNESS = """
global.window = {};
require(process.argv[1]);
const M = window.CaseStudioFormModel;
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const doc = input.doc;
const ops = {
  add: (p, kind) => M.addField(doc, p, kind),
  remove: (p) => M.removeField(doc, p),
  move: (p, delta) => M.moveField(doc, p, delta),
  rename: (p, key) => M.renameField(doc, p, key),
  required: (p, on) => M.setRequired(doc, p, on),
  kind: (p, kind) => M.setKind(doc, p, kind),
  prop: (p, prop, text) => M.setProp(doc, p, prop, text),
  get: (p, prop) => M.getProp(M.field(doc, p, false), prop),
  fields: (p) => M.fields(doc, p).map((f) => [f.key, f.kind, f.required]),
};
const results = input.ops.map(([name, ...args]) => ops[name](...args));
process.stdout.write(JSON.stringify({ doc, results, kinds: M.KINDS.map((k) => k[0]) }));
"""


def run(doc: dict[str, Any], *ops: list[Any]) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None:
        require_server("Node.js is not installed (it runs the front-end build too)")
    done = subprocess.run([str(node), "-e", HARNESS, str(MODEL)], input=json.dumps(
        {"doc": doc, "ops": list(ops)}), capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def empty() -> dict[str, Any]:
    return {"schema": {}, "ui": {}}


def test_every_kind_yields_a_schema_that_deploy_accepts_and_the_portal_renders() -> None:
    kinds = run(empty())["kinds"]
    assert len(kinds) == 13
    out = run(empty(), *[["add", [], kind] for kind in kinds], ["fields", []])
    listed = out["results"][-1]
    assert [kind for _key, kind, _required in listed] == kinds
    schema = out["doc"]["schema"]
    assert schema["type"] == "object" and check_form_schema(schema) == []
    html = render_form(schema, out["doc"]["ui"], None)
    assert html.count('class="cs-field') >= 11
    assert out["doc"]["ui"] == {"new_field_2": {"ui:widget": "textarea"},
                                "new_field_11": {"ui:widget": "checkboxes"}}


def test_nested_groups_and_rows_hold_their_own_fields() -> None:
    out = run(empty(), ["add", [], "group"], ["add", ["new_field_1"], "text"],
              ["add", [], "array"], ["add", ["new_field_2"], "integer"],
              ["prop", ["new_field_2", "new_field_1"], "help", "Per row"],
              ["required", ["new_field_2", "new_field_1"], True],
              ["fields", ["new_field_2"]])
    schema, ui = out["doc"]["schema"], out["doc"]["ui"]
    row = schema["properties"]["new_field_2"]["items"]
    assert row["required"] == ["new_field_1"] and row["properties"]["new_field_1"]["type"] \
        == "integer"
    assert ui == {"new_field_2": {"items": {"new_field_1": {"ui:help": "Per row"}}}}
    assert out["results"][-1] == [["new_field_1", "integer", True]]
    assert schema["properties"]["new_field_1"]["properties"]["new_field_1"]["type"] == "string"
    assert check_form_schema(schema) == []


def test_edits_leave_everything_the_builder_does_not_know_in_place() -> None:
    doc = {"schema": {"$schema": "https://json-schema.org/draft/2020-12/schema",
                      "type": "object", "required": ["a", "ref"],
                      "properties": {"a": {"type": "string", "x-note": "keep me",
                                           "title": "A"},
                                     "ref": {"$ref": "#/$defs/addr"},
                                     "b": {"type": "boolean"}},
                      "$defs": {"addr": {"type": "object"}}, "additionalProperties": False},
           "ui": {"ui:order": ["b", "*"], "a": {"ui:classNames": "wide"}, "ui:submit": "x"}}
    out = run(doc, ["fields", []], ["rename", ["a"], "alpha"], ["move", ["alpha"], 1],
              ["prop", ["alpha"], "title", "Alpha"], ["fields", []])
    assert out["results"][0] == [["b", "boolean", False], ["a", "text", True],
                                 ["ref", "other", True]]
    assert out["results"][-1] == [["b", "boolean", False], ["ref", "other", True],
                                  ["alpha", "text", True]]
    schema, ui = out["doc"]["schema"], out["doc"]["ui"]
    assert schema["properties"]["alpha"] == {"type": "string", "x-note": "keep me",
                                             "title": "Alpha"}
    assert schema["required"] == ["alpha", "ref"] and schema["$defs"] == doc["schema"]["$defs"]
    assert schema["additionalProperties"] is False
    assert ui["alpha"] == {"ui:classNames": "wide"} and ui["ui:submit"] == "x"
    assert ui["ui:order"] == ["b", "ref", "alpha"]


def test_renames_are_checked_and_removal_cleans_up_required_and_ui() -> None:
    doc = {"schema": {"type": "object", "required": ["a"],
                      "properties": {"a": {"type": "string"}, "b": {"type": "string"}}},
           "ui": {"ui:order": ["a", "b"], "a": {"ui:help": "h"}}}
    out = run(doc, ["rename", ["a"], "b"], ["rename", ["a"], "9 lives"], ["remove", ["a"]])
    assert "already uses" in out["results"][0] and "letters" in out["results"][1]
    assert out["doc"] == {"schema": {"type": "object", "properties": {"b": {"type": "string"}}},
                          "ui": {"ui:order": ["b"]}}


def test_properties_are_typed_and_bad_values_are_refused() -> None:
    out = run(empty(), ["add", [], "integer"], ["prop", ["new_field_1"], "default", "12"],
              ["prop", ["new_field_1"], "default", "1.5"], ["prop", ["new_field_1"], "min", "3"],
              ["add", [], "text"], ["prop", ["new_field_2"], "max", "80"],
              ["prop", ["new_field_2"], "max", "-1"],
              ["prop", ["new_field_2"], "pattern", "^[A-Z]"],
              ["prop", ["new_field_2"], "placeholder", "e.g. AB"],
              ["add", [], "boolean"], ["prop", ["new_field_3"], "default", "false"],
              ["get", ["new_field_1"], "min"])
    props = out["doc"]["schema"]["properties"]
    assert props["new_field_1"] == {"title": "New field 1", "type": "integer", "default": 12,
                                    "minimum": 3}
    assert props["new_field_2"] == {"title": "New field 2", "type": "string", "maxLength": 80,
                                    "pattern": "^[A-Z]"}
    assert props["new_field_3"]["default"] is False
    assert out["doc"]["ui"] == {"new_field_2": {"ui:placeholder": "e.g. AB"}}
    results = out["results"]
    assert "integer" in results[2] and "whole number" in results[6]
    assert [results[i] for i in (1, 3, 5, 7, 8, 10)] == [""] * 6 and results[-1] == "3"


def test_options_and_kind_changes_between_single_and_multiple_choice() -> None:
    out = run(empty(), ["add", [], "choice"],
              ["prop", ["new_field_1"], "options", "low | Low priority\nhigh\n\n"],
              ["kind", ["new_field_1"], "multi"], ["get", ["new_field_1"], "options"],
              ["prop", ["new_field_1"], "options", "x\ny"], ["kind", ["new_field_1"], "number"])
    assert out["results"][3] == "low | Low priority\nhigh"
    field = out["doc"]["schema"]["properties"]["new_field_1"]
    assert field == {"title": "New field 1", "type": "number"}
    assert out["doc"]["ui"] == {}
    middle = run(empty(), ["add", [], "multi"], ["prop", ["new_field_1"], "options", "x\ny"])
    items = middle["doc"]["schema"]["properties"]["new_field_1"]["items"]
    assert items == {"type": "string", "enum": ["x", "y"]}


@pytest.mark.parametrize(("node", "ui", "kind"), [
    ({"type": "string", "format": "date-time"}, {}, "datetime"),
    ({"type": "string", "format": "uri"}, {}, "url"),
    ({"type": "string"}, {"ui:widget": "textarea"}, "textarea"),
    ({"type": "string", "enum": ["a"]}, {}, "choice"),
    ({"type": ["string", "null"]}, {}, "other"),
    ({"type": "array", "items": {"type": "string"}}, {}, "other"),
    ({"properties": {}}, {}, "group"),
])
def test_kinds_are_recognised_in_hand_written_schemas(node: dict[str, Any], ui: dict[str, Any],
                                                      kind: str) -> None:
    doc = {"schema": {"properties": {"f": node}}, "ui": {"f": ui}}
    assert run(doc, ["fields", []])["results"][0] == [["f", kind, False]]
