"""The caller's in-app notifications."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from runtime.api.shapes import iso
from runtime.api.spec import operation
from runtime.api.web import caller, container, json_body

bp = Blueprint("notifications", __name__, url_prefix="/api/v1")


@bp.get("/notifications")
@operation("My notifications (newest first) and the unread count", tag="notifications")
def list_notifications() -> Any:
    inbox = container().inbox
    principal = caller()
    rows = inbox.list(principal, unread_only=request.args.get("unread") == "true")
    return jsonify({"unread": inbox.unread(principal), "items": [
        {"id": n.id, "caseId": n.case_id, "title": n.title, "body": n.body,
         "createdAt": iso(n.created_at), "readAt": iso(n.read_at)} for n in rows]})


@bp.post("/notifications/read")
@operation("Mark notifications as read (all, or the given ids)", tag="notifications",
           body={"type": "object", "properties": {"ids": {"type": "array",
                                                           "items": {"type": "string"}}}})
def mark_read() -> Any:
    body = json_body() if request.get_data() else {}
    ids = body.get("ids") if isinstance(body, dict) else None
    return jsonify({"marked": container().inbox.mark_read(caller(), ids)})
