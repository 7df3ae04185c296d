"""Structured bundle diffs: fields, stages, queues, forms, permissions, hooks, process."""

from __future__ import annotations

import json
from pathlib import Path

from runtime.studio.diff import diff_bundles, flatten_fields
from runtime.studio.template import dump_manifest, template_files
from tests.support import SEED


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in folder.rglob("*") if p.is_file()}


def _template() -> dict[str, bytes]:
    return {k: v.encode() for k, v in template_files("leave", "Leave").items()}


def test_identical_bundles_have_an_empty_diff() -> None:
    files = _files(SEED / "grant")
    diff = diff_bundles(files, dict(files))
    assert diff["empty"] is True and diff["process"] == [] and diff["fields"] == []


def test_nothing_deployed_lists_everything_as_added() -> None:
    diff = diff_bundles(None, _template())
    assert diff["empty"] is False
    assert {e["id"] for e in diff["process"]} >= {"StartEvent_1", "Task_Work", "EndEvent_1"}
    assert all(e["change"] == "added" for e in diff["process"])


def test_field_type_required_added_and_removed() -> None:
    old = _template()
    schema = json.loads(old["forms/leave.schema.json"])
    schema["properties"]["description"]["type"] = "integer"
    schema["properties"]["summary"] = {"type": "string", "title": "Summary"}
    schema["required"] = ["summary"]
    new = {**old, "forms/leave.schema.json": json.dumps(schema).encode()}
    task = json.loads(old["forms/work.schema.json"])
    del task["properties"]["outcome"]
    new["forms/work.schema.json"] = json.dumps(task).encode()
    fields = {(f["form"], f["path"]): f for f in diff_bundles(old, new)["fields"]}
    assert fields[("case", "/description")]["facets"] == ["type"]
    assert fields[("case", "/summary")]["change"] == "added"
    assert fields[("case", "/summary")]["after"]["required"] is True
    assert fields[("form:work", "/outcome")]["change"] == "removed"


def test_manifest_sections_and_process_elements() -> None:
    old = _template()
    manifest = {"key": "leave", "name": "Leave 2", "schema": "forms/leave.schema.json",
                "stages": [{"key": "open", "name": "Opened"}, {"key": "done", "name": "Done"}],
                "queues": ["priority"], "process": "processes/leave.bpmn",
                "forms": {"work": "forms/work.schema.json"},
                "permissions": {"create": ["worker"], "manage": ["analyst", "admin"]},
                "hooks": [{"on": "task.completed", "task": "Task_Work", "set": {"stage": "done"}}]}
    bpmn = old["processes/leave.bpmn"].replace(b'name="Work on the case"', b'name="Work"')
    new = {**old, "case-type.yaml": dump_manifest(manifest).encode(),
           "processes/leave.bpmn": bpmn}
    diff = diff_bundles(old, new)
    assert {g["field"] for g in diff["general"]} >= {"name", "ui", "numbering", "title"}
    assert [(s["change"], s["key"]) for s in diff["stages"]] == [("changed", "open"),
                                                                 ("added", "done")]
    assert diff["queues"] == {"added": ["priority"], "removed": ["standard"]}
    perms = {p["action"]: p for p in diff["permissions"]}
    assert perms["create"]["removed"] == ["manager"] and perms["manage"]["added"] == ["admin"]
    assert "read" in perms and len(diff["hooks"]["added"]) == 1
    assert diff["process"] == [{"change": "changed", "id": "Task_Work", "facets": ["name"],
                                "before": diff["process"][0]["before"],
                                "after": diff["process"][0]["after"]}]


def test_broken_files_still_diff() -> None:
    old = _template()
    new = {**old, "case-type.yaml": b"key: [", "processes/leave.bpmn": b"<not-xml"}
    diff = diff_bundles(old, new)
    assert diff["files"]["changed"] == ["case-type.yaml", "processes/leave.bpmn"]
    assert any(s["change"] == "removed" for s in diff["stages"])


def test_flatten_fields_walks_groups_and_arrays() -> None:
    schema = {"type": "object", "required": ["a"], "properties": {
        "a": {"type": "object", "required": ["b"], "properties": {"b": {"type": "string"}}},
        "rows": {"type": "array", "items": {"type": "object",
                                            "properties": {"n": {"type": "number"}}}}}}
    fields = flatten_fields(schema)
    assert set(fields) == {"/a", "/a/b", "/rows", "/rows/*/n"}
    assert fields["/a/b"]["required"] is True and fields["/rows"]["required"] is False
