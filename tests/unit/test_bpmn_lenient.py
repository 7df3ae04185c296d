"""`bpmn.spiff.lenient` and ``Engine.deploy(mode=...)``: Camunda files deploy as Camunda
deploys them, bundles stay strict, and the rewritten processes run as Camunda runs them."""

from __future__ import annotations

import pytest

from bpmn.embedded import EmbeddedEngine
from bpmn.embedded.compiler import compile_bpmn
from bpmn.engine_errors import BadUserRequest
from bpmn.engine_types import ExternalTaskQuery, IncidentQuery, TaskQuery
from bpmn.spiff.lenient import REASON_PROPERTY, UNSUPPORTED_TOPIC
from tests.contract.engine_bpmn import bpmn, cond, end, flow, start, user

JAVA = (start(), '<bpmn:serviceTask id="java" camunda:class="org.example.Charge"/>', end(),
        flow("start", "java", "end"))


def unsupported(data: bytes, allow_scripts: bool = False) -> dict[str, str]:
    compiled = compile_bpmn("t.bpmn", data, allow_scripts=allow_scripts)
    return {k: v for item in compiled.values() for k, v in item.unsupported.items()}


def test_strict_deploys_refuse_and_camunda_deploys_accept_naming_the_element(
        engine: EmbeddedEngine) -> None:
    data = bpmn(*JAVA, pid="pay")
    with pytest.raises(BadUserRequest, match="java: camunda:class on serviceTask"):
        engine.deploy("strict", {"pay.bpmn": data})
    deployed = engine.deploy("camunda", {"pay.bpmn": data}, mode="camunda")
    assert [d.key for d in deployed.process_definitions] == ["pay"]


def test_reaching_an_unsupported_element_opens_an_incident_not_a_deploy_error(
        engine: EmbeddedEngine) -> None:
    engine.deploy("c", {"pay.bpmn": bpmn(*JAVA, pid="pay")}, mode="camunda")
    started = engine.start("pay")
    [incident] = engine.incidents(IncidentQuery(process_instance_id=started.id))
    assert incident.type == "failedExternalTask" and incident.activity_id == "java"
    assert "serviceTask 'java'" in (incident.message or "")
    assert "camunda:class 'org.example.Charge' is Java code" in (incident.message or "")
    [task] = engine.external_tasks(ExternalTaskQuery(process_instance_id=started.id))
    assert (task.topic, task.retries) == (UNSUPPORTED_TOPIC, 0)
    assert REASON_PROPERTY in task.extension_properties


def test_scripts_run_where_allowed_and_are_incidents_elsewhere() -> None:
    python = '<bpmn:scriptTask id="calc" scriptFormat="python"><bpmn:script>x = 1' \
             "</bpmn:script></bpmn:scriptTask>"
    groovy = python.replace("python", "groovy")
    body = (start(), end(), flow("start", "calc", "end"))
    assert unsupported(bpmn(python, *body), allow_scripts=True) == {}
    assert "not allowed" in unsupported(bpmn(python, *body))["calc"]
    assert "'groovy' cannot run" in unsupported(bpmn(groovy, *body), allow_scripts=True)["calc"]


def test_a_scripted_input_parameter_makes_its_activity_unsupported() -> None:
    task = ('<bpmn:serviceTask id="ext" camunda:type="external" camunda:topic="t">'
            '<bpmn:extensionElements><camunda:inputOutput><camunda:inputParameter name="v">'
            '<camunda:script scriptFormat="javascript">1</camunda:script>'
            "</camunda:inputParameter></camunda:inputOutput></bpmn:extensionElements>"
            "</bpmn:serviceTask>")
    found = unsupported(bpmn(start(), task, end(), flow("start", "ext", "end")))
    assert found == {"ext": "input/output parameter 'v' is a script"}


def test_data_stores_and_objects_are_ignored(engine: EmbeddedEngine) -> None:
    body = ('<bpmn:dataStoreReference id="ref" dataStoreRef="store"/>'
            '<bpmn:dataObject id="obj"/><bpmn:dataObjectReference id="objRef" '
            'dataObjectRef="obj"/>' + user("u", inner='<bpmn:dataOutputAssociation id="o">'
                                                      "<bpmn:targetRef>ref</bpmn:targetRef>"
                                                      "</bpmn:dataOutputAssociation>"))
    data = bpmn(start(), body, end(), flow("start", "u", "end"), pid="data",
                extra='<bpmn:dataStore id="store" name="Accounting"/>')
    engine.deploy("d", {"d.bpmn": data}, mode="camunda")
    [task] = engine.tasks(TaskQuery(process_instance_id=engine.start("data").id))
    engine.complete(task.id)
    assert engine.instances() == [] or all(i.state != "ACTIVE" for i in engine.instances())


