"""`/engine-rest` events and records: messages (also start messages), signals, jobs and
job definitions, incidents and history."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.engine_rest_support import ORDER_BPMN, WORK_BPMN, CamundaClient, rest_client, start

WAITS_BPMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs3"
    targetNamespace="urn:test">
  <bpmn:process id="waits" isExecutable="true">
    <bpmn:startEvent id="go" />
    <bpmn:sequenceFlow id="a" sourceRef="go" targetRef="split" />
    <bpmn:parallelGateway id="split" />
    <bpmn:sequenceFlow id="b" sourceRef="split" targetRef="later" />
    <bpmn:sequenceFlow id="c" sourceRef="split" targetRef="flag" />
    <bpmn:intermediateCatchEvent id="later">
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="flag">
      <bpmn:signalEventDefinition signalRef="sig" />
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="d" sourceRef="later" targetRef="join" />
    <bpmn:sequenceFlow id="e" sourceRef="flag" targetRef="join" />
    <bpmn:parallelGateway id="join" />
    <bpmn:sequenceFlow id="f" sourceRef="join" targetRef="stop" />
    <bpmn:endEvent id="stop" />
  </bpmn:process>
  <bpmn:signal id="sig" name="green-light" />
</bpmn:definitions>
"""

MESSAGE_START_BPMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs5"
    targetNamespace="urn:test">
  <bpmn:process id="inbound" isExecutable="true">
    <bpmn:startEvent id="arrived"><bpmn:messageEventDefinition messageRef="m" />
    </bpmn:startEvent>
    <bpmn:sequenceFlow id="s1" sourceRef="arrived" targetRef="triage" />
    <bpmn:userTask id="triage" name="Triage" />
    <bpmn:sequenceFlow id="s2" sourceRef="triage" targetRef="closed" />
    <bpmn:endEvent id="closed" />
  </bpmn:process>
  <bpmn:message id="m" name="letter-arrived" />
