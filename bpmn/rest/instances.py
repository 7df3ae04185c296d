"""``/process-instance``: query (GET and POST), get, delete, variables, activity tree,
suspension.

Why ended instances answer 404: Camunda's runtime API only knows running
instances; finished ones live under ``/history/process-instance``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import jsonify

from bpmn.engine_errors import BadUserRequest, NotFound
from bpmn.engine_types import IncidentQuery, InstanceQuery, ProcessInstance
from bpmn.rest import shapes
from bpmn.rest.base import bp, engine, in_tenant, no_content, tenant
from bpmn.rest.params import Params, body, like_match, listing, page, query_params
from bpmn.rest.variables import from_dto, may_be_date, variables_in, variables_out

SORT_KEYS = {"instanceId": lambda p: p.id, "definitionKey": lambda p: p.definition_key,
             "definitionId": lambda p: p.definition_id, "tenantId": lambda p: p.tenant,
             "businessKey": lambda p: p.business_key}


def running_instance(instance_id: str) -> ProcessInstance:
    """A running instance of the caller's tenant, or Camunda's 404."""
    message = f"Process instance with id {instance_id} does not exist"
    try:
        found = engine().instance(instance_id)
    except NotFound:
        raise NotFound(message) from None
    if found.state in ("COMPLETED", "TERMINATED"):
        raise NotFound(message)
    return in_tenant(found, message)  # type: ignore[no-any-return]


def latest_variables(instance_id: str) -> dict[str, Any]:
    """Current variables; from history once the instance has ended."""
    try:
        return engine().variables(instance_id)
    except NotFound:
        latest = {item.name: item for item in engine().history_variables(instance_id)}
        return {name: item.value for name, item in latest.items() if not item.deleted}


def typed_variables(instance_id: str, values: Mapping[str, Any] | None = None,
                    names: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """Camunda DTOs of an instance's variables (current ones unless ``values`` given).

    The engine keeps values as JSON, so a Date comes back as ISO text; its
    stored type (from the variable history) turns it back into a Date, and the
    history is only read when some value looks like such text.
    """
    values = latest_variables(instance_id) if values is None else values
    types = ({item.name: item.type for item in engine().history_variables(instance_id)}
             if may_be_date(values) else {})
    return variables_out(values, names, types)


def _query(args: Params) -> tuple[InstanceQuery, list[Any]]:
    suspended = args.flag("suspended") or (False if args.flag("active") else None)
    query = InstanceQuery(ids=args.items("processInstanceIds"),
                          definition_id=args.text("processDefinitionId"),
                          definition_key=args.text("processDefinitionKey"),
                          business_key=args.text("businessKey"), suspended=suspended,
                          tenant=tenant(), variables=args.variable_filters())
    checks = []
    like = args.text("businessKeyLike")
    if like is not None:
        checks.append(lambda p: like_match(p.business_key, like))
    keys_in, keys_out = args.items("processDefinitionKeyIn"), args.items(
        "processDefinitionKeyNotIn")
    if keys_in is not None:
        checks.append(lambda p: p.definition_key in keys_in)
    if keys_out is not None:
        checks.append(lambda p: p.definition_key not in keys_out)
    tenants = args.items("tenantIdIn")
    if tenants is not None and tenant() not in tenants:
        checks.append(lambda p: False)
    return query, checks


def _instances(args: Params, paging: tuple[int, int | None] | None) -> list[ProcessInstance]:
    query, checks = _query(args)

    def fetch(first: int, limit: int | None) -> list[ProcessInstance]:
        query.first, query.max_results = first, limit
        return engine().instances(query)

    return listing(fetch, checks, args.sorting(list(SORT_KEYS)), SORT_KEYS, paging)


@bp.route("/process-instance", methods=["GET", "POST"])
def list_instances() -> Any:
    args = query_params()
    return jsonify([shapes.instance(p) for p in _instances(args, page())])


@bp.route("/process-instance/count", methods=["GET", "POST"])
def count_instances() -> Any:
    args = query_params()
    query, checks = _query(args)
    if not checks:
        return jsonify({"count": engine().count_instances(query)})
    return jsonify({"count": len(_instances(args, None))})


@bp.get("/process-instance/<instance_id>")
def get_instance(instance_id: str) -> Any:
    return jsonify(shapes.instance(running_instance(instance_id)))


@bp.delete("/process-instance/<instance_id>")
def delete_instance(instance_id: str) -> Any:
    try:
        running_instance(instance_id)
    except NotFound:
        if Params.query().flag("failIfNotExists") is False:
            return no_content()
        raise
    engine().cancel(instance_id, "deleted through the REST API")
    return no_content()


@bp.put("/process-instance/<instance_id>/suspended")
def suspend_instance(instance_id: str) -> Any:
    suspended = Params(body(), from_query=False).flag("suspended")
    running_instance(instance_id)
    (engine().suspend if suspended else engine().activate)(instance_id)
    return no_content()


@bp.get("/process-instance/<instance_id>/activity-instances")
def activity_instances(instance_id: str) -> Any:
    found = running_instance(instance_id)
    incidents = engine().incidents(IncidentQuery(process_instance_id=instance_id,
                                                 tenant=tenant()))
    return jsonify(shapes.activity_tree(found, engine().activity_instances(instance_id),
                                        incidents))


@bp.get("/process-instance/<instance_id>/variables")
def get_variables(instance_id: str) -> Any:
    running_instance(instance_id)
    return jsonify(typed_variables(instance_id, engine().variables(instance_id)))


@bp.post("/process-instance/<instance_id>/variables")
def modify_variables(instance_id: str) -> Any:
    data = body()
    modifications = variables_in(data.get("modifications"), "modifications")
    deletions = Params(data, from_query=False).items("deletions") or []
    running_instance(instance_id)
    engine().set_variables(instance_id, modifications, deletions)
    return no_content()


@bp.get("/process-instance/<instance_id>/variables/<name>")
def get_variable(instance_id: str, name: str) -> Any:
    running_instance(instance_id)
    values = engine().variables(instance_id)
    if name not in values:
        raise NotFound(f"process instance variable with name {name} does not exist")
    return jsonify(typed_variables(instance_id, {name: values[name]})[name])


@bp.put("/process-instance/<instance_id>/variables/<name>")
def put_variable(instance_id: str, name: str) -> Any:
    value = from_dto(name, body())
    running_instance(instance_id)
    engine().set_variables(instance_id, {name: value})
    return no_content()


@bp.delete("/process-instance/<instance_id>/variables/<name>")
def delete_variable(instance_id: str, name: str) -> Any:
    running_instance(instance_id)
    engine().set_variables(instance_id, {}, [name])
    return no_content()


@bp.get("/process-instance/<instance_id>/variables/<name>/data")
def variable_data(instance_id: str, name: str) -> Any:
    """Camunda serves raw bytes only for Bytes/File values, which this engine never stores."""
    running_instance(instance_id)
    if name not in engine().variables(instance_id):
        raise NotFound(f"process instance variable with name {name} does not exist")
    raise BadUserRequest(f"Value of variable {name} of process instance {instance_id} is not a "
                         "binary value.")
