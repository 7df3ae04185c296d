"""OpenAPI 3.1 generated from the code: each view declares its operation.

Why a decorator instead of a hand-written YAML: the document cannot drift
from the routes, because it is assembled from the Flask URL map and the
metadata attached to each view function.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Flask

F = Callable[..., Any]

PROBLEM = {"description": "Problem details (RFC 9457)", "content": {
    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
COMPONENTS: dict[str, Any] = {
    "schemas": {
        "Problem": {"type": "object", "required": ["type", "title", "status"], "properties": {
            "type": {"type": "string"}, "title": {"type": "string"},
            "status": {"type": "integer"}, "detail": {"type": "string"},
            "errors": {"type": "array", "items": {"type": "object", "properties": {
                "path": {"type": "string", "description": "JSON Pointer into the submitted data"},
                "file": {"type": "string"}, "message": {"type": "string"}}}}}},
    },
    "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"},
                        "basic": {"type": "http", "scheme": "basic"},
                        "session": {"type": "apiKey", "in": "cookie", "name": "session"}},
}


def operation(summary: str, *, tag: str, body: dict[str, Any] | None = None,
              body_type: str = "application/json", responses: dict[int, Any] | None = None,
              params: list[dict[str, Any]] | None = None, public: bool = False) -> Callable[[F], F]:
    """Attach OpenAPI metadata to a view; ``responses`` maps status -> schema or text."""
    def wrap(view: F) -> F:
        view.__openapi__ = {"summary": summary, "tag": tag, "body": body,  # type: ignore[attr-defined]
                            "body_type": body_type, "responses": responses or {200: "OK"},
                            "params": params or [], "public": public,
                            "doc": (view.__doc__ or "").strip()}
        return view
    return wrap


def query(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    """A query-string parameter description."""
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or {"type": "string"}}


def build_spec(app: Flask, prefix: str = "/api/v1") -> dict[str, Any]:
    """The OpenAPI document of every documented route under ``prefix`` (and /health)."""
    paths: dict[str, Any] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        meta = getattr(app.view_functions[rule.endpoint], "__openapi__", None)
        if meta is None:
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(rule, meta, method)
    return {"openapi": "3.1.0",
            "info": {"title": "CaseStudio API", "version": "1",
                     "description": "Case types, cases, tasks and documents. Errors are "
                                    "application/problem+json."},
            "servers": [{"url": "/"}], "paths": paths, "components": COMPONENTS,
            "security": [{"bearer": []}, {"basic": []}, {"session": []}]}


def _operation(rule: Any, meta: dict[str, Any], method: str) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": meta["summary"], "tags": [meta["tag"]],
                          "operationId": f"{rule.endpoint.replace('.', '_')}_{method.lower()}",
                          "parameters": [{"name": a, "in": "path", "required": True,
                                          "schema": {"type": "string"}} for a in rule.arguments]
                          + meta["params"], "responses": _responses(meta)}
    if meta["doc"]:
        op["description"] = meta["doc"]
    if meta["body"] is not None and method in ("POST", "PUT", "PATCH"):
        op["requestBody"] = {"required": True,
                             "content": {meta["body_type"]: {"schema": meta["body"]}}}
    if meta["public"]:
        op["security"] = []
    return op


def _responses(meta: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for status, spec in meta["responses"].items():
        if isinstance(spec, str):
            out[str(status)] = {"description": spec}
        else:
            out[str(status)] = {"description": "OK",
                                "content": {"application/json": {"schema": spec}}}
    for status in ("400", "401", "403", "404", "422"):
        out.setdefault(status, PROBLEM)
    return out
