"""The studio API (``/api/v1/studio``): drafts, validate, diff, test runs, deploy, versions.

Everything the studio pages do goes through these endpoints (or the same
services), so a script or a CI job can design, check and deploy case types
without a browser. Drafts carry an ETag (their revision); saves send it in
``If-Match`` and get 412 with both versions when someone else saved first.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from runtime.api.casetypes import _upload_bytes
from runtime.api.spec import operation, query
from runtime.api.web import caller, container, object_body
from runtime.errors import BadRequest, PreconditionFailed, ValidationFailed
from runtime.studio.drafts import draft_json, etag
from runtime.studio.simulate import simulate
from runtime.studio.validate import has_errors, validate_files
from runtime.studio.wiring import Studio, studio_of

bp = Blueprint("studio_api", __name__, url_prefix="/api/v1/studio")
TAG = "studio"
SYSTEM = {"kind": "system"}

DRAFT = {"type": "object", "properties": {
    "key": {"type": "string"}, "revision": {"type": "integer"},
    "baseVersionId": {"type": ["string", "null"]}, "updatedBy": {"type": "string"},
    "updatedAt": {"type": "string"},
    "files": {"type": "object", "additionalProperties": {"type": "string"},
              "description": "every bundle file: path -> text"}}}
PROBLEMS = {"type": "object", "properties": {
    "valid": {"type": "boolean"}, "problems": {"type": "array", "items": {
        "type": "object", "properties": {
            "file": {"type": "string"}, "message": {"type": "string"},
            "path": {"type": "string", "description": "JSON Pointer, or #elementId in BPMN"},
            "severity": {"enum": ["error", "warning"]}}}}}}
DIFF = {"type": "object", "description": "files, general, fields, stages, queues, forms, "
        "permissions, hooks, process (elements by id), running (open cases per version)"}
SIM_RUN = {"type": "object", "properties": {
    "data": {"type": "object", "description": "sample case data"},
    "steps": {"type": "array", "items": {"type": "object", "properties": {
        "task": {"type": "string", "description": "BPMN id of a waiting user task"},
        "data": {"type": "object", "description": "the task form's data (sets variables, "
                                                  "so it also picks gateway outcomes)"},
        "variables": {"type": "object", "description": "extra process variables, e.g. to "
                                                       "pick a gateway outcome directly"},
        "timers": {"type": "boolean", "description": "fire the next due timers instead"}}}}}}
SIM_STATE = {"type": "object", "description": "run, case, waiting (tasks with forms), timers, "
             "path, stageChanges, incidents, log, ended"}
DEPLOYED = {"type": "object", "properties": {
    "caseType": {"type": "string"}, "version": {"type": "integer"},
    "created": {"type": "boolean"}, "warnings": {"type": "array"}}}
IF_MATCH = {"name": "If-Match", "in": "header", "required": False,
            "description": "the draft's ETag; a stale one gets 412 with both versions",
            "schema": {"type": "string"}}


def _studio() -> Studio:
    c = container()
    c.authz.require(caller(), "studio.manage", SYSTEM)
    return studio_of(c)


def _draft_response(draft: Any, status: int = 200) -> Any:
    response = jsonify(draft_json(draft))
    response.status_code = status
    response.headers["ETag"] = etag(draft)
    return response


def if_match() -> int | None:
    """The revision in ``If-Match`` (``"3"``, ``W/"3"``); None when absent or ``*``."""
    raw = request.headers.get("If-Match")
    if raw is None or raw.strip() == "*":
        return None
    text = raw.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise PreconditionFailed(f"If-Match {raw!r} is not an ETag of this draft")
    return int(text)


@bp.get("/drafts")
@operation("List case types and drafts (latest version, draft state)", tag=TAG)
def list_drafts() -> Any:
    studio = _studio()
    principal = caller()
    drafts = {d.key: d for d in studio.drafts.list(principal)}
    types = {t.key: t for t in container().case_types.list_types(principal)}
    items = [{"key": key, "name": types[key].definition.get("name") if key in types else None,
              "latestVersion": types[key].version if key in types else None,
              "draft": draft_json(drafts[key], files=False) if key in drafts else None}
             for key in sorted(set(drafts) | set(types))]
    return jsonify({"items": items})


@bp.post("/drafts")
@operation("Start a draft: a new case type from the template, or a deployed version",
           tag=TAG, responses={201: DRAFT, 409: "The key has a draft or a case type already"},
           body={"type": "object", "properties": {
               "key": {"type": "string"}, "name": {"type": "string"},
               "description": {"type": "string"},
               "fromVersion": {"type": ["integer", "string"],
                               "description": "edit this deployed version ('latest' for the "
                                              "newest) instead of using the template"}}})
def create_draft() -> Any:
    """With ``fromVersion`` the draft holds that version's files (replacing a draft)."""
    studio = _studio()
    body = object_body()
    principal = caller()
    if body.get("fromVersion") is not None:
        version = body["fromVersion"]
        if version != "latest" and not isinstance(version, int):
            raise ValidationFailed("fromVersion must be a number or 'latest'", errors=[
                {"path": "/fromVersion", "message": "must be an integer or 'latest'"}])
        draft = studio.transfer.from_version(principal, str(body.get("key", "")),
                                             None if version == "latest" else version)
    else:
        deployed = studio.deployer.latest_files(principal, str(body.get("key", ""))) is not None
        draft = studio.drafts.create(principal, body.get("key"), body.get("name"),
                                     body.get("description") or "", deployed=deployed)
    return _draft_response(draft, 201)


