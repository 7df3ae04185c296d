"""Query-parameter and query-body parsing: typed values, paging, sorting, filters.

Why one `Params` over both sources: Camunda offers most list queries as GET
with query parameters and as POST with a JSON body (lists as comma-separated
strings in one, JSON arrays in the other). Every bad value becomes a 400
naming the parameter, like Camunda's ``InvalidRequestException``. Filters the
engine cannot apply are checked here on the engine's result (``listing``), so
the facade answers Camunda's richer queries without widening the protocol.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

from flask import request

from bpmn.engine_errors import BadUserRequest
from bpmn.engine_types import VariableFilter

T = TypeVar("T")
OPERATORS = ("eq", "neq", "gt", "gteq", "lt", "lteq", "like")


def parse_date(text: str, name: str = "date") -> datetime:
    """Camunda's ``yyyy-MM-dd'T'HH:mm:ss.SSSZ`` (ISO 8601 also accepted); UTC if naive."""
    text = text.strip()
    if len(text) > 5 and text[-5] == " ":
        text = text[:-5] + "+" + text[-4:]  # an unencoded '+' arrives as a space
    try:
        value = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")
    except ValueError:
        try:
            value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise BadUserRequest(f"Cannot convert value '{text}' of '{name}' to a date: "
                                 "expected yyyy-MM-dd'T'HH:mm:ss.SSSZ") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def format_date(value: datetime | None) -> str | None:
    """Camunda's date format, always in UTC (``2026-01-31T10:00:00.000+0000``)."""
    if value is None:
        return None
    value = value.astimezone(UTC) if value.tzinfo else value
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}+0000"


@dataclass(frozen=True)
class Sort:
    key: str
    descending: bool


class Params:
    """Typed access to request parameters (query string) or a JSON query body."""

    def __init__(self, source: Mapping[str, Any], *, from_query: bool) -> None:
        self.source = source
        self.from_query = from_query

    @classmethod
    def query(cls) -> Params:
        return cls(request.args, from_query=True)

    def raw(self, name: str) -> Any:
        value = self.source.get(name)
        return None if value is None or (self.from_query and value == "") else value

    def text(self, name: str) -> str | None:
        value = self.raw(name)
        if value is not None and not isinstance(value, str):
            raise BadUserRequest(f"Cannot set query parameter '{name}' to value '{value}'")
        return value

    def required(self, name: str) -> str:
        """A mandatory, non-empty text parameter."""
        value = self.text(name)
        if not value:
            raise BadUserRequest(f"'{name}' is mandatory")
        return value

    def flag(self, name: str) -> bool | None:
        value = self.raw(name)
        if value is None or isinstance(value, bool):
            return value
        if self.from_query and value.lower() in ("true", "false"):
            return bool(value.lower() == "true")
        raise BadUserRequest(f"Cannot set query parameter '{name}' to value '{value}'")

    def number(self, name: str) -> int | None:
        value = self.raw(name)
        if value is None:
            return None
        try:
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError
            return int(value)
        except (TypeError, ValueError):
            raise BadUserRequest(
                f"Cannot set query parameter '{name}' to value '{value}'") from None

    def items(self, name: str) -> list[str] | None:
        value = self.raw(name)
        if value is None:
            return None
        if isinstance(value, str):
            return [part for part in value.split(",") if part]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return list(value)
        raise BadUserRequest(f"Cannot set query parameter '{name}' to value '{value}'")

    def when(self, name: str) -> datetime | None:
        value = self.text(name)
        return None if value is None else parse_date(value, name)

    def sorting(self, allowed: Sequence[str]) -> list[Sort]:
        """``sortBy``/``sortOrder`` (query) or ``sorting: [{sortBy, sortOrder}]`` (body)."""
        if self.from_query:
            pairs = [{"sortBy": self.raw("sortBy"), "sortOrder": self.raw("sortOrder")}]
            if pairs[0] == {"sortBy": None, "sortOrder": None}:
                return []
        else:
            pairs = self.raw("sorting") or []
            if not isinstance(pairs, list):
                raise BadUserRequest("Cannot set query parameter 'sorting': expected a list")
        return [_sort(pair, allowed) for pair in pairs]

    def variable_filters(self, name: str = "variables") -> list[VariableFilter]:
        """``a_eq_1,b_like_x%`` in a query string; ``[{name, operator, value}]`` in a body."""
        value = self.raw(name)
        if value is None:
            return []
        if isinstance(value, str):
            return [_expression(part) for part in value.split(",") if part]
        if isinstance(value, list):
            return [_condition(item) for item in value]
        raise BadUserRequest(f"Cannot set query parameter '{name}' to value '{value}'")


