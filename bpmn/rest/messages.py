"""``/message`` correlation and ``/signal`` delivery.

Why correlation keys are converted like variables: Camunda matches them by
value and type against process variables, so ``{"value": "7", "type":
"Integer"}`` must compare as the number 7. ``processVariablesLocal`` are set
on the process instance (the embedded engine keeps one variable scope per
instance); ``localCorrelationKeys`` need execution scopes and are refused.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify

from bpmn.engine_errors import BadUserRequest
from bpmn.engine_types import CorrelationResult
from bpmn.rest import shapes
from bpmn.rest.base import bp, engine, no_content, require_tenant
from bpmn.rest.instances import typed_variables
from bpmn.rest.params import Params, body
from bpmn.rest.variables import variables_in


def _result(result: CorrelationResult, with_variables: bool) -> dict[str, Any]:
    process = result.process_instance
    execution = {"id": process.id, "processInstanceId": process.id,
                 "ended": process.state in ("COMPLETED", "TERMINATED"),
                 "tenantId": process.tenant}
    by_definition = result.result_type == "ProcessDefinition"
    out = {"resultType": result.result_type,
           "processInstance": shapes.instance(process) if by_definition else None,
           "execution": None if by_definition else execution}
    if with_variables:  # Camunda leaves the key out otherwise, and clients rely on that
        out["variables"] = typed_variables(process.id)
    return out


@bp.post("/message")
def correlate() -> Any:
    data = body()
    args = Params(data, from_query=False)
    name = args.text("messageName")
    if not name:
        raise BadUserRequest("No message name supplied")
    if data.get("localCorrelationKeys"):
        raise BadUserRequest("localCorrelationKeys are not supported by this engine")
    variables = {**variables_in(data.get("processVariables"), "processVariables"),
                 **variables_in(data.get("processVariablesLocal"), "processVariablesLocal")}
    results = engine().correlate(
        name, business_key=args.text("businessKey"),
        process_instance_id=args.text("processInstanceId"),
        correlation_keys=variables_in(data.get("correlationKeys"), "correlationKeys") or None,
        variables=variables, all=bool(args.flag("all")),
        tenant=require_tenant(args.text("tenantId")))
    if not args.flag("resultEnabled"):
        return no_content()
    with_variables = bool(args.flag("variablesInResultEnabled"))
    return jsonify([_result(r, with_variables) for r in results])


@bp.post("/signal")
def signal() -> Any:
    data = body()
    args = Params(data, from_query=False)
    name = args.text("name")
    if not name:
        raise BadUserRequest("No signal name given")
    if args.text("executionId"):
        raise BadUserRequest("Signals to a single execution are not supported by this engine")
    engine().signal(name, variables_in(data.get("variables")),
                    tenant=require_tenant(args.text("tenantId")))
    return no_content()