@bp.get("/drafts/<key>")
@operation("Get a draft with every file (ETag = revision)", tag=TAG, responses={200: DRAFT})
def get_draft(key: str) -> Any:
    return _draft_response(_studio().drafts.get(caller(), key))


@bp.patch("/drafts/<key>")
@operation("Save files of a draft: {files: {path: text|null}, manifest: {field: value|null}}",
           tag=TAG, params=[IF_MATCH], responses={
               200: DRAFT, 412: "Saved by someone else meanwhile (body has current and yours)"},
           body={"type": "object", "properties": {
               "files": {"type": "object", "additionalProperties": {"type": ["string", "null"]}},
               "manifest": {"type": "object",
                            "description": "top-level case-type.yaml fields to set"}}})
def save_draft(key: str) -> Any:
    """``null`` deletes a file or a manifest field."""
    draft = _studio().drafts.save(caller(), key, object_body(), if_match())
    return _draft_response(draft)


@bp.delete("/drafts/<key>")
@operation("Discard a draft (deployed versions stay)", tag=TAG, params=[IF_MATCH],
           responses={204: "Deleted"})
def delete_draft(key: str) -> Any:
    _studio().drafts.delete(caller(), key, if_match())
    return "", 204


@bp.post("/drafts/<key>/validate")
@operation("Run every deploy check on a draft", tag=TAG, responses={200: PROBLEMS})
def validate_draft(key: str) -> Any:
    studio = _studio()
    draft = studio.drafts.get(caller(), key)
    problems = validate_files({k: v.encode() for k, v in draft.files.items()},
                              allow_scripts=studio.allow_scripts)
    return jsonify({"valid": not has_errors(problems), "problems": problems,
                    "revision": draft.revision})


@bp.get("/drafts/<key>/diff")
@operation("What deploying the draft would change, and the open cases of each version",
           tag=TAG, responses={200: DIFF})
def draft_diff(key: str) -> Any:
    return jsonify(_studio().deployer.draft_diff(caller(), key))


@bp.post("/drafts/<key>/simulate")
@operation("Test run: start a sandbox case with sample data and replay steps", tag=TAG,
           body=SIM_RUN, responses={200: SIM_STATE})
def simulate_start(key: str) -> Any:
    """Nothing is stored: send the returned ``run`` back (with a new step) to continue."""
    return jsonify(_simulate(key, object_body()))


@bp.post("/drafts/<key>/simulate/step")
@operation("Test run: one more step ({run, task, data} or {run, timers: true})", tag=TAG,
           body={"type": "object", "required": ["run"], "properties": {
               "run": SIM_RUN, "task": {"type": "string"}, "data": {"type": "object"},
               "variables": {"type": "object"}, "timers": {"type": "boolean"}}},
           responses={200: SIM_STATE})
