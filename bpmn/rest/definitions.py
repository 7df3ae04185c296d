"""``/process-definition``: list/count, get by id or key (latest), XML, start,
suspension (by id and by key), statistics.

Why key lookups go through ``latest``: Camunda's ``/key/{key}`` always means
the newest version in the caller's tenant; the ``tenant-id`` variants must
name that same tenant.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify

from bpmn.engine_errors import BadUserRequest, NotFound
from bpmn.engine_types import DefinitionQuery, IncidentQuery, InstanceQuery, ProcessDefinition
from bpmn.rest import shapes
from bpmn.rest.base import bp, engine, in_tenant, no_content, require_tenant, tenant
from bpmn.rest.instances import typed_variables
from bpmn.rest.params import Params, bind_checks, body, like_match, listing, page
from bpmn.rest.variables import variables_in

SORT_KEYS = {"id": lambda d: d.id, "key": lambda d: d.key, "name": lambda d: d.name,
             "version": lambda d: d.version, "deploymentId": lambda d: d.deployment_id,
             "tenantId": lambda d: d.tenant, "category": lambda d: "",
             "versionTag": lambda d: None}


def _checks(args: Params) -> list[Any]:
    """Filters the engine's definition query does not have, applied to its result."""
    tests: list[tuple[Any, Any]] = [
        (args.items("processDefinitionIdIn"), lambda d, v: d.id in v),
        (args.items("keysIn"), lambda d, v: d.key in v),
        (args.text("keyLike"), lambda d, v: like_match(d.key, v)),
        (args.text("name"), lambda d, v: d.name == v),
        (args.text("nameLike"), lambda d, v: like_match(d.name, v)),
        (args.number("version"), lambda d, v: d.version == v),
        (args.text("resourceName"), lambda d, v: d.resource_name == v),
        (args.text("resourceNameLike"), lambda d, v: like_match(d.resource_name, v)),
        (args.flag("suspended"), lambda d, v: d.suspended == v),
        (args.flag("active"), lambda d, v: d.suspended != v),
        (args.items("tenantIdIn"), lambda d, v: d.tenant in v)]
    return bind_checks(tests)


def _definitions(args: Params, paging: tuple[int, int | None] | None) -> list[ProcessDefinition]:
    query = DefinitionQuery(id=args.text("processDefinitionId"), key=args.text("key"),
                            latest=bool(args.flag("latestVersion")),
                            deployment_id=args.text("deploymentId"), tenant=tenant())

    def fetch(first: int, limit: int | None) -> list[ProcessDefinition]:
        query.first, query.max_results = first, limit
        return engine().definitions(query)

    return listing(fetch, _checks(args), args.sorting(list(SORT_KEYS)), SORT_KEYS, paging)


@bp.get("/process-definition")
def list_definitions() -> Any:
    return jsonify([shapes.definition(d) for d in _definitions(Params.query(), page())])


@bp.get("/process-definition/count")
def count_definitions() -> Any:
    return jsonify({"count": len(_definitions(Params.query(), None))})


def by_id(definition_id: str) -> ProcessDefinition:
    message = f"No matching definition with id {definition_id}"
    try:
        found = engine().definition(definition_id)
    except NotFound:
        raise NotFound(message) from None
    return in_tenant(found, message)  # type: ignore[no-any-return]


def by_key(key: str, tenant_id: str | None = None) -> ProcessDefinition:
    wanted = require_tenant(tenant_id)
    found = engine().definitions(DefinitionQuery(key=key, latest=True, tenant=wanted))
    if not found:
        raise NotFound(f"No matching process definition with key: {key} and tenant-id: "
                       f"{wanted}", type="RestException")
    return found[0]


@bp.get("/process-definition/<definition_id>")
def get_definition(definition_id: str) -> Any:
    return jsonify(shapes.definition(by_id(definition_id)))


