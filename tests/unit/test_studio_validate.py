"""Validation reports every deploy check with file, path and severity."""

from __future__ import annotations

from runtime.bundles.model import parse_bundle
from runtime.studio.template import template_files
from runtime.studio.validate import has_errors, validate_files
from tests.support import SEED


def _template() -> dict[str, bytes]:
    return {k: v.encode() for k, v in template_files("leave", "Leave").items()}


def test_template_is_valid_and_deployable() -> None:
    files = _template()
    assert validate_files(files) == []
    assert parse_bundle(files).definition["processId"] == "Process_leave"


def test_seed_bundles_have_no_errors() -> None:
    for folder in ("grant", "complaint", "onboarding"):
        root = SEED / folder
        files = {p.relative_to(root).as_posix(): p.read_bytes()
                 for p in root.rglob("*") if p.is_file()}
        assert not has_errors(validate_files(files)), folder


def test_manifest_schema_errors_point_at_the_field_and_files_are_still_checked() -> None:
    files = _template()
    files["case-type.yaml"] = files["case-type.yaml"].replace(b"name: Open",
                                                              b"name: Open\n  sla: soon")
    files["forms/work.schema.json"] = b"{oops"
    problems = validate_files(files)
    assert {(p["file"], p["path"], p["severity"]) for p in problems} == {
        ("case-type.yaml", "/stages/0/sla", "error"), ("forms/work.schema.json", "", "error")}


def test_bpmn_problems_name_the_element() -> None:
    files = _template()
    files["processes/leave.bpmn"] = files["processes/leave.bpmn"].replace(b"form:work",
                                                                          b"form:nope")
    problems = validate_files(files)
    assert [(p["file"], p["path"]) for p in problems] == [("processes/leave.bpmn", "#Task_Work")]
    assert "nope" in problems[0]["message"]


def test_reference_errors_and_warnings() -> None:
    files = _template()
    files["case-type.yaml"] += b"hooks:\n- {'on': task.completed, set: {stage: nowhere}}\n"
    problems = validate_files(files)
    assert ("case-type.yaml", "/hooks/0/set/stage") in {(p["file"], p["path"]) for p in problems}
    assert validate_files({}) == [{"file": "case-type.yaml", "path": "",
                                   "message": "case-type.yaml is missing", "severity": "error"}]
    assert validate_files({"case-type.yaml": b"key: ["})[0]["message"].startswith("malformed")
