"""The Spiff layer: parser extensions, reserved ids, sandboxed scripts, state codec, pruning."""

from __future__ import annotations

import pytest
from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.util.task import TaskState

from bpmn.spiff import stepper
from bpmn.spiff.ids import external_id, internal_id, rename_reserved_ids
from bpmn.spiff.parser import EngineParser
from bpmn.spiff.script_engine import SandboxedScriptEngine
from bpmn.spiff.serializer import dump_state, full_serializer, load_state
from tests.contract.engine_bpmn import (
    bpmn,
    cond,
    end,
    external,
    flow,
    gateway,
    inputs,
    start,
    user,
)


def parse(data: bytes, pid: str = "p") -> tuple[object, dict[str, object]]:
    root = etree.fromstring(data)
    rename_reserved_ids(root)
    parser = EngineParser()
    parser.add_bpmn_xml(root)
    return parser.get_spec(pid), parser.get_subprocess_specs(pid)


def workflow(data: bytes, allow_scripts: bool = False, **variables: object) -> BpmnWorkflow:
    spec, subs = parse(data)
    wf = BpmnWorkflow(spec, subs, script_engine=SandboxedScriptEngine(allow_scripts=allow_scripts))
    wf.task_tree.data.update(variables)
    return wf


def test_every_camunda_setting_reaches_the_spec() -> None:
    io = ('<bpmn:extensionElements><camunda:properties><camunda:property name="k" value="v"/>'
          "</camunda:properties><camunda:inputOutput>"
          '<camunda:inputParameter name="to">${email}</camunda:inputParameter>'
          '<camunda:inputParameter name="tags"><camunda:list><camunda:value>a</camunda:value>'
          "</camunda:list></camunda:inputParameter>"
          '<camunda:outputParameter name="ok">${done}</camunda:outputParameter>'
          "</camunda:inputOutput></bpmn:extensionElements>")
    attrs = ('camunda:assignee="${initiator}" camunda:candidateUsers="a,b" '
             'camunda:candidateGroups="g" camunda:dueDate="P3D" camunda:followUpDate="P1D" '
             'camunda:priority="80" camunda:asyncBefore="true" camunda:formKey="form:x"')
    spec, _ = parse(bpmn(start(), user("u", attrs, io), external("s", "topic.x"), end(),
                         flow("start", "u", "s", "end")))
    ext = spec.task_specs["u"].extensions  # type: ignore[attr-defined]
    assert ext["assignee"] == "${initiator}" and ext["candidateUsers"] == "a,b"
    assert (ext["dueDate"], ext["followUpDate"], ext["priority"]) == ("P3D", "P1D", "80")
    assert ext["asyncBefore"] == "true" and ext["properties"] == {"k": "v"}
    assert ext["inputParameters"] == {"to": {"text": "${email}"},
                                      "tags": {"list": [{"text": "a"}]}}
    assert ext["outputParameters"] == {"ok": {"text": "${done}"}}
    service = spec.task_specs["s"].extensions  # type: ignore[attr-defined]
    assert (service["type"], service["topic"]) == ("external", "topic.x")


def test_reserved_ids_are_renamed_and_reported_back() -> None:
    root = etree.fromstring(bpmn(start("Start"), end("End"), flow("Start", "End")))
    assert rename_reserved_ids(root) == 2
    assert internal_id("Start") != "Start" and external_id(internal_id("End")) == "End"
    assert external_id("review") == "review"
    wf = workflow(bpmn(start("Start"), user("u"), end("End"), flow("Start", "u", "End")))
    stepper.run(wf)
    assert [t.task_spec.name for t in wf.get_tasks(state=TaskState.READY)] == ["u"]


def test_gateway_conditions_use_the_sandbox_not_eval() -> None:
    body = (start(), gateway("exclusiveGateway", "g"), user("yes"), user("no"), end(),
            end("e2"), flow("start", "g"), cond("g", "yes", "${__import__('os') != None}"),
            cond("g", "no", "${true}"), flow("yes", "end"), flow("no", "e2"))
    wf = workflow(bpmn(*body))
    with pytest.raises(stepper.StepError, match="g"):
        stepper.run(wf)


def test_script_tasks_are_refused_unless_allowed_and_only_assign() -> None:
    script = ('<bpmn:scriptTask id="calc"><bpmn:script>total = a * 2\n# note\nflag = total &gt; 3'
              "</bpmn:script></bpmn:scriptTask>")
    data = bpmn(start(), script, user("u"), end(), flow("start", "calc", "u", "end"))
    with pytest.raises(stepper.StepError, match="disabled"):
        stepper.run(workflow(data, a=2))
    wf = workflow(data, allow_scripts=True, a=2)
    stepper.run(wf)
    [ready] = wf.get_tasks(state=TaskState.READY)
    assert (ready.data["total"], ready.data["flag"]) == (4, True)
    evil = SandboxedScriptEngine(allow_scripts=True)
    with pytest.raises(WorkflowTaskException, match="only 'name = expression'"):
        evil.execute(ready, "import os")


def test_full_spiff_round_trip_with_service_tasks() -> None:
    wf = workflow(bpmn(start(), external("s", "t", inputs(a="1")), end(),
                       flow("start", "s", "end")))
    stepper.run(wf)
    serializer = full_serializer()
    restored = serializer.deserialize_json(serializer.serialize_json(wf))
    [task] = restored.get_tasks(state=TaskState.STARTED)
    assert task.task_spec.extensions["topic"] == "t"


def _loop_process() -> bytes:
    body = (start(), gateway("exclusiveGateway", "merge"), gateway("parallelGateway", "fork"),
            user("a"), user("b"), gateway("parallelGateway", "join"),
            gateway("exclusiveGateway", "again"), end(), flow("start", "merge", "fork"),
            flow("fork", "a", "join"), flow("fork", "b", "join"), flow("join", "again"),
            cond("again", "merge", "${n < 1000}"), cond("again", "end", "${n >= 1000}"))
    return bpmn(*body)


def test_pruned_state_stays_flat_in_a_looping_parallel_process() -> None:
    spec, subs = parse(_loop_process())
    engine = SandboxedScriptEngine()
    wf = BpmnWorkflow(spec, subs, script_engine=engine)
    wf.task_tree.data["n"] = 0
    stepper.run(wf)
    sizes = []
    for n in range(60):
        for task in wf.get_tasks(state=TaskState.READY):
            task.data["n"] = n
            task.run()
            stepper.run(wf)
        blob = dump_state(wf)
        sizes.append((len(blob), len(wf.tasks)))
        wf = load_state(blob, spec, subs, engine)
        assert sorted(t.task_spec.name for t in wf.get_tasks(state=TaskState.READY)) == ["a", "b"]
    assert sizes[-1][1] == sizes[5][1]
    assert sizes[-1][0] <= sizes[5][0] + 64
    assert sizes[-1][0] < 2_000