</bpmn:definitions>
"""


@pytest.fixture
def api(tmp_path: Path) -> Iterator[CamundaClient]:
    resources = {"order.bpmn": ORDER_BPMN, "work.bpmn": WORK_BPMN, "waits.bpmn": WAITS_BPMN,
                 "inbound.bpmn": MESSAGE_START_BPMN}
    with rest_client(f"sqlite:///{tmp_path}/cs.db", tmp_path, resources) as client:
        yield client


def test_messages_signals_jobs_and_history(api: CamundaClient) -> None:
    mismatch = api.json_of("POST", "/message", json={"messageName": "nobody-waits"},
                           status=400)
    assert mismatch["type"] == "RestException"
    assert api.json_of("POST", "/message", json={}, status=400)
    pid = start(api, "waits")["id"]
    jobs = api.json_of("GET", f"/job?processInstanceId={pid}&timers=true")
    assert len(jobs) == 1 and jobs[0]["dueDate"] is not None
    job = api.json_of("GET", f"/job/{jobs[0]['id']}")
    assert job["processDefinitionKey"] == "waits"
    definition = api.json_of("GET", f"/job-definition/{job['jobDefinitionId']}")
    assert (definition["activityId"], definition["jobType"]) == (
        "later", "timer-intermediate-transition")
    assert api.json_of("GET", "/job-definition") == [definition]
    assert api.json_of("GET", "/job-definition/timer@x@no:such:definition", status=404)
    assert api.json_of("PUT", f"/job/{job['id']}/retries", json={"retries": -1}, status=400)
    assert api.put(f"/job/{job['id']}/retries", {"retries": 5}).status_code == 204
    assert api.json_of("GET", f"/job/{job['id']}")["retries"] == 5
    assert api.post(f"/job/{job['id']}/execute").status_code == 204
    assert api.json_of("GET", "/job/count") == {"count": 0}
    assert api.post("/signal", {"name": "green-light", "variables": {
        "lit": {"value": True}}}).status_code == 204
    assert api.json_of("GET", f"/history/process-instance/{pid}")["state"] == "COMPLETED"
    activities = api.json_of("GET", f"/history/activity-instance?processInstanceId={pid}"
                                    "&sortBy=activityId&sortOrder=asc")
    assert {"later", "flag", "stop"} <= {a["activityId"] for a in activities}
    assert api.json_of("GET", "/history/activity-instance", status=400)
    names = {v["name"]: v for v in api.json_of(
        "GET", f"/history/variable-instance?processInstanceIdIn={pid}")}
    assert names["lit"]["value"] is True
    one = api.json_of("GET", f"/history/variable-instance/{names['lit']['id']}")
    assert one["name"] == "lit"
    assert api.json_of("GET", "/history/variable-instance/unknown", status=404)
    assert api.json_of("GET", "/job/nope", status=404)


def test_history_tasks_and_instances_queries(api: CamundaClient) -> None:
    pid = start(api, "order", businessKey="H-1")["id"]
    start(api, "work", businessKey="H-2")
    task = api.json_of("GET", f"/task?processInstanceId={pid}")[0]
    api.post(f"/task/{task['id']}/complete", {})
    finished = api.json_of("GET", "/history/task?finished=true")
    assert [t["id"] for t in finished] == [task["id"]]
    assert finished[0]["deleteReason"] == "completed"
    assert api.json_of("GET", "/history/task/count?processInstanceBusinessKey=H-1") == {
        "count": 1}
    assert api.json_of("POST", "/history/task/count", json={"taskDefinitionKey": "review"}
                       ) == {"count": 1}
    assert api.json_of("GET", "/history/process-instance/count?unfinished=true") == {"count": 2}
    assert [h["businessKey"] for h in api.json_of(
        "GET", "/history/process-instance?sortBy=businessKey&sortOrder=desc")] == ["H-2", "H-1"]
    assert api.json_of("GET", "/history/process-instance/nope", status=404)


def test_incidents_from_exhausted_external_tasks(api: CamundaClient) -> None:
    pid = start(api, "work")["id"]
    task = api.json_of("POST", "/external-task/fetchAndLock", json={
        "workerId": "w", "maxTasks": 1, "topics": [{"topicName": "crunch",
                                                    "lockDuration": 1000}]})[0]
    api.post(f"/external-task/{task['id']}/failure", {"workerId": "w", "errorMessage": "boom",
                                                      "errorDetails": "trace", "retries": 0})
    incidents = api.json_of("GET", f"/incident?processInstanceId={pid}")
    assert [(i["incidentType"], i["incidentMessage"]) for i in incidents] == [
        ("failedExternalTask", "boom")]
    incident = api.json_of("GET", f"/incident/{incidents[0]['id']}")
    assert incident["configuration"] == task["id"]
    assert api.json_of("GET", "/incident/count?incidentType=failedJob") == {"count": 0}
    tree = api.json_of("GET", f"/process-instance/{pid}/activity-instances")
    assert tree["childActivityInstances"][0]["incidentIds"] == [incident["id"]]
    assert api.put(f"/external-task/{task['id']}/retries", {"retries": 1}).status_code == 204
    assert api.json_of("GET", "/incident/count") == {"count": 0}
    assert api.json_of("GET", "/incident/nope", status=404)
    again = api.json_of("POST", "/external-task/fetchAndLock", json={
        "workerId": "w", "maxTasks": 1, "topics": [{"topicName": "crunch",
                                                    "lockDuration": 1000}]})[0]
    api.post(f"/external-task/{again['id']}/failure", {"workerId": "w", "retries": 0})
    second = api.json_of("GET", "/incident")[0]
    assert api.delete(f"/incident/{second['id']}").status_code == 204
    assert api.json_of("GET", "/incident/count") == {"count": 0}
    assert api.json_of("GET", f"/external-task/{again['id']}")["retries"] == 1


def test_start_messages_create_instances_with_their_variables(api: CamundaClient) -> None:
    results = api.json_of("POST", "/message", json={
        "messageName": "letter-arrived", "businessKey": "L-1", "resultEnabled": True,
        "variablesInResultEnabled": True,
        "processVariables": {"sender": {"value": "ann@example.org", "type": "String"}}})
    assert [r["resultType"] for r in results] == ["ProcessDefinition"]
    created = results[0]["processInstance"]
    assert created["businessKey"] == "L-1" and results[0]["execution"] is None
    assert results[0]["variables"]["sender"]["value"] == "ann@example.org"
    assert api.json_of("GET", f"/task?processInstanceId={created['id']}")[0]["name"] == "Triage"
    refused = api.json_of("POST", "/message", status=400, json={
        "messageName": "letter-arrived", "processVariables": {"n": {"value": "x",
                                                                     "type": "Integer"}}})
    assert "'n'" in refused["message"]
    assert api.json_of("GET", "/process-instance/count?processDefinitionKey=inbound") == {
        "count": 1}
    assert api.post("/message", {"messageName": "letter-arrived"}).status_code == 204
