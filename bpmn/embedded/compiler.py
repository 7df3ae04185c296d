"""BPMN XML -> Spiff specs, with refusals that name the offending element.

Why a compiler step at deploy time: for bundles (the strict mode) everything
the engine cannot run must be refused when deployed (DESIGN §3, §5), not
discovered when an instance reaches it. Camunda's own files, deployed through
``/engine-rest`` (``mode="camunda"``), deploy as Camunda deploys them: the
rewrite of `bpmn.spiff.lenient` turns what cannot run into incidents-to-be
(``CompiledProcess.unsupported``), which only the strict mode refuses
(`check_runnable`). Parsing goes through the hardened XML parser, the shared
lint rules (without the bundle-specific checks the runtime makes), the rewrite
and our Spiff parser. Compiled specs are cached per definition id; instances
share them.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.simple import NoneEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.exceptions import SpiffWorkflowException

from bpmn.engine_errors import BadUserRequest
from bpmn.errors import XmlError
from bpmn.lint import LintMode, lint_bpmn
from bpmn.spiff.ids import ensure_flow_ids, external_id, rename_reserved_ids
from bpmn.spiff.lenient import rewrite
from bpmn.spiff.parser import EngineParser
from bpmn.spiff.specs import CamundaCallActivity, EngineTimer
from bpmn.xml import BPMN_NS, normalize_namespaces, parse_xml

#: Lint findings that depend on the bundle/runtime, not on what the engine can run.
_CONTEXT_CODES = frozenset({"form-key-unknown", "topic-unknown", "call-activity-invalid",
                            "reference-unknown"})


@dataclass(frozen=True)
class StartEvent:
    """A top-level start event: ``kind`` none|message|signal|timer."""

    activity_id: str
    kind: str
    name: str | None = None


@dataclass
class CompiledProcess:
    key: str
    name: str | None
    spec: Any
    embedded: dict[str, Any]
    called: list[str]
    starts: list[StartEvent] = field(default_factory=list)
    #: Elements that become incidents when reached (id -> reason; `bpmn.spiff.lenient`).
    unsupported: dict[str, str] = field(default_factory=dict)


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_deployable(resource: str, data: bytes, *, allow_scripts: bool,
                     mode: LintMode = "strict") -> None:
    """Refuse, naming element ids, what the lint (in ``mode``) says cannot be deployed."""
    issues = [i for i in lint_bpmn(data, allow_scripts=allow_scripts, mode=mode)
              if i.severity == "error" and i.code not in _CONTEXT_CODES]
    if issues:
        details = "; ".join(f"{i.element_id or 'document'}: {i.message}" for i in issues)
        raise BadUserRequest(f"{resource}: cannot deploy: {details}")


def check_runnable(resource: str, compiled: dict[str, CompiledProcess]) -> None:
    """The strict deploy: refuse elements the rewrite turned into incidents-to-be."""
    unsupported = {k: v for item in compiled.values() for k, v in item.unsupported.items()}
    if unsupported:
        details = "; ".join(f"{key}: {why}" for key, why in unsupported.items())
        raise BadUserRequest(f"{resource}: cannot deploy: {details}")


def compile_bpmn(resource: str, data: bytes, *,
                 allow_scripts: bool = False) -> dict[str, CompiledProcess]:
    """All executable processes of one BPMN document, by process id (= key).

    The document is first rewritten by `bpmn.spiff.lenient` (what cannot run
    becomes an external task that raises an incident; see ``unsupported``).
    """
    try:
        root = normalize_namespaces(parse_xml(data))
    except XmlError as exc:
        raise BadUserRequest(f"{resource}: {exc}") from exc
    rename_reserved_ids(root)
    ensure_flow_ids(root)
    unsupported = rewrite(root, allow_scripts=allow_scripts).unsupported
    keys = [p.get("id") for p in root.iter(f"{{{BPMN_NS}}}process")
            if (p.get("isExecutable") or "").lower() == "true"]
    parser = EngineParser()
    try:
        parser.add_bpmn_xml(root, resource)
        out = {key: _compile(parser, root, key) for key in keys if key}
    except ValidationException as exc:
        where = external_id(exc.id) if getattr(exc, "id", "") else "document"
        raise BadUserRequest(f"{resource}: {where}: {exc}") from exc
    except SpiffWorkflowException as exc:
        raise BadUserRequest(f"{resource}: {exc}") from exc
    for key, item in out.items():
        item.unsupported = {external_id(element): why for element, why in unsupported.items()
                            if element in _ids_of(root, key)}
    return out


def _ids_of(root: Any, key: str) -> set[str]:
    for process in root.iter(f"{{{BPMN_NS}}}process"):
        if process.get("id") == key:
            return {e.get("id") for e in process.iter() if isinstance(e.tag, str) and e.get("id")}
    return set()


def _compile(parser: EngineParser, root: Any, key: str) -> CompiledProcess:
    spec = parser.get_spec(key)
    subprocesses = parser.get_subprocess_specs(key, require_call_activity_specs=False)
    for item in [spec, *subprocesses.values()]:
        if item is not None:
            _prime(item)
    called = sorted(_called_keys([spec, *subprocesses.values()]))
    embedded = {name: sub for name, sub in subprocesses.items()
                if sub is not None and name not in called}
    element = root.find(f".//{{{BPMN_NS}}}process[@id='{key}']")
    name = element.get("name") if element is not None else None
    return CompiledProcess(key, name, spec, embedded, called, _starts(spec))


def _prime(spec: Any) -> None:
    """Do once, at compile time, the spec wiring Spiff would do lazily at run time.

    Why: compiled specs are shared by every instance and thread; Spiff connects
    multi-instance merge callbacks and event-subprocess triggers on first use,
    which would mutate a shared spec mid-flight (and change how later instances
    start). Event subprocesses thus start with their instance and wait at their
    start event, whatever triggers them.
    """
    for task_spec in list(spec.task_specs.values()):
        if isinstance(task_spec, LoopTask):
            child = spec.task_specs[task_spec.task_spec]
            if not child.completed_event.is_connected(task_spec.merge_child):
                child.completed_event.connect(task_spec.merge_child)
    for name in list(spec.start.trigger_specs):
        task_spec = spec.task_specs[name]
        if spec.start not in task_spec.inputs:
            spec.start.connect(task_spec)
            task_spec.connect(spec.end)


def _called_keys(specs: list[Any]) -> set[str]:
    return {task.spec for spec in specs if spec is not None
            for task in spec.task_specs.values() if isinstance(task, CamundaCallActivity)}


def _starts(spec: Any) -> list[StartEvent]:
    out = []
    for start in spec.bpmn_start_events:
        definition = start.event_definition
        activity = external_id(start.bpmn_id)
        if isinstance(definition, MessageEventDefinition):
            out.append(StartEvent(activity, "message", definition.name))
        elif isinstance(definition, SignalEventDefinition):
            out.append(StartEvent(activity, "signal", definition.name))
        elif isinstance(definition, EngineTimer):
            out.append(StartEvent(activity, "timer", definition.expression))
        elif isinstance(definition, NoneEventDefinition):
            out.append(StartEvent(activity, "none"))
    return out


class SpecCache:
    """definition id -> CompiledProcess, least recently used dropped first."""

    def __init__(self, size: int = 256) -> None:
        self._items: OrderedDict[str, CompiledProcess] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, definition_id: str) -> CompiledProcess | None:
        with self._lock:
            item = self._items.get(definition_id)
            if item is not None:
                self._items.move_to_end(definition_id)
            return item

    def put(self, definition_id: str, compiled: CompiledProcess) -> None:
        with self._lock:
            self._items[definition_id] = compiled
            self._items.move_to_end(definition_id)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
