"""Case-type hooks: ``{on: task.completed, task: Review, set: {stage: decision}}``.

Hooks are declarative (no code), evaluated inside the transaction of the
event that triggers them, and change the case through the same service
method as the built-in workers so history and events are uniform.
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy.orm import Session

from bpmn.engine import EngineEvent
from models.cases import Case
from models.casetypes import CaseTypeVersion

TASK_KEYS = ("name", "taskName", "taskDefinitionKey", "task_definition_key", "activityId")


class CaseChanger(Protocol):
    def apply_set(self, s: Session, actor: str, case: Case, changes: dict[str, Any]) -> None: ...


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


def apply_hooks(s: Session, changer: CaseChanger, case: Case, event: EngineEvent) -> None:
    """Apply every matching hook's ``set`` to the case."""
    version = s.get(CaseTypeVersion, case.version_id)
    if version is None:
        return
    for hook in matching_hooks(version.definition, event.type, event.data):
        changer.apply_set(s, "system", case, dict(hook["set"]))
