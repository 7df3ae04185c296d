"""The built-in external-task topics, acted out on a simulated case.

Why a twin of :mod:`runtime.topics` and not the same handlers: those write
rows (cases, notifications, outbound mail) in a database transaction; a test
run must only describe what would happen. The rules — required inputs, known
statuses, JSON data for ``case.update`` — are the same.
"""

from __future__ import annotations

import json
from typing import Any

from runtime.studio.sim_case import SimCase, SimError


def _required(variables: dict[str, Any], name: str) -> Any:
    value = variables.get(name)
    if value in (None, ""):
        raise SimError(f"input parameter {name!r} is required")
    return value


def _data(variables: dict[str, Any]) -> Any:
    data = _required(variables, "data")
    if isinstance(data, str):
        try:
            return json.loads(data)
        except ValueError:
            raise SimError("input 'data' must be a JSON object") from None
    return data


def run_topic(case: SimCase, topic: str, variables: dict[str, Any], activity: str) -> None:
    """Apply ``topic`` to ``case``; topics for the user's own workers are only noted."""
    by = f"{activity} ({topic})"
    if topic == "case.set-stage":
        case.apply({"stage": _required(variables, "stage")}, by)
    elif topic == "case.set-status":
        case.apply({"status": _required(variables, "status")}, by)
    elif topic == "case.set-queue":
        case.apply({"queue": _required(variables, "queue")}, by)
    elif topic == "case.update":
        case.apply({"data": _data(variables)}, by)
    elif topic == "case.notify":
        case.note("notify", f"would notify {variables.get('to') or 'assignee'}: "
                            f"{variables.get('title') or variables.get('message') or ''}")
    elif topic == "email.send":
        case.note("email", f"would e-mail {_required(variables, 'to')}: "
                           f"{variables.get('subject') or case.title}")
    else:
        case.note("worker", f"{activity}: topic {topic!r} is for your own worker; "
                            "the sandbox completes it without output")
