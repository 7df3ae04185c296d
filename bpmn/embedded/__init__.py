"""The embedded BPMN engine: SpiffWorkflow with its state in the CaseStudio database."""

from bpmn.embedded.engine import EmbeddedEngine

__all__ = ["EmbeddedEngine"]
