"""Case-type hooks: ``{on: task.completed, task: Review, set: {stage: decision}}``.

Task events come from the engine (via `runtime.process`); ``case.created``,
``case.closed``, ``case.reopened`` and ``case.stage_changed`` from `runtime.cases`.

Hooks are declarative (no code), evaluated inside the transaction of the
event that triggers them, and change the case through the same service
method as the built-in workers so history and events are uniform.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from sqlalchemy.orm import Session

from models.cases import Case
from runtime.versions import definition_of

#: Event-data keys that can carry the task a hook names: its name or its BPMN id
#: (the embedded engine sends ``activity_id``; Camunda-shaped payloads use camelCase).
TASK_KEYS = ("name", "taskName", "taskDefinitionKey", "task_definition_key", "activityId",
             "activity_id")


class CaseChanger(Protocol):
    def apply_set(self, s: Session, actor: str, case: Case, changes: dict[str, Any], *,
                  hooks: bool = True) -> None: ...


def matching_hooks(definition: dict[str, Any], event_type: str, data: dict[str, Any]
                   ) -> list[dict[str, Any]]:
    """Hooks of ``definition`` that fire for this event."""
    names = {str(data[k]) for k in TASK_KEYS if data.get(k)}
    out = []
    for hook in definition.get("hooks", []):
        if hook["on"] != event_type:
            continue
        if hook.get("task") and hook["task"] not in names:
            continue
        if hook.get("stage") and hook["stage"] != data.get("stage"):
            continue
        out.append(hook)
    return out


def apply_hooks(s: Session, changer: CaseChanger, case: Case, event_type: str,
                data: Mapping[str, Any]) -> None:
    """Apply every matching hook's ``set`` to the case.

    Changes made by hooks fire no further hooks, so two hooks can never ping-pong.
    """
    for hook in matching_hooks(definition_of(s, case.version_id), event_type, dict(data)):
        changer.apply_set(s, "system", case, dict(hook["set"]), hooks=False)


def status_event(before: str, after: str) -> str | None:
    """The hook event of a status change: ``case.closed`` or ``case.reopened``."""
    if after == "closed":
        return "case.closed"
    return "case.reopened" if before == "closed" and after == "open" else None
