"""Engine contract, part 4: timers, messages, signals, boundary events, event subprocesses.

Timers need the ``advance(seconds)`` fixture: it moves the backend's notion of
time forward and lets due jobs run (the embedded engine moves its clock; a real
server sleeps).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bpmn.engine import Engine
from bpmn.engine_errors import MismatchingMessageCorrelation
from bpmn.engine_types import InstanceQuery, JobQuery, TaskQuery
from tests.contract.engine_bpmn import (
    boundary,
    bpmn,
    catch,
    end,
    flow,
    gateway,
    message_ref,
    messages,
    start,
    timer,
    user,
)
from tests.contract.engine_contract_core import only_task, uid
from tests.contract.engine_contract_flow import open_tasks

Advance = Callable[[float], None]


class EventsContract:
    """Timers, messages, signals."""

    def test_intermediate_timer(self, engine: Engine, advance: Advance) -> None:
        key = uid()
        body = (start(), catch("wait", timer("timeDuration", "PT30S")), user("after"), end(),
                flow("start", "wait", "after", "end"))
        engine.deploy("d", {"a.bpmn": bpmn(*body, pid=key)})
        pi = engine.start(key)
        [job] = engine.jobs(JobQuery(process_instance_id=pi.id))
        assert (job.type, job.activity_id) == ("timer", "wait")
        advance(10)
        assert open_tasks(engine, pi.id) == []
        advance(25)
        assert open_tasks(engine, pi.id) == ["after"]
        assert engine.jobs(JobQuery(process_instance_id=pi.id)) == []

    def test_timer_from_expression(self, engine: Engine, advance: Advance) -> None:
        key = uid()
        body = (start(), catch("wait", timer("timeDuration", "${delay}")), user("after"), end(),
                flow("start", "wait", "after", "end"))
        engine.deploy("d", {"a.bpmn": bpmn(*body, pid=key)})
        pi = engine.start(key, variables={"delay": "PT5S"})
        advance(6)
        assert open_tasks(engine, pi.id) == ["after"]

    def test_interrupting_boundary_timer(self, engine: Engine, advance: Advance) -> None:
        key = uid()
        body = (start(), user("review"), user("escalated"), end(), end("end2"),
                boundary("late", "review", timer("timeDuration", "PT1H")),
                flow("start", "review", "end"), flow("late", "escalated", "end2"))
        engine.deploy("d", {"a.bpmn": bpmn(*body, pid=key)})
        pi, early = engine.start(key), engine.start(key)
        engine.complete(only_task(engine, early.id).id)
        assert engine.jobs(JobQuery(process_instance_id=early.id)) == []
        advance(3601)
        assert open_tasks(engine, pi.id) == ["escalated"]
        assert engine.instance(early.id).state == "COMPLETED"

    def test_non_interrupting_cycle_boundary_timer(self, engine: Engine,
                                                   advance: Advance) -> None:
        key = uid()
        body = (start(), user("review"), user("remind"), end(), end("end2"),
                boundary("tick", "review", timer("timeCycle", "R2/PT10S"), interrupting=False),
                flow("start", "review", "end"), flow("tick", "remind", "end2"))
        engine.deploy("d", {"a.bpmn": bpmn(*body, pid=key)})
        pi = engine.start(key)
        advance(11)
        assert open_tasks(engine, pi.id) == ["remind", "review"]
        advance(11)
        assert open_tasks(engine, pi.id) == ["remind", "remind", "review"]
        advance(11)
        assert open_tasks(engine, pi.id) == ["remind", "remind", "review"]

    def test_timer_start_event_starts_instances(self, engine: Engine, advance: Advance) -> None:
        key = uid()
        body = (start("tick", timer("timeCycle", "R2/PT1M")), user("work"), end(),
                flow("tick", "work", "end"))
        engine.deploy("d", {"a.bpmn": bpmn(*body, pid=key)})
        assert engine.instances(InstanceQuery(definition_key=key)) == []
        advance(61)
        [first] = engine.instances(InstanceQuery(definition_key=key))
        assert open_tasks(engine, first.id) == ["work"]
        advance(61)
        advance(61)
        assert len(engine.instances(InstanceQuery(definition_key=key))) == 2
        assert [j for j in engine.jobs() if j.process_definition_key == key] == []

    def test_message_catch_by_business_key(self, engine: Engine) -> None:
        key, name = uid(), uid("docs")
        body = (start(), catch("wait", message_ref("m")), user("after"), end(),
                flow("start", "wait", "after", "end"))
        engine.deploy("d", {"a.bpmn": bpmn(*body, pid=key, extra=messages(m=name))})
        one = engine.start(key, business_key="case-1")
        two = engine.start(key, business_key="case-2")
        [result] = engine.correlate(name, business_key="case-2", variables={"files": 3})
        assert (result.result_type, result.process_instance.id) == ("Execution", two.id)
        assert open_tasks(engine, two.id) == ["after"] and open_tasks(engine, one.id) == []
        assert engine.variables(two.id)["files"] == 3
        with pytest.raises(MismatchingMessageCorrelation):
            engine.correlate(name, business_key="case-3")

    def test_correlate_all_and_ambiguity(self, engine: Engine) -> None:
        key, name = uid(), uid("go")
        body = ('<bpmn:receiveTask id="wait" messageRef="m"/>', start(), user("after"), end(),
                flow("start", "wait", "after", "end"))
        engine.deploy("d", {"a.bpmn": bpmn(*body, pid=key, extra=messages(m=name))})
        first, second = engine.start(key), engine.start(key)
        with pytest.raises(MismatchingMessageCorrelation):
            engine.correlate(name)
        assert len(engine.correlate(name, all=True)) == 2
        assert open_tasks(engine, first.id) == open_tasks(engine, second.id) == ["after"]

    def test_message_start_event(self, engine: Engine) -> None:
        key, name = uid(), uid("order")
        body = (start("start", message_ref("m")), user("handle"), end(),
                flow("start", "handle", "end"))
        engine.deploy("d", {"a.bpmn": bpmn(*body, pid=key, extra=messages(m=name))})
        [result] = engine.correlate(name, business_key="o-1", variables={"item": "book"})
        assert result.result_type == "ProcessDefinition"
        pi = result.process_instance
        assert pi.business_key == "o-1" and open_tasks(engine, pi.id) == ["handle"]
        assert engine.variables(pi.id)["item"] == "book"

    def test_boundary_message_non_interrupting(self, engine: Engine) -> None:
        key, name = uid(), uid("note")
        body = (start(), user("review"), user("read_note"), end(), end("end2"),
                boundary("noted", "review", message_ref("m"), interrupting=False),
                flow("start", "review", "end"), flow("noted", "read_note", "end2"))
        engine.deploy("d", {"a.bpmn": bpmn(*body, pid=key, extra=messages(m=name))})
        pi = engine.start(key, business_key=key)
        engine.correlate(name, business_key=key)
        assert open_tasks(engine, pi.id) == ["read_note", "review"]

    def test_event_based_gateway_message_wins_over_timer(self, engine: Engine,
                                                         advance: Advance) -> None:
        key, name = uid(), uid("answer")
        body = (start(), gateway("eventBasedGateway", "gw"),
                catch("got", message_ref("m")), catch("late", timer("timeDuration", "PT1H")),
                user("process_answer"), user("chase"), end(), end("end2"),
                flow("start", "gw"), flow("gw", "got"), flow("gw", "late"),
                flow("got", "process_answer", "end"), flow("late", "chase", "end2"))
        engine.deploy("d", {"a.bpmn": bpmn(*body, pid=key, extra=messages(m=name))})
        answered, silent = engine.start(key, business_key=key), engine.start(key)
        engine.correlate(name, business_key=key)
        advance(3601)
        assert open_tasks(engine, answered.id) == ["process_answer"]
        assert open_tasks(engine, silent.id) == ["chase"]

    def test_message_throw_starts_another_process(self, engine: Engine) -> None:
        sender, receiver, name = uid("send"), uid("recv"), uid("handoff")
        throw = f'<bpmn:intermediateThrowEvent id="tell">{message_ref("m")}' \
                "</bpmn:intermediateThrowEvent>"
        engine.deploy("r", {"r.bpmn": bpmn(start("go", message_ref("m")), user("receive_it"),
                                           end(), flow("go", "receive_it", "end"), pid=receiver,
                                           extra=messages(m=name))})
        engine.deploy("s", {"s.bpmn": bpmn(start(), throw, end(), flow("start", "tell", "end"),
                                           pid=sender, extra=messages(m=name))})
        engine.start(sender, business_key="bk-throw")
        [started] = engine.instances(InstanceQuery(definition_key=receiver))
        assert started.business_key == "bk-throw"

    def test_signal_catch_and_start(self, engine: Engine) -> None:
        waiting, starting, name = uid("wait"), uid("start"), uid("alarm")
        decl = f'<bpmn:signal id="s" name="{name}"/>'
        sig = '<bpmn:signalEventDefinition signalRef="s"/>'
        engine.deploy("a", {"a.bpmn": bpmn(start(), catch("hear", sig), user("react"), end(),
                                           flow("start", "hear", "react", "end"), pid=waiting,
                                           extra=decl)})
        engine.deploy("b", {"b.bpmn": bpmn(start("on", sig), user("handle"), end(),
                                           flow("on", "handle", "end"), pid=starting,
                                           extra=decl)})
        pi = engine.start(waiting)
        engine.signal(name)
        assert open_tasks(engine, pi.id) == ["react"]
        assert len(engine.instances(InstanceQuery(definition_key=starting))) == 1

    def test_event_subprocess_interrupting_message(self, engine: Engine) -> None:
        key, name = uid(), uid("cancel")
        event_sub = ('<bpmn:subProcess id="on_cancel" triggeredByEvent="true">'
                     + start("es_start", message_ref("m")) + user("cleanup") + end("es_end")
                     + flow("es_start", "cleanup", "es_end") + "</bpmn:subProcess>")
        body = (start(), user("work"), end(), flow("start", "work", "end"), event_sub)
        engine.deploy("d", {"a.bpmn": bpmn(*body, pid=key, extra=messages(m=name))})
        pi = engine.start(key, business_key=key)
        engine.correlate(name, business_key=key)
        assert open_tasks(engine, pi.id) == ["cleanup"]
        engine.complete(only_task(engine, pi.id).id)
        assert engine.instance(pi.id).state == "COMPLETED"

    def test_event_subprocess_non_interrupting_timer_cycle(self, engine: Engine,
                                                           advance: Advance) -> None:
        key = uid()
        event_sub = ('<bpmn:subProcess id="reminders" triggeredByEvent="true">'
                     '<bpmn:startEvent id="es_start" isInterrupting="false">'
                     + timer("timeCycle", "R/PT1H") + "</bpmn:startEvent>" + user("remind")
                     + end("es_end") + flow("es_start", "remind", "es_end") + "</bpmn:subProcess>")
        body = (start(), user("work"), end(), flow("start", "work", "end"), event_sub)
        engine.deploy("d", {"a.bpmn": bpmn(*body, pid=key)})
        pi = engine.start(key)
        advance(3601)
        assert open_tasks(engine, pi.id) == ["remind", "work"]
        engine.complete(engine.tasks(TaskQuery(process_instance_id=pi.id,
                                               task_definition_key="work"))[0].id)
        assert engine.instance(pi.id).state == "ACTIVE"
        engine.complete(only_task(engine, pi.id).id)
        assert engine.instance(pi.id).state == "COMPLETED"
        assert engine.jobs(JobQuery(process_instance_id=pi.id)) == []

    def test_async_before_runs_as_a_job(self, engine: Engine, advance: Advance) -> None:
        key = uid()
        body = (start(), user("later", 'camunda:asyncBefore="true"'), end(),
                flow("start", "later", "end"))
        engine.deploy("d", {"a.bpmn": bpmn(*body, pid=key)})
        pi = engine.start(key)
        assert [j.type for j in engine.jobs(JobQuery(process_instance_id=pi.id))] \
            == ["async-continuation"]
        advance(0)
        assert only_task(engine, pi.id).task_definition_key == "later"

    def test_timer_date(self, engine: Engine, advance: Advance) -> None:
        key = uid()
        body = (start(), catch("wait", timer("timeDate", "${deadline}")), user("after"), end(),
                flow("start", "wait", "after", "end"))
        engine.deploy("d", {"a.bpmn": bpmn(*body, pid=key)})
        [job_due] = [None]
        pi = engine.start(key, variables={"deadline": "2000-01-01T00:00:00Z"})
        job_due = engine.jobs(JobQuery(process_instance_id=pi.id))[0].due
        assert job_due is not None and job_due.year == 2000
        advance(1)
        assert open_tasks(engine, pi.id) == ["after"]

    def test_send_task_message_starts_a_process(self, engine: Engine) -> None:
        sender, receiver, name = uid("send"), uid("recv"), uid("letter")
        engine.deploy("r", {"r.bpmn": bpmn(start("go", message_ref("m")), user("read_it"), end(),
                                           flow("go", "read_it", "end"), pid=receiver,
                                           extra=messages(m=name))})
        send = '<bpmn:sendTask id="post" messageRef="m"/>'
        engine.deploy("s", {"s.bpmn": bpmn(start(), send, end(), flow("start", "post", "end"),
                                           pid=sender, extra=messages(m=name))})
        engine.start(sender, business_key="letter-1")
        [started] = engine.instances(InstanceQuery(definition_key=receiver))
        assert started.business_key == "letter-1"
