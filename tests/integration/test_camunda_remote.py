"""CaseStudio on a *remote* engine: ``ENGINE_URL=camunda+http://…/engine-rest``.

Two real apps talk HTTP: the "Camunda" is a live CaseStudio serving its embedded
engine at ``/engine-rest``; the app under test has no engine of its own — its
bundles deploy, its cases start and its built-in workers (``casestudio worker``)
fetch-and-lock through `CamundaEngine`. The case data stays in the second
app's database, the process state in the first one's.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bpmn.camunda import CamundaEngine
from bpmn.engine_types import ExternalTaskQuery, InstanceQuery
from tests.conftest import login, make_app
from tests.engine_rest_support import live_server, rest_app
from tests.integration.test_api_cases import PERMIT, VALID
from tests.support import ROOT, Api, zip_folder


@pytest.fixture
def camunda(tmp_path: Path) -> Iterator[str]:
    """The stand-in Camunda: a CaseStudio serving ``/engine-rest`` (no workers of its own)."""
    folder = tmp_path / "camunda"
    folder.mkdir()
    app = rest_app(f"sqlite:///{folder}/engine.db", folder, run_workers=False, run_jobs=False)
    try:
        with live_server(app) as url:
            yield url.replace("http://", "camunda+http://admin:demo@")
    finally:
        app.extensions["casestudio"].stop()


@pytest.fixture
def remote(tmp_path: Path, camunda: str) -> Iterator[Any]:
    """The app under test, configured with ``engine_url`` = the stand-in Camunda."""
    folder = tmp_path / "remote"
    folder.mkdir()
    app = make_app(f"sqlite:///{folder}/cases.db", folder, engine_url=camunda,
                   run_workers=False, run_jobs=False)
    yield app
    app.extensions["casestudio"].stop()


def open_case(app: Any) -> tuple[Api, dict[str, Any]]:
    client = app.test_client()
    assert login(client, "analyst").deploy(zip_folder(PERMIT)).status_code == 201
    worker = login(client, "worker")
    response = worker.post("/api/v1/cases", {"caseType": "permit", "data": VALID})
    assert response.status_code == 201, response.get_json()
    return worker, response.get_json()


def timeline(worker: Api, case_id: str) -> list[str]:
    """The actions of a case's history, oldest first."""
    history = worker.get(f"/api/v1/cases/{case_id}/history").get_json()
    return [entry["action"] for entry in history["items"]]


def test_cases_run_on_the_remote_engine_and_builtin_workers_serve_its_topics(
        remote: Any, camunda: str) -> None:
    container = remote.extensions["casestudio"]
    engine = container.engine
    assert isinstance(engine, CamundaEngine) and container.jobs is None
    assert engine.check()["status"] == "up"
    engine.poll_events()  # the feed starts here
    worker, case = open_case(remote)
    [instance] = engine.instances(InstanceQuery(business_key=case["id"]))
    assert instance.definition_key == "permit"
    [pending] = engine.external_tasks(ExternalTaskQuery(process_instance_id=instance.id))
    assert pending.topic == "case.set-stage"

    assert container.workers.run_once() == 1
    assert worker.get(f"/api/v1/cases/{case['id']}").get_json()["stage"] == "review"
    assert engine.external_tasks(ExternalTaskQuery(process_instance_id=instance.id)) == []
    [task] = worker.get(f"/api/v1/tasks?caseId={case['id']}").get_json()["items"]
    assert (task["name"], task["candidateGroups"]) == ("Review", ["worker"])
    created = [e for e in engine.poll_events() if e.type == "task.created"]
    assert [(e.business_key, e.data["activity_id"]) for e in created] == [
        (case["id"], "Task_Review")]

    done = worker.post(f"/api/v1/tasks/{task['id']}/complete", {"data": {"approved": True}})
    assert done.status_code in (200, 204), done.get_json()
    assert container.workers.run_once() == 1
    assert worker.get(f"/api/v1/cases/{case['id']}").get_json()["status"] == "closed"
    assert engine.instance(instance.id).state == "COMPLETED"
    ended = [e.type for e in engine.poll_events() if e.process_instance_id == instance.id]
    assert ended == ["task.completed", "process.completed"]

    # What the polls found is in the case's timeline, and the hook on the completed
    # Review task ran (after the fact: Camunda cannot call us inside its transaction).
    after = worker.get(f"/api/v1/cases/{case['id']}").get_json()
    assert (after["stage"], after["status"]) == ("done", "closed")
    actions = timeline(worker, case["id"])
    for action in ("task_created", "task_completed", "process_completed"):
        assert actions.count(action) == 1, actions


def test_a_running_server_follows_the_remote_engine_by_itself(remote: Any) -> None:
    """With workers on, the poller thread mirrors the remote history without being asked."""
    container = remote.extensions["casestudio"]
    assert container.remote_events is not None
    container.remote_events.interval = 0.2
    container.remote_events.start()
    container.workers.start()
    try:
        worker, case = open_case(remote)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and "task_created" not in timeline(worker, case["id"]):
            time.sleep(0.2)
        assert "task_created" in timeline(worker, case["id"])
        assert container.health()["components"]["remoteEvents"]["status"] == "up"
    finally:
        container.workers.stop()
        container.remote_events.stop()


def test_the_worker_command_serves_a_remote_engine(remote: Any, camunda: str,
                                                   tmp_path: Path) -> None:
    """``casestudio worker`` in its own process, configured only by environment."""
    worker, case = open_case(remote)
    settings = remote.extensions["casestudio"].settings
    env = {**os.environ, "CASESTUDIO_DATABASE_URL": settings.database_url,
           "CASESTUDIO_ENGINE_URL": camunda,
           "CASESTUDIO_INSTANCE_PATH": str(tmp_path / "remote" / "instance"),
           "CASESTUDIO_STORAGE_URL": settings.storage_url}
    log = tmp_path / "worker.log"
    with log.open("wb") as sink:
        process = subprocess.Popen([sys.executable, "-c", "from runtime.cli import main; main()",
                                    "worker"], cwd=ROOT, env=env, stdout=sink,
                                   stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if worker.get(f"/api/v1/cases/{case['id']}").get_json()["stage"] == "review":
                break
            time.sleep(0.2)
        assert worker.get(f"/api/v1/cases/{case['id']}").get_json()["stage"] == "review"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
    output = log.read_text()
    assert "built-in workers running" in output and "admin:demo@" not in output
