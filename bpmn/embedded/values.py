"""Variable values: JSON-safe storage, Camunda type names, camunda attribute values.

Why here: process variables are stored as JSON (projection rows, history) and
reported with Camunda's type names; ``camunda:*`` attribute values are either
literals or ``${...}`` expressions, evaluated only by the sandbox.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from bpmn.expressions import evaluate, parse_timer

_EXPRESSION = re.compile(r"[$#]\{(.*?)\}", re.S)


def json_safe(value: Any) -> Any:
    """A JSON-serializable copy (dates become ISO strings, tuples/sets lists)."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_safe(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def type_name(value: Any) -> str:
    """Camunda's value type name for a Python value."""
    if value is None:
        return "Null"
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Integer" if -2**31 <= value < 2**31 else "Long"
    if isinstance(value, float):
        return "Double"
    if isinstance(value, str):
        return "String"
    if isinstance(value, datetime | date):
        return "Date"
    return "Json"


def is_expression(text: str) -> bool:
    return "${" in text or "#{" in text


def resolve(text: str | None, variables: Mapping[str, Any]) -> Any:
    """A camunda attribute value: a literal, one ``${expr}``, or a text template."""
    if text is None or not is_expression(text):
        return text
    stripped = text.strip()
    match = _EXPRESSION.fullmatch(stripped)
    if match is not None:
        return evaluate("${" + match.group(1) + "}", variables)
    return _EXPRESSION.sub(lambda m: _text(evaluate("${" + m.group(1) + "}", variables)), text)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parameter(spec: Mapping[str, Any], variables: Mapping[str, Any]) -> Any:
    """Evaluate a ``camunda:inputParameter``/``outputParameter`` body (see the parser)."""
    if "list" in spec:
        return [parameter(item, variables) for item in spec["list"]]
    if "map" in spec:
        return {key: parameter(item, variables) for key, item in spec["map"].items()}
    if "script" in spec:
        raise ValueError("script parameters are not supported")
    text = spec.get("text", "")
    return resolve(text, variables) if is_expression(text) else text


def parameters(specs: Mapping[str, Any] | None, variables: Mapping[str, Any]) -> dict[str, Any]:
    return {name: parameter(spec, variables) for name, spec in (specs or {}).items()}


def as_list(value: Any) -> list[str]:
    """candidateUsers/candidateGroups: a comma-separated string or a list."""
    if value is None:
        return []
    if isinstance(value, list | tuple | set):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value).split(",") if part.strip()]


def as_datetime(value: Any, now: datetime) -> datetime | None:
    """dueDate/followUpDate: a datetime, an ISO date(-time) or an ISO duration from now."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    text = str(value).strip()
    if text.upper().startswith("P"):
        return parse_timer(text, {}).next_due(now)
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def as_int(value: Any, default: int) -> int:
    if value is None or value == "":
        return default
    return int(value)
