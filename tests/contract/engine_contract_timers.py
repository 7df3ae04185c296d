"""Engine contract, part 5: timers (intermediate, boundary, start, cycles) and async jobs.

Timers need the ``advance(seconds)`` fixture: it moves the backend's notion of
time forward and lets due jobs run (the embedded engine moves its clock; a real
server sleeps).
"""

from __future__ import annotations

from collections.abc import Callable

from bpmn.engine import Engine
from bpmn.engine_types import InstanceQuery, JobQuery, TaskQuery
from tests.contract.engine_bpmn import (
    boundary,
    bpmn,
    catch,
    end,
    flow,
    start,
    timer,
    user,
)
from tests.contract.engine_contract_core import only_task, uid
from tests.contract.engine_contract_flow import open_tasks

Advance = Callable[[float], None]


class TimersContract:
    """Timers and async continuations; ``advance`` moves time and runs due jobs."""

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
        pi = engine.start(key, variables={"deadline": "2000-01-01T00:00:00Z"})
        job_due = engine.jobs(JobQuery(process_instance_id=pi.id))[0].due
        assert job_due is not None and job_due.year == 2000
        advance(1)
        assert open_tasks(engine, pi.id) == ["after"]
