"""The case of a test run: a plain dict-like object the sandbox changes instead of a row.

Why not a real ``Case``: a test run must never write a case, an event or a
notification. This object follows the runtime's rules — stages and queues
checked against the definition, data validated against the schema, hooks fired
for the same events, hook changes firing no further hooks — and records what
happened so the analyst can see it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from forms import TemplateError, clean, format_number, render_title
from runtime.cases import merge_patch
from runtime.hooks import matching_hooks, status_event

STATUSES = ("open", "closed", "archived")


class SimError(ValueError):
    """A built-in topic or hook the real runtime would refuse (an incident there)."""


@dataclass
class SimCase:
    """Stage, status, queue, assignee and data of the simulated case, plus a journal."""

    definition: dict[str, Any]
    data: dict[str, Any]
    number: str = ""
    stage: str = ""
    status: str = "open"
    queue: str | None = None
    assignee: str | None = None
    stage_changes: list[dict[str, Any]] = field(default_factory=list)
    log: list[dict[str, str]] = field(default_factory=list)

    @classmethod
    def new(cls, definition: dict[str, Any], data: dict[str, Any], now: datetime) -> SimCase:
        case = cls(definition, data, number=format_number(definition["numbering"], 1, now),
                   stage=definition["stages"][0]["key"],
                   queue=(definition.get("queues") or [None])[0])
        case.note("case", f"case {case.number} created in stage {case.stage!r}")
        case.fire("case.created", {"stage": case.stage})
        return case

    @property
    def title(self) -> str:
        template = self.definition.get("title") or ""
        try:
            return render_title(template, {"data": self.data, "number": self.number,
                                           "caseType": self.definition.get("key")}) or self.number
        except TemplateError:
            return self.number

    def note(self, kind: str, message: str) -> None:
        self.log.append({"kind": kind, "message": message})

    def fire(self, event: str, data: dict[str, Any]) -> None:
        """Apply the hooks matching ``event`` (their changes fire no further hooks)."""
        for hook in matching_hooks(self.definition, event, data):
            self.note("hook", f"hook on {event} sets {json.dumps(hook['set'])}")
            self.apply(dict(hook["set"]), by=f"hook ({event})", hooks=False)

    def apply(self, changes: dict[str, Any], by: str, hooks: bool = True) -> None:
        """Set stage/status/queue/assignee/data like ``CaseService.apply_set``."""
        if changes.get("status") and changes["status"] != self.status:
            self._set_status(str(changes["status"]), by, hooks)
        if "data" in changes:
            self._set_data(changes["data"])
        if "queue" in changes:
            self.queue = self._checked("queue", changes["queue"],
                                       self.definition.get("queues") or None)
        if "assignee" in changes:
            self.assignee = changes["assignee"]
        if "stage" in changes and changes["stage"] != self.stage:
            self._set_stage(changes["stage"], by, hooks)

    def _set_status(self, status: str, by: str, hooks: bool) -> None:
        if status not in STATUSES:
            raise SimError(f"unknown status {status!r}")
        before, self.status = self.status, status
        self.note("status", f"status {before} → {status} ({by})")
        event = status_event(before, status)
        if hooks and event:
            self.fire(event, {"stage": self.stage})

    def _set_data(self, patch: Any) -> None:
        if not isinstance(patch, dict):
            raise SimError("case data changes must be a JSON object")
        cleaned, errors = clean(self.definition["schema"], merge_patch(self.data, patch))
        if errors:
            raise SimError("the case data would be invalid: " + "; ".join(
                f"{e.path or '/'} {e.message}" for e in errors))
        self.data = dict(cleaned)
        self.note("data", f"case data updated: {', '.join(sorted(patch)) or 'nothing'}")

    def _set_stage(self, stage: Any, by: str, hooks: bool) -> None:
        keys = [s["key"] for s in self.definition["stages"]]
        before, self.stage = self.stage, self._checked("stage", stage, keys)
        self.stage_changes.append({"from": before, "to": self.stage, "by": by})
        self.note("stage", f"stage {before} → {self.stage} ({by})")
        if hooks:
            self.fire("case.stage_changed", {"stage": self.stage})

    @staticmethod
    def _checked(name: str, value: Any, allowed: list[str] | None) -> Any:
        if value is not None and allowed is not None and value not in allowed:
            raise SimError(f"unknown {name} {value!r} (known: {', '.join(allowed)})")
        return value

    def as_dict(self) -> dict[str, Any]:
        return {"number": self.number, "title": self.title, "stage": self.stage,
                "status": self.status, "queue": self.queue, "assignee": self.assignee,
                "data": self.data}
