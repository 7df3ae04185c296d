"""The bundle a new case type starts from: one field, one stage, one user task.

Why a working template instead of an empty manifest: an analyst who has never
seen a bundle gets something that validates, test-runs and deploys at once,
and learns the format by changing it.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

MANIFEST = "case-type.yaml"
TASK_FORM = "work"
DEFAULT_PERMISSIONS = {"create": ["worker", "manager"], "read": ["worker", "manager", "analyst"],
                       "update": ["worker", "manager"], "manage": ["analyst"]}


def template_files(key: str, name: str, description: str = "") -> dict[str, str]:
    """Every file of a fresh bundle for ``key`` (paths -> text)."""
    schema, ui = f"forms/{key}.schema.json", f"forms/{key}.ui.json"
    task_schema, task_ui = f"forms/{TASK_FORM}.schema.json", f"forms/{TASK_FORM}.ui.json"
    process = f"processes/{key}.bpmn"
    manifest: dict[str, Any] = {
        "key": key, "name": name, "description": description,
        "numbering": numbering_prefix(key) + "-{yyyy}-{seq:05}", "schema": schema, "ui": ui,
        "title": "{{ data.description }}", "stages": [{"key": "open", "name": "Open"}],
        "queues": ["standard"], "process": process,
        "forms": {TASK_FORM: {"schema": task_schema, "ui": task_ui}},
        "permissions": DEFAULT_PERMISSIONS}
    if not description:
        manifest.pop("description")
    return {MANIFEST: dump_manifest(manifest), schema: _json(_case_schema()),
            ui: _json({"ui:order": ["description"]}),
            task_schema: _json(_task_schema()),
            task_ui: _json({"outcome": {"ui:widget": "textarea"}}),
            process: _process(key, name)}


def numbering_prefix(key: str) -> str:
    """``grant`` -> ``GRANT``; only letters and digits reach the number pattern."""
    letters = "".join(ch for ch in key.upper() if ch.isalnum())
    return letters[:8] or "CASE"


def dump_manifest(manifest: dict[str, Any]) -> str:
    """YAML in the manifest's own order; ``on`` keys come out quoted (YAML 1.1 safe)."""
    return yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True, width=100)


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def _case_schema() -> dict[str, Any]:
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
            "properties": {"description": {"type": "string", "title": "Description",
                                           "maxLength": 2000}}}


def _task_schema() -> dict[str, Any]:
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
            "properties": {"outcome": {"type": "string", "title": "Outcome"}}}


def _process(key: str, name: str) -> str:
    """Start -> user task (form ``work``) -> end, with diagram coordinates."""
    safe = (name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" \
xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" \
xmlns:di="http://www.omg.org/spec/DD/20100524/DI" \
xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_{key}" \
targetNamespace="http://casestudio.dev/bpmn/studio" exporter="CaseStudio" exporterVersion="0.1.0">
  <bpmn:process id="{_process_id(key)}" name="{safe}" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" name="Case created">
      <bpmn:outgoing>Flow_1</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:userTask id="Task_Work" name="Work on the case" camunda:formKey="form:{TASK_FORM}" \
camunda:candidateGroups="worker">
      <bpmn:incoming>Flow_1</bpmn:incoming>
      <bpmn:outgoing>Flow_2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="EndEvent_1" name="Done">
      <bpmn:incoming>Flow_2</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Task_Work" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_Work" targetRef="EndEvent_1" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="Diagram_1">
    <bpmndi:BPMNPlane id="Plane_1" bpmnElement="{_process_id(key)}">
      <bpmndi:BPMNShape id="StartEvent_1_di" bpmnElement="StartEvent_1">
        <dc:Bounds x="152" y="102" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Task_Work_di" bpmnElement="Task_Work">
        <dc:Bounds x="240" y="80" width="100" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="EndEvent_1_di" bpmnElement="EndEvent_1">
        <dc:Bounds x="392" y="102" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="Flow_1_di" bpmnElement="Flow_1">
        <di:waypoint x="188" y="120" />
        <di:waypoint x="240" y="120" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_2_di" bpmnElement="Flow_2">
        <di:waypoint x="340" y="120" />
        <di:waypoint x="392" y="120" />
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def _process_id(key: str) -> str:
    """BPMN ids are NCNames: ``my-type`` -> ``Process_my_type``."""
    return "Process_" + "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in key)
