"""``/deployment``: multipart create, list/count/get/delete, resources.

Why ``mode="camunda"``: files posted here are Camunda's, and Camunda deploys
valid BPMN whatever it later does at run time; what the embedded engine
cannot run raises an incident when reached (`bpmn.spiff.lenient`), while
malformed or hostile XML and documents without an executable process are
still refused with a 400.

Why resource ids are definition ids: the protocol hands out definitions (with
their resource names) and a definition's XML, so the first definition of a
resource identifies it stably and lets ``/data`` return its bytes. Duplicate
filtering is the engine's own: a resource whose processes did not change
mints no new version (Camunda's ``deploy-changed-only`` behaviour).
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from bpmn.engine_errors import BadUserRequest, NotFound
from bpmn.engine_types import Deployment
from bpmn.rest import shapes
from bpmn.rest.base import bp, engine, no_content, require_tenant, tenant
from bpmn.rest.params import Params, like_match, listing, page

#: Form fields of ``deployment/create`` that are options, not resources.
OPTIONS = ("deployment-name", "enable-duplicate-filtering", "deploy-changed-only",
           "deployment-source", "tenant-id", "deployment-activation-time")
SORT_KEYS = {"id": lambda d: d.id, "name": lambda d: d.name,
             "deploymentTime": lambda d: d.deployed_at, "tenantId": lambda d: d.tenant}


@bp.post("/deployment/create")
def create_deployment() -> Any:
    form = request.form
    require_tenant(form.get("tenant-id") or None)
    resources = {(f.filename or name): f.read() for name, f in request.files.items(multi=True)
                 if name not in OPTIONS}
    if not resources:
        raise BadUserRequest("No deployment resources contained in the form upload.")
    name = form.get("deployment-name") or next(iter(resources))
    created = engine().deploy(name, resources, tenant=tenant(),
                              source=form.get("deployment-source") or None, mode="camunda")
    return jsonify(shapes.deployment(created, with_definitions=True))


def _deployments() -> list[Deployment]:
    args = Params.query()
    checks = [check for check in (
        _equals(args.text("id"), lambda d: d.id), _equals(args.text("name"), lambda d: d.name),
        _equals(args.text("source"), lambda d: d.source),
        _like(args.text("nameLike")), _after(args), _before(args)) if check is not None]
    tenants = args.items("tenantIdIn")
    if tenants is not None and tenant() not in tenants:
        return []
    return listing(lambda first, limit: engine().deployments(tenant()), checks,
                   args.sorting(list(SORT_KEYS)), SORT_KEYS)


def _equals(value: str | None, field: Any) -> Any:
    return None if value is None else (lambda d: field(d) == value)


def _like(pattern: str | None) -> Any:
    if pattern is None:
        return None
    return lambda d: like_match(d.name, pattern)


def _after(args: Params) -> Any:
    moment = args.when("after")
    return None if moment is None else (lambda d: d.deployed_at > moment)


def _before(args: Params) -> Any:
    moment = args.when("before")
    return None if moment is None else (lambda d: d.deployed_at < moment)


@bp.get("/deployment")
def list_deployments() -> Any:
    first, limit = page()
    items = _deployments()
    items = items[first:] if limit is None else items[first:first + limit]
    return jsonify([shapes.deployment(d) for d in items])


@bp.get("/deployment/count")
def count_deployments() -> Any:
    return jsonify({"count": len(_deployments())})


def _deployment(deployment_id: str) -> Deployment:
    for item in engine().deployments(tenant()):
        if item.id == deployment_id:
            return item
    raise NotFound(f"Deployment with id '{deployment_id}' does not exist")


@bp.get("/deployment/<deployment_id>")
def get_deployment(deployment_id: str) -> Any:
    return jsonify(shapes.deployment(_deployment(deployment_id)))


@bp.delete("/deployment/<deployment_id>")
def delete_deployment(deployment_id: str) -> Any:
    _deployment(deployment_id)
    engine().delete_deployment(deployment_id, bool(Params.query().flag("cascade")))
    return no_content()


def _resources(deployment_id: str) -> dict[str, dict[str, Any]]:
    """Resource DTOs by id (the id of the resource's first process definition)."""
    out: dict[str, dict[str, Any]] = {}
    for definition in _deployment(deployment_id).process_definitions:
        if definition.deployment_id == deployment_id and not any(
                r["name"] == definition.resource_name for r in out.values()):
            out[definition.id] = {"id": definition.id, "name": definition.resource_name,
                                  "deploymentId": deployment_id}
    return out


@bp.get("/deployment/<deployment_id>/resources")
def list_resources(deployment_id: str) -> Any:
    return jsonify(list(_resources(deployment_id).values()))


def _resource(deployment_id: str, resource_id: str) -> dict[str, Any]:
    found = _resources(deployment_id).get(resource_id)
    if found is None:
        raise NotFound(f"Deployment resource with resource id '{resource_id}' for deployment "
                       f"id '{deployment_id}' does not exist.")
    return found


@bp.get("/deployment/<deployment_id>/resources/<resource_id>")
def get_resource(deployment_id: str, resource_id: str) -> Any:
    return jsonify(_resource(deployment_id, resource_id))


@bp.get("/deployment/<deployment_id>/resources/<resource_id>/data")
def resource_data(deployment_id: str, resource_id: str) -> Any:
    resource = _resource(deployment_id, resource_id)
    return Response(engine().definition_xml(resource_id), mimetype="application/octet-stream",
                    headers={"Content-Disposition":
                             _attachment(resource["name"])})


def _attachment(name: str) -> str:
    safe = "".join(ch for ch in name.rsplit("/", 1)[-1] if ch.isprintable() and ch not in '"\\')
    return f'attachment; filename="{safe}"'


@bp.get("/engine")
def engines() -> Any:
    """One engine per facade; tools (the Camunda Modeler, Cockpit) list them first."""
    return jsonify([{"name": "default"}])


@bp.get("/version")
def version() -> Any:
    """The Camunda REST API version whose contract (7.16's OpenAPI) the facade is tested on."""
    return jsonify({"version": "7.16.0"})
