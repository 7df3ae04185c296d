"""`EventFeed`: engine events of a remote Camunda, rebuilt from its history by polling.

Why from history: Camunda cannot call CaseStudio back, but its history
records when each user task started and ended and when each instance ended.
A feed keeps a watermark (server timestamps), asks for what happened after
it, and turns rows into the same `EngineEvent` types the embedded engine
emits (``task.created``, ``task.completed``, ``process.completed``,
``process.cancelled``). Windows overlap by `OVERLAP` and already delivered
rows are skipped, so an event is delivered once per feed even when two rows
share a millisecond; the first poll only sets the watermark (no replay of
old history; it starts at this process's clock, so keep clocks in sync).
Events arrive after the fact — never inside Camunda's transaction — and a
feed lives in one process (a restart starts afresh; several replicas polling
each see every event, so one process should pump them).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from bpmn.camunda import convert
from bpmn.camunda.connection import Connection
from bpmn.camunda.runtime import historic_by_id
from bpmn.camunda.values import format_date, parse_date
from bpmn.engine_types import EngineEvent

OVERLAP = timedelta(seconds=2)
Row = dict[str, Any]


class EventFeed:
    """Polls one Camunda's history for new task and instance events."""

    def __init__(self, rest: Connection, clock: Callable[[], datetime] | None = None) -> None:
        self.rest = rest
        self.clock = clock or (lambda: datetime.now(UTC))
        self.watermark: datetime | None = None
        self.delivered: dict[str, datetime] = {}

    def poll(self) -> list[EngineEvent]:
        if self.watermark is None:
            self.watermark = self.clock()
            return []
        floor = self.watermark - OVERLAP
        since = format_date(floor) or ""
        found = [*self._tasks({"startedAfter": since}, "startTime", floor),
                 *self._tasks({"finishedAfter": since}, "endTime", floor),
                 *self._instances({"finishedAfter": since})]
        fresh = sorted((f for f in found if f[0] not in self.delivered and f[1] >= floor),
                       key=lambda f: f[1])
        for key, moment, _ in fresh:
            self.delivered[key] = moment
        self._advance([moment for _, moment, _ in fresh])
        return [event for _, _, event in fresh]

    def _advance(self, moments: list[datetime]) -> None:
        if moments:
            self.watermark = max([*moments, self.watermark or moments[0]])
        horizon = (self.watermark or self.clock()) - OVERLAP * 2
        self.delivered = {k: m for k, m in self.delivered.items() if m >= horizon}

    def _tasks(self, params: dict[str, str], field: str, floor: datetime
               ) -> list[tuple[str, datetime, EngineEvent]]:
        rows = [r for r in self.rest.call("GET", "/history/task", params=params) or []
                if (parse_date(r.get(field)) or floor) >= floor]  # servers ignoring the filter
        owners = historic_by_id(self.rest, sorted({r["processInstanceId"] for r in rows}))
        out = []
        for row in rows:
            moment = parse_date(row.get(field))
            kind = "task.created" if field == "startTime" else _ended_task(row)
            if moment is None or kind is None:
                continue
            data = {"task_id": row["id"], "name": row.get("name"),
                    "activity_id": row.get("taskDefinitionKey"), "assignee": row.get("assignee")}
            owner = owners.get(row["processInstanceId"], {})
            out.append((f"{kind}:{row['id']}", moment,
                        _event(kind, row, owner.get("businessKey"), data)))
        return out

    def _instances(self, params: dict[str, str]) -> list[tuple[str, datetime, EngineEvent]]:
        out = []
        for row in self.rest.call("GET", "/history/process-instance", params=params) or []:
            moment = parse_date(row.get("endTime"))
            if moment is None:
                continue
            kind = "process.completed" if row.get("state") == "COMPLETED" else "process.cancelled"
            event = EngineEvent(kind, row["id"], row.get("businessKey"), convert.tenant_of(row),
                                {"reason": row.get("deleteReason")} if kind.endswith(
                                    "cancelled") else {})
            out.append((f"{kind}:{row['id']}", moment, event))
        return out


def _ended_task(row: Row) -> str | None:
    return "task.completed" if row.get("deleteReason") == "completed" else None


def _event(kind: str, row: Row, business_key: str | None, data: dict[str, Any]) -> EngineEvent:
    return EngineEvent(kind, row.get("processInstanceId"), business_key,
                       convert.tenant_of(row), data)
