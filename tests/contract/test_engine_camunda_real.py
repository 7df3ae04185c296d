"""The engine contract against a real Camunda 7 / Operaton (``CASESTUDIO_TEST_CAMUNDA_URL``).

Set ``CASESTUDIO_TEST_CAMUNDA_URL=camunda+http://demo:demo@localhost:8080/engine-rest``
(a plain ``http(s)://`` URL is accepted too) to run it. Without it the module is
skipped — locally *and in CI*: no Camunda or Operaton can be installed in this
project's CI, so this run is for people who have one.

Time on a real server: ``advance(s)`` sleeps for short steps (lock expiry and
retry timeouts are the server's own clock) and for long ones moves a virtual
clock, then executes every job due by then (``run_due_jobs(now=...)`` uses
``POST /job/{id}/execute``, which Camunda runs whatever the due date).

Tests of CaseStudio extensions Camunda does not have (Python-style conditions,
message throw events without an implementation, deploy-time refusals) are
skipped below with the reason; their assertions are not changed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bpmn.camunda import CamundaEngine
from tests.contract.contract_marks import mark_tests
from tests.contract.engine_contract import EngineContract

URL = os.environ.get("CASESTUDIO_TEST_CAMUNDA_URL", "")
SLEEP_UP_TO = 10.0

pytestmark = pytest.mark.skipif(
    not URL, reason="CASESTUDIO_TEST_CAMUNDA_URL is not set: no Camunda/Operaton to test "
                    "against (skipped in CI as well, where none can be installed)")

#: Contract tests of behaviour that is CaseStudio's own, with the reason Camunda differs.
NOT_CAMUNDA = {
    "test_deploy_refuses_unsupported_elements_naming_them":
        "Camunda ignores elements it does not execute instead of refusing the deployment",
    "test_deploy_refuses_script_tasks": "Camunda runs script tasks (CaseStudio refuses them)",
    "test_python_style_condition": "Python-style conditions are a CaseStudio extension",
    "test_message_throw_starts_another_process":
        "Camunda's message throw event needs a Java/external implementation",
    "test_send_task_message_starts_a_process":
        "Camunda's send task needs a Java/external implementation",
    "test_async_before_runs_as_a_job":
        "Camunda's own job executor may run the async job before the test looks at it",
}


@pytest.fixture(scope="module")
def camunda_url() -> str:
    return URL if URL.startswith("camunda+") else f"camunda+{URL}"


@pytest.fixture
def engine(camunda_url: str) -> Iterator[CamundaEngine]:
    adapter = CamundaEngine(camunda_url)
    status = adapter.check()
    if status["status"] != "up":
        pytest.fail(f"CASESTUDIO_TEST_CAMUNDA_URL is set but Camunda is down: {status}")
    yield adapter
    adapter.close()


@pytest.fixture
def advance(engine: CamundaEngine) -> Callable[[float], None]:
    ahead = timedelta()

    def go(seconds: float) -> None:
        nonlocal ahead
        if seconds <= SLEEP_UP_TO:
            time.sleep(seconds)
        else:
            ahead += timedelta(seconds=seconds)
        engine.run_due_jobs(now=datetime.now(UTC) + ahead)
    return go


class TestRealCamunda(EngineContract):
    """Every contract test against the configured Camunda/Operaton."""


mark_tests(TestRealCamunda, {name: pytest.mark.skip(reason=reason)
                             for name, reason in NOT_CAMUNDA.items()})
