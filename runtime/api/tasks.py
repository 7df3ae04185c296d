"""User tasks: inbox, task with its form, claim/unclaim, complete."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from runtime.api.shapes import iso
from runtime.api.spec import operation, query
from runtime.api.web import caller, container, json_body
from runtime.tasks import TaskView

bp = Blueprint("tasks", __name__, url_prefix="/api/v1")

TASK_SCHEMA = {"type": "object", "properties": {
    "id": {"type": "string"}, "name": {"type": ["string", "null"]},
    "caseId": {"type": "string"}, "caseNumber": {"type": "string"},
    "assignee": {"type": ["string", "null"]},
    "candidateGroups": {"type": "array", "items": {"type": "string"}},
    "candidateUsers": {"type": "array", "items": {"type": "string"}},
    "due": {"type": ["string", "null"]}, "created": {"type": "string"},
    "form": {"type": ["object", "null"]}, "data": {"type": "object"}}}


def task_json(view: TaskView, full: bool = False) -> dict[str, Any]:
    t = view.task
    out: dict[str, Any] = {
        "id": t.id, "name": t.name, "taskDefinitionKey": t.task_definition_key,
        "caseId": t.business_key, "caseNumber": view.case.number if view.case else None,
        "caseTitle": view.case.title if view.case else None,
        "caseType": view.case.case_type if view.case else None,
        "assignee": t.assignee, "candidateUsers": list(t.candidate_users),
        "candidateGroups": list(t.candidate_groups), "due": iso(t.due),
        "followUp": iso(t.follow_up), "priority": t.priority, "formKey": t.form_key,
        "created": iso(t.created), "processInstanceId": t.process_instance_id}
    if full:
        out["form"] = view.form
        out["data"] = view.data or {}
    return out


@bp.get("/tasks")
@operation("List open tasks of cases the caller may read", tag="tasks",
           params=[query("caseId", "tasks of one case"),
                   query("assignee", "'me' or a user id"),
                   query("candidate", "'me': tasks I could claim (user or one of my groups)")],
           responses={200: {"type": "object", "properties": {
               "items": {"type": "array", "items": TASK_SCHEMA}}}})
def list_tasks() -> Any:
    views = container().tasks.list(caller(), case_id=request.args.get("caseId"),
                                   assignee=request.args.get("assignee"),
                                   candidate=request.args.get("candidate"))
    return jsonify({"items": [task_json(v) for v in views]})


@bp.get("/tasks/<task_id>")
@operation("A task with its form (JSON Schema + UI schema) and current data", tag="tasks",
           responses={200: TASK_SCHEMA})
def get_task(task_id: str) -> Any:
    return jsonify(task_json(container().tasks.get(caller(), task_id), full=True))


@bp.post("/tasks/<task_id>/claim")
@operation("Claim a task (assign it to yourself)", tag="tasks", responses={200: TASK_SCHEMA})
def claim(task_id: str) -> Any:
    return jsonify(task_json(container().tasks.claim(caller(), task_id)))


@bp.post("/tasks/<task_id>/unclaim")
@operation("Give a task back to its candidates", tag="tasks", responses={200: TASK_SCHEMA})
def unclaim(task_id: str) -> Any:
    return jsonify(task_json(container().tasks.unclaim(caller(), task_id)))


@bp.post("/tasks/<task_id>/complete")
@operation("Complete a task with its form data (validated; 422 with field paths)",
           tag="tasks", body={"type": "object", "properties": {"data": {"type": "object"}}},
           responses={204: "Completed"})
def complete(task_id: str) -> Any:
    body = json_body() if request.get_data() else {}
    data = body.get("data") if isinstance(body, dict) else body
    container().tasks.complete(caller(), task_id, data)
    return "", 204
