"""Building projection rows for newly waiting user tasks and external tasks.

Why at creation time: Camunda evaluates assignee, candidates, due dates,
priorities and input parameters when the activity is entered; the results are
stored on the row, so inboxes and fetch-and-lock never touch instance state.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bpmn.embedded.values import (
    as_datetime,
    as_int,
    as_list,
    json_safe,
    parameters,
    resolve,
)
from bpmn.errors import ExpressionError
from bpmn.spiff.inspect import activity_id, extensions
from bpmn.spiff.stepper import StepError
from models.engine import EngineExternalTask, EngineInstance


def _evaluate(task: Any, what: str, fn: Any) -> Any:
    try:
        return fn()
    except (ExpressionError, ValueError, TypeError) as exc:
        raise StepError(f"cannot evaluate {what}: {exc}", activity_id(task)) from exc


def user_task_row(task: Any, instance: EngineInstance,
                  now: datetime) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The row (and identity links) of a user task that just became ready, as column
    values: they are inserted with Core (``models.deferred.insert_rows``), not as ORM objects."""
    ext, data = extensions(task), task.data
    spec = task.task_spec
    form = getattr(spec, "form", None)
    row = {
        "id": task.id.hex, "instance_id": instance.id, "definition_id": instance.definition_id,
        "business_key": instance.business_key, "activity_id": activity_id(task),
        "name": spec.bpmn_name, "description": getattr(spec, "documentation", None),
        "assignee": _evaluate(task, "assignee",
                              lambda: _text(resolve(ext.get("assignee"), data))),
        "candidate_users": _evaluate(task, "candidateUsers",
                                     lambda: as_list(resolve(ext.get("candidateUsers"), data))),
        "candidate_groups": _evaluate(
            task, "candidateGroups", lambda: as_list(resolve(ext.get("candidateGroups"), data))),
        "due": _evaluate(task, "dueDate",
                         lambda: as_datetime(resolve(ext.get("dueDate"), data), now)),
        "follow_up": _evaluate(task, "followUpDate",
                               lambda: as_datetime(resolve(ext.get("followUpDate"), data), now)),
        "priority": _evaluate(task, "priority",
                              lambda: as_int(resolve(ext.get("priority"), data), 50)),
        "form_key": ext.get("formKey") or (form.key if form is not None and form.key else None),
        "created": now, "suspended": False, "tenant": instance.tenant}
    links = [{"task_id": row["id"], "kind": kind, "identity": who, "tenant": instance.tenant}
             for kind, people in (("user", row["candidate_users"]),
                                  ("group", row["candidate_groups"])) for who in people]
    return row, links


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def external_task_row(task: Any, instance: EngineInstance, now: datetime) -> EngineExternalTask:
    """The row of an external task that just started, with its evaluated inputs."""
    ext, data = extensions(task), task.data
    inputs = _evaluate(task, "input parameters",
                       lambda: json_safe(parameters(ext.get("inputParameters"), data)))
    return EngineExternalTask(
        id=task.id.hex, instance_id=instance.id, definition_id=instance.definition_id,
        definition_key=instance.definition_key, business_key=instance.business_key,
        activity_id=activity_id(task), topic=ext.get("topic") or "",
        priority=_evaluate(task, "taskPriority",
                           lambda: as_int(resolve(ext.get("taskPriority"), data), 0)),
        inputs=inputs, properties=dict(ext.get("properties") or {}), created=now,
        tenant=instance.tenant)
