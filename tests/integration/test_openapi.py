"""The OpenAPI document is valid 3.1, generated from the code, and complete."""

from __future__ import annotations

from typing import Any

from openapi_spec_validator import validate


def test_openapi_document_is_valid_and_covers_every_api_route(client: Any, app: Any) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    assert spec["openapi"] == "3.1.0"
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.rule != "/api/v1/openapi.json":
            path = rule.rule.replace("<", "{").replace(">", "}")
            for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
                assert (path, method.lower()) in documented, (path, method)
    create = spec["paths"]["/api/v1/cases"]["post"]
    assert create["responses"]["422"]["content"]["application/problem+json"]
    assert spec["paths"]["/api/v1/auth/token"]["post"]["security"] == []


def test_docs_page_lists_operations(client: Any) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert b"/api/v1/cases/{case_id}" in page.data and b"Create a case" in page.data
