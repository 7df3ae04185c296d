"""Engine contract, part 3: gateways, subprocesses, call activities, multi-instance."""

from __future__ import annotations

from bpmn.engine import Engine
from bpmn.engine_types import HistoryQuery, TaskQuery
from tests.contract.engine_bpmn import (
    boundary,
    bpmn,
    cond,
    document,
    end,
    flow,
    gateway,
    process,
    start,
    user,
)
from tests.contract.engine_contract_core import only_task, uid


def open_tasks(engine: Engine, instance_id: str) -> list[str]:
    return sorted(t.task_definition_key for t in
                  engine.tasks(TaskQuery(process_instance_id=instance_id)))


def finish_all(engine: Engine, instance_id: str, **variables: object) -> None:
    for task in engine.tasks(TaskQuery(process_instance_id=instance_id)):
        engine.complete(task.id, variables)


class FlowContract:
    """Gateways and structure."""

    def test_exclusive_gateway_juel_condition_and_default(self, engine: Engine) -> None:
        key = uid()
        body = (start(), gateway("exclusiveGateway", "gw", default="f_gw_small"), user("big"),
                user("small"), end(), end("end2"), flow("start", "gw"),
                cond("gw", "big", "${amount > 1000 && approved}"), flow("gw", "small"),
                flow("big", "end"), flow("small", "end2"))
        engine.deploy("d", {"a.bpmn": bpmn(*body, pid=key)})
        big = engine.start(key, variables={"amount": 5000, "approved": True})
        small = engine.start(key, variables={"amount": 5000, "approved": False})
        assert open_tasks(engine, big.id) == ["big"]
        assert open_tasks(engine, small.id) == ["small"]

    def test_python_style_condition(self, engine: Engine) -> None:
        key = uid()
        body = (start(), gateway("exclusiveGateway", "gw"), user("yes"), user("no"), end(),
                end("e2"), flow("start", "gw"), cond("gw", "yes", "score >= 10 and not blocked"),
                cond("gw", "no", "score < 10 or blocked"), flow("yes", "end"), flow("no", "e2"))
        engine.deploy("d", {"a.bpmn": bpmn(*body, pid=key)})
        assert open_tasks(engine, engine.start(key, variables={"score": 12,
                                                               "blocked": False}).id) == ["yes"]

    def test_parallel_fork_and_join(self, engine: Engine) -> None:
        key = uid()
        body = (start(), gateway("parallelGateway", "fork"), user("a"), user("b"),
                gateway("parallelGateway", "join"), user("after"), end(),
                flow("start", "fork"), flow("fork", "a", "join"), flow("fork", "b", "join"),
                flow("join", "after", "end"))
        engine.deploy("d", {"a.bpmn": bpmn(*body, pid=key)})
        pi = engine.start(key)
        assert open_tasks(engine, pi.id) == ["a", "b"]
        first = engine.tasks(TaskQuery(process_instance_id=pi.id, task_definition_key="a"))[0]
        engine.complete(first.id, {"fromA": 1})
        assert open_tasks(engine, pi.id) == ["b"]
        engine.complete(only_task(engine, pi.id).id, {"fromB": 2})
        assert open_tasks(engine, pi.id) == ["after"]
        assert {"fromA": 1, "fromB": 2}.items() <= engine.variables(pi.id).items()

    def test_inclusive_gateway(self, engine: Engine) -> None:
        key = uid()
        body = (start(), gateway("inclusiveGateway", "split"), user("a"), user("b"), user("c"),
                gateway("inclusiveGateway", "merge"), user("after"), end(),
                flow("start", "split"), cond("split", "a", "${x > 0}"),
                cond("split", "b", "${y > 0}"), cond("split", "c", "${z > 0}"),
                flow("a", "merge"), flow("b", "merge"), flow("c", "merge"),
                flow("merge", "after", "end"))
        engine.deploy("d", {"a.bpmn": bpmn(*body, pid=key)})
        pi = engine.start(key, variables={"x": 1, "y": 1, "z": 0})
        assert open_tasks(engine, pi.id) == ["a", "b"]
        finish_all(engine, pi.id)
        assert open_tasks(engine, pi.id) == ["after"]

    def test_embedded_subprocess(self, engine: Engine) -> None:
        key = uid()
        sub = ('<bpmn:subProcess id="sub">' + start("s_start") + user("inner")
               + end("s_end") + flow("s_start", "inner", "s_end") + "</bpmn:subProcess>")
        body = (start(), sub, user("after"), end(), flow("start", "sub", "after", "end"))
        engine.deploy("d", {"a.bpmn": bpmn(*body, pid=key)})
        pi = engine.start(key, variables={"outer": 1})
        assert open_tasks(engine, pi.id) == ["inner"]
        engine.complete(only_task(engine, pi.id).id, {"innerResult": "x"})
        assert open_tasks(engine, pi.id) == ["after"]
        assert engine.variables(pi.id)["innerResult"] == "x"

    def test_call_activity_with_in_out_mappings(self, engine: Engine) -> None:
        parent, child = uid("parent"), uid("child")
        mappings = ('<bpmn:extensionElements><camunda:in source="amount" target="value"/>'
                    '<camunda:out source="verdict" target="decision"/></bpmn:extensionElements>')
        called = (f'<bpmn:callActivity id="call" calledElement="{child}">{mappings}'
                  "</bpmn:callActivity>")
        docs = document(
            process(parent, start(), called, user("after"), end(),
                    flow("start", "call", "after", "end")),
            process(child, start("c_start"), user(f"d_{child}"), end("c_end"),
                    flow("c_start", f"d_{child}", "c_end")))
        engine.deploy("d", {"a.bpmn": docs})
        pi = engine.start(parent, variables={"amount": 7, "other": "hidden"})
        [decide] = engine.tasks(TaskQuery(task_definition_key=f"d_{child}"))
        assert engine.task_variables(decide.id)["value"] == 7
        engine.complete(decide.id, {"verdict": "yes"})
        assert open_tasks(engine, pi.id) == ["after"]
        assert engine.variables(pi.id)["decision"] == "yes"

    def test_an_error_from_a_called_process_cancels_what_was_still_open(
            self, engine: Engine) -> None:
        parent, child = uid("parent"), uid("child")
        err = '<bpmn:errorEventDefinition errorRef="Err"/>'
        docs = document(
            process(parent, start(), f'<bpmn:callActivity id="call" calledElement="{child}"/>',
                    boundary("caught", "call", err), user("after"), end(), end("end2"),
                    flow("start", "call", "end"), flow("caught", "after", "end2")),
            process(child, start("c_start"), gateway("parallelGateway", "split"), user("wait"),
                    user("boom"), end("c_end"), end("c_err", inner=err),
                    flow("c_start", "split"), flow("split", "wait", "c_end"),
                    flow("split", "boom", "c_err")),
            extra='<bpmn:error id="Err" errorCode="E1"/>')
        engine.deploy("d", {"a.bpmn": docs})
        pi = engine.start(parent)
        [boom] = engine.tasks(TaskQuery(task_definition_key="boom"))
        engine.complete(boom.id)
        assert open_tasks(engine, pi.id) == ["after"]
        ended = {a.activity_id: a.canceled for a in engine.history_activities(pi.id)
                 if a.ended_at is not None}
        assert ended["call"] and ended["wait"]  # interrupted: cancelled, not completed
        assert not ended["boom"] and not ended["c_err"]

    def test_call_activity_all_variables(self, engine: Engine) -> None:
        parent, child = uid("parent"), uid("child")
        mappings = ('<bpmn:extensionElements><camunda:in variables="all"/>'
                    '<camunda:out variables="all"/></bpmn:extensionElements>')
        called = (f'<bpmn:callActivity id="call" calledElement="{child}">{mappings}'
                  "</bpmn:callActivity>")
        engine.deploy("c", {"c.bpmn": bpmn(start("c_start"), gateway("exclusiveGateway", "g"),
                                           end("c_end"), end("c_end2"), flow("c_start", "g"),
                                           cond("g", "c_end", "${n > 1}"),
                                           cond("g", "c_end2", "${n <= 1}"), pid=child)})
        engine.deploy("p", {"p.bpmn": bpmn(start(), called, user("after"), end(),
                                           flow("start", "call", "after", "end"), pid=parent)})
        pi = engine.start(parent, variables={"n": 3})
        assert open_tasks(engine, pi.id) == ["after"]

    def test_parallel_multi_instance_over_collection(self, engine: Engine) -> None:
        key = uid()
        loop = ('<bpmn:multiInstanceLoopCharacteristics camunda:collection="${reviewers}" '
                'camunda:elementVariable="reviewer"/>')
        body = (start(), user("vote", 'camunda:assignee="${reviewer}"', loop), user("after"),
                end(), flow("start", "vote", "after", "end"))
        engine.deploy("d", {"a.bpmn": bpmn(*body, pid=key)})
        pi = engine.start(key, variables={"reviewers": ["ann", "bob", "cy"]})
        tasks = engine.tasks(TaskQuery(process_instance_id=pi.id))
        assert sorted(t.assignee or "" for t in tasks) == ["ann", "bob", "cy"]
        for task in tasks:
            engine.complete(task.id)
        assert open_tasks(engine, pi.id) == ["after"]

    def test_sequential_multi_instance_with_completion_condition(self, engine: Engine) -> None:
        key = uid()
        loop = ('<bpmn:multiInstanceLoopCharacteristics isSequential="true">'
                "<bpmn:loopCardinality>${3}</bpmn:loopCardinality>"
                "<bpmn:completionCondition>${nrOfCompletedInstances >= 2}"
                "</bpmn:completionCondition></bpmn:multiInstanceLoopCharacteristics>")
        body = (start(), user("step", "", loop), user("after"), end(),
                flow("start", "step", "after", "end"))
        engine.deploy("d", {"a.bpmn": bpmn(*body, pid=key)})
        pi = engine.start(key)
        engine.complete(only_task(engine, pi.id).id)
        assert open_tasks(engine, pi.id) == ["step"]
        engine.complete(only_task(engine, pi.id).id)
        assert open_tasks(engine, pi.id) == ["after"]

    def test_terminate_end_event_ends_everything(self, engine: Engine) -> None:
        key = uid()
        body = (start(), gateway("parallelGateway", "fork"), user("slow"), user("fast"),
                end("done"), end("kill", "<bpmn:terminateEventDefinition/>"),
                flow("start", "fork"), flow("fork", "slow", "done"), flow("fork", "fast", "kill"))
        engine.deploy("d", {"a.bpmn": bpmn(*body, pid=key)})
        pi = engine.start(key)
        engine.complete(engine.tasks(TaskQuery(process_instance_id=pi.id,
                                               task_definition_key="fast"))[0].id)
        assert open_tasks(engine, pi.id) == []
        assert engine.history_instances(HistoryQuery(process_instance_id=pi.id))[0].ended_at

    def test_manual_and_none_tasks_pass_through(self, engine: Engine) -> None:
        key = uid()
        body = (start(), '<bpmn:manualTask id="sign"/>', '<bpmn:task id="note"/>', user("next"),
                end(), flow("start", "sign", "note", "next", "end"))
        engine.deploy("d", {"a.bpmn": bpmn(*body, pid=key)})
        assert open_tasks(engine, engine.start(key).id) == ["next"]

    def test_error_end_event_caught_on_subprocess_boundary(self, engine: Engine) -> None:
        key = uid()
        errors = '<bpmn:error id="err" errorCode="DENIED"/>'
        sub = ('<bpmn:subProcess id="sub">' + start("s_start")
               + end("s_fail", '<bpmn:errorEventDefinition errorRef="err"/>')
               + flow("s_start", "s_fail") + "</bpmn:subProcess>")
        body = (start(), sub, user("normal"), user("handle_error"), end(), end("end2"),
                '<bpmn:boundaryEvent id="caught" attachedToRef="sub">'
                '<bpmn:errorEventDefinition errorRef="err"/></bpmn:boundaryEvent>',
                flow("start", "sub", "normal", "end"), flow("caught", "handle_error", "end2"))
        engine.deploy("d", {"a.bpmn": bpmn(*body, pid=key, extra=errors)})
        assert open_tasks(engine, engine.start(key).id) == ["handle_error"]

    def test_parallel_multi_instance_completion_condition_cancels_the_rest(
            self, engine: Engine) -> None:
        key = uid()
        loop = ('<bpmn:multiInstanceLoopCharacteristics camunda:collection="voters" '
                'camunda:elementVariable="voter"><bpmn:completionCondition>'
                "${nrOfCompletedInstances >= 2}</bpmn:completionCondition>"
                "</bpmn:multiInstanceLoopCharacteristics>")
        body = (start(), user("vote", "", loop), user("count"), end(),
                flow("start", "vote", "count", "end"))
        engine.deploy("d", {"a.bpmn": bpmn(*body, pid=key)})
        pi = engine.start(key, variables={"voters": ["a", "b", "c", "d"]})
        votes = engine.tasks(TaskQuery(process_instance_id=pi.id))
        assert len(votes) == 4
        engine.complete(votes[0].id)
        engine.complete(votes[1].id)
        assert open_tasks(engine, pi.id) == ["count"]

    def test_multi_instance_embedded_subprocess(self, engine: Engine) -> None:
        key = uid()
        loop = "<bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>2" \
               "</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>"
        sub = ('<bpmn:subProcess id="sub">' + loop + start("s_start") + user("inner")
               + end("s_end") + flow("s_start", "inner", "s_end") + "</bpmn:subProcess>")
        body = (start(), sub, user("after"), end(), flow("start", "sub", "after", "end"))
        engine.deploy("d", {"a.bpmn": bpmn(*body, pid=key)})
        pi = engine.start(key)
        assert open_tasks(engine, pi.id) == ["inner", "inner"]
        finish_all(engine, pi.id)
        assert open_tasks(engine, pi.id) == ["after"]
