"""Camunda's typed variables (``{value, type, valueInfo}``) <-> plain engine values.

Why strict conversion on the way in: the engine stores JSON-safe values, so
each Camunda type maps to one Python type (Integer/Long/Short -> int, Double
-> float, Date -> aware datetime, Json/Object(JSON) -> dict/list, Null -> None)
and anything that does not convert is a 400 naming the variable, before the
engine is touched. Untyped values (third-party clients send ``{"value": v}``
or ``"type": null``) are inferred like Camunda does from the JSON type. On the
way out the type is inferred from the value; Json values travel as JSON text,
as Camunda's Spin JSON type does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from bpmn.engine_errors import BadUserRequest
from bpmn.rest.params import format_date, parse_date

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_RANGES = {"short": 2**15, "integer": 2**31, "long": 2**63}


class _Unconvertible(ValueError):
    """Internal: the value does not fit the declared type."""


def _integer(kind: str) -> Callable[[Any, dict[str, Any]], Any]:
    def convert(value: Any, info: dict[str, Any]) -> int:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise _Unconvertible
        number = float(value) if isinstance(value, float) else int(str(value).strip())
        if isinstance(number, float) and not number.is_integer():
            raise _Unconvertible
        if not -_RANGES[kind] <= int(number) < _RANGES[kind]:
            raise _Unconvertible
        return int(number)
    return convert


def _double(value: Any, info: dict[str, Any]) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _Unconvertible
    return float(value)


def _boolean(value: Any, info: dict[str, Any]) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise _Unconvertible


def _string(value: Any, info: dict[str, Any]) -> str:
    if isinstance(value, dict | list):
        raise _Unconvertible
    return value if isinstance(value, str) else json.dumps(value)


def _date(value: Any, info: dict[str, Any]) -> datetime:
    if not isinstance(value, str):
        raise _Unconvertible
    try:
        return parse_date(value)
    except BadUserRequest:
        raise _Unconvertible from None


def _json(value: Any, info: dict[str, Any]) -> Any:
    if isinstance(value, dict | list):
        return value
    if not isinstance(value, str):
        raise _Unconvertible
    try:
        return json.loads(value)
    except ValueError:
        raise _Unconvertible from None


def _object(value: Any, info: dict[str, Any]) -> Any:
    data_format = (info or {}).get("serializationDataFormat") or "application/json"
    if data_format != "application/json":
        raise BadUserRequest(f"serialization data format '{data_format}' is not supported; "
                             "use application/json")
    return _json(value, info)


def _null(value: Any, info: dict[str, Any]) -> None:
    return None


CONVERTERS: dict[str, Callable[[Any, dict[str, Any]], Any]] = {
    "string": _string, "integer": _integer("integer"), "long": _integer("long"),
    "short": _integer("short"), "double": _double, "boolean": _boolean, "date": _date,
    "json": _json, "object": _object, "null": _null}


def from_dto(name: str, dto: Any) -> Any:
    """One Camunda variable value as a plain Python value (400 when it does not convert)."""
    if not isinstance(dto, dict):
        raise BadUserRequest(f"Variable '{name}' must be an object with 'value' and 'type'")
    value, kind = dto.get("value"), dto.get("type")
    if kind is None:
        return value
    if not isinstance(kind, str) or kind.lower() not in CONVERTERS:
        raise BadUserRequest(f"Cannot set variable '{name}': unsupported value type '{kind}'")
    if value is None:
        return None
    try:
        return CONVERTERS[kind.lower()](value, dto.get("valueInfo") or {})
    except (_Unconvertible, ValueError):
        raise BadUserRequest(f"Cannot set variable '{name}': cannot convert value "
                             f"{json.dumps(value)[:100]} to type '{kind}'") from None


def variables_in(payload: Any, field: str = "variables") -> dict[str, Any]:
    """A ``{name: {value, type, valueInfo}}`` map (absent or null: empty)."""
    if payload is None:
        return {}
    if not isinstance(payload, dict):
        raise BadUserRequest(f"'{field}' must be an object mapping names to typed values")
    return {str(name): from_dto(str(name), dto) for name, dto in payload.items()}


def to_dto(value: Any, type_name: str | None = None) -> dict[str, Any]:
    """A plain value as Camunda's typed value; ``type_name`` revives stored dates."""
    if type_name == "Date" and isinstance(value, str):
        value = parse_date(value)
    if value is None:
        return {"value": None, "type": "Null", "valueInfo": {}}
    if isinstance(value, bool):
        return {"value": value, "type": "Boolean", "valueInfo": {}}
    if isinstance(value, int):
        kind = "Integer" if -_RANGES["integer"] <= value < _RANGES["integer"] else "Long"
        return {"value": value, "type": kind, "valueInfo": {}}
    if isinstance(value, float):
        return {"value": value, "type": "Double", "valueInfo": {}}
    if isinstance(value, str):
        return {"value": value, "type": "String", "valueInfo": {}}
    if isinstance(value, datetime | date):
        moment = value if isinstance(value, datetime) else datetime(value.year, value.month,
                                                                      value.day)
        return {"value": format_date(moment), "type": "Date", "valueInfo": {}}
    return {"value": json.dumps(value, default=str), "type": "Json", "valueInfo": {}}


def variables_out(values: Mapping[str, Any], names: list[str] | None = None,
                  types: Mapping[str, str] | None = None) -> dict[str, dict[str, Any]]:
    """Typed values of ``values`` (only ``names`` when given; ``types`` as stored)."""
    return {name: to_dto(value, (types or {}).get(name)) for name, value in values.items()
            if names is None or name in names}


def may_be_date(values: Mapping[str, Any]) -> bool:
    """True when some value is ISO date text (a Date the engine stored as JSON text)."""
    return any(isinstance(v, str) and _ISO_DATE.match(v) for v in values.values())
