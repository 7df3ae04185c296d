"""``/engine-rest/deployment/create`` deploys as Camunda does (``mode="camunda"``).

What the embedded engine cannot run (Java delegates, DMN, connectors, scripts...)
deploys and raises an incident naming the element when an instance reaches it;
a worker on ``casestudio.unsupported`` may stand in once the incident is
resolved. Malformed, hostile and non-executable documents are still refused.
Every response is checked against Camunda 7.16's schemas (`CamundaClient`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bpmn.spiff.lenient import UNSUPPORTED_TOPIC
from tests.contract.engine_bpmn import bpmn, end, flow, start, user
from tests.engine_rest_support import CamundaClient, rest_client
from tests.engine_rest_support import start as start_instance

JAVA = (start(), '<bpmn:serviceTask id="charge" name="Charge" '
        'camunda:class="org.example.ChargeDelegate"/>', user("after"), end(),
        flow("start", "charge", "after", "end"))
DMN = (start(), '<bpmn:businessRuleTask id="decide" camunda:decisionRef="risk" '
       'camunda:resultVariable="risk"/>', end(), flow("start", "decide", "end"))


@pytest.fixture
def api(tmp_path: Path) -> Iterator[CamundaClient]:
    with rest_client(f"sqlite:///{tmp_path}/cs.db", tmp_path) as client:
        yield client


def deploy(api: CamundaClient, key: str, *body: str) -> dict[str, object]:
    return api.json_of("POST", "/deployment/create", data={  # type: ignore[no-any-return]
        "deployment-name": key, "data": (_io(bpmn(*body, pid=key)), f"{key}.bpmn")},
        content_type="multipart/form-data")


def _io(data: bytes) -> object:
    import io

    return io.BytesIO(data)


def test_a_java_delegate_deploys_and_raises_a_readable_incident_when_reached(
        database_url: str, tmp_path: Path) -> None:
    with rest_client(database_url, tmp_path) as api:
        deployed = deploy(api, "pay", *JAVA)
        [definition] = deployed["deployedProcessDefinitions"].values()  # type: ignore[attr-defined]
        assert definition["key"] == "pay"
        pid = start_instance(api, "pay", businessKey="B-1")["id"]
        [incident] = api.json_of("GET", f"/incident?processInstanceId={pid}")
        assert (incident["incidentType"], incident["activityId"]) == (
            "failedExternalTask", "charge")
        message = incident["incidentMessage"]
        assert "'charge'" in message and "org.example.ChargeDelegate" in message
        assert "Java code" in message and UNSUPPORTED_TOPIC in message
        [task] = api.json_of("GET", f"/external-task?processInstanceId={pid}")
        assert (task["topicName"], task["retries"]) == (UNSUPPORTED_TOPIC, 0)
        nothing = api.json_of("POST", "/external-task/fetchAndLock", json={
            "workerId": "w", "maxTasks": 5,
            "topics": [{"topicName": UNSUPPORTED_TOPIC, "lockDuration": 1000}]})
        assert nothing == []
        assert api.json_of("GET", f"/process-instance/{pid}")["ended"] is False


def test_a_worker_on_the_reserved_topic_can_stand_in_after_the_incident_is_resolved(
        api: CamundaClient) -> None:
    deploy(api, "pay", *JAVA)
    pid = start_instance(api, "pay")["id"]
    [task] = api.json_of("GET", f"/external-task?processInstanceId={pid}")
    assert api.put(f"/external-task/{task['id']}/retries", {"retries": 1}).status_code == 204
    assert api.json_of("GET", f"/incident?processInstanceId={pid}") == []
    [locked] = api.json_of("POST", "/external-task/fetchAndLock", json={
        "workerId": "stand-in", "maxTasks": 1,
        "topics": [{"topicName": UNSUPPORTED_TOPIC, "lockDuration": 1000}]})
    assert locked["activityId"] == "charge"
    assert api.post(f"/external-task/{locked['id']}/complete",
                    {"workerId": "stand-in"}).status_code == 204
    [after] = api.json_of("GET", f"/task?processInstanceId={pid}")
    assert after["taskDefinitionKey"] == "after"


@pytest.mark.parametrize(("body", "element", "words"), [
    (DMN, "decide", "DMN decision 'risk'"),
    ((start(), '<bpmn:scriptTask id="calc" scriptFormat="groovy"><bpmn:script>x = 1'
      "</bpmn:script></bpmn:scriptTask>", end(), flow("start", "calc", "end")),
     "calc", "script tasks are not allowed"),
    ((start(), '<bpmn:serviceTask id="call"><bpmn:extensionElements><camunda:connector>'
      "<camunda:connectorId>http-connector</camunda:connectorId></camunda:connector>"
      "</bpmn:extensionElements></bpmn:serviceTask>", end(), flow("start", "call", "end")),
     "call", "connector 'http-connector'"),
    ((start(), '<bpmn:sendTask id="notify" camunda:expression="${mailer.send()}"/>', end(),
      flow("start", "notify", "end")), "notify", "Java code"),
    ((start(), '<bpmn:endEvent id="fin"><bpmn:messageEventDefinition '
      'camunda:delegateExpression="${sender}"/></bpmn:endEvent>', flow("start", "fin")),
     "fin", "camunda:delegateExpression"),
])
def test_each_kind_of_unsupported_element_names_itself_in_its_incident(
        api: CamundaClient, body: tuple[str, ...], element: str, words: str) -> None:
    deploy(api, "p", *body)
    pid = start_instance(api, "p")["id"]
    [incident] = api.json_of("GET", f"/incident?processInstanceId={pid}")
    assert incident["activityId"] == element
    assert f"'{element}'" in incident["incidentMessage"] and words in incident["incidentMessage"]


@pytest.mark.parametrize(("data", "words"), [
    (b"<bpmn:definitions", "malformed"),
    (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
     b"<d>&x;</d>", ""),
    (bpmn(start(), end(), flow("start", "end")).replace(b'isExecutable="true"',
                                                         b'isExecutable="false"'),
     "no executable process"),
    (bpmn(start(), '<bpmn:complexGateway id="cx"/>', end(), flow("start", "cx", "end")), "cx"),
])
def test_what_camunda_refuses_too_is_still_a_400(api: CamundaClient, data: bytes,
                                                 words: str) -> None:
    answer = api.json_of("POST", "/deployment/create", status=400, data={
        "data": (_io(data), "bad.bpmn")}, content_type="multipart/form-data")
    assert answer["type"] == "InvalidRequestException"
    assert words.lower() in answer["message"].lower()
