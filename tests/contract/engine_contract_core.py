"""Engine contract, part 1: deployments, instances, user tasks, variables, history.

Backend-neutral: every test takes the ``engine`` fixture (any `bpmn.engine.Engine`)
and uses unique process keys, so the same class runs against the embedded
engine, through ``/engine-rest`` and against a real Camunda/Operaton.
"""

from __future__ import annotations

import uuid

import pytest

from bpmn.engine import Engine
from bpmn.engine_errors import BadUserRequest, NotFound, TaskAlreadyClaimed
from bpmn.engine_types import (
    DefinitionQuery,
    HistoryQuery,
    InstanceQuery,
    TaskQuery,
    VariableFilter,
)
from tests.contract.engine_bpmn import bpmn, end, external, flow, simple_user_process, start, user


def uid(prefix: str = "p") -> str:
    """A process key no other test (or earlier run against a shared server) uses."""
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def only_task(engine: Engine, instance_id: str) -> object:
    tasks = engine.tasks(TaskQuery(process_instance_id=instance_id))
    assert len(tasks) == 1, tasks
    return tasks[0]


class CoreContract:
    """Deploy, start, user tasks, variables, cancel, history."""

    def test_deploy_reports_definitions_and_filters_duplicates(self, engine: Engine) -> None:
        key = uid()
        first = engine.deploy("d1", {"a.bpmn": simple_user_process(key)})
        assert [(d.key, d.version) for d in first.process_definitions] == [(key, 1)]
        again = engine.deploy("d1", {"a.bpmn": simple_user_process(key)})
        assert again.process_definitions[0].id == first.process_definitions[0].id
        changed = engine.deploy("d1", {"a.bpmn": simple_user_process(key, 'camunda:priority="7"')})
        assert changed.process_definitions[0].version == 2
        latest = engine.definitions(DefinitionQuery(key=key, latest=True))
        assert [d.version for d in latest] == [2]
        xml = engine.definition_xml(latest[0].id)
        assert b'camunda:priority="7"' in xml

    def test_deploy_refuses_unsupported_elements_naming_them(self, engine: Engine) -> None:
        body = (start(), '<bpmn:complexGateway id="weird"/>', end(), flow("start", "weird", "end"))
        with pytest.raises(BadUserRequest, match="weird"):
            engine.deploy("bad", {"bad.bpmn": bpmn(*body, pid=uid())})

    def test_deploy_refuses_script_tasks(self, engine: Engine) -> None:
        script = '<bpmn:scriptTask id="calc" scriptFormat="python"><bpmn:script>x = 1' \
                 "</bpmn:script></bpmn:scriptTask>"
        with pytest.raises(BadUserRequest, match="calc"):
            engine.deploy("s", {"s.bpmn": bpmn(start(), script, end(),
                                               flow("start", "calc", "end"), pid=uid())})

    def test_start_by_key_and_by_definition_id(self, engine: Engine) -> None:
        key = uid()
        definition = engine.deploy("d", {"a.bpmn": simple_user_process(key)}).process_definitions[0]
        one = engine.start(key, business_key="case-1", variables={"amount": 5})
        two = engine.start(definition_id=definition.id)
        assert (one.definition_key, one.business_key, one.state) == (key, "case-1", "ACTIVE")
        assert two.definition_id == definition.id
        assert engine.variables(one.id) == {"amount": 5}
        found = engine.instances(InstanceQuery(definition_key=key, business_key="case-1"))
        assert [i.id for i in found] == [one.id]

    def test_start_unknown_key_is_not_found(self, engine: Engine) -> None:
        with pytest.raises(NotFound):
            engine.start(uid("missing"))

    def test_user_task_attributes_and_completion(self, engine: Engine) -> None:
        key = uid()
        attrs = ('camunda:assignee="${initiator}" camunda:candidateGroups="clerks, managers" '
                 'camunda:formKey="form:review" camunda:priority="${prio}" '
                 'camunda:dueDate="2030-01-02T03:04:05Z"')
        engine.deploy("d", {"a.bpmn": simple_user_process(key, attrs)})
        pi = engine.start(key, business_key="bk", variables={"initiator": "ann", "prio": 70})
        task = only_task(engine, pi.id)
        assert (task.name, task.task_definition_key, task.assignee) == ("Review", "review", "ann")
        assert task.candidate_groups == ["clerks", "managers"]
        assert (task.form_key, task.priority, task.business_key) == ("form:review", 70, "bk")
        assert task.due is not None and task.due.year == 2030
        engine.complete(task.id, {"approved": True})
        assert engine.tasks(TaskQuery(process_instance_id=pi.id)) == []
        assert engine.instance(pi.id).state == "COMPLETED"

    def test_inbox_queries_claim_and_assign(self, engine: Engine) -> None:
        key = uid()
        engine.deploy("d", {"a.bpmn": simple_user_process(
            key, 'camunda:candidateUsers="bob" camunda:candidateGroups="clerks"')})
        pi = engine.start(key)
        task = only_task(engine, pi.id)
        by_group = engine.tasks(TaskQuery(candidate_groups=["clerks"], process_instance_id=pi.id))
        by_user = engine.tasks(TaskQuery(candidate_user="bob", process_instance_id=pi.id))
        assert [t.id for t in by_group] == [t.id for t in by_user] == [task.id]
        assert engine.tasks(TaskQuery(candidate_groups=["other"], process_instance_id=pi.id)) == []
        engine.claim(task.id, "bob")
        assert engine.task(task.id).assignee == "bob"
        assert engine.tasks(TaskQuery(candidate_user="bob", process_instance_id=pi.id)) == []
        with pytest.raises(TaskAlreadyClaimed):
            engine.claim(task.id, "carol")
        engine.unclaim(task.id)
        engine.set_assignee(task.id, "carol")
        assert [t.id for t in engine.tasks(TaskQuery(assignee="carol"))] == [task.id]
        assert engine.count_tasks(TaskQuery(process_instance_id=pi.id)) == 1

    def test_unknown_task_is_not_found(self, engine: Engine) -> None:
        with pytest.raises(NotFound):
            engine.complete(uuid.uuid4().hex)

    def test_variables_set_and_delete(self, engine: Engine) -> None:
        key = uid()
        engine.deploy("d", {"a.bpmn": simple_user_process(key)})
        pi = engine.start(key, variables={"a": 1, "b": "x"})
        engine.set_variables(pi.id, {"c": [1, 2], "a": 2}, deletions=["b"])
        assert engine.variables(pi.id) == {"a": 2, "c": [1, 2]}
        engine.complete(only_task(engine, pi.id).id, {"d": {"k": "v"}})
        seen = [(v.name, v.value) for v in engine.history_variables(pi.id)]
        for change in [("a", 1), ("a", 2), ("c", [1, 2]), ("d", {"k": "v"})]:
            assert change in seen

    def test_cancel_removes_tasks_and_keeps_history(self, engine: Engine) -> None:
        key = uid()
        engine.deploy("d", {"a.bpmn": simple_user_process(key)})
        pi = engine.start(key)
        engine.cancel(pi.id, "no longer needed")
        assert engine.tasks(TaskQuery(process_instance_id=pi.id)) == []
        assert engine.instances(InstanceQuery(ids=[pi.id])) == []
        [hist] = engine.history_instances(HistoryQuery(process_instance_id=pi.id))
        assert hist.state in ("TERMINATED", "EXTERNALLY_TERMINATED") and hist.ended_at
        review = [a for a in engine.history_activities(pi.id) if a.activity_id == "review"]
        assert review and review[0].canceled

    def test_history_and_active_activities(self, engine: Engine) -> None:
        key = uid()
        body = (start(), external("work", "t-" + key), user("review"), end(),
                flow("start", "work", "review", "end"))
        engine.deploy("d", {"a.bpmn": bpmn(*body, pid=key)})
        pi = engine.start(key)
        assert [a.activity_id for a in engine.activity_instances(pi.id)] == ["work"]
        from bpmn.engine_types import TopicRequest
        [locked] = engine.fetch_and_lock("w", [TopicRequest("t-" + key, 60_000)])
        engine.complete_external(locked.id, "w")
        assert [a.activity_id for a in engine.activity_instances(pi.id)] == ["review"]
        engine.complete(only_task(engine, pi.id).id)
        ids = [a.activity_id for a in engine.history_activities(pi.id)]
        assert ids[:3] == ["start", "work", "review"] and ids[-1] == "end"
        [task] = engine.history_tasks(HistoryQuery(process_instance_id=pi.id))
        assert (task.task_definition_key, task.delete_reason) == ("review", "completed")

    def test_reserved_ids_start_and_end_work(self, engine: Engine) -> None:
        key = uid()
        body = (start("Start"), user("End_task"), end("End"), flow("Start", "End_task", "End"))
        engine.deploy("d", {"a.bpmn": bpmn(*body, pid=key)})
        pi = engine.start(key)
        engine.complete(only_task(engine, pi.id).id)
        ids = [a.activity_id for a in engine.history_activities(pi.id)]
        assert ids == ["Start", "End_task", "End"]
        assert engine.instance(pi.id).state == "COMPLETED"

    def test_suspend_and_activate(self, engine: Engine) -> None:
        key = uid()
        engine.deploy("d", {"a.bpmn": simple_user_process(key)})
        pi = engine.start(key)
        task = only_task(engine, pi.id)
        engine.suspend(pi.id)
        assert engine.instance(pi.id).state == "SUSPENDED"
        with pytest.raises(BadUserRequest):
            engine.complete(task.id)
        engine.activate(pi.id)
        engine.complete(task.id)
        assert engine.instance(pi.id).state == "COMPLETED"

    def test_instance_query_by_variables(self, engine: Engine) -> None:
        key = uid()
        engine.deploy("d", {"a.bpmn": simple_user_process(key)})
        small = engine.start(key, variables={"amount": 50, "kind": "car", "vip": False})
        big = engine.start(key, variables={"amount": 5000, "kind": "cargo", "vip": True})

        def ids(*filters: VariableFilter) -> list[str]:
            query = InstanceQuery(definition_key=key, variables=filters)
            return sorted(i.id for i in engine.instances(query))

        assert ids(VariableFilter("amount", "gt", 100)) == [big.id]
        assert ids(VariableFilter("amount", "lteq", 50)) == [small.id]
        assert ids(VariableFilter("kind", "eq", "car")) == [small.id]
        assert ids(VariableFilter("kind", "like", "car%")) == sorted([small.id, big.id])
        assert ids(VariableFilter("vip", "eq", True)) == [big.id]
        assert engine.count_instances(InstanceQuery(definition_key=key)) == 2

    def test_redeploy_moves_start_triggers_to_the_new_version(self, engine: Engine) -> None:
        key, name = uid(), uid("msg")
        decl = f'<bpmn:message id="m" name="{name}"/>'

        def version(task: str) -> bytes:
            starts = (start("t", '<bpmn:timerEventDefinition><bpmn:timeCycle>R/P1D'
                                 "</bpmn:timeCycle></bpmn:timerEventDefinition>"),
                      start("m_start", '<bpmn:messageEventDefinition messageRef="m"/>'))
            return bpmn(*starts, user(task), end(), flow("t", task), flow("m_start", task),
                        flow(task, "end"), pid=key, extra=decl)

        engine.deploy("d", {"a.bpmn": version("one")})
        engine.deploy("d", {"a.bpmn": version("two")})
        starts = [j for j in engine.jobs() if j.process_definition_key == key]
        assert len(starts) == 1 and starts[0].process_definition_id.startswith(f"{key}:2:")
        [result] = engine.correlate(name)
        assert only_task(engine, result.process_instance.id).task_definition_key == "two"