def test_loop_data_input_ref_is_the_collection(engine: EmbeddedEngine) -> None:
    loop = ('<bpmn:multiInstanceLoopCharacteristics isSequential="false">'
            "<bpmn:loopDataInputRef>people</bpmn:loopDataInputRef>"
            '<bpmn:inputDataItem name="person"/></bpmn:multiInstanceLoopCharacteristics>')
    data = bpmn(start(), user("ask", 'camunda:assignee="${person}"', loop), end(),
                flow("start", "ask", "end"), pid="mi")
    engine.deploy("mi", {"mi.bpmn": data}, mode="camunda")
    started = engine.start("mi", variables={"people": ["ann", "bob"]})
    tasks = engine.tasks(TaskQuery(process_instance_id=started.id))
    assert sorted(t.assignee or "" for t in tasks) == ["ann", "bob"]


def test_link_events_are_the_sequence_flow_they_stand_for(engine: EmbeddedEngine) -> None:
    body = ('<bpmn:intermediateThrowEvent id="go"><bpmn:linkEventDefinition name="L"/>'
            '</bpmn:intermediateThrowEvent><bpmn:intermediateCatchEvent id="land">'
            '<bpmn:linkEventDefinition name="L"/></bpmn:intermediateCatchEvent>')
    data = bpmn(start(), body, user("after"), end(), flow("start", "go"),
                flow("land", "after", "end"), pid="link")
    engine.deploy("l", {"l.bpmn": data}, mode="camunda")
    [task] = engine.tasks(TaskQuery(process_instance_id=engine.start("link").id))
    assert task.task_definition_key == "after"


def test_a_sub_process_without_an_end_event_ends_implicitly(engine: EmbeddedEngine) -> None:
    sub = ('<bpmn:subProcess id="sub"><bpmn:startEvent id="s2"/>'
           f'{user("inner")}{flow("s2", "inner")}</bpmn:subProcess>')
    data = bpmn(start(), sub, user("after"), end(), flow("start", "sub", "after", "end"),
                pid="implicit")
    engine.deploy("i", {"i.bpmn": data}, mode="camunda")
    pid = engine.start("implicit").id
    [inner] = engine.tasks(TaskQuery(process_instance_id=pid))
    engine.complete(inner.id)
    [after] = engine.tasks(TaskQuery(process_instance_id=pid))
    assert after.task_definition_key == "after"


def test_several_flows_leaving_an_activity_split_in_parallel(engine: EmbeddedEngine) -> None:
    data = bpmn(start(), user("a"), user("b"), user("c"), end("e1"), end("e2"),
                flow("start", "a"), flow("a", "b", "e1"), flow("a", "c", "e2"), pid="split")
    engine.deploy("s", {"s.bpmn": data}, mode="camunda")
    pid = engine.start("split").id
    [first] = engine.tasks(TaskQuery(process_instance_id=pid))
    engine.complete(first.id)
    keys = sorted(t.task_definition_key for t in engine.tasks(TaskQuery(process_instance_id=pid)))
    assert keys == ["b", "c"]


def test_conditional_flows_leaving_an_activity_split_inclusively(
        engine: EmbeddedEngine) -> None:
    """Camunda takes each flow whose condition holds, and every unconditional one."""
    data = bpmn(start(), user("a"), user("b"), user("c"), end("e1"), end("e2"),
                flow("start", "a"), cond("a", "b", "${x > 1}"), flow("a", "c"),
                flow("b", "e1"), flow("c", "e2"), pid="inclusive")
    engine.deploy("s", {"s.bpmn": data}, mode="camunda")
    taken = {}
    for x in (0, 5):
        pid = engine.start("inclusive", variables={"x": x}).id
        [first] = engine.tasks(TaskQuery(process_instance_id=pid))
        engine.complete(first.id)
        taken[x] = sorted(t.task_definition_key
                          for t in engine.tasks(TaskQuery(process_instance_id=pid)))
    assert taken == {0: ["c"], 5: ["b", "c"]}


@pytest.mark.parametrize(("data", "words"), [
    (b"<bpmn:definitions", "malformed"),
    (bpmn(start(), end(), flow("start", "end")).replace(b'"true"', b'"false"'),
     "no executable process"),
])
def test_camunda_mode_still_refuses_broken_documents(engine: EmbeddedEngine, data: bytes,
                                                     words: str) -> None:
    with pytest.raises(BadUserRequest, match=words):
        engine.deploy("bad", {"bad.bpmn": data}, mode="camunda")