@bp.get("/process-definition/key/<key>")
@bp.get("/process-definition/key/<key>/tenant-id/<tenant_id>")
def get_definition_by_key(key: str, tenant_id: str | None = None) -> Any:
    return jsonify(shapes.definition(by_key(key, tenant_id)))


def _xml(definition: ProcessDefinition) -> Any:
    xml = engine().definition_xml(definition.id)
    return jsonify({"id": definition.id, "bpmn20Xml": xml.decode("utf-8", "replace")})


@bp.get("/process-definition/<definition_id>/xml")
def definition_xml(definition_id: str) -> Any:
    return _xml(by_id(definition_id))


@bp.get("/process-definition/key/<key>/xml")
@bp.get("/process-definition/key/<key>/tenant-id/<tenant_id>/xml")
def definition_xml_by_key(key: str, tenant_id: str | None = None) -> Any:
    return _xml(by_key(key, tenant_id))


def _start(definition: ProcessDefinition) -> Any:
    data = body()
    args = Params(data, from_query=False)
    variables = variables_in(data.get("variables"))
    started = engine().start(definition_id=definition.id, business_key=args.text("businessKey"),
                             variables=variables, tenant=definition.tenant)
    returned = typed_variables(started.id) if args.flag("withVariablesInReturn") else None
    return jsonify(shapes.instance(started, returned))


@bp.post("/process-definition/<definition_id>/start")
def start_by_id(definition_id: str) -> Any:
    return _start(by_id(definition_id))


@bp.post("/process-definition/key/<key>/start")
@bp.post("/process-definition/key/<key>/tenant-id/<tenant_id>/start")
def start_by_key(key: str, tenant_id: str | None = None) -> Any:
    return _start(by_key(key, tenant_id))


def _suspension() -> tuple[bool, bool]:
    args = Params(body(), from_query=False)
    suspended = args.flag("suspended")
    if suspended is None:
        raise BadUserRequest("suspended must be true or false")
    if args.text("executionDate"):
        raise BadUserRequest("executionDate (delayed suspension) is not supported")
    return suspended, bool(args.flag("includeProcessInstances"))


@bp.put("/process-definition/<definition_id>/suspended")
def suspend_definition(definition_id: str) -> Any:
    """Camunda: a suspended definition starts nothing; ``includeProcessInstances`` also
    suspends (activates) its running instances."""
    suspended, instances = _suspension()
    target = by_id(definition_id)
    engine().set_definition_suspended(target.id, suspended, include_instances=instances)
    return no_content()


@bp.put("/process-definition/key/<key>/suspended")
def suspend_definitions_by_key(key: str) -> Any:
    """By key: every version of the key in the caller's tenant (404 when there is none)."""
    suspended, instances = _suspension()
    found = engine().definitions(DefinitionQuery(key=key, tenant=tenant()))
    if not found:
        raise NotFound(f"No matching process definition with key: {key}")
    for definition in found:
        engine().set_definition_suspended(definition.id, suspended,
                                          include_instances=instances)
    return no_content()


@bp.get("/process-definition/statistics")
def definition_statistics() -> Any:
    """Running instances (and, on request, incidents) per definition of the tenant."""
    args = Params.query()
    incidents = engine().incidents(IncidentQuery(tenant=tenant())) if (
        args.flag("incidents") or args.text("incidentsForType")) else []
    wanted_type = args.text("incidentsForType")
    out = []
    for definition in engine().definitions(DefinitionQuery(tenant=tenant())):
        count = engine().count_instances(InstanceQuery(definition_id=definition.id,
                                                       tenant=tenant()))
        mine = [i for i in incidents if i.process_definition_id == definition.id
                and (wanted_type is None or i.type == wanted_type)]
        types = sorted({i.type for i in mine})
        out.append({"id": definition.id, "instances": count, "failedJobs": 0,
                    "incidents": [{"incidentType": t, "incidentCount":
                                   sum(1 for i in mine if i.type == t)} for t in types],
                    "definition": shapes.definition(definition)})
    return jsonify(out)
