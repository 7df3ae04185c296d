"""Choosing the BPMN engine by URL: ``embedded://`` or ``camunda+http(s)://…``."""

from __future__ import annotations

from typing import Any

from bpmn.engine import Engine
from connectors.urls import load_adapter

REGISTRY = {
    "embedded": "bpmn.embedded:EmbeddedEngine",
    "camunda+http": "bpmn.camunda:CamundaEngine",
    "camunda+https": "bpmn.camunda:CamundaEngine",
}


def open_engine(url: str, *, db: Any, allow_scripts: bool = False) -> Engine:
    """The embedded engine keeps its state in ``db``; remote ones only need the URL."""
    cls = load_adapter("engine", url, REGISTRY)
    if url.startswith("embedded:"):
        return cls(db, allow_scripts=allow_scripts)  # type: ignore[no-any-return]
    return cls(url)  # type: ignore[no-any-return]
