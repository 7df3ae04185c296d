"""The `/engine-rest` facade against Camunda 7.16's OpenAPI document.

Three layers: the validator itself must catch what it is there to catch
(nullable, unknown or missing properties, undeclared statuses); every route of
the facade must be an operation of Camunda's API; and one sweep over every
list/get endpoint with data in place validates each answer (the facade's
integration tests validate every other response through the same client).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

import bpmn.rest
from tests.camunda_openapi import SPEC_PATH, operation_path, spec, validate
from tests.engine_rest_support import ORDER_BPMN, WORK_BPMN, CamundaClient, rest_app

TASK = {"id": "t", "name": None, "assignee": None, "owner": None, "created": "x", "due": None,
        "followUp": None, "delegationState": None, "description": None, "executionId": "e",
        "parentTaskId": None, "priority": 50, "processDefinitionId": "p",
        "processInstanceId": "i", "caseExecutionId": None, "caseDefinitionId": None,
        "caseInstanceId": None, "taskDefinitionKey": "k", "suspended": False,
        "formKey": None, "camundaFormRef": None, "tenantId": None}


def check(method: str, path: str, status: int, body: Any) -> None:
    raw = b"" if body is None else json.dumps(body).encode()
    validate(method, path, status, raw, "application/json")


def test_the_reference_is_camundas_7_16_document() -> None:
    expected = (Path(__file__).resolve().parents[2].parent / "shared" / "reference"
                / "camunda-rest" / "camunda-7.16-openapi.yaml")
    assert expected == SPEC_PATH
    assert spec()["openapi"].startswith("3.0") and spec()["info"]["version"].startswith("7.16")


def test_a_complete_dto_with_nulls_passes() -> None:
    check("GET", "/engine-rest/task", 200, [TASK])
    check("GET", "/engine-rest/task/count", 200, {"count": 3})


@pytest.mark.parametrize(("body", "problem"), [
    ([{**TASK, "priority": "high"}], "is not of type"),
    ([{**TASK, "processInstanceID": "i"}], "Additional properties"),
    ([{k: v for k, v in TASK.items() if k != "caseInstanceId"}], "'caseInstanceId' is a "
                                                                   "required property"),
    ({"count": None}, "None is not of type 'integer'"),
    ([TASK, 5], "is not of type 'object'"),
])
def test_the_validator_refuses_what_camunda_would_not_send(body: Any, problem: str) -> None:
    path = "/engine-rest/task/count" if isinstance(body, dict) else "/engine-rest/task"
    with pytest.raises(AssertionError, match=re.escape(problem)):
        check("GET", path, 200, body)


def test_statuses_and_error_bodies_are_checked() -> None:
    with pytest.raises(AssertionError, match="never answers 201"):
        check("GET", "/engine-rest/task", 201, [])
    check("GET", "/engine-rest/task", 401, {"type": "AuthenticationException", "message": "no"})
    with pytest.raises(AssertionError, match="error without type/message"):
        check("GET", "/engine-rest/task/x", 404, {"message": "gone"})
    with pytest.raises(AssertionError, match="204 with a body"):
        validate("POST", "/engine-rest/task/x/claim", 204, b"{}", "application/json")


def test_paths_map_to_their_templates_literal_segments_first() -> None:
    assert operation_path("/engine-rest/process-definition/count") == "/process-definition/count"
    assert operation_path("/engine-rest/process-definition/key/a/tenant-id/b/start") == (
        "/process-definition/key/{key}/tenant-id/{tenant-id}/start")
    assert operation_path("/engine-rest/task/abc/comment?x=1") == "/task/{id}/comment"
    with pytest.raises(AssertionError, match="not an operation"):
        operation_path("/engine-rest/made-up/path/here/x")


def test_every_facade_route_is_a_camunda_operation() -> None:
    app = Flask(__name__)
    app.register_blueprint(bpmn.rest.bp)
    routes = [(rule.rule, method) for rule in app.url_map.iter_rules()
              if rule.endpoint.startswith("engine_rest.") and "<path:" not in rule.rule
              for method in rule.methods - {"HEAD", "OPTIONS"}]
    assert len(routes) > 80
    known = {re.sub(r"\{[^}]+\}", "{x}", path): ops for path, ops in spec()["paths"].items()}
    for rule, method in routes:
        template = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", "{x}", rule.removeprefix("/engine-rest"))
        assert template in known, rule
        assert method.lower() in known[template], f"{method} {rule}"


@pytest.fixture
def api(tmp_path: Path) -> Iterator[CamundaClient]:
    app = rest_app(f"sqlite:///{tmp_path}/cs.db", tmp_path)
    try:
        yield CamundaClient(app.test_client())
    finally:
        app.extensions["casestudio"].stop()


def test_sweep_of_every_read_endpoint_with_data_in_place(api: CamundaClient) -> None:
    deployment = api.deploy({"order.bpmn": ORDER_BPMN, "work.bpmn": WORK_BPMN}).get_json()
    definition = next(iter(deployment["deployedProcessDefinitions"].values()))
    pid = api.json_of("POST", "/process-definition/key/order/start", json={
        "businessKey": "S-1", "withVariablesInReturn": True,
        "variables": {"d": {"value": "2026-01-31T10:00:00.000+0000", "type": "Date"},
                      "j": {"value": '{"a": 1}', "type": "Json"}}})["id"]
    work = api.json_of("POST", "/process-definition/key/work/start", json={})["id"]
    task = api.json_of("GET", "/task")[0]["id"]
    locked = api.json_of("POST", "/external-task/fetchAndLock", json={
        "workerId": "w", "maxTasks": 1, "topics": [{"topicName": "crunch",
                                                    "lockDuration": 1000}]})[0]["id"]
    api.post(f"/external-task/{locked}/failure", {"workerId": "w", "retries": 0,
                                                  "errorMessage": "x"})
    resource = api.json_of("GET", f"/deployment/{deployment['id']}/resources")[0]["id"]
    variable = api.json_of("GET", f"/variable-instance?processInstanceIdIn={pid}")[0]["id"]
    incident = api.json_of("GET", "/incident")[0]["id"]
    paths = [
        "/deployment", "/deployment/count", f"/deployment/{deployment['id']}",
        f"/deployment/{deployment['id']}/resources/{resource}",
        "/process-definition", "/process-definition/count", f"/process-definition/"
        f"{definition['id']}", "/process-definition/key/order", "/process-definition/statistics",
        f"/process-definition/{definition['id']}/xml", "/process-instance",
        "/process-instance/count", f"/process-instance/{pid}",
        f"/process-instance/{pid}/variables", f"/process-instance/{pid}/variables/d",
        f"/process-instance/{pid}/activity-instances", "/task", "/task/count", f"/task/{task}",
        f"/task/{task}/form", f"/task/{task}/form-variables", f"/task/{task}/variables",
        f"/task/{task}/identity-links", f"/task/{task}/comment", "/external-task",
        "/external-task/count",
        f"/external-task/{locked}", "/external-task/topic-names", "/job", "/job/count",
        "/incident", "/incident/count", f"/incident/{incident}",
        f"/variable-instance?processInstanceIdIn={pid},{work}", f"/variable-instance/{variable}",
        "/history/process-instance", "/history/process-instance/count",
        f"/history/process-instance/{pid}", f"/history/activity-instance?processInstanceId={pid}",
        "/history/task", "/history/task/count",
        f"/history/variable-instance?processInstanceIdIn={pid}",
        f"/history/detail?processInstanceId={pid}", "/job-definition", "/engine", "/version"]
    for path in paths:
        response = api.get(path)
        assert response.status_code == 200, (path, response.get_json())
    dates = api.json_of("GET", f"/process-instance/{pid}/variables")
    assert dates["d"] == {"value": "2026-01-31T10:00:00.000+0000", "type": "Date",
                          "valueInfo": {}}
    assert api.responses >= len(paths) + 8
