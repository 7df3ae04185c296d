"""Reading ``camunda:*`` settings, multi-instance loops and event definitions.

Why a separate module: these mixins carry the knowledge of Camunda's XML
(attributes, ``camunda:inputOutput``, ``camunda:in``/``out``, properties,
``camunda:collection``) and turn it into plain JSON ``extensions`` and our
spec classes; `bpmn.spiff.parser` only wires them onto Spiff's parsers.
"""

from __future__ import annotations

import re
from typing import Any

from SpiffWorkflow.bpmn.parser.util import first
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.data_spec import TaskDataReference

from bpmn.spiff.specs import (
    CamundaParallelMI,
    CamundaSequentialMI,
    EngineCycle,
    EngineDuration,
    EngineMessageEventDefinition,
    EngineTimeDate,
)

CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
_CAMUNDA = "{" + CAMUNDA_NS + "}"
_NAME = re.compile(r"^\s*(?:\$\{\s*)?([A-Za-z_][A-Za-z0-9_]*)\s*\}?\s*$")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parameter_value(element: Any) -> dict[str, Any]:
    """A ``camunda:inputParameter`` body as JSON: text, list, map or script."""
    for child in element:
        tag = _local(child.tag) if isinstance(child.tag, str) else ""
        if tag == "list":
            return {"list": [parameter_value(item) for item in child
                             if isinstance(item.tag, str)]}
        if tag == "map":
            return {"map": {entry.get("key"): parameter_value(entry) for entry in child
                            if isinstance(entry.tag, str)}}
        if tag == "script":
            return {"script": child.get("scriptFormat") or ""}
    return {"text": element.text or ""}


class CamundaExtensions:
    """Mixin for task parsers: all camunda settings into ``extensions``."""

    node: Any
    xpath: Any  # provided by NodeParser

    def parse_extensions(self, node: Any = None) -> dict[str, Any]:
        node = self.node if node is None else node
        ext: dict[str, Any] = {_local(k): v for k, v in node.attrib.items()
                               if k.startswith(_CAMUNDA)}
        for definition in self.xpath("./bpmn:messageEventDefinition"):
            ext.update({_local(k): v for k, v in definition.attrib.items()
                        if k.startswith(_CAMUNDA)})
        props = self.xpath("./bpmn:extensionElements/camunda:properties/camunda:property")
        if props:
            ext["properties"] = {p.get("name"): p.get("value") for p in props}
        io = self.xpath("./bpmn:extensionElements/camunda:inputOutput")
        if io:
            ext["inputParameters"] = self._parameters(io[0], "inputParameter")
            ext["outputParameters"] = self._parameters(io[0], "outputParameter")
        for direction in ("in", "out"):
            entries = self.xpath(f"./bpmn:extensionElements/camunda:{direction}")
            if entries:
                ext[direction] = [dict(entry.attrib) for entry in entries]
        return ext

    @staticmethod
    def _parameters(io: Any, tag: str) -> dict[str, Any]:
        return {p.get("name"): parameter_value(p) for p in io
                if isinstance(p.tag, str) and _local(p.tag) == tag}

    def _add_multiinstance_task(self, loop: Any) -> None:
        """Camunda multi-instance: camunda:collection/elementVariable or loopCardinality."""
        parser: Any = self
        prefix = "./bpmn:multiInstanceLoopCharacteristics"
        cardinality = first(parser.xpath(f"{prefix}/bpmn:loopCardinality"))
        condition = first(parser.xpath(f"{prefix}/bpmn:completionCondition"))
        collection = loop.get(_CAMUNDA + "collection")
        element = loop.get(_CAMUNDA + "elementVariable")
        if cardinality is None and collection is None:
            parser.raise_validation_exception(
                "A multi-instance activity needs camunda:collection or loopCardinality")
        if collection is not None and not _NAME.match(collection):
            parser.raise_validation_exception(
                f"Unsupported camunda:collection {collection!r}: use a variable name")
        if element is None and collection is None:
            element = "loopCounter"
        original = parser.spec.task_specs.pop(parser.task.name)
        cls = CamundaSequentialMI if loop.get("isSequential") == "true" else CamundaParallelMI
        match = _NAME.match(collection) if collection else None
        parser.task = cls(
            parser.spec, original.name, task_spec="",
            cardinality=cardinality.text if cardinality is not None else None,
            data_input=TaskDataReference(match.group(1)) if match else None,
            input_item=TaskDataReference(element) if element else None,
            condition=condition.text if condition is not None else None,
            description="Multi-instance")
        parser.task.extensions = original.extensions
        parser._copy_task_attrs(original, loop)


class EventDefinitions:
    """Mixin for event parsers: our message and timer event definitions."""

    def parse_message_event(self, message_event: Any) -> EngineMessageEventDefinition:
        parser: Any = self
        message_ref = message_event.get("messageRef")
        if message_ref:
            name = parser.process_parser.parser.messages.get(message_ref)
            if name is None:
                parser.raise_validation_exception(f"Unknown message {message_ref!r}")
        else:
            name = message_event.getparent().get("name") or parser.bpmn_id
        return EngineMessageEventDefinition(name, parser.get_message_correlations(message_ref))

    def parse_timer_event(self, event: Any) -> Any:
        parser: Any = self
        kinds = (("timeDate", EngineTimeDate), ("timeDuration", EngineDuration),
                 ("timeCycle", EngineCycle))
        for tag, cls in kinds:
            node = first(parser.xpath(f".//bpmn:{tag}"))
            if node is not None:
                if not (node.text or "").strip():
                    parser.raise_validation_exception(f"Empty {tag} in timer")
                return cls(parser.bpmn_id, node.text.strip())
        raise ValidationException("Timer without timeDate/timeDuration/timeCycle",
                                  node=parser.node, file_name=parser.filename)
