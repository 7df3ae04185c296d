"""JSON shapes of API resources (and their OpenAPI schemas, side by side)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from models.cases import Case, Comment, HistoryEntry
from models.casetypes import CaseTypeVersion


def iso(moment: datetime | None) -> str | None:
    """ISO-8601 with ``Z``; SQLite hands back naive UTC datetimes."""
    if moment is None:
        return None
    text = moment.isoformat() if moment.tzinfo else moment.isoformat() + "+00:00"
    return text.replace("+00:00", "Z")


def case_json(case: Case) -> dict[str, Any]:
    return {"id": case.id, "number": case.number, "caseType": case.case_type,
            "version": case.version, "stage": case.stage, "status": case.status,
            "queue": case.queue, "assignee": case.assignee, "title": case.title,
            "data": case.data, "revision": case.revision,
            "processInstanceId": case.process_instance_id, "stageDue": iso(case.stage_due),
            "slaBreached": case.sla_breached, "createdBy": case.created_by,
            "createdAt": iso(case.created_at), "updatedAt": iso(case.updated_at),
            "closedAt": iso(case.closed_at)}


def etag(case: Case) -> str:
    return f'"{case.revision}"'


def case_type_json(version: CaseTypeVersion, full: bool = True) -> dict[str, Any]:
    d = version.definition
    out: dict[str, Any] = {"key": version.key, "name": d.get("name"),
                           "description": d.get("description", ""), "version": version.version,
                           "stages": d.get("stages", []), "queues": d.get("queues", []),
                           "createdAt": iso(version.created_at), "createdBy": version.created_by,
                           "contentHash": version.content_hash}
    if full:
        out.update({"schema": d.get("schema", {}), "ui": d.get("ui", {}),
                    "forms": d.get("forms", {}), "numbering": d.get("numbering"),
                    "title": d.get("title", ""), "permissions": d.get("permissions", {}),
                    "hooks": d.get("hooks", []), "processId": d.get("processId"),
                    "warnings": version.warnings})
    return out


def comment_json(comment: Comment) -> dict[str, Any]:
    return {"id": comment.id, "author": comment.author, "body": comment.body,
            "createdAt": iso(comment.created_at)}


def history_json(entry: HistoryEntry) -> dict[str, Any]:
    return {"id": entry.id, "at": iso(entry.at), "actor": entry.actor, "action": entry.action,
            "changes": entry.changes}


_TS = {"type": ["string", "null"], "format": "date-time"}
CASE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "number", "caseType", "version", "stage", "status", "data"],
    "properties": {"id": {"type": "string"}, "number": {"type": "string"},
                   "caseType": {"type": "string"}, "version": {"type": "integer"},
                   "stage": {"type": "string"},
                   "status": {"enum": ["open", "closed", "archived"]},
                   "queue": {"type": ["string", "null"]},
                   "assignee": {"type": ["string", "null"]}, "title": {"type": "string"},
                   "data": {"type": "object"}, "revision": {"type": "integer"},
                   "createdAt": _TS, "updatedAt": _TS, "closedAt": _TS}}
CASE_LIST_SCHEMA = {"type": "object", "properties": {
    "items": {"type": "array", "items": CASE_SCHEMA},
    "nextCursor": {"type": ["string", "null"]}}}
CASE_TYPE_SCHEMA = {"type": "object", "properties": {
    "key": {"type": "string"}, "name": {"type": "string"}, "version": {"type": "integer"},
    "stages": {"type": "array"}, "queues": {"type": "array"}, "schema": {"type": "object"},
    "ui": {"type": "object"}, "forms": {"type": "object"}}}
COMMENT_SCHEMA = {"type": "object", "properties": {
    "id": {"type": "string"}, "author": {"type": "string"}, "body": {"type": "string"},
    "createdAt": _TS}}
HISTORY_SCHEMA = {"type": "object", "properties": {
    "id": {"type": "integer"}, "at": _TS, "actor": {"type": "string"},
    "action": {"type": "string"}, "changes": {"type": "object"}}}