def simulate_step(key: str) -> Any:
    body = object_body()
    run = body.get("run")
    if not isinstance(run, dict):
        raise ValidationFailed("run is required", errors=[
            {"path": "/run", "message": "send the run of the previous answer"}])
    step = {k: body[k] for k in ("task", "data", "variables", "timers") if k in body}
    listed = run.get("steps")
    steps: list[Any] = listed if isinstance(listed, list) else []
    return jsonify(_simulate(key, {"data": run.get("data") or {}, "steps": [*steps, step]}))


def _simulate(key: str, run: dict[str, Any]) -> dict[str, Any]:
    studio = _studio()
    draft = studio.drafts.get(caller(), key)
    return simulate({k: v.encode() for k, v in draft.files.items()}, run,
                    allow_scripts=studio.allow_scripts)


@bp.post("/drafts/<key>/deploy")
@operation("Deploy the draft as a new version", tag=TAG, params=[IF_MATCH],
           responses={201: DEPLOYED, 200: "Identical content was deployed before",
                      412: "The draft changed since you looked at it"})
def deploy_draft(key: str) -> Any:
    version, created = _studio().deployer.deploy(caller(), key, if_match())
    return jsonify({"caseType": version.key, "version": version.version, "created": created,
                    "warnings": version.warnings}), 201 if created else 200


@bp.get("/drafts/<key>/export")
@operation("Export the draft as a bundle zip", tag=TAG, responses={200: "application/zip"})
def export_draft(key: str) -> Any:
    data = _studio().transfer.export(caller(), key)
    return Response(data, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{key}-draft.zip"'})


@bp.post("/import")
@operation("Import a bundle zip into its draft (dryRun=true: only check and diff)", tag=TAG,
           body={"type": "string", "format": "binary"}, body_type="application/zip",
           params=[query("dryRun", "true: return key, problems and diff; save nothing",
                         {"type": "boolean"}), IF_MATCH],
           responses={200: {"type": "object", "description": "key, problems, diff, draft"}})
def import_bundle() -> Any:
    """The diff is against the current draft, else against the deployed version."""
    studio = _studio()
    principal = caller()
    preview = studio.transfer.preview(principal, _upload_bytes(studio.deployer.limits.max_bytes))
    files = preview.pop("files")
    if request.args.get("dryRun", "").lower() in ("1", "true", "yes"):
        return jsonify(preview)
    draft = studio.transfer.import_files(principal, files, if_match())
    return jsonify({**preview, "draft": draft_json(draft, files=False)})


@bp.get("/case-types/<key>/versions")
@operation("Version history: who deployed what when, open cases per version", tag=TAG)
def versions(key: str) -> Any:
    return jsonify({"items": _studio().deployer.versions(caller(), key)})


@bp.get("/case-types/<key>/diff")
@operation("Diff between two deployed versions", tag=TAG, responses={200: DIFF},
           params=[query("from", "older version", {"type": "integer"}),
                   query("to", "newer version", {"type": "integer"})])
def version_diff(key: str) -> Any:
    old, new = _int_arg("from"), _int_arg("to")
    return jsonify(_studio().deployer.diff_versions(caller(), key, old, new))


@bp.post("/case-types/<key>/rollback")
@operation("Roll back: redeploy an old version's files as a new version", tag=TAG,
           body={"type": "object", "required": ["version"],
                 "properties": {"version": {"type": "integer"}}}, responses={201: DEPLOYED})
def rollback(key: str) -> Any:
    """Running cases keep their versions; new cases use the rolled-back definition."""
    studio = _studio()
    version = object_body().get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ValidationFailed("version is required", errors=[
            {"path": "/version", "message": "must be an integer"}])
    row, created = studio.deployer.rollback(caller(), key, version)
    return jsonify({"caseType": row.key, "version": row.version, "created": created,
                    "warnings": row.warnings}), 201


def _int_arg(name: str) -> int:
    raw = request.args.get(name, "")
    if not raw.isdigit():
        raise BadRequest(f"query parameter {name!r} must be a version number",
                         errors=[{"path": f"?{name}", "message": "must be an integer"}])
    return int(raw)

