"""`/engine-rest` task comments, task identity links and process-definition suspension,
with every response checked against Camunda 7.16's schemas (`CamundaClient`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.engine_rest_support import ORDER_BPMN, WORK_BPMN, CamundaClient, rest_client, start


@pytest.fixture
def api(tmp_path: Path) -> Iterator[CamundaClient]:
    with rest_client(f"sqlite:///{tmp_path}/cs.db", tmp_path,
                     {"order.bpmn": ORDER_BPMN, "work.bpmn": WORK_BPMN}) as client:
        yield client


def review_task(api: CamundaClient, business_key: str = "B-1") -> tuple[str, str]:
    """Start an order; (instance id, id of its review task)."""
    pid = start(api, "order", businessKey=business_key)["id"]
    task = api.json_of("GET", f"/task?processInstanceId={pid}")[0]["id"]
    return pid, task


def test_comments_are_created_listed_read_and_outlive_their_task(database_url: str,
                                                                 tmp_path: Path) -> None:
    with rest_client(database_url, tmp_path, {"order.bpmn": ORDER_BPMN}) as api:
        pid, task = review_task(api)
        assert api.json_of("GET", f"/task/{task}/comment") == []
        created = api.json_of("POST", f"/task/{task}/comment/create",
                              json={"message": "called the customer", "processInstanceId": pid})
        assert (created["userId"], created["taskId"], created["processInstanceId"],
                created["message"]) == ("admin", task, pid, "called the customer")
        assert created["time"].endswith("+0000")
        assert created["links"][0]["rel"] == "self"
        assert created["links"][0]["href"].endswith(f"/task/{task}/comment/{created['id']}")
        api.json_of("POST", f"/task/{task}/comment/create", json={"message": "second"})
        listed = api.json_of("GET", f"/task/{task}/comment")
        assert [c["message"] for c in listed] == ["called the customer", "second"]
        one = api.json_of("GET", f"/task/{task}/comment/{created['id']}")
        assert one["id"] == created["id"] and one["message"] == "called the customer"
        api.post(f"/task/{task}/complete", {})
        assert len(api.json_of("GET", f"/task/{task}/comment")) == 2  # history, like Camunda
        assert api.json_of("GET", f"/process-instance/{pid}/variables") == {}


def test_comment_errors_have_camundas_status_and_shape(api: CamundaClient) -> None:
    _, task = review_task(api)
    missing = api.json_of("GET", "/task/nope/comment", status=404)
    assert missing["type"] == "InvalidRequestException" and "nope" in missing["message"]
    assert api.json_of("GET", f"/task/{task}/comment/404", status=404)["message"]
    assert api.json_of("POST", "/task/nope/comment/create", status=400,
                       json={"message": "x"})["type"] == "InvalidRequestException"
    assert "message" in api.json_of("POST", f"/task/{task}/comment/create", status=400,
                                    json={})["message"]


def test_identity_links_add_and_delete_candidates_assignee_and_owner(
        database_url: str, tmp_path: Path) -> None:
    with rest_client(database_url, tmp_path, {"order.bpmn": ORDER_BPMN}) as api:
        _, task = review_task(api)
        links = f"/task/{task}/identity-links"
        assert api.json_of("GET", links) == [
            {"userId": None, "groupId": "clerks", "type": "candidate"}]
        for body in ({"userId": "bob", "type": "candidate"},
                     {"groupId": "auditors", "type": "candidate"}):
            assert api.post(links, body).status_code == 204
        assert [t["id"] for t in api.json_of("GET", "/task?candidateGroup=auditors")] == [task]
        assert [t["id"] for t in api.json_of("GET", "/task?candidateUser=bob")] == [task]
        for body in ({"userId": "ann", "type": "assignee"}, {"userId": "olga", "type": "owner"}):
            assert api.post(links, body).status_code == 204
        found = api.json_of("GET", links)
        assert {(link["type"], link["userId"] or link["groupId"]) for link in found} == {
            ("candidate", "clerks"), ("candidate", "bob"), ("candidate", "auditors"),
            ("assignee", "ann"), ("owner", "olga")}
        assert api.json_of("GET", f"/task/{task}")["assignee"] == "ann"
        assert [link["userId"] for link in api.json_of("GET", f"{links}?type=owner")] == ["olga"]
        for body in ({"groupId": "clerks", "type": "candidate"},
                     {"userId": "ann", "type": "assignee"}, {"userId": "olga", "type": "owner"}):
            assert api.post(f"{links}/delete", body).status_code == 204
        assert {(link["type"], link["userId"] or link["groupId"])
                for link in api.json_of("GET", links)} == {
            ("candidate", "bob"), ("candidate", "auditors")}
        assert api.json_of("GET", f"/task/{task}")["assignee"] is None
        assert api.json_of("GET", "/task?candidateGroup=clerks") == []
        assert [t["id"] for t in api.json_of("GET", "/task?candidateGroup=auditors")] == [task]


@pytest.mark.parametrize(("body", "problem"), [
    ({"userId": "a", "groupId": "g", "type": "candidate"}, "either a userId or a groupId"),
    ({"type": "candidate"}, "either a userId or a groupId"),
    ({"groupId": "g", "type": "owner"}, "needs a userId"),
    ({"userId": "a"}, "type must be set"),
    ({"userId": "a", "type": "watcher"}, "not supported"),
])
def test_bad_identity_links_are_refused(api: CamundaClient, body: dict[str, str],
                                        problem: str) -> None:
    _, task = review_task(api)
    refused = api.json_of("POST", f"/task/{task}/identity-links", status=400, json=body)
    assert refused["type"] == "InvalidRequestException" and problem in refused["message"]


def test_identity_links_of_an_unknown_task_are_a_400(api: CamundaClient) -> None:
    for method, path in (("GET", "/task/nope/identity-links"),
                         ("POST", "/task/nope/identity-links"),
                         ("POST", "/task/nope/identity-links/delete")):
        body = {"userId": "a", "type": "candidate"} if method == "POST" else None
        answer = api.json_of(method, path, status=400, json=body)
        assert answer["type"] == "InvalidRequestException" and "nope" in answer["message"]


def test_a_suspended_definition_starts_nothing_until_activated(database_url: str,
                                                               tmp_path: Path) -> None:
    with rest_client(database_url, tmp_path, {"order.bpmn": ORDER_BPMN}) as api:
        running = start(api, "order", businessKey="before")["id"]
        definition = api.json_of("GET", "/process-definition/key/order")
        assert api.put(f"/process-definition/{definition['id']}/suspended",
                       {"suspended": True}).status_code == 204
        assert api.json_of("GET", "/process-definition/key/order")["suspended"] is True
        refused = api.json_of("POST", "/process-definition/key/order/start", status=500,
                              json={})
        assert refused["type"] == "RestException"
        assert "is suspended" in refused["message"] and definition["id"] in refused["message"]
        assert api.json_of("GET", f"/process-instance/{running}")["suspended"] is False
        assert api.put("/process-definition/key/order/suspended",
                       {"suspended": False}).status_code == 204
        assert api.json_of("GET", "/process-definition/key/order")["suspended"] is False
        assert start(api, "order", businessKey="after")["id"]


def test_include_process_instances_suspends_and_activates_running_ones(
        api: CamundaClient) -> None:
    first, task = review_task(api, "one")
    second, _ = review_task(api, "two")
    other = start(api, "work")["id"]
    assert api.put("/process-definition/key/order/suspended",
                   {"suspended": True, "includeProcessInstances": True}).status_code == 204
    assert all(api.json_of("GET", f"/process-instance/{pid}")["suspended"]
               for pid in (first, second))
    assert api.json_of("GET", f"/process-instance/{other}")["suspended"] is False
    assert api.json_of("POST", f"/task/{task}/complete", status=400, json={})["message"]
    assert api.put("/process-definition/key/order/suspended",
                   {"suspended": False, "includeProcessInstances": True}).status_code == 204
    assert api.json_of("GET", f"/process-instance/{first}")["suspended"] is False
    assert api.post(f"/task/{task}/complete", {}).status_code == 204


def test_suspension_errors(api: CamundaClient) -> None:
    missing = api.json_of("PUT", "/process-definition/key/nope/suspended", status=404,
                          json={"suspended": True})
    assert missing["type"] == "InvalidRequestException" and "nope" in missing["message"]
    assert api.json_of("PUT", "/process-definition/nope/suspended", status=404,
                       json={"suspended": True})["message"]
    assert "suspended" in api.json_of("PUT", "/process-definition/key/order/suspended",
                                      status=400, json={})["message"]
    assert "executionDate" in api.json_of(
        "PUT", "/process-definition/key/order/suspended", status=400,
        json={"suspended": True, "executionDate": "2030-01-01T00:00:00.000+0000"})["message"]


MESSAGE_START = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"
    targetNamespace="urn:t">
  <bpmn:process id="inbox" isExecutable="true">
    <bpmn:startEvent id="got"><bpmn:messageEventDefinition messageRef="m"/></bpmn:startEvent>
    <bpmn:sequenceFlow id="f" sourceRef="got" targetRef="read"/>
    <bpmn:userTask id="read"/>
  </bpmn:process>
  <bpmn:message id="m" name="mail"/>
</bpmn:definitions>"""


def test_a_suspended_definition_is_not_started_by_its_start_message(
        tmp_path: Path) -> None:
    with rest_client(f"sqlite:///{tmp_path}/cs.db", tmp_path,
                     {"inbox.bpmn": MESSAGE_START}) as api:
        api.put("/process-definition/key/inbox/suspended", {"suspended": True})
        refused = api.json_of("POST", "/message", status=400, json={"messageName": "mail"})
        assert "No process definition or execution matches" in refused["message"]
        api.put("/process-definition/key/inbox/suspended", {"suspended": False})
        assert api.post("/message", {"messageName": "mail"}).status_code == 204
