"""Serializer configuration and the compact per-instance state codec.

Why our own codec on top of Spiff's converters: the stock serializer embeds
the whole process spec in every instance (most of the ~10 KB per instance in
FACTS.md) and keeps every finished task. We store the spec once per
definition, prune finished history (`bpmn.spiff.prune`) and gzip the rest, so
a waiting instance is a few hundred bytes to a couple of KB and loading it
costs the same at step 1 and step 1,000.

`ENGINE_CONFIG` also fills Spiff's gap for plain service tasks (FACTS.md) and
registers our spec classes, so full Spiff round trips work for diagnostics.
"""

from __future__ import annotations

import gzip
import json
import queue
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.event_definition import (
    TimerConditionalEventDefinitionConverter,
)
from SpiffWorkflow.bpmn.serializer.default.task_spec import (
    BpmnTaskSpecConverter,
    MultiInstanceTaskConverter,
    SubWorkflowConverter,
)
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.helpers.encoder import create_encoder
from SpiffWorkflow.bpmn.serializer.workflow import VERSION as SPIFF_STATE_VERSION
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.camunda.serializer.event_definition import (
    MessageEventDefinitionConverter as CamundaMessageConverter,
)

from bpmn.spiff.prune import prune
from bpmn.spiff.specs import (
    CamundaCallActivity,
    CamundaParallelMI,
    CamundaSequentialMI,
    EngineCycle,
    EngineDuration,
    EngineMessageEventDefinition,
    EngineTimeDate,
    ExternalServiceTask,
)

#: Stored beside every instance row so future code can migrate old states.
SERIALIZER_VERSION = f"casestudio-1/spiff-{SPIFF_STATE_VERSION}"

ENGINE_CONFIG: dict[Any, Any] = dict(CAMUNDA_CONFIG)
ENGINE_CONFIG.update({
    ServiceTask: BpmnTaskSpecConverter,
    ExternalServiceTask: BpmnTaskSpecConverter,
    CamundaParallelMI: MultiInstanceTaskConverter,
    CamundaSequentialMI: MultiInstanceTaskConverter,
    CamundaCallActivity: SubWorkflowConverter,
    EngineTimeDate: TimerConditionalEventDefinitionConverter,
    EngineDuration: TimerConditionalEventDefinitionConverter,
    EngineCycle: TimerConditionalEventDefinitionConverter,
    EngineMessageEventDefinition: CamundaMessageConverter,
})


def full_serializer() -> BpmnWorkflowSerializer:
    """A stock Spiff serializer (spec included) that knows all our classes."""
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(ENGINE_CONFIG))


class _Fallback(json.JSONEncoder):
    """Values Spiff's registry does not know (dates, decimals, sets) still serialize."""

    def default(self, o: Any) -> Any:
        if isinstance(o, date):
            return o.isoformat()
        if isinstance(o, Decimal):
            return float(o)
        if isinstance(o, set | frozenset | tuple):
            return list(o)
        return str(o)


class _Codec:
    """Converters used by one thread at a time: Spiff's registry carries a mutable
    encoder flag."""

    def __init__(self) -> None:
        self.registry = BpmnWorkflowSerializer.configure(ENGINE_CONFIG)
        self.workflow = BpmnWorkflowConverter(BpmnWorkflow, self.registry)
        self.encoder = create_encoder(self.registry, _Fallback)


#: Idle codecs. Why a pool and not one per thread: the threaded server runs each
#: connection on a new thread, and building a codec (Spiff's whole converter
#: registry) cost more than the serialization itself — a tenth of a case start.
_idle: queue.SimpleQueue[_Codec] = queue.SimpleQueue()


@contextmanager
def _codec() -> Iterator[_Codec]:
    try:
        codec = _idle.get_nowait()
    except queue.Empty:
        codec = _Codec()
    try:
        yield codec
    finally:
        _idle.put(codec)


def dump_state(workflow: BpmnWorkflow) -> bytes:
    """Prune, then serialize the instance state without its spec, gzipped."""
    prune(workflow)
    with _codec() as codec:
        codec.registry._encoder_mode = True
        try:
            dct = WorkflowConverter.to_dict(codec.workflow, workflow)
            dct["subprocesses"] = codec.workflow.mapping_to_dict(workflow.subprocesses)
            dct["bpmn_events"] = codec.registry.convert(workflow.bpmn_events)
            text = json.dumps(dct, cls=codec.encoder, separators=(",", ":"))
        finally:
            codec.registry._encoder_mode = False
    return gzip.compress(text.encode("utf-8"), compresslevel=6)


def load_state(blob: bytes, spec: Any, subprocess_specs: dict[str, Any],
               script_engine: Any) -> BpmnWorkflow:
    """Rebuild a workflow from `dump_state` output and the (cached) specs."""
    dct = json.loads(gzip.decompress(blob))
    workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine,
                            deserializing=True)
    with _codec() as codec:
        workflow.tasks = codec.workflow.mapping_from_dict(dct["tasks"], UUID,
                                                          workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        codec.workflow.set_default_attributes(workflow, dct)
        codec.workflow.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = codec.registry.restore(dct.get("bpmn_events", []))
    return workflow
