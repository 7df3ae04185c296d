"""Engine contract, part 4: messages, signals, boundary events, event subprocesses.

Timers need the ``advance(seconds)`` fixture: it moves the backend's notion of
time forward and lets due jobs run (the embedded engine moves its clock; a real
server sleeps).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bpmn.engine import Engine
from bpmn.engine_errors import MismatchingMessageCorrelation
from bpmn.engine_types import InstanceQuery
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

    def test_message_start_wins_over_none_start(self, engine: Engine) -> None:
        key, name = uid(), uid("invoice")
        body = (start("none_start"), start("msg_start", message_ref("tns:m")),
                user("by_hand"), user("by_message"), end(), end("end2"),
                flow("none_start", "by_hand", "end"),
                '<bpmn:sequenceFlow sourceRef="msg_start" targetRef="by_message"/>',
                flow("by_message", "end2"))
        engine.deploy("d", {"a.bpmn": bpmn(*body, pid=key, extra=messages(m=name))})
        by_hand = engine.start(key)
        [result] = engine.correlate(name)
        assert open_tasks(engine, by_hand.id) == ["by_hand"]
        assert open_tasks(engine, result.process_instance.id) == ["by_message"]

    def test_boundary_message_interrupting(self, engine: Engine) -> None:
        key, name = uid(), uid("withdrawn")
        body = (start(), user("review"), user("archive"), end(), end("end2"),
                boundary("stop", "review", message_ref("m")),
                flow("start", "review", "end"), flow("stop", "archive", "end2"))
        engine.deploy("d", {"a.bpmn": bpmn(*body, pid=key, extra=messages(m=name))})
        pi = engine.start(key, business_key=key)
        engine.correlate(name, business_key=key, variables={"why": "customer"})
        assert open_tasks(engine, pi.id) == ["archive"]
        assert engine.variables(pi.id)["why"] == "customer"
