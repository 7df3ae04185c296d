"""The engine contract through ``/engine-rest``: `CamundaEngine` (pycamunda over HTTP)
against a live CaseStudio serving its embedded engine.

Why a fake clock inside the server: the contract moves time (timers, lock
expiry, retry timeouts). The served embedded engine gets the test's clock;
``advance`` moves it and then fires due jobs *through the adapter*
(``run_due_jobs`` lists due jobs and executes each with ``POST /job/{id}/execute``).
One server serves the whole module (the contract uses unique keys and names),
so the suite costs one app start, not one per test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import runtime.container
from bpmn.camunda import CamundaEngine
from bpmn.embedded import EmbeddedEngine
from bpmn.engine import Engine
from bpmn.engine_types import IncidentQuery
from tests.contract.contract_marks import mark_tests
from tests.contract.engine_bpmn import bpmn, end, flow, start
from tests.contract.engine_contract import EngineContract
from tests.contract.engine_contract_core import uid
from tests.contract.test_engine_embedded import FakeClock
from tests.engine_rest_support import live_server, rest_app


@pytest.fixture(scope="module")
def clock() -> FakeClock:
    return FakeClock(datetime(2030, 1, 1, 9, 0, tzinfo=UTC))


@contextmanager
def serving(folder: Path, clock: FakeClock) -> Iterator[str]:
    """A live CaseStudio (SQLite, demo users) whose embedded engine runs on ``clock``;
    yields its ``/engine-rest`` URL. No background job executor or workers: time
    moves only when a test says so."""
    def open_engine(url: str, *, db: Any, allow_scripts: bool = False) -> EmbeddedEngine:
        return EmbeddedEngine(db, allow_scripts=allow_scripts, clock=clock)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(runtime.container, "open_engine", open_engine)
        app = rest_app(f"sqlite:///{folder}/cs.db", folder, run_jobs=False, run_workers=False)
    try:
        with live_server(app) as url:
            yield url
    finally:
        app.extensions["casestudio"].stop()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, clock: FakeClock) -> Iterator[str]:
    with serving(tmp_path_factory.mktemp("via-rest"), clock) as url:
        yield url


@pytest.fixture
def engine(served: str) -> Iterator[CamundaEngine]:
    adapter = CamundaEngine(served.replace("http://", "camunda+http://admin:demo@"))
    yield adapter
    adapter.close()


@pytest.fixture
def advance(engine: CamundaEngine, clock: FakeClock) -> Callable[[float], None]:
    def go(seconds: float) -> None:
        clock.advance(seconds)
        engine.run_due_jobs(now=clock())
    return go


class TestEngineViaRest(EngineContract):
    """Every contract test, through `/engine-rest` and the Camunda adapter."""

    def test_script_tasks_deploy_and_raise_an_incident_when_reached(
            self, engine: Engine) -> None:
        """``/deployment/create`` deploys as Camunda does (``mode="camunda"``): the script
        task is accepted, and an instance reaching it waits with an incident naming it."""
        script = '<bpmn:scriptTask id="calc" scriptFormat="python"><bpmn:script>x = 1' \
                 "</bpmn:script></bpmn:scriptTask>"
        key = uid()
        engine.deploy("s", {"s.bpmn": bpmn(start(), script, end(),
                                           flow("start", "calc", "end"), pid=key)})
        started = engine.start(key)
        [incident] = engine.incidents(IncidentQuery(process_instance_id=started.id))
        assert incident.activity_id == "calc"
        assert "'calc'" in (incident.message or "") and "script" in (incident.message or "")
        assert engine.instance(started.id).state == "ACTIVE"


#: Contract tests that assert the strict (bundle) deploy, which ``/engine-rest`` is not.
mark_tests(TestEngineViaRest, {"test_deploy_refuses_script_tasks": pytest.mark.skip(
    reason="/engine-rest deploys in Camunda mode: script tasks are accepted and raise an "
           "incident when reached (see test_script_tasks_deploy_and_raise_an_incident_"
           "when_reached)")})

