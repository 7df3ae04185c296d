"""Engine contract, part 2: external tasks (fetch-and-lock), failures, incidents, errors."""

from __future__ import annotations

import pytest

from bpmn.engine import Engine
from bpmn.engine_errors import BadUserRequest, ExternalTaskLockedByOther, NotFound
from bpmn.engine_types import ExternalTaskQuery, IncidentQuery, TaskQuery, TopicRequest
from tests.contract.engine_bpmn import (
    boundary,
    bpmn,
    end,
    external,
    flow,
    inputs,
    start,
    user,
)
from tests.contract.engine_contract_core import uid


def _deploy_external(engine: Engine, key: str, topic: str, inner: str = "") -> None:
    body = (start(), external("work", topic, inner), user("after"), end(),
            flow("start", "work", "after", "end"))
    engine.deploy("d", {"a.bpmn": bpmn(*body, pid=key)})


class ExternalTaskContract:
    """Fetch-and-lock semantics like Camunda 7."""

    def test_fetch_merges_requested_variables_with_inputs(self, engine: Engine) -> None:
        key, topic = uid(), uid("topic")
        _deploy_external(engine, key, topic, inputs(stage="review", total="${a + b}"))
        pi = engine.start(key, business_key="bk", variables={"a": 1, "b": 2, "secret": "s"})
        [task] = engine.fetch_and_lock("w1", [TopicRequest(topic, 60_000, variables=["a"])])
        assert (task.topic, task.worker_id, task.activity_id) == (topic, "w1", "work")
        assert (task.process_instance_id, task.business_key) == (pi.id, "bk")
        assert task.variables == {"a": 1, "stage": "review", "total": 3}
        assert engine.fetch_and_lock("w2", [TopicRequest(topic, 60_000)]) == []
        engine.complete_external(task.id, "w1", {"result": "ok"})
        assert engine.variables(pi.id)["result"] == "ok"
        assert [t.task_definition_key for t in
                engine.tasks(TaskQuery(process_instance_id=pi.id))] == ["after"]

    def test_only_the_lock_owner_completes(self, engine: Engine) -> None:
        key, topic = uid(), uid("topic")
        _deploy_external(engine, key, topic)
        engine.start(key)
        [task] = engine.fetch_and_lock("w1", [TopicRequest(topic, 60_000)])
        with pytest.raises(ExternalTaskLockedByOther):
            engine.complete_external(task.id, "w2")
        with pytest.raises(NotFound):
            engine.complete_external("0" * 32, "w1")

    def test_lock_expiry_returns_task_to_the_pool(self, engine: Engine, advance: object) -> None:
        key, topic = uid(), uid("topic")
        _deploy_external(engine, key, topic)
        engine.start(key)
        [task] = engine.fetch_and_lock("w1", [TopicRequest(topic, 1_000)])
        advance(2)  # type: ignore[operator]
        [again] = engine.fetch_and_lock("w2", [TopicRequest(topic, 60_000)])
        assert again.id == task.id and again.worker_id == "w2"
        with pytest.raises(ExternalTaskLockedByOther):
            engine.complete_external(task.id, "w1")
        engine.complete_external(task.id, "w2")

    def test_extend_lock_and_unlock(self, engine: Engine, advance: object) -> None:
        key, topic = uid(), uid("topic")
        _deploy_external(engine, key, topic)
        engine.start(key)
        [task] = engine.fetch_and_lock("w1", [TopicRequest(topic, 1_000)])
        engine.extend_lock(task.id, "w1", 60_000)
        advance(2)  # type: ignore[operator]
        assert engine.fetch_and_lock("w2", [TopicRequest(topic, 1_000)]) == []
        with pytest.raises(BadUserRequest):
            engine.extend_lock(task.id, "w2", 1_000)
        engine.unlock(task.id)
        assert [t.id for t in engine.fetch_and_lock("w2", [TopicRequest(topic, 1_000)])] \
            == [task.id]

    def test_failure_retries_after_timeout_then_incident(self, engine: Engine,
                                                         advance: object) -> None:
        key, topic = uid(), uid("topic")
        _deploy_external(engine, key, topic)
        pi = engine.start(key)
        [task] = engine.fetch_and_lock("w", [TopicRequest(topic, 60_000)])
        engine.handle_failure(task.id, "w", "boom", "trace", retries=1, retry_timeout_ms=5_000)
        assert engine.fetch_and_lock("w", [TopicRequest(topic, 60_000)]) == []
        advance(6)  # type: ignore[operator]
        [retry] = engine.fetch_and_lock("w", [TopicRequest(topic, 60_000)])
        assert (retry.retries, retry.error_message) == (1, "boom")
        engine.handle_failure(task.id, "w", "boom again", None, retries=0, retry_timeout_ms=0)
        [incident] = engine.incidents(IncidentQuery(process_instance_id=pi.id))
        assert (incident.type, incident.configuration) == ("failedExternalTask", task.id)
        assert engine.fetch_and_lock("w", [TopicRequest(topic, 60_000)]) == []
        engine.set_external_retries(task.id, 2)
        assert engine.incidents(IncidentQuery(process_instance_id=pi.id)) == []
        assert len(engine.fetch_and_lock("w", [TopicRequest(topic, 60_000)])) == 1

    def test_bpmn_error_follows_error_boundary(self, engine: Engine) -> None:
        key, topic = uid(), uid("topic")
        errors = '<bpmn:error id="err" errorCode="REJECTED"/>'
        body = (start(), external("work", topic), user("done"), user("fix"), end(), end("end2"),
                boundary("failed", "work", '<bpmn:errorEventDefinition errorRef="err"/>'),
                flow("start", "work", "done", "end"), flow("failed", "fix", "end2"))
        engine.deploy("d", {"a.bpmn": bpmn(*body, pid=key, extra=errors)})
        pi = engine.start(key)
        [task] = engine.fetch_and_lock("w", [TopicRequest(topic, 60_000)])
        engine.handle_bpmn_error(task.id, "w", "REJECTED", "no", {"reason": "bad"})
        names = [t.task_definition_key for t in engine.tasks(TaskQuery(process_instance_id=pi.id))]
        assert names == ["fix"]
        assert engine.variables(pi.id)["reason"] == "bad"
        assert engine.external_tasks(ExternalTaskQuery(process_instance_id=pi.id)) == []

    def test_priority_ordering(self, engine: Engine) -> None:
        topic = uid("topic")
        for priority in (1, 9):
            key = uid()
            body = (start(), external("work", topic, attrs=f'camunda:taskPriority="{priority}"'),
                    end(), flow("start", "work", "end"))
            engine.deploy("d", {"a.bpmn": bpmn(*body, pid=key)})
            engine.start(key)
        tasks = engine.fetch_and_lock("w", [TopicRequest(topic, 60_000)], max_tasks=2,
                                      use_priority=True)
        assert [t.priority for t in tasks] == [9, 1]
