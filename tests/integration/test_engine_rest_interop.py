"""Third-party Camunda clients from PyPI against a live `/engine-rest`.

pycamunda (a typed client for the whole REST API) and
camunda-external-task-client-python3 (workers; it sends explicit nulls and
untyped variables) talk HTTP to a real server thread, exactly as they would to
Camunda. Both are test dependencies; the tests are skipped without them.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.engine_rest_support import ORDER_BPMN, RISKY_BPMN, WORK_BPMN, live_server, rest_app

pytest.importorskip("pycamunda")
import pycamunda
import pycamunda.deployment
import pycamunda.externaltask
import pycamunda.message
import pycamunda.processdef
import pycamunda.processinst
import pycamunda.task


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    app = rest_app(f"sqlite:///{tmp_path}/cs.db", tmp_path)
    try:
        with live_server(app) as url:
            yield url
    finally:
        app.extensions["casestudio"].stop()


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as http:
        http.auth = ("admin", "demo")
        yield http


def call(request: Any, session: requests.Session) -> Any:
    """pycamunda uses ``.session``, but ``deployment.Create`` only its own ``.auth``."""
    request.session, request.auth = session, session.auth
    return request()


def named(data: bytes, name: str) -> io.BytesIO:
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def test_pycamunda_deploys_starts_and_drives_a_process(server: str,
                                                       session: requests.Session) -> None:
    create = pycamunda.deployment.Create(server, name="shop", source="pycamunda")
    create.add_resource(named(ORDER_BPMN, "order.bpmn"))
    deployed = call(create, session)
    assert [d.key for d in deployed.deployed_process_definitions.values()] == ["order"]
    definition = call(pycamunda.processdef.Get(server, key="order"), session)
    assert definition.version == 1 and definition.resource == "order.bpmn"
    start = pycamunda.processdef.StartInstance(server, key="order", business_key="PC-1")
    start.add_variable("amount", 99, "Integer")
    start.add_variable("note", "rush")
    instance = call(start, session)
    assert call(pycamunda.processinst.Get(server, instance.id_), session).business_key == "PC-1"
    tree = call(pycamunda.processinst.GetActivityInstance(server, instance.id_), session)
    assert [a.activity_id for a in tree.child_activity_instances] == ["review"]
    task = call(pycamunda.task.GetList(server, process_instance_id=instance.id_), session)[0]
    call(pycamunda.task.Claim(server, task.id_, user_id="ann"), session)
    complete = pycamunda.task.Complete(server, task.id_)
    complete.add_variable("approved", True, "Boolean")
    call(complete, session)
    fetch = pycamunda.externaltask.FetchAndLock(server, "pc-worker", max_tasks=1)
    fetch.add_topic("payment", lock_duration=10000, variables=["amount", "approved"])
    locked = call(fetch, session)
    assert locked[0].variables["amount"].value == 99
    with pytest.raises(pycamunda.BadRequest, match="pc-worker"):
        call(pycamunda.externaltask.Complete(server, locked[0].id_, "intruder"), session)
    done = pycamunda.externaltask.Complete(server, locked[0].id_, "pc-worker")
    done.add_variable("charged", 99.0, "Double")
    call(done, session)
    results = call(pycamunda.message.CorrelateSingle(server, "shipped", business_key="PC-1",
                                                     result_enabled=True), session)
    assert results[0].result_type.value == "Execution"
    with pytest.raises(pycamunda.NotFound):
        call(pycamunda.processinst.Get(server, instance.id_), session)


def test_pycamunda_sees_camunda_errors(server: str, session: requests.Session) -> None:
    with pytest.raises(pycamunda.NotFound):
        call(pycamunda.task.Get(server, "no-such-task"), session)
    with pytest.raises(pycamunda.Unauthorized):
        pycamunda.processdef.GetList(server)()  # no credentials at all
    with pytest.raises(pycamunda.BadRequest):
        create = pycamunda.deployment.Create(server, name="broken")
        create.add_resource(named(b"<definitions", "broken.bpmn"))
        call(create, session)


def _external_task_client() -> Any:
    """The client's modules warn (pydantic v1 validators) at import; that is theirs."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        worker = pytest.importorskip("camunda.external_task.external_task_worker")
        engine = pytest.importorskip("camunda.client.engine_client")
    return worker, engine


def test_external_task_client_workers_complete_fail_and_raise_bpmn_errors(
        server: str, session: requests.Session) -> None:
    worker_module, engine_module = _external_task_client()
    config = {"auth_basic": {"username": "admin", "password": "demo"},
              "maxTasks": 1, "lockDuration": 10000, "asyncResponseTimeout": 1000,
              "retries": 1, "retryTimeout": 0, "sleepSeconds": 0}
    engine = engine_module.EngineClient(server, config)
    create = pycamunda.deployment.Create(server, name="work")
    create.add_resource(named(WORK_BPMN, "work.bpmn"))
    create.add_resource(named(RISKY_BPMN, "risky.bpmn"))
    call(create, session)
    started = engine.start_process("work", {"size": 3, "label": "x"}, business_key="EX-1")
    assert started["businessKey"] == "EX-1"
    seen: dict[str, Any] = {}

    def crunch(task: Any) -> Any:
        seen.update(task.get_variables())
        return task.complete({"result": task.get_variable("size") * 2})

    worker = worker_module.ExternalTaskWorker("py-worker", server, config)
    worker.fetch_and_execute("crunch", crunch)
    assert seen == {"size": 3, "label": "x"}
    instances = engine.get_process_instance("work", ["size_eq_3"])
    assert [i["businessKey"] for i in instances] == ["EX-1"]
    result = call(pycamunda.processinst.VariablesGet(server, started["id"], "result"), session)
    assert (result.value, result.type_) == (6, "Integer")
    with pytest.raises(Exception, match=r"400 : InvalidRequestException : .*not a binary"):
        engine.get_process_instance_variable(started["id"], "result")  # as Camunda: no bytes

    engine.start_process("work", {"size": 0}, business_key="EX-2")
    for _attempt in range(2):  # the client counts retries down itself: 1, then 0
        worker.fetch_and_execute("crunch", lambda task: task.failure(
            "cannot crunch", "size was 0", max_retries=1, retry_timeout=0))
    failed = call(pycamunda.externaltask.GetList(  # its errorDetails call sends no auth
        server, topic_name="crunch", request_error_details=False), session)
    assert [(t.retries, t.error_message) for t in failed] == [(0, "cannot crunch")]
    assert session.get(f"{server}/incident/count", timeout=10).json() == {"count": 1}

    pid = engine.start_process("risky", {})["id"]
    worker.fetch_and_execute("risky", lambda task: task.bpmn_error(
        "NO_STOCK", "sold out", {"sku": "A-1"}))
    task = call(pycamunda.task.GetList(server, process_instance_id=pid), session)[0]
    assert task.task_definition_key == "handle"
