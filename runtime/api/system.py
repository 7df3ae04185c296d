"""Health, authentication tokens, the OpenAPI document and the docs page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, render_template_string

from runtime.api.spec import build_spec, operation
from runtime.api.web import container, object_body
from runtime.errors import Unauthorized

bp = Blueprint("system", __name__)

TOKEN_BODY = {"type": "object", "required": ["username", "password"],
              "properties": {"username": {"type": "string"}, "password": {"type": "string"},
                             "tenant": {"type": "string"}}}


@bp.get("/health")
@operation("Status of every component", tag="system", public=True,
           responses={200: {"type": "object"}, 503: "A component is down"})
def health() -> Any:
    report = container().health()
    return jsonify(report), 200 if report["status"] == "up" else 503


@bp.post("/api/v1/auth/token")
@operation("Exchange a username and password for a bearer token", tag="auth", public=True,
           body=TOKEN_BODY, responses={200: {"type": "object", "properties": {
               "access_token": {"type": "string"}, "token_type": {"type": "string"},
               "expires_in": {"type": "integer"}}}})
def token() -> Any:
    body = object_body()
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        raise Unauthorized("username and password are required")
    c = container()
    principal = c.identity.authenticate(username, password,
                                        str(body.get("tenant") or c.settings.default_tenant))
    if principal is None:
        raise Unauthorized("unknown user or wrong password")
    return jsonify({"access_token": c.identity.issue_token(principal), "token_type": "Bearer",
                    "expires_in": c.settings.token_ttl_seconds})


@bp.get("/api/v1/openapi.json")
def openapi() -> Any:
    return jsonify(build_spec(current_app))


DOCS = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>CaseStudio API</title><style>
body{font:14px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;color:#1f2933}
code{background:#f0f4f8;padding:0 .3em;border-radius:3px}.m{display:inline-block;width:4.5em;
font-weight:600}.get{color:#0b6e4f}.post{color:#1c4fa0}.patch{color:#8a4b00}.delete{color:#a61b1b}
h2{border-bottom:1px solid #d9e2ec;margin-top:2rem}</style></head><body>
<h1>CaseStudio API</h1><p>OpenAPI 3.1: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.
Authenticate with <code>POST /api/v1/auth/token</code> and send
<code>Authorization: Bearer &lt;token&gt;</code>.</p>
{% for tag, ops in groups.items() %}<h2>{{ tag }}</h2><ul>
{% for path, method, op in ops %}<li><span class="m {{ method }}">{{ method|upper }}</span>
<code>{{ path }}</code> — {{ op.summary }}</li>{% endfor %}</ul>{% endfor %}</body></html>"""


@bp.get("/api/docs")
def docs() -> Any:
    groups: dict[str, list[Any]] = {}
    for path, methods in build_spec(current_app)["paths"].items():
        for method, op in methods.items():
            groups.setdefault(op["tags"][0], []).append((path, method, op))
    return render_template_string(DOCS, groups=groups)
