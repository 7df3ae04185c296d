"""Test runs in the sandbox: tasks with forms, gateway choices, topics, hooks, timers."""

from __future__ import annotations

import json

import pytest

from runtime.errors import ValidationFailed
from runtime.studio.simulate import simulate
from runtime.studio.template import template_files
from tests.support import SEED


def _grant() -> tuple[dict[str, bytes], dict, dict]:
    root = SEED / "grant"
    files = {p.relative_to(root).as_posix(): p.read_bytes()
             for p in root.rglob("*") if p.is_file()}
    data = json.loads((root / "samples" / "valid.json").read_text())
    tasks = json.loads((root / "samples" / "tasks.json").read_text())
    return files, data, tasks


def test_template_runs_to_the_end() -> None:
    files = {k: v.encode() for k, v in template_files("leave", "Leave").items()}
    start = simulate(files, {"data": {"description": "Trip"}})
    assert start["case"]["title"] == "Trip" and not start["ended"]
    assert start["waiting"][0]["form"]["schema"]["properties"]["outcome"]["type"] == "string"
    end = simulate(files, {"data": {"description": "Trip"},
                           "steps": [{"task": "Task_Work", "data": {"outcome": "done"}}]})
    assert end["ended"] and end["waiting"] == []


def test_gateway_outcome_follows_the_task_data_and_stages_change() -> None:
    files, data, tasks = _grant()
    eligible = simulate(files, {"data": data, "steps": [
        {"task": "Task_Eligibility", "data": tasks["eligibility"]["eligible"]}]})
    assert [w["task"] for w in eligible["waiting"]] == ["Task_Review"]
    assert [c["to"] for c in eligible["stageChanges"]] == ["eligibility", "review"]
    rejected = simulate(files, {"data": data, "steps": [
        {"task": "Task_Eligibility", "data": tasks["eligibility"]["ineligible"]}]})
    assert rejected["ended"] and rejected["case"]["status"] == "closed"
    assert rejected["case"]["data"]["outcome"] == "ineligible"
    assert any(entry["kind"] == "email" for entry in rejected["log"])
    assert "Task_EmailIneligible" in [p["activityId"] for p in rejected["path"]]


def test_hooks_fire_and_timers_can_be_fired() -> None:
    files, data, tasks = _grant()
    reviewed = simulate(files, {"data": data, "steps": [
        {"task": "Task_Eligibility", "data": tasks["eligibility"]["eligible"]},
        {"task": "Task_Review", "data": tasks["review"]["approve"]}]})
    assert reviewed["stageChanges"][-1] == {"from": "review", "to": "decision",
                                            "by": "hook (task.completed)"}
    waiting = simulate(files, {"data": data, "steps": [
        {"task": "Task_Eligibility", "data": tasks["eligibility"]["eligible"]}]})
    assert waiting["timers"]
    fired = simulate(files, {"data": data, "steps": [
        {"task": "Task_Eligibility", "data": tasks["eligibility"]["eligible"]},
        {"timers": True}]})
    assert any(entry["kind"] == "notify" for entry in fired["log"])


def test_bad_steps_and_data_are_refused_with_paths() -> None:
    files, data, _tasks = _grant()
    with pytest.raises(ValidationFailed) as bad_data:
        simulate(files, {"data": {**data, "amount": "lots"}})
    assert bad_data.value.errors[0]["path"] == "/data/amount"
    with pytest.raises(ValidationFailed) as bad_task:
        simulate(files, {"data": data, "steps": [{"task": "Task_Review", "data": {}}]})
    assert bad_task.value.errors[0]["path"] == "/steps/0/task"
    with pytest.raises(ValidationFailed) as bad_form:
        simulate(files, {"data": data, "steps": [{"task": "Task_Eligibility", "data": {}}]})
    assert bad_form.value.errors[0]["path"].startswith("/steps/0/data")


def test_an_unknown_stage_becomes_an_incident_not_a_crash() -> None:
    files = {k: v.encode() for k, v in template_files("leave", "Leave").items()}
    files["processes/leave.bpmn"] = files["processes/leave.bpmn"].replace(
        b'<bpmn:userTask id="Task_Work"',
        b'<bpmn:serviceTask id="Task_Stage" camunda:type="external" camunda:topic='
        b'"case.set-stage"><bpmn:extensionElements><camunda:inputOutput>'
        b'<camunda:inputParameter name="stage">nowhere</camunda:inputParameter>'
        b'</camunda:inputOutput></bpmn:extensionElements><bpmn:incoming>Flow_1</bpmn:incoming>'
        b'<bpmn:outgoing>Flow_2</bpmn:outgoing></bpmn:serviceTask><bpmn:userTask id="Unused"')
    files["processes/leave.bpmn"] = files["processes/leave.bpmn"].replace(
        b'targetRef="Task_Work"', b'targetRef="Task_Stage"').replace(
        b'sourceRef="Task_Work"', b'sourceRef="Task_Stage"')
    state = simulate(files, {"data": {}})
    assert state["incidents"][0]["activityId"] == "Task_Stage"
    assert "nowhere" in state["incidents"][0]["message"]


def test_extra_variables_steer_a_gateway() -> None:
    files, data, tasks = _grant()
    steered = simulate(files, {"data": data, "steps": [
        {"task": "Task_Eligibility", "data": tasks["eligibility"]["eligible"],
         "variables": {"eligible": False}}]})
    assert steered["ended"] and steered["case"]["status"] == "closed"
    with pytest.raises(ValidationFailed) as bad:
        simulate(files, {"data": data, "steps": [
            {"task": "Task_Eligibility", "data": tasks["eligibility"]["eligible"],
             "variables": [1]}]})
    assert bad.value.errors[0]["path"] == "/steps/0/variables"
