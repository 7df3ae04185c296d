"""Plain Python values <-> Camunda's typed variables and dates, on the client side.

Why typed on the way out: Camunda stores what it is told (an untyped ``5``
may become a Long or an Integer depending on the version; a dict would be
refused), so the adapter names the type — Integer/Long by range, Double,
Boolean, String, Date, Null, and Json (Camunda Spin's JSON type, shipped with
Camunda Run and Operaton) for dicts and lists. On the way in, Json and JSON
``Object`` values are decoded, Dates become aware datetimes; the engine-side
protocol deals in plain JSON-like values only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

_INT32 = 2**31
_JSON_FORMAT = "application/json"


def format_date(value: datetime | None) -> str | None:
    """Camunda's ``yyyy-MM-dd'T'HH:mm:ss.SSSZ``, in UTC."""
    if value is None:
        return None
    value = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}+0000"


def parse_date(text: str | None) -> datetime | None:
    """A Camunda date (``+0000`` or ISO-8601 offsets) as an aware datetime."""
    if not text:
        return None
    try:
        value = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")
    except ValueError:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def typed(value: Any) -> dict[str, Any]:
    """One value as ``{value, type, valueInfo}``."""
    if value is None:
        return {"value": None, "type": "Null", "valueInfo": {}}
    if isinstance(value, bool):
        return {"value": value, "type": "Boolean", "valueInfo": {}}
    if isinstance(value, int):
        kind = "Integer" if -_INT32 <= value < _INT32 else "Long"
        return {"value": value, "type": kind, "valueInfo": {}}
    if isinstance(value, float):
        return {"value": value, "type": "Double", "valueInfo": {}}
    if isinstance(value, str):
        return {"value": value, "type": "String", "valueInfo": {}}
    if isinstance(value, datetime | date):
        moment = value if isinstance(value, datetime) else datetime(value.year, value.month,
                                                                      value.day, tzinfo=UTC)
        return {"value": format_date(moment), "type": "Date", "valueInfo": {}}
    return {"value": json.dumps(value, default=str), "type": "Json", "valueInfo": {}}


def typed_map(values: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    return {str(name): typed(value) for name, value in (values or {}).items()}


def plain(dto: Any) -> Any:
    """A typed value from Camunda as a plain value (unknown types pass through)."""
    if not isinstance(dto, dict):
        return dto
    kind = str(dto.get("type") or "").lower()
    value = dto.get("value")
    if value is None:
        return None
    if kind == "json" or (kind == "object" and _is_json(dto)):
        return json.loads(value) if isinstance(value, str) else value
    if kind == "date" and isinstance(value, str):
        return parse_date(value)
    return value


def _is_json(dto: dict[str, Any]) -> bool:
    info = dto.get("valueInfo") or {}
    return (info.get("serializationDataFormat") or _JSON_FORMAT) == _JSON_FORMAT


def plain_map(dtos: Mapping[str, Any] | None) -> dict[str, Any]:
    return {name: plain(dto) for name, dto in (dtos or {}).items()}
