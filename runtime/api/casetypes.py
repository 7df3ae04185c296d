"""Bundles and case types: deploy, list, get, export."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from runtime.api.shapes import CASE_TYPE_SCHEMA, case_type_json
from runtime.api.spec import operation, query
from runtime.api.web import caller, container
from runtime.bundles.archive import Limits, read_zip
from runtime.bundles.model import parse_bundle
from runtime.errors import BadRequest, NotFound, PayloadTooLarge

bp = Blueprint("casetypes", __name__, url_prefix="/api/v1")

DEPLOY_RESULT = {"type": "object", "properties": {
    "caseType": {"type": "string"}, "version": {"type": "integer"},
    "created": {"type": "boolean"}, "warnings": {"type": "array"}}}


@bp.post("/bundles")
@operation("Deploy a case-type bundle (zip body or multipart field `file`)", tag="case types",
           body={"type": "string", "format": "binary"}, body_type="application/zip",
           responses={201: DEPLOY_RESULT, 200: "Identical content was deployed before",
                      413: "Bundle too large"})
def deploy() -> Any:
    """Refused bundles leave nothing behind; identical content returns the same version."""
    c = container()
    principal = caller()
    c.authz.require(principal, "case_type.deploy", {"kind": "case_type"})
    limits = Limits(max_bytes=c.settings.max_bundle_bytes,
                    max_files=c.settings.max_bundle_files)
    bundle = parse_bundle(read_zip(_upload_bytes(limits.max_bytes), limits),
                          allow_scripts=c.settings.allow_scripts)
    version, created = c.case_types.deploy(principal, bundle)
    body = {"caseType": version.key, "version": version.version, "created": created,
            "warnings": version.warnings}
    return jsonify(body), 201 if created else 200


def _upload_bytes(limit: int) -> bytes:
    if request.content_length is not None and request.content_length > limit + 65536:
        raise PayloadTooLarge(f"the bundle exceeds {limit} bytes")
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise BadRequest("multipart upload needs a field named 'file'")
        data = upload.stream.read(limit + 1)
    else:
        data = request.stream.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(f"the bundle exceeds {limit} bytes")
    if not data:
        raise BadRequest("empty body: send the bundle zip")
    return data


@bp.get("/case-types")
@operation("List case types (latest versions)", tag="case types",
           responses={200: {"type": "object", "properties": {
               "items": {"type": "array", "items": CASE_TYPE_SCHEMA}}}})
def list_types() -> Any:
    rows = container().case_types.list_types(caller())
    return jsonify({"items": [case_type_json(r, full=False) for r in rows]})


@bp.get("/case-types/<key>")
@operation("Get a case type with its stages, schema and UI schema", tag="case types",
           params=[query("version", "a specific version (default: latest)",
                         {"type": "integer"})], responses={200: CASE_TYPE_SCHEMA})
def get_type(key: str) -> Any:
    return jsonify(case_type_json(container().case_types.get(caller(), key, _version())))


@bp.get("/case-types/<key>/versions")
@operation("List every version of a case type", tag="case types")
def versions(key: str) -> Any:
    rows = container().case_types.versions(caller(), key)
    return jsonify({"items": [case_type_json(r, full=False) for r in rows]})


@bp.get("/case-types/<key>/bundle")
@operation("Export a case type as a bundle zip (round-trips through POST /bundles)",
           tag="case types", params=[query("version", "version (default: latest)",
                                           {"type": "integer"})],
           responses={200: "application/zip"})
def export(key: str) -> Any:
    row = container().case_types.get(caller(), key, _version())
    return Response(row.bundle_zip, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{row.key}-v{row.version}.zip"'})


def _version() -> int | None:
    raw = request.args.get("version")
    if raw is None:
        return None
    if not raw.isdigit():
        raise NotFound(f"version {raw!r} does not exist")
    return int(raw)
