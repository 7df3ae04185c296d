"""Admin: process instances (state, variables, diagram with the current position)."""

from __future__ import annotations

from typing import Any

from flask import render_template, request

from bpmn.engine import ExternalTaskQuery, IncidentQuery, InstanceQuery
from bpmn.engine_errors import EngineError
from runtime.errors import NotFound
from studio.admin import bp
from studio.portal.case_page import diagram_json
from studio.web import principal, services

MAX_ROWS = 100


@bp.get("/instances")
def instances() -> Any:
    engine, tenant = services().engine, principal().tenant
    key = request.args.get("definition") or None
    query = InstanceQuery(tenant=tenant, definition_key=key, max_results=MAX_ROWS)
    keys = sorted({d.key for d in engine.definitions() if d.tenant == tenant})
    return render_template("admin/instances.html", rows=engine.instances(query), keys=keys,
                           current=key, total=engine.count_instances(
                               InstanceQuery(tenant=tenant, definition_key=key)))


def _instance(instance_id: str) -> Any:
    """A running instance of the admin's tenant (404 otherwise)."""
    try:
        instance = services().engine.instance(instance_id)
    except EngineError:
        raise NotFound(f"process instance {instance_id!r} does not exist") from None
    if instance.tenant != principal().tenant:
        raise NotFound(f"process instance {instance_id!r} does not exist")
    return instance


@bp.get("/instances/<instance_id>")
def instance(instance_id: str) -> Any:
    engine = services().engine
    row = _instance(instance_id)
    return render_template(
        "admin/instance.html", instance=row, variables=engine.variables(instance_id),
        activities=engine.activity_instances(instance_id),
        incidents=engine.incidents(IncidentQuery(process_instance_id=instance_id)),
        external=engine.external_tasks(ExternalTaskQuery(process_instance_id=instance_id)))


@bp.get("/instances/<instance_id>/diagram")
def instance_diagram(instance_id: str) -> Any:
    _instance(instance_id)
    return diagram_json(instance_id)
