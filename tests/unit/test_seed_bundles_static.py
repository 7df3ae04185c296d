"""Static checks of the demo case-type bundles in ``seed/bundles/``.

Why static: the bundles are both the demo and the end-to-end fixtures of the engine and
the case runtime. These checks catch a dangling reference, an invalid schema, a BPMN
branch without a condition or a diagram a viewer cannot draw without starting
CaseStudio, so the bundles stay trustworthy while the runtime is built around them.
"""

from __future__ import annotations

import json
import re
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
import SpiffWorkflow.bpmn.parser as spiff_parser
import yaml
from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from jsonschema import Draft202012Validator
from lxml import etree
from SpiffWorkflow.camunda.parser import CamundaParser

ROOT = Path(__file__).resolve().parents[2]
BUNDLES = ROOT / "seed" / "bundles"
KEYS = ["grant", "complaint", "onboarding"]
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
NS = {"bpmn": BPMN, "camunda": CAMUNDA, "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "dc": "http://www.omg.org/spec/DD/20100524/DC", "di": "http://www.omg.org/spec/DD/20100524/DI"}
ROLES = {"worker", "manager", "analyst", "admin"}
TOPIC_INPUTS = {"case.set-stage": {"stage"}, "case.set-status": {"status"},
                "case.set-queue": {"queue"}, "case.update": {"data"},
                "case.notify": {"to", "message"}, "email.send": {"to", "subject", "body"}}
NOT_NODES = {"sequenceFlow", "documentation", "extensionElements"}
EXPRESSION_WORDS = {"true", "false", "null", "and", "or", "not", "eq", "ne", "lt", "gt", "le",
                    "ge", "empty", "div", "mod"}
ENGINE_VARIABLES = {"caseId", "caseNumber", "caseType"}
DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$")
by_key = pytest.mark.parametrize("key", KEYS)


# ------------------------------------------------------------------ loading helpers
@cache
def manifest(key: str) -> dict[str, Any]:
    return dict(yaml.safe_load((BUNDLES / key / "case-type.yaml").read_text(encoding="utf-8")))


@cache
def load_json(key: str, rel: str) -> Any:
    return json.loads((BUNDLES / key / rel).read_text(encoding="utf-8"))


def form_refs(key: str) -> dict[str, dict[str, str]]:
    """Task forms as ``{formKey: {"schema": path, "ui"?: path}}`` whichever way declared."""
    return {k: ({"schema": v} if isinstance(v, str) else v)
            for k, v in manifest(key).get("forms", {}).items()}


def schema_files(key: str) -> list[str]:
    return [manifest(key)["schema"], *(f["schema"] for f in form_refs(key).values())]


def bpmn_files(key: str) -> list[str]:
    return [manifest(key)["process"], *manifest(key).get("resources", [])]


@cache
def bpmn(key: str, rel: str) -> etree._Element:
    """Parse hardened: no entity expansion, no network, like the deployer must."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring((BUNDLES / key / rel).read_bytes(), parser)


def all_bpmn(key: str, xpath: str) -> list[etree._Element]:
    return [el for rel in bpmn_files(key) for el in bpmn(key, rel).xpath(xpath, namespaces=NS)]


def flow_nodes(process: etree._Element) -> list[etree._Element]:
    return [el for el in process if etree.QName(el).localname not in NOT_NODES]


def inputs(task: etree._Element) -> dict[str, Any]:
    """``camunda:inputParameter`` values: text, or a dict for ``camunda:map``."""
    out: dict[str, Any] = {}
    for param in task.iterfind(".//camunda:inputParameter", NS):
        entries = param.findall("camunda:map/camunda:entry", NS)
        out[param.get("name")] = ({e.get("key"): e.text for e in entries} if entries
                                  else (param.text or "").strip())
    return out


def error_paths(schema: dict[str, Any], doc: Any) -> set[str]:
    """JSON Pointers of all errors; a missing property is reported at its own path."""
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    paths = set()
    for error in validator.iter_errors(doc):
        base = "".join(f"/{part}" for part in error.absolute_path)
        if error.validator in ("required", "dependentRequired"):
            wanted = error.validator_value
            if error.validator == "dependentRequired":
                wanted = [n for k, deps in wanted.items() if k in error.instance for n in deps]
            paths |= {f"{base}/{name}" for name in wanted if name not in error.instance}
        else:
            paths.add(base)
    return paths


def resolve(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    """Merge a local ``$ref`` target under the node's own keywords (2020-12 semantics)."""
    if "$ref" not in node:
        return node
    target: Any = root
    for part in node["$ref"].removeprefix("#/").split("/"):
        target = target[part]
    return {**resolve(target, root), **{k: v for k, v in node.items() if k != "$ref"}}


# ------------------------------------------------------------------ manifest and files
@by_key
def test_manifest_matches_the_published_bundle_schema(key: str) -> None:
    schema = json.loads((ROOT / "runtime" / "bundles" / "bundle.schema.json").read_text())
    errors = [e.message for e in Draft202012Validator(schema).iter_errors(manifest(key))]
    assert errors == []
    assert manifest(key)["key"] == key
    assert set(manifest(key)["permissions"]) == {"create", "read", "update", "manage"}
    assert {r for roles in manifest(key)["permissions"].values() for r in roles} <= ROLES


@by_key
def test_every_referenced_file_exists(key: str) -> None:
    m = manifest(key)
    refs = [m["schema"], m["ui"], *bpmn_files(key)]
    refs += [p for f in form_refs(key).values() for p in f.values()]
    assert [r for r in refs if not (BUNDLES / key / r).is_file()] == []


@by_key
def test_numbering_and_title_template(key: str) -> None:
    tokens = re.findall(r"\{([^}]*)\}", manifest(key)["numbering"])
    assert all(re.fullmatch(r"yyyy|yy|mm|dd|seq(:0\d)?", t) for t in tokens), tokens
    assert sum(t.startswith("seq") for t in tokens) == 1
    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
    template = env.from_string(manifest(key)["title"])
    expected = load_json(key, "samples/expected.json")["title"]
    assert template.render(data=load_json(key, "samples/valid.json")) == expected


# ------------------------------------------------------------------ JSON schemas
@by_key
def test_every_form_schema_is_valid_2020_12_with_local_refs_only(key: str) -> None:
    for rel in schema_files(key):
        schema = load_json(key, rel)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema", rel
        Draft202012Validator.check_schema(schema)
        refs = re.findall(r'"\$ref":\s*"([^"]*)"', json.dumps(schema))
        assert all(r.startswith("#/") for r in refs), (rel, refs)


def untitled_fields(node: dict[str, Any], root: dict[str, Any], path: str) -> list[str]:
    """Paths of properties lacking a title or description, searched recursively."""
    node = resolve(node, root)
    found = []
    for name, prop in node.get("properties", {}).items():
        full = resolve(prop, root)
        if not (full.get("title") and full.get("description")):
            found.append(f"{path}/{name}")
        found += untitled_fields(full, root, f"{path}/{name}")
    if isinstance(node.get("items"), dict):
        found += untitled_fields(node["items"], root, f"{path}/items")
    return found


@by_key
def test_every_field_has_a_title_and_description(key: str) -> None:
    for rel in schema_files(key):
        schema = load_json(key, rel)
        assert untitled_fields(schema, schema, "") == [], rel


def ui_problems(ui: dict[str, Any], node: dict[str, Any], root: dict[str, Any],
                path: str) -> list[str]:
    """UI keys without a schema field, and ``ui:order`` lists that miss or invent fields."""
    node = resolve(node, root)
    props = node.get("properties", {})
    problems = []
    if "ui:order" in ui and set(ui["ui:order"]) != set(props):
        problems.append(f"{path}: ui:order {sorted(set(ui['ui:order']) ^ set(props))}")
    for name, sub in ui.items():
        if name == "items" and isinstance(node.get("items"), dict):
            problems += ui_problems(sub, node["items"], root, f"{path}/items")
        elif not name.startswith("ui:"):
            if name not in props:
                problems.append(f"{path}/{name}: not in the schema")
                continue
            problems += ui_problems(sub, props[name], root, f"{path}/{name}")
    return problems


@by_key
def test_ui_schemas_only_name_fields_that_exist(key: str) -> None:
    pairs = [(manifest(key)["ui"], manifest(key)["schema"])]
    pairs += [(f["ui"], f["schema"]) for f in form_refs(key).values() if "ui" in f]
    for ui_rel, schema_rel in pairs:
        schema = load_json(key, schema_rel)
        assert ui_problems(load_json(key, ui_rel), schema, schema, "") == [], ui_rel


@by_key
def test_samples_validate_and_the_invalid_one_fails_where_expected(key: str) -> None:
    schema = load_json(key, manifest(key)["schema"])
    assert error_paths(schema, load_json(key, "samples/valid.json")) == set()
    expected = set(load_json(key, "samples/expected.json")["invalid_error_paths"])
    assert error_paths(schema, load_json(key, "samples/invalid.json")) == expected


@by_key
def test_task_samples_cover_every_form_and_validate(key: str) -> None:
    samples = load_json(key, "samples/tasks.json")
    assert set(samples) == set(form_refs(key))
    for form, variants in samples.items():
        schema = load_json(key, form_refs(key)[form]["schema"])
        for name, data in variants.items():
            assert error_paths(schema, data) == set(), f"{form}/{name}"


def test_complaint_email_intake_alone_makes_a_valid_case() -> None:
    email_case = load_json("complaint", "samples/email.json")
    assert set(email_case) <= set(manifest("complaint")["intake"]["email"]["map"])
    assert error_paths(load_json("complaint", "forms/complaint.schema.json"), email_case) == set()


@by_key
def test_intake_maps_only_to_case_fields(key: str) -> None:
    mapped = manifest(key).get("intake", {}).get("email", {}).get("map", {})
    assert set(mapped) <= set(load_json(key, manifest(key)["schema"])["properties"])


# ------------------------------------------------------------------ BPMN
@by_key
def test_bpmn_is_schema_valid_and_executable(key: str) -> None:
    xsd = Path(spiff_parser.__file__).parent / "schema" / "BPMN20.xsd"
    schema = etree.XMLSchema(etree.parse(str(xsd), etree.XMLParser(no_network=True)))
    for rel in bpmn_files(key):
        schema.assertValid(bpmn(key, rel).getroottree())
        processes = bpmn(key, rel).findall("bpmn:process", NS)
        assert [p.get("isExecutable") for p in processes] == ["true"], rel
    assert all_bpmn(key, "bpmn:process/@id")[0] == key


@by_key
def test_spiffworkflow_loads_the_processes_and_their_called_processes(key: str) -> None:
    parser = CamundaParser()
    for rel in bpmn_files(key):
        parser.add_bpmn_str((BUNDLES / key / rel).read_bytes())
    assert parser.get_spec(key).name == key
    called = set(all_bpmn(key, "//bpmn:callActivity/@calledElement"))
    assert set(parser.get_subprocess_specs(key)) == called


@by_key
def test_every_flow_node_and_flow_is_drawn(key: str) -> None:
    for rel in bpmn_files(key):
        root = bpmn(key, rel)
        nodes = {n.get("id") for p in root.iterfind("bpmn:process", NS) for n in flow_nodes(p)}
        shapes = {s.get("bpmnElement"): s for s in root.iterfind(".//bpmndi:BPMNShape", NS)}
        assert set(shapes) == nodes, rel
        for flow in root.iterfind(".//bpmn:sequenceFlow", NS):
            edge = root.find(f".//bpmndi:BPMNEdge[@bpmnElement='{flow.get('id')}']", NS)
            points = [(float(w.get("x")), float(w.get("y")))
                      for w in edge.iterfind("di:waypoint", NS)]
            assert on_border(points[0], shapes[flow.get("sourceRef")]), flow.get("id")
            assert on_border(points[-1], shapes[flow.get("targetRef")]), flow.get("id")
            assert all(a[0] == b[0] or a[1] == b[1] for a, b in pairwise(points))


def on_border(point: tuple[float, float], shape: etree._Element) -> bool:
    b = shape.find("dc:Bounds", NS)
    x, y, w, h = (float(b.get(k)) for k in ("x", "y", "width", "height"))
    inside = x - 1 <= point[0] <= x + w + 1 and y - 1 <= point[1] <= y + h + 1
    return inside and any(abs(a - c) <= 1 for a, c in ((point[0], x), (point[0], x + w),
                                                       (point[1], y), (point[1], y + h)))


@by_key
def test_user_tasks_use_declared_forms_and_roles(key: str) -> None:
    tasks = all_bpmn(key, "//bpmn:userTask")
    used = {t.get(f"{{{CAMUNDA}}}formKey").removeprefix("form:") for t in tasks}
    assert used == set(form_refs(key))
    assert all(t.get(f"{{{CAMUNDA}}}formKey").startswith("form:") for t in tasks)
    assert all(set(t.get(f"{{{CAMUNDA}}}candidateGroups").split(",")) <= ROLES for t in tasks)


@by_key
def test_service_tasks_are_built_in_topics_with_known_values(key: str) -> None:
    m, valid = manifest(key), load_json(key, "samples/valid.json")
    known = {"stage": {s["key"] for s in m["stages"]}, "queue": set(m["queues"]),
             "status": {"open", "closed", "archived"}}
    for task in all_bpmn(key, "//bpmn:serviceTask"):
        assert task.get(f"{{{CAMUNDA}}}type") == "external"
        given = inputs(task)
        assert set(given) == TOPIC_INPUTS[task.get(f"{{{CAMUNDA}}}topic")], task.get("id")
        for name in set(known) & set(given):
            assert given[name] in known[name], task.get("id")
        if "data" in given:
            update = given["data"] if isinstance(given["data"], dict) else json.loads(given["data"])
            schema = load_json(key, m["schema"])
            assert error_paths(schema, {**valid, **update}) == set(), task.get("id")


@by_key
def test_hooks_name_known_tasks_stages_and_queues(key: str) -> None:
    m = manifest(key)
    task_ids = {t.get("id") for t in all_bpmn(key, "//bpmn:userTask")}
    known = {"task": task_ids, "stage": {s["key"] for s in m["stages"]}, "queue": set(m["queues"])}
    for hook in m.get("hooks", []):
        named = {**hook["set"], **({"task": hook["task"]} if "task" in hook else {})}
        assert all(named[k] in known[k] for k in set(named) & set(known)), hook


@by_key
def test_gateway_branches_have_conditions_except_the_default(key: str) -> None:
    for gateway in all_bpmn(key, "//bpmn:exclusiveGateway"):
        flows = gateway.xpath("../bpmn:sequenceFlow[@sourceRef=$id]", namespaces=NS,
                              id=gateway.get("id"))
        if len(flows) < 2:
            continue
        for flow in flows:
            has_condition = flow.find("bpmn:conditionExpression", NS) is not None
            assert has_condition != (flow.get("id") == gateway.get("default")), flow.get("id")


@by_key
def test_expressions_only_use_variables_that_always_exist(key: str) -> None:
    def required(rel: str) -> set[str]:
        return set(load_json(key, rel).get("required", []))
    available = ENGINE_VARIABLES | {n for rel in schema_files(key) for n in required(rel)}
    for rel in bpmn_files(key):
        for expression in re.findall(r"\$\{(.*?)\}", (BUNDLES / key / rel).read_text()):
            names = set(re.findall(r"[A-Za-z_]\w*", re.sub(r"'[^']*'", "", expression)))
            assert names - EXPRESSION_WORDS <= available, expression


@by_key
def test_every_node_is_reachable_and_reaches_an_end(key: str) -> None:
    for process in all_bpmn(key, "//bpmn:process"):
        edges = [(f.get("sourceRef"), f.get("targetRef"))
                 for f in process.iterfind("bpmn:sequenceFlow", NS)]
        edges += [(b.get("attachedToRef"), b.get("id"))
                  for b in process.iterfind("bpmn:boundaryEvent", NS)]
        nodes = {n.get("id"): etree.QName(n).localname for n in flow_nodes(process)}
        starts = {i for i, kind in nodes.items() if kind == "startEvent"}
        ends = {i for i, kind in nodes.items() if kind == "endEvent"}
        assert closure(starts, edges) == set(nodes)
        assert closure(ends, [(b, a) for a, b in edges]) == set(nodes)
        assert not {"Start", "End"} & set(nodes)


def closure(seeds: set[str], edges: list[tuple[str, str]]) -> set[str]:
    seen, todo = set(seeds), list(seeds)
    while todo:
        node = todo.pop()
        for nxt in (b for a, b in edges if a == node and b not in seen):
            seen.add(nxt)
            todo.append(nxt)
    return seen


@by_key
def test_events_refer_to_defined_messages_errors_timers_and_processes(key: str) -> None:
    messages = {m.get("id"): m.get("name") for m in all_bpmn(key, "//bpmn:message")}
    errors = {e.get("id"): e.get("errorCode") for e in all_bpmn(key, "//bpmn:error")}
    assert all_bpmn(key, "//bpmn:scriptTask") == []
    assert all(r in messages for r in all_bpmn(key, "//bpmn:messageEventDefinition/@messageRef"))
    assert all(r in errors for r in all_bpmn(key, "//bpmn:errorEventDefinition/@errorRef"))
    caught = all_bpmn(key, "//bpmn:boundaryEvent/bpmn:errorEventDefinition/@errorRef")
    thrown = all_bpmn(key, "//bpmn:endEvent/bpmn:errorEventDefinition/@errorRef")
    assert {errors[r] for r in caught} <= {errors[r] for r in thrown}
    assert all(messages.values())
    assert all(DURATION.match(d.text) for d in all_bpmn(key, "//bpmn:timeDuration"))
    called = set(all_bpmn(key, "//bpmn:callActivity/@calledElement"))
    assert called <= set(all_bpmn(key, "//bpmn:process/@id"))


def test_the_bundles_together_exercise_every_feature_the_runtime_must_run() -> None:
    def count(xpath: str) -> int:
        return sum(len(all_bpmn(key, xpath)) for key in KEYS)
    topics = {t for key in KEYS for t in all_bpmn(key, "//bpmn:serviceTask/@camunda:topic")}
    assert topics == set(TOPIC_INPUTS)
    assert count("//bpmn:parallelGateway") >= 2 and count("//bpmn:eventBasedGateway") >= 1
    assert count("//bpmn:callActivity") >= 1 and count("//bpmn:userTask") >= 10
    assert count("//bpmn:boundaryEvent[@cancelActivity='false']/bpmn:timerEventDefinition") >= 3
    assert count("//bpmn:boundaryEvent/bpmn:errorEventDefinition") >= 1
    assert count("//bpmn:intermediateCatchEvent/bpmn:timerEventDefinition") >= 1
    messages = {m for key in KEYS for m in all_bpmn(key, "//bpmn:message/@name")}
    assert "documents-received" in messages
    both = [g for key in KEYS for g in all_bpmn(key, "//bpmn:exclusiveGateway[not(@default)]")
            if len(g.xpath("../bpmn:sequenceFlow[@sourceRef=$i]/bpmn:conditionExpression",
                           namespaces=NS, i=g.get("id"))) >= 2]
    assert len(both) >= 2
