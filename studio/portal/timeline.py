"""The case timeline: audit history, comments and documents as one readable stream.

Why built from the history: every change (by people, processes and workers)
already leaves one audit row in order; comments and documents are linked
from their rows by id, so the timeline needs three cheap queries, not a join
per entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

MAX_CHANGES = 6


@dataclass
class Entry:
    """One line of the timeline (newest first)."""

    at: datetime
    actor: str
    kind: str
    text: str
    body: str = ""
    document: Any = None
    changes: list[dict[str, Any]] = field(default_factory=list)


def build(history: list[Any], comments: list[Any], documents: list[Any],
          stage_name: Any) -> list[Entry]:
    """Entries newest first; ``stage_name(key)`` names stages for people."""
    by_comment = {c.id: c for c in comments}
    by_document = {d.id: d for d in documents}
    task_names: dict[str, str] = {}
    out = []
    for row in history:
        entry = _entry(row, by_comment, by_document, task_names, stage_name)
        if entry is not None:
            out.append(entry)
    return out[::-1]


def _entry(row: Any, comments: dict[str, Any], documents: dict[str, Any],
           task_names: dict[str, str], stage_name: Any) -> Entry | None:
    c, action = row.changes or {}, row.action
    if action == "commented":
        comment = comments.get(str(c.get("commentId")))
        return Entry(row.at, row.actor, "comment", "commented",
                     body=comment.body if comment else "(comment removed)")
    if action == "document_added":
        doc = documents.get(str(c.get("documentId")))
        return Entry(row.at, row.actor, "document", f"uploaded {c.get('name', 'a document')}",
                     document=doc)
    if action.startswith("task_"):
        return _task_entry(row, c, task_names)
    if action == "updated":
        changes = [x for x in c.get("changes", []) if x.get("path") != "/stage"]
        if not changes:
            return None
        return Entry(row.at, row.actor, "change", _changed(changes),
                     changes=changes[:MAX_CHANGES])
    text = _describe(action, c, stage_name)
    return Entry(row.at, row.actor, "event", text) if text else None


def _task_entry(row: Any, c: dict[str, Any], task_names: dict[str, str]) -> Entry:
    task_id = str(c.get("task_id", ""))
    if c.get("name"):
        task_names[task_id] = str(c["name"])
    name = task_names.get(task_id, "a task")
    text = {"task_created": f"task “{name}” opened",
            "task_completed": f"completed “{name}”",
            "task_assigned": (f"assigned “{name}” to {c['assignee']}" if c.get("assignee")
                              else f"returned “{name}” to the queue")}.get(row.action, row.action)
    return Entry(row.at, row.actor, "task", text)


def _changed(changes: list[dict[str, Any]]) -> str:
    fields = ", ".join(x["path"].lstrip("/").replace("/", " › ") for x in changes[:3])
    more = f" and {len(changes) - 3} more" if len(changes) > 3 else ""
    return f"changed {fields}{more}"


def _describe(action: str, c: dict[str, Any], stage_name: Any) -> str | None:
    """Sentences for the remaining audit actions (``None`` hides the row)."""
    if action == "created":
        return "created the case"
    if action == "stage_changed":
        return f"moved the case from {stage_name(c.get('from'))} to {stage_name(c.get('to'))}"
    if action == "status_changed":
        return {"closed": "closed the case", "open": "reopened the case"}.get(
            str(c.get("to")), f"set the status to {c.get('to')}")
    return {"closed": None,
            "notified": f"notified {', '.join(c.get('to', [])) or 'nobody'}: {c.get('title', '')}",
            "email_sent": f"sent an e-mail to {c.get('to', '')}: {c.get('subject', '')}",
            "sla_breached": "the stage's SLA was breached",
            "process_completed": "the process finished",
            "process_cancelled": "the process was cancelled",
            "incident_created": f"process incident: {c.get('message') or 'a step failed'}",
            }.get(action, action.replace("_", " "))
