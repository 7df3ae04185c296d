"""Validate `/engine-rest` responses against Camunda 7.16's OpenAPI document.

Why a converter instead of an OpenAPI validator library: the document is
OpenAPI 3.0 (``nullable``, ``$ref`` into ``components``) and we want a
stricter check than the spec states. So each component becomes a JSON Schema
2020-12 definition in which:

* ``nullable: true`` becomes ``type: [t, "null"]`` (and ``null`` joins an enum);
* ``$ref`` points into ``$defs``; a property that is only a ``$ref`` may also
  be ``null`` (the generator cannot say ``nullable`` beside a ``$ref``, yet
  Camunda sends ``null`` there, e.g. ``execution`` of a correlation result);
* ``allOf`` compositions are merged into one object, and objects with declared
  properties refuse undeclared ones, so a misspelt field fails the test;
* a few properties Camunda 7.16 sends but its document omits are added
  (`SPEC_OMISSIONS`);
* success bodies must carry every declared property (null when empty), as
  Camunda's do: clients such as pycamunda index them without defaults. Only
  properties Camunda itself leaves out unless asked are exempt (`OPTIONAL`).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

SPEC_PATH = (Path(__file__).resolve().parents[1].parent / "shared" / "reference"
             / "camunda-rest" / "camunda-7.16-openapi.yaml")
PREFIX = "/engine-rest"
_DROP = {"description", "example", "examples", "nullable", "deprecated", "title", "default",
         "xml", "externalDocs"}

#: Where 7.16's document is wrong about what Camunda sends: properties it leaves out,
#: and variable values it types as objects although any JSON value (or null) comes.
SPEC_OMISSIONS = {
    "LockedExternalTaskDto": {"extensionProperties": {
        "type": ["object", "null"], "additionalProperties": {"type": "string"}}},
    "ActivityInstanceDto": {"name": {"type": ["string", "null"]}},
    "HistoricDetailDto": {"value": {}, "fieldValue": {}},
}

#: Properties Camunda leaves out of a success body unless the request asked for them.
OPTIONAL = {"MessageCorrelationResultWithVariableDto": {"variables"},
            "ProcessInstanceWithVariablesDto": {"variables"}}


@cache
def spec() -> dict[str, Any]:
    with SPEC_PATH.open("rb") as handle:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader: 0.4 s, not 8
        return yaml.load(handle, Loader=loader)  # noqa: S506 - a safe loader


def _component(name: str) -> dict[str, Any]:
    return spec()["components"]["schemas"][name]  # type: ignore[no-any-return]


def _merged(node: dict[str, Any]) -> dict[str, Any]:
    """An ``allOf`` of objects as one object schema (properties united)."""
    merged: dict[str, Any] = {"type": "object", "properties": {}}
    for part in node["allOf"]:
        if "$ref" in part:
            part = _component(part["$ref"].rsplit("/", 1)[-1])
        if "allOf" in part:
            part = _merged(part)
        merged["properties"].update(part.get("properties", {}))
    merged["properties"].update(node.get("properties", {}))
    return merged


def convert(node: Any, name: str | None = None, complete: bool = False) -> Any:
    """One OpenAPI 3.0 schema node as a strict JSON Schema 2020-12 node.

    ``complete``: declared properties are required (for success bodies).
    """
    if isinstance(node, list):
        return [convert(item, complete=complete) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return {"$ref": "#/$defs/" + node["$ref"].rsplit("/", 1)[-1]}
    if "allOf" in node:
        node = _merged(node)
    out = {key: _convert_keyword(key, value, complete) for key, value in node.items()
           if key not in _DROP}
    if complete and out.get("properties"):
        out["required"] = [p for p in out["properties"] if p not in OPTIONAL.get(name or "", ())]
    if name in SPEC_OMISSIONS:
        out.setdefault("properties", {}).update(SPEC_OMISSIONS[name])
    if node.get("nullable"):
        _allow_null(out)
    if "properties" in out and "additionalProperties" not in node:
        out["additionalProperties"] = False
    return out


def _convert_keyword(key: str, value: Any, complete: bool) -> Any:
    if key == "properties":
        return {prop: _nullable_ref(convert(sub, complete=complete))
                for prop, sub in value.items()}
    if key in ("items", "additionalProperties", "anyOf", "oneOf", "not"):
        return convert(value, complete=complete)
    return value


def _nullable_ref(schema: Any) -> Any:
    if isinstance(schema, dict) and set(schema) == {"$ref"}:
        return {"anyOf": [schema, {"type": "null"}]}
    return schema


def _allow_null(schema: dict[str, Any]) -> None:
    if "type" in schema:
        kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        schema["type"] = [*kinds, "null"]
    if "enum" in schema:
        schema["enum"] = [*schema["enum"], None]


@cache
def definitions(complete: bool = False) -> dict[str, Any]:
    return {name: convert(node, name, complete)
            for name, node in spec()["components"]["schemas"].items()}


@cache
def _templates() -> list[tuple[re.Pattern[str], str]]:
    """Path templates as regexes, literal paths before parameterised ones."""
    out = []
    for template in spec()["paths"]:
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        out.append((re.compile(pattern), template))
    return sorted(out, key=lambda item: (item[1].count("{"), item[1]))


def operation_path(path: str) -> str:
    """The spec's template for a concrete ``/engine-rest/...`` path."""
    local = path.split("?", 1)[0].removeprefix(PREFIX) or "/"
    for pattern, template in _templates():
        if pattern.match(local):
            return template
    raise AssertionError(f"{path} is not an operation of the Camunda REST API")


def response_schema(method: str, path: str, status: int) -> dict[str, Any] | None:
    """The JSON schema for a response (None: the operation declares no JSON body)."""
    return _schema(method.lower(), operation_path(path), status)


@cache
def _schema(method: str, template: str, status: int) -> dict[str, Any] | None:
    operation = spec()["paths"][template].get(method)
    assert operation is not None, f"{method.upper()} {template} is not a Camunda operation"
    declared = operation["responses"].get(str(status))
    if declared is None:
        assert status >= 400, f"{method.upper()} {template} never answers {status} in Camunda"
        declared = {"content": {"application/json": {"schema": {
            "$ref": "#/components/schemas/ExceptionDto"}}}}
    schema = declared.get("content", {}).get("application/json", {}).get("schema")
    if schema is None:
        return None
    complete = status < 300
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$defs": definitions(complete), **convert(schema, complete=complete)}


@cache
def _validator(method: str, template: str, status: int) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(_schema(method, template, status))


def validate(method: str, path: str, status: int, body: bytes, content_type: str) -> None:
    """Raise AssertionError when a response does not match its operation's schema."""
    schema = response_schema(method, path, status)
    if status == 204:
        assert body == b"", f"{method} {path}: 204 with a body"
        return
    if schema is None:
        assert not content_type.startswith("application/json"), (
            f"{method} {path} {status}: JSON where Camunda sends none")
        return
    assert content_type.startswith("application/json"), f"{method} {path}: not JSON"
    document = json.loads(body)
    errors = sorted(_validator(method.lower(), operation_path(path), status).iter_errors(document),
                    key=lambda e: list(e.absolute_path))
    assert not errors, f"{method} {path} {status}: " + "; ".join(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5])
    if status >= 400:
        assert isinstance(document.get("type"), str) and isinstance(
            document.get("message"), str), f"{method} {path}: error without type/message"
