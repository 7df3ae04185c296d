"""Admin: incidents and failed external tasks, with a Retry button.

Why retry sets the retries to 1: the external task becomes fetchable again
(its incident is resolved by the engine), and a second failure raises a new
incident at once instead of silently burning through more attempts.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for

from bpmn.engine import ExternalTaskQuery, IncidentQuery
from bpmn.engine_errors import EngineError
from runtime.errors import NotFound
from studio.admin import bp
from studio.web import principal, services

RETRIES_AFTER_RETRY = 1
MAX_ROWS = 200


def failed_external_tasks(tenant: str) -> list[Any]:
    """External tasks that failed (have an error) or ran out of retries."""
    rows = services().engine.external_tasks(ExternalTaskQuery(tenant=tenant,
                                                              max_results=MAX_ROWS * 5))
    return [t for t in rows if t.retries == 0 or t.error_message][:MAX_ROWS]


@bp.get("/incidents")
def incidents() -> Any:
    tenant = principal().tenant
    engine = services().engine
    return render_template(
        "admin/incidents.html",
        incidents=engine.incidents(IncidentQuery(tenant=tenant, max_results=MAX_ROWS)),
        failed=failed_external_tasks(tenant))


@bp.post("/external-tasks/<task_id>/retry")
def retry_external_task(task_id: str) -> Any:
    engine, user = services().engine, principal()
    try:
        task = engine.external_task(task_id)
    except EngineError:
        raise NotFound(f"external task {task_id!r} does not exist") from None
    if task.tenant != user.tenant:
        raise NotFound(f"external task {task_id!r} does not exist")
    engine.set_external_retries(task_id, RETRIES_AFTER_RETRY)
    services().workers.wake()
    flash(f"Retrying “{task.topic}” at {task.activity_id}; the worker picks it up now.", "ok")
    return redirect(url_for("admin.incidents"))
