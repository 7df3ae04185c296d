"""Cases: create, list, get, merge-patch, close/reopen, comments, history."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, jsonify, request

from runtime.api.shapes import (
    CASE_LIST_SCHEMA,
    CASE_SCHEMA,
    COMMENT_SCHEMA,
    HISTORY_SCHEMA,
    case_json,
    comment_json,
    etag,
    history_json,
)
from runtime.api.spec import operation, query
from runtime.api.web import caller, container, json_body, object_body
from runtime.case_queries import FILTERS, CaseQuery
from runtime.errors import BadRequest, PreconditionFailed

bp = Blueprint("cases", __name__, url_prefix="/api/v1")

CREATE_BODY = {"type": "object", "required": ["caseType", "data"], "properties": {
    "caseType": {"type": "string"}, "data": {"type": "object"}}}


def _case_response(case: Any, status: int = 200) -> Any:
    response = jsonify(case_json(case))
    response.status_code = status
    response.headers["ETag"] = etag(case)
    return response


@bp.post("/cases")
@operation("Create a case (validated against its type's schema)", tag="cases",
           body=CREATE_BODY, responses={201: CASE_SCHEMA})
def create() -> Any:
    """A new case starts in its type's first stage with status ``open``."""
    body = object_body()
    case_type = body.get("caseType")
    if not isinstance(case_type, str) or not case_type:
        raise BadRequest("caseType is required")
    case = container().cases.create(caller(), case_type, body.get("data"))
    response = _case_response(case, 201)
    response.headers["Location"] = f"/api/v1/cases/{case.id}"
    return response


@bp.get("/cases")
@operation("List cases the caller may read", tag="cases", responses={200: CASE_LIST_SCHEMA},
           params=[query(f, f"only cases with this {f} ('me' for assignee)") for f in FILTERS]
           + [query("q", "free-text search in number, title and data"),
              query("limit", "page size (1-200)", {"type": "integer"}),
              query("cursor", "nextCursor of the previous page"),
              query("sort", "createdAt, updatedAt or number; prefix - for descending")])
def list_cases() -> Any:
    principal = caller()
    rows, cursor = container().case_queries.list(principal,
                                                 CaseQuery.from_args(request.args, principal))
    return jsonify({"items": [case_json(r) for r in rows], "nextCursor": cursor})


@bp.get("/cases/<case_id>")
@operation("Get a case (with an ETag for optimistic locking)", tag="cases",
           responses={200: CASE_SCHEMA})
def get_case(case_id: str) -> Any:
    return _case_response(container().cases.get(caller(), case_id))


@bp.patch("/cases/<case_id>")
@operation("Change a case with a JSON merge patch of {data, queue, assignee, stage}",
           tag="cases", body={"type": "object"}, body_type="application/merge-patch+json",
           responses={200: CASE_SCHEMA, 412: "If-Match did not match the current ETag"})
def patch_case(case_id: str) -> Any:
    """Send ``If-Match`` with the ETag you read to avoid overwriting someone else's change."""
    patch = json_body() if request.is_json else _merge_patch_body()
    case = container().cases.patch(caller(), case_id, patch, _if_match())
    return _case_response(case)


def _merge_patch_body() -> Any:
    if request.mimetype != "application/merge-patch+json":
        return json_body()
    try:
        return json.loads(request.get_data() or b"null")
    except ValueError:
        raise BadRequest("the request body is not valid JSON") from None


def _if_match() -> int | None:
    raw = request.headers.get("If-Match")
    if raw is None or raw.strip() == "*":
        return None
    text = raw.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise PreconditionFailed(f"If-Match {raw!r} is not an ETag of this case")
    return int(text)


@bp.post("/cases/<case_id>/close")
@operation("Close a case", tag="cases", responses={200: CASE_SCHEMA})
def close(case_id: str) -> Any:
    return _case_response(container().cases.set_status(caller(), case_id, "closed"))


@bp.post("/cases/<case_id>/reopen")
@operation("Reopen a closed case", tag="cases", responses={200: CASE_SCHEMA})
def reopen(case_id: str) -> Any:
    return _case_response(container().cases.set_status(caller(), case_id, "open"))


@bp.get("/cases/<case_id>/comments")
@operation("List the comments of a case", tag="cases",
           responses={200: {"type": "object", "properties": {
               "items": {"type": "array", "items": COMMENT_SCHEMA}}}})
def comments(case_id: str) -> Any:
    rows = container().cases.comments(caller(), case_id)
    return jsonify({"items": [comment_json(r) for r in rows]})


@bp.post("/cases/<case_id>/comments")
@operation("Comment on a case", tag="cases", responses={201: COMMENT_SCHEMA},
           body={"type": "object", "required": ["body"],
                 "properties": {"body": {"type": "string"}}})
def add_comment(case_id: str) -> Any:
    comment = container().cases.add_comment(caller(), case_id, object_body().get("body"))
    return jsonify(comment_json(comment)), 201


@bp.get("/cases/<case_id>/history")
@operation("The audit history of a case (who, when, what changed)", tag="cases",
           responses={200: {"type": "object", "properties": {
               "items": {"type": "array", "items": HISTORY_SCHEMA}}}})
def history(case_id: str) -> Any:
    rows = container().cases.history(caller(), case_id)
    return jsonify({"items": [history_json(r) for r in rows]})
