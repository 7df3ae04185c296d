"""`/engine-rest` runtime: instances, variables, user tasks and the order lifecycle,
with every response checked against Camunda's schemas."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.engine_rest_support import (
    ORDER_BPMN,
    WORK_BPMN,
    CamundaClient,
    rest_client,
    start,
)


@pytest.fixture
def api(tmp_path: Path) -> Iterator[CamundaClient]:
    with rest_client(f"sqlite:///{tmp_path}/cs.db", tmp_path,
                     {"order.bpmn": ORDER_BPMN, "work.bpmn": WORK_BPMN}) as client:
        yield client


def test_order_lifecycle_through_tasks_external_task_and_message(database_url: str,
                                                                 tmp_path: Path) -> None:
    with rest_client(database_url, tmp_path, {"order.bpmn": ORDER_BPMN}) as api:
        variables = {"amount": {"value": 250, "type": "Integer"},
                     "placed": {"value": "2026-01-31T10:00:00.000+0000", "type": "Date"}}
        started = start(api, "order", businessKey="B-1", withVariablesInReturn=True,
                        variables=variables)
        assert started["businessKey"] == "B-1" and not started["ended"]
        assert started["variables"]["placed"]["type"] == "Date"
        pid = started["id"]
        task = api.json_of("GET", "/task?processInstanceBusinessKey=B-1")[0]
        assert (task["taskDefinitionKey"], task["formKey"]) == ("review", "form:review")
        assert api.post(f"/task/{task['id']}/claim", {"userId": "ann"}).status_code == 204
        assert api.json_of("GET", f"/task/{task['id']}")["assignee"] == "ann"
        done = api.json_of("POST", f"/task/{task['id']}/complete", json={
            "variables": {"approved": {"value": True}}, "withVariablesInReturn": True})
        assert done["approved"] == {"value": True, "type": "Boolean", "valueInfo": {}}
        locked = api.json_of("POST", "/external-task/fetchAndLock", json={
            "workerId": "w1", "maxTasks": 5, "topics": [{"topicName": "payment",
                                                         "lockDuration": 10000}]})
        assert [t["activityId"] for t in locked] == ["charge"]
        assert locked[0]["variables"]["amount"]["value"] == 250
        assert api.post(f"/external-task/{locked[0]['id']}/complete", {"workerId": "w1"}
                        ).status_code == 204
        correlated = api.json_of("POST", "/message", json={
            "messageName": "shipped", "businessKey": "B-1", "resultEnabled": True})
        assert correlated[0]["resultType"] == "Execution"
        assert api.json_of("GET", f"/process-instance/{pid}", status=404)["type"] == (
            "InvalidRequestException")
        history = api.json_of("GET", f"/history/process-instance/{pid}")
        assert history["state"] == "COMPLETED" and history["endTime"] is not None


def test_instance_queries_filter_sort_page_and_count(api: CamundaClient) -> None:
    for n in range(3):
        start(api, "order", businessKey=f"K-{n}",
              variables={"n": {"value": n, "type": "Integer"}})
    start(api, "work", businessKey="W-1")
    assert api.json_of("GET", "/process-instance/count") == {"count": 4}
    assert len(api.json_of("GET", "/process-instance?processDefinitionKey=order")) == 3
    assert [p["businessKey"] for p in api.json_of(
        "GET", "/process-instance?variables=n_gteq_1&sortBy=businessKey&sortOrder=desc")] == [
        "K-2", "K-1"]
    assert api.json_of("GET", "/process-instance?businessKeyLike=K-%25&maxResults=2"
                       "&firstResult=1&sortBy=businessKey&sortOrder=asc")[0]["businessKey"] == "K-1"
    body = {"processDefinitionKeyIn": ["work"], "sorting": [{"sortBy": "instanceId",
                                                             "sortOrder": "asc"}]}
    assert api.json_of("POST", "/process-instance", json=body)[0]["businessKey"] == "W-1"
    assert api.json_of("POST", "/process-instance/count", json={
        "variables": [{"name": "n", "operator": "lt", "value": 1}]}) == {"count": 1}
    bad = api.json_of("GET", "/process-instance?variables=n_is_1", status=400)
    assert bad["message"] == "Invalid variable comparator specified: is"


def test_variables_get_modify_put_delete_and_refuse_bad_types(api: CamundaClient) -> None:
    pid = start(api, "order", variables={"a": {"value": "x"}})["id"]
    path = f"/process-instance/{pid}/variables"
    assert api.post(path, {"modifications": {"b": {"value": "2", "type": "Long"},
                                             "j": {"value": '{"k": 1}', "type": "Json"}},
                           "deletions": ["a"]}).status_code == 204
    values = api.json_of("GET", path)
    assert set(values) == {"b", "j"} and values["b"] == {"value": 2, "type": "Integer",
                                                         "valueInfo": {}}
    assert values["j"]["type"] == "Json"
    assert api.put(f"{path}/c", {"value": 1.25, "type": "Double"}).status_code == 204
    assert api.json_of("GET", f"{path}/c")["value"] == 1.25
    assert api.delete(f"{path}/c").status_code == 204
    assert "c" in api.json_of("GET", f"{path}/c", status=404)["message"]
    refused = api.json_of("POST", path, status=400, json={
        "modifications": {"ok": {"value": 1}, "bad": {"value": "abc", "type": "Integer"}}})
    assert "'bad'" in refused["message"]
    assert "ok" not in api.json_of("GET", path)  # nothing of a refused request was applied
    assert api.json_of("PUT", f"{path}/d", status=400, json={"value": 1, "type": "Bytes"})
    ids = {v["name"]: v["id"] for v in api.json_of("GET", f"/variable-instance"
                                                          f"?processInstanceIdIn={pid}")}
    assert api.json_of("GET", f"/variable-instance/{ids['b']}")["value"] == 2
    assert api.json_of("GET", f"/history/variable-instance/{ids['b']}")["value"] == 2
    updates = api.json_of("GET", f"/history/detail?processInstanceId={pid}&variableUpdates=true"
                                 "&sortBy=time&sortOrder=asc")
    changes = [(d["variableName"], d["value"]) for d in updates]
    assert ("a", "x") in changes and ("b", 2) in changes and ("c", 1.25) in changes
    assert api.json_of("GET", f"/history/detail?processInstanceId={pid}&formFields=true") == []
    assert api.json_of("GET", "/variable-instance/count", status=400)["type"] == (
        "InvalidRequestException")


def test_tasks_query_assign_unclaim_form_links_and_variables(api: CamundaClient) -> None:
    pids = [start(api, "order", businessKey=f"T-{n}")["id"] for n in range(3)]
    tasks = api.json_of("GET", "/task?sortBy=created&sortOrder=asc")
    assert len(tasks) == 3
    assert api.json_of("POST", "/task/count", json={"candidateGroup": "clerks"}) == {"count": 3}
    assert api.json_of("POST", "/task", json={"processInstanceIdIn": pids[:2]})
    first = tasks[0]["id"]
    assert api.post(f"/task/{first}/assignee", {"userId": "bob"}).status_code == 204
    assert api.json_of("GET", "/task?assignee=bob")[0]["id"] == first
    assert api.json_of("GET", "/task/count?unassigned=true") == {"count": 2}
    taken = api.json_of("POST", f"/task/{first}/claim", json={"userId": "eve"}, status=500)
    assert taken["type"] == "TaskAlreadyClaimedException"
    assert api.post(f"/task/{first}/unclaim").status_code == 204
    assert api.json_of("GET", f"/task/{first}/form") == {"key": "form:review",
                                                         "contextPath": None}
    links = api.json_of("GET", f"/task/{first}/identity-links")
    assert links == [{"userId": None, "groupId": "clerks", "type": "candidate"}]
    assert api.post(f"/task/{first}/variables", {"modifications": {
        "note": {"value": "hi"}}}).status_code == 204
    assert api.json_of("GET", f"/task/{first}/form-variables?variableNames=note") == {
        "note": {"value": "hi", "type": "String", "valueInfo": {}}}
    assert api.json_of("GET", f"/task/{first}/variables/note")["value"] == "hi"
    assert api.json_of("GET", "/task/nope", status=404)["message"] == (
        "No matching task with id nope")
    bad = api.json_of("POST", f"/task/{first}/complete", status=400, json={
        "variables": {"when": {"value": "soon", "type": "Date"}}})
    assert "'when'" in bad["message"]
    assert api.json_of("GET", f"/task/{first}")["id"] == first  # still open
    assert api.json_of("GET", "/task?dueBefore=not-a-date", status=400)


def test_suspend_activate_and_delete_instances(api: CamundaClient) -> None:
    pid = start(api, "order")["id"]
    assert api.put(f"/process-instance/{pid}/suspended", {"suspended": True}).status_code == 204
    assert api.json_of("GET", f"/process-instance/{pid}")["suspended"] is True
    assert api.json_of("GET", "/process-instance?suspended=true")[0]["id"] == pid
    assert api.put(f"/process-instance/{pid}/suspended", {"suspended": False}
                   ).status_code == 204
    tree = api.json_of("GET", f"/process-instance/{pid}/activity-instances")
    assert [c["activityId"] for c in tree["childActivityInstances"]] == ["review"]
    assert api.delete(f"/process-instance/{pid}").status_code == 204
    assert api.json_of("DELETE", f"/process-instance/{pid}", status=404)
    assert api.delete(f"/process-instance/{pid}?failIfNotExists=false").status_code == 204
    assert api.json_of("GET", f"/history/process-instance/{pid}")["state"] == (
        "EXTERNALLY_TERMINATED")


