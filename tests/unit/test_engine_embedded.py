"""Embedded-engine specifics: transactions, listeners, jobs, restarts, state size."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from bpmn.embedded import EmbeddedEngine
from bpmn.engine import Engine
from bpmn.engine_errors import BadUserRequest, NotFound, ProcessEngineError
from bpmn.engine_types import (
    EngineEvent,
    IncidentQuery,
    InstanceQuery,
    JobQuery,
    TaskQuery,
    TopicRequest,
)
from bpmn.jobs import JobExecutor
from models.db import Database
from models.engine import EngineInstance
from tests.contract.engine_bpmn import (
    bpmn,
    catch,
    cond,
    end,
    external,
    flow,
    gateway,
    simple_user_process,
    start,
    timer,
    user,
)
from tests.contract.test_engine_embedded import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2030, 1, 1, tzinfo=UTC))


@pytest.fixture
def engine(db: Database, clock: FakeClock) -> EmbeddedEngine:
    return EmbeddedEngine(db, clock=clock)


def test_listeners_run_inside_the_transaction(engine: EmbeddedEngine, db: Database) -> None:
    seen: list[tuple[str, bool]] = []

    def listen(session: Any, event: EngineEvent) -> None:
        seen.append((event.type, session is not None and session.is_active))
        if event.type == "task.created" and event.business_key == "fail":
            raise RuntimeError("outbox write failed")

    engine.add_listener(listen)
    engine.deploy("d", {"a.bpmn": simple_user_process("p")})
    engine.start("p", business_key="ok")
    assert seen[:2] == [("process.started", True), ("task.created", True)]
    with pytest.raises(RuntimeError):
        engine.start("p", business_key="fail")
    with db.session() as session:
        keys = session.scalars(select(EngineInstance.business_key)).all()
    assert keys == ["ok"]


def test_joining_the_callers_transaction(engine: EmbeddedEngine, db: Database) -> None:
    engine.deploy("d", {"a.bpmn": simple_user_process("p")})
    with pytest.raises(ZeroDivisionError), db.session() as session:
        engine.start("p", business_key="rolled-back", session=session)
        _ = 1 / 0
    with db.session() as session:
        engine.start("p", business_key="kept", session=session)
    assert [i.business_key for i in engine.instances(InstanceQuery(definition_key="p"))] \
        == ["kept"]


def test_failing_job_loses_retries_then_opens_incident(engine: EmbeddedEngine,
                                                       clock: FakeClock) -> None:
    body = (start(), catch("wait", timer("timeDuration", "PT1M")),
            gateway("exclusiveGateway", "g"), user("a"), user("b"), end(), end("e2"),
            flow("start", "wait", "g"), cond("g", "a", "${missing > 1}"),
            cond("g", "b", "${missing <= 1}"), flow("a", "end"), flow("b", "e2"))
    engine.deploy("d", {"a.bpmn": bpmn(*body)})
    failures: list[int] = []
    engine.add_listener(lambda _s, e: failures.append(e.data["retries"])
                        if e.type == "job.failed" else None)
    pi = engine.start("p")
    clock.advance(61)
    assert engine.run_due_jobs() == 3
    assert failures == [2, 1, 0]
    [job] = engine.jobs(JobQuery(process_instance_id=pi.id))
    assert job.retries == 0 and "missing" in (job.exception_message or "")
    [incident] = engine.incidents(IncidentQuery(process_instance_id=pi.id))
    assert (incident.type, incident.configuration) == ("failedJob", job.id)
    engine.set_variables(pi.id, {"missing": 5})
    engine.set_job_retries(job.id, 1)
    assert engine.incidents(IncidentQuery(process_instance_id=pi.id)) == []
    assert engine.run_due_jobs() == 1
    assert [t.task_definition_key for t in engine.tasks(TaskQuery(process_instance_id=pi.id))] \
        == ["a"]


def test_restart_resumes_timers(db: Database, clock: FakeClock) -> None:
    first = EmbeddedEngine(db, clock=clock)
    body = (start(), catch("wait", timer("timeDuration", "PT1H")), user("after"), end(),
            flow("start", "wait", "after", "end"))
    first.deploy("d", {"a.bpmn": bpmn(*body)})
    pi = first.start("p")
    clock.advance(3601)
    restarted = EmbeddedEngine(db, clock=clock)  # a new process: empty caches
    assert restarted.run_due_jobs() == 1
    assert [t.task_definition_key for t in restarted.tasks(TaskQuery(process_instance_id=pi.id))] \
        == ["after"]


def test_job_executor_threads_fire_due_timers(engine: EmbeddedEngine, clock: FakeClock) -> None:
    body = (start(), catch("wait", timer("timeDuration", "PT5M")), user("after"), end(),
            flow("start", "wait", "after", "end"))
    engine.deploy("d", {"a.bpmn": bpmn(*body)})
    ids = [engine.start("p").id for _ in range(3)]
    executor = JobExecutor(engine, interval=0.02, threads=2)
    executor.start()
    try:
        clock.advance(301)
        deadline = time.monotonic() + 10
        while engine.count_tasks(TaskQuery(task_definition_key="after")) < 3:
            assert time.monotonic() < deadline, "timers did not fire"
            time.sleep(0.02)
    finally:
        executor.stop()
    assert not executor.running
    assert sorted(t.process_instance_id for t in engine.tasks(TaskQuery())) == sorted(ids)


def test_waiting_instance_state_is_small(engine: EmbeddedEngine, db: Database) -> None:
    body = (start(), external("check", "t", attrs='camunda:asyncAfter="true"'),
            gateway("parallelGateway", "fork"), user("a", 'camunda:candidateGroups="x"'),
            user("b"), catch("wait", timer("timeDuration", "P3D")),
            gateway("parallelGateway", "join"), end(),
            flow("start", "check", "fork"), flow("fork", "a", "join"), flow("fork", "b", "join"),
            flow("fork", "wait", "join"), flow("join", "end"))
    engine.deploy("d", {"a.bpmn": bpmn(*body)})
    pi = engine.start("p", variables={"applicant": "A" * 200, "amount": 1200, "tags": ["x"]})
    [task] = engine.fetch_and_lock("w", [TopicRequest("t", 60_000)])
    engine.complete_external(task.id, "w", {"score": 3})
    engine.run_due_jobs()
    with db.session() as session:
        row = session.get(EngineInstance, pi.id)
        assert row is not None and row.blob is not None
        assert len(row.blob) <= 10_000, len(row.blob)


def test_long_loops_keep_state_flat(engine: EmbeddedEngine, db: Database) -> None:
    body = (start(), gateway("exclusiveGateway", "merge"), user("step"),
            gateway("exclusiveGateway", "again", default="f_again_end"), end(),
            flow("start", "merge", "step", "again"), cond("again", "merge", "${n < 1000}"),
            flow("again", "end"))
    engine.deploy("d", {"a.bpmn": bpmn(*body)})
    pi = engine.start("p", variables={"n": 0})
    sizes = []
    for n in range(1, 81):
        [task] = engine.tasks(TaskQuery(process_instance_id=pi.id))
        engine.complete(task.id, {"n": n})
        with db.session() as session:
            sizes.append(len(session.get(EngineInstance, pi.id).blob or b""))  # type: ignore[union-attr]
    assert max(sizes[40:]) <= max(sizes[:10]) + 32
    assert len(engine.history_activities(pi.id)) > 200


def test_unhandled_bpmn_error_ends_the_instance(engine: EmbeddedEngine) -> None:
    body = (start(), external("work", "t"), user("next"), end(), flow("start", "work", "next",
                                                                      "end"))
    engine.deploy("d", {"a.bpmn": bpmn(*body)})
    pi = engine.start("p")
    [task] = engine.fetch_and_lock("w", [TopicRequest("t", 60_000)])
    engine.handle_bpmn_error(task.id, "w", "NOPE")
    assert engine.instance(pi.id).state == "COMPLETED"
    assert engine.tasks(TaskQuery(process_instance_id=pi.id)) == []


def test_deploy_names_the_element_spiff_refuses(engine: EmbeddedEngine) -> None:
    service = '<bpmn:serviceTask id="java_bean" camunda:class="com.acme.Bean"/>'
    with pytest.raises(BadUserRequest, match="java_bean"):
        engine.deploy("d", {"a.bpmn": bpmn(start(), service, end(),
                                           flow("start", "java_bean", "end"))})


def test_async_after_and_signal_throw(engine: EmbeddedEngine) -> None:
    decl = '<bpmn:signal id="s" name="go"/>'
    throw = ('<bpmn:intermediateThrowEvent id="shout"><bpmn:signalEventDefinition signalRef="s"/>'
             "</bpmn:intermediateThrowEvent>")
    engine.deploy("r", {"r.bpmn": bpmn(start("on", '<bpmn:signalEventDefinition signalRef="s"/>'),
                                       user("heard"), end(), flow("on", "heard", "end"),
                                       pid="listener", extra=decl)})
    engine.deploy("s", {"s.bpmn": bpmn(start(), user("first", 'camunda:asyncAfter="true"'),
                                       throw, end(), flow("start", "first", "shout", "end"),
                                       pid="shouter", extra=decl)})
    pi = engine.start("shouter")
    engine.complete(engine.tasks(TaskQuery(process_instance_id=pi.id))[0].id)
    assert engine.instance(pi.id).state == "ACTIVE"
    assert engine.run_due_jobs() == 1
    assert engine.instance(pi.id).state == "COMPLETED"
    assert engine.count_instances(InstanceQuery(definition_key="listener")) == 1


def test_missing_called_process_fails_with_the_activity(engine: EmbeddedEngine) -> None:
    call = '<bpmn:callActivity id="call_it" calledElement="nowhere"/>'
    engine.deploy("d", {"a.bpmn": bpmn(start(), call, end(), flow("start", "call_it", "end"))})
    with pytest.raises(ProcessEngineError, match="call_it"):
        engine.start("p")
    assert engine.count_instances() == 0


def test_embedded_engine_implements_the_protocol(engine: EmbeddedEngine) -> None:
    assert isinstance(engine, Engine)
    assert engine.check() == {"status": "up", "engine": "embedded", "database": "sqlite"}


def test_delete_deployment_refuses_running_instances_unless_cascading(
        engine: EmbeddedEngine) -> None:
    deployment = engine.deploy("d", {"a.bpmn": simple_user_process("p")})
    pi = engine.start("p")
    assert [d.id for d in engine.deployments()] == [deployment.id]
    with pytest.raises(BadUserRequest, match="1 dependent process instances"):
        engine.delete_deployment(deployment.id)
    engine.delete_deployment(deployment.id, cascade=True)
    assert engine.deployments() == [] and engine.definitions() == []
    assert engine.tasks() == [] and engine.history_instances() == []
    with pytest.raises(NotFound):
        engine.instance(pi.id)