def _sort(pair: Any, allowed: Sequence[str]) -> Sort:
    if not isinstance(pair, dict) or not pair.get("sortBy") or not pair.get("sortOrder"):
        raise BadUserRequest("Only a single sorting parameter specified. sortBy and sortOrder "
                             "required")
    key, order = pair["sortBy"], pair["sortOrder"]
    if key not in allowed:
        raise BadUserRequest(f"Cannot set query parameter 'sortBy' to value '{key}'")
    if order not in ("asc", "desc"):
        raise BadUserRequest(f"Cannot set query parameter 'sortOrder' to value '{order}'")
    return Sort(key, order == "desc")


def _expression(text: str) -> VariableFilter:
    parts = text.split("_")
    for index in range(1, len(parts) - 1):
        if parts[index] in OPERATORS:
            name, value = "_".join(parts[:index]), "_".join(parts[index + 1:])
            return VariableFilter(name, parts[index], _literal(value))  # type: ignore[arg-type]
    if len(parts) >= 3:
        raise BadUserRequest(f"Invalid variable comparator specified: {parts[1]}")
    raise BadUserRequest("variable query parameter has to have format KEY_OPERATOR_VALUE")


def _literal(text: str) -> Any:
    """Query-string values are text; numbers and booleans compare as such."""
    if text in ("true", "false"):
        return text == "true"
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            continue
    return text


def _condition(item: Any) -> VariableFilter:
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        raise BadUserRequest("variable query parameter needs 'name', 'operator' and 'value'")
    operator = item.get("operator")
    if operator not in OPERATORS:
        raise BadUserRequest(f"Invalid variable comparator specified: {operator}")
    return VariableFilter(item["name"], operator, item.get("value"))


def body() -> dict[str, Any]:
    """The JSON object body of a POST/PUT (empty when absent); 400 when not an object."""
    if not request.get_data():
        return {}
    data = request.get_json(force=True, silent=True)
    if not isinstance(data, dict):
        raise BadUserRequest("The request body must be a JSON object")
    return data


def query_params() -> Params:
    """GET queries read the query string, POST queries their JSON body."""
    return Params.query() if request.method == "GET" else Params(body(), from_query=False)


def page() -> tuple[int, int | None]:
    """``firstResult``/``maxResults`` (always query parameters, also for POST queries)."""
    args = Params.query()
    first, limit = args.number("firstResult") or 0, args.number("maxResults")
    if first < 0 or (limit is not None and limit < 0):
        raise BadUserRequest("firstResult and maxResults must not be negative")
    return first, limit


def bind_checks(tests: Sequence[tuple[Any, Callable[[Any, Any], bool]]]
                ) -> list[Callable[[Any], bool]]:
    """``(parameter value, test(item, value))`` pairs -> checks for the given parameters."""
    return [partial(_check, test, value) for value, test in tests if value is not None]


def _check(test: Callable[[Any, Any], bool], value: Any, item: Any) -> bool:
    return test(item, value)


def listing(fetch: Callable[[int, int | None], list[T]], checks: Sequence[Callable[[T], bool]],
            sorting: Sequence[Sort], keys: Mapping[str, Callable[[T], Any]],
            paging: tuple[int, int | None] | None = None) -> list[T]:
    """Engine-side paging when possible; else filter, sort and page the full result here."""
    first, limit = paging if paging is not None else (0, None)
    if not checks and not sorting:
        return fetch(first, limit)
    items = [item for item in fetch(0, None) if all(check(item) for check in checks)]
    for sort in reversed(sorting):  # stable sorts: the first criterion wins
        items.sort(key=partial(_sort_key, keys[sort.key]), reverse=sort.descending)
    return items[first:] if limit is None else items[first:first + limit]


def _sort_key(key: Callable[[Any], Any], item: Any) -> tuple[bool, Any]:
    """Nulls sort first (ascending), as in Camunda's default database orders."""
    value = key(item)
    return (value is not None, value if value is not None else 0)


def like_match(value: str | None, pattern: str) -> bool:
    """SQL ``LIKE`` as Camunda applies it: ``%`` any run, ``_`` any one character."""
    if value is None:
        return False
    regex = "".join(".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in pattern)
    return re.fullmatch(regex, value, re.S) is not None
