"""Small bundles for the resilience tests, built in memory.

Why not the demo bundles: these tests need an external task for a user topic
(``billing.charge``, which no built-in worker takes), a built-in topic that
always fails, and a process whose start fails at runtime — none of which a
demo should contain.
"""

from __future__ import annotations

import json

from tests.support import zip_files

MANIFEST = """key: {key}
name: {key} claims
numbering: "{prefix}-{{seq:05}}"
schema: forms/claim.schema.json
title: "{{{{ data.holder }}}}"
stages: [{{key: intake, name: Intake}}, {{key: assessment, name: Assessment, sla: P1D}},
         {{key: settled, name: Settled}}]
queues: [standard, fast-track]
process: processes/claim.bpmn
forms: {{assess: forms/assess.schema.json}}
hooks: [{{"on": case.stage_changed, stage: settled, set: {{status: closed}}}}]
permissions: {{create: [worker], read: [worker, manager, admin], update: [worker, manager],
              manage: [analyst, admin]}}
"""

CASE_SCHEMA = {"type": "object", "required": ["holder"], "properties": {
    "holder": {"type": "string", "minLength": 2}, "amount": {"type": "number"},
    "assessor_note": {"type": "string"}, "policy": {"type": "string"},
    "region": {"type": "string"}}}
ASSESS_SCHEMA = {"type": "object", "required": ["approved"], "properties": {
    "approved": {"type": "boolean"}, "assessor_note": {"type": "string"}}}

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    id="Definitions_claim" targetNamespace="http://casestudio.dev/test">
  <bpmn:process id="{key}" isExecutable="true" camunda:historyTimeToLive="30">
    <bpmn:startEvent id="StartEvent_1"/>
    {body}
  </bpmn:process>
</bpmn:definitions>
"""


def _flow(source: str, target: str, condition: str | None = None) -> str:
    expr = (f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}'
            '</bpmn:conditionExpression>') if condition else ""
    return (f'<bpmn:sequenceFlow id="Flow_{source}_{target}" sourceRef="{source}" '
            f'targetRef="{target}">{expr}</bpmn:sequenceFlow>')


def _external(task_id: str, topic: str, **inputs: str) -> str:
    params = "".join(f'<camunda:inputParameter name="{k}">{v}</camunda:inputParameter>'
                     for k, v in inputs.items())
    io = (f"<bpmn:extensionElements><camunda:inputOutput>{params}</camunda:inputOutput>"
          "</bpmn:extensionElements>") if params else ""
    return (f'<bpmn:serviceTask id="{task_id}" camunda:type="external" '
            f'camunda:topic="{topic}">{io}</bpmn:serviceTask>')


#: intake -> assessment stage -> billing.charge (a user worker's topic) -> assess task
CLAIM = "".join([
    _external("Task_ToAssessment", "case.set-stage", stage="assessment"),
    _external("Task_Charge", "billing.charge"),
    '<bpmn:userTask id="Task_Assess" name="Assess" camunda:formKey="form:assess" '
    'camunda:candidateGroups="worker"/>',
    '<bpmn:endEvent id="EndEvent_Done"/>',
    _flow("StartEvent_1", "Task_ToAssessment"), _flow("Task_ToAssessment", "Task_Charge"),
    _flow("Task_Charge", "Task_Assess"), _flow("Task_Assess", "EndEvent_Done")])

#: a built-in topic whose input is wrong every time: retries run out, an incident opens
FAULTY = "".join([
    _external("Task_ToNowhere", "case.set-stage", stage="nowhere"),
    '<bpmn:endEvent id="EndEvent_Done"/>',
    _flow("StartEvent_1", "Task_ToNowhere"), _flow("Task_ToNowhere", "EndEvent_Done")])

#: the first gateway reads a variable no case has: the start itself fails
BROKEN = "".join([
    '<bpmn:exclusiveGateway id="Gateway_Risk"/>',
    '<bpmn:endEvent id="EndEvent_High"/><bpmn:endEvent id="EndEvent_Low"/>',
    _flow("StartEvent_1", "Gateway_Risk"),
    _flow("Gateway_Risk", "EndEvent_High", "${risk_score &gt; 3}"),
    _flow("Gateway_Risk", "EndEvent_Low", "${risk_score &lt;= 3}")])


def claim_bundle(key: str, body: str) -> bytes:
    """A deployable bundle zip whose process is ``body`` (see the constants above)."""
    return zip_files({
        "case-type.yaml": MANIFEST.format(key=key, prefix=key[:3].upper()).encode(),
        "forms/claim.schema.json": json.dumps(CASE_SCHEMA).encode(),
        "forms/assess.schema.json": json.dumps(ASSESS_SCHEMA).encode(),
        "processes/claim.bpmn": BPMN.format(key=key, body=body).encode()})
