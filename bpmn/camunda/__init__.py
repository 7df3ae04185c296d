"""The Camunda 7 / Operaton adapter of the `Engine` protocol (``camunda+http(s)://``)."""

from bpmn.camunda.engine import CamundaEngine

__all__ = ["CamundaEngine"]
