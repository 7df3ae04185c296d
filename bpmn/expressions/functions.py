"""The only functions, methods and properties an expression can reach, and JUEL coercions.

Why a closed table: an expression must never get hold of a Python object's
machinery (``__class__``, ``__globals__``, bound methods of arbitrary objects).
Calls are resolved by *name* against these tables when the expression is
prepared, so nothing outside them is ever callable. Java/JUEL spellings that
Camunda models use (``x.size()``, ``s.equals('a')``,
``dateTime().plusDays(2).toDate()``) map onto the same safe operations.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bpmn.errors import ExpressionError
from bpmn.expressions.isodates import (
    CalendarDuration,
    add_months,
    as_utc,
    parse_duration,
    parse_moment,
)

_TEXT = (str,)
_SEQUENCE = (str, list, tuple)
_COLLECTION = (str, list, tuple, dict, set, frozenset, Mapping)
_TIME = (date,)  # datetime is a subclass of date
_TIME_FIELDS = frozenset({"year", "month", "day", "hour", "minute", "second"})


def truthy(value: Any) -> bool:
    """Truth as a condition sees it: the texts 'true'/'false' count as booleans.

    Form fields often arrive as text; Camunda's JUEL coerces ``"false"`` to false,
    whereas Python would call any non-empty text true. Everything else follows Python.
    """
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return bool(value)


def equals(left: Any, right: Any) -> bool:
    """``==`` with JUEL's coercions: ``'true' == true`` and ``'5' == 5`` hold."""
    if isinstance(left, str) != isinstance(right, str):
        text, other = (left, right) if isinstance(left, str) else (right, left)
        if isinstance(other, bool):
            return text.strip().lower() == ("true" if other else "false")
        if isinstance(other, int | float):
            try:
                return float(text) == other
            except ValueError:
                return False
    return bool(left == right)


def to_text(value: Any) -> str:
    """Text of a value inside a template (``kermit_${n}``): null is empty, booleans lower case."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def type_name(value: Any) -> str:
    """A user-facing type name for error messages (analysts do not know ``NoneType``)."""
    for kind, name in ((type(None), "null"), (bool, "boolean"), (int | float, "number"),
                       (str, "text"), (list | tuple, "list"), (Mapping, "object"),
                       (date, "date"), (timedelta | CalendarDuration, "duration")):
        if isinstance(value, kind):
            return name
    return type(value).__name__


def is_empty(value: Any) -> bool:
    """JUEL ``empty``: true for null, empty text and empty collections."""
    if value is None:
        return True
    return isinstance(value, _COLLECTION) and len(value) == 0


def get_property(obj: Any, name: str) -> Any:
    """``a.b``: a key of an object (missing -> null, as JUEL maps do) or a date field."""
    if obj is None:
        return None
    if isinstance(obj, Mapping):
        return obj.get(name)
    if isinstance(obj, date) and name in _TIME_FIELDS and hasattr(obj, name):
        return getattr(obj, name)
    raise ExpressionError(f"cannot read property {name!r} of a {type_name(obj)}")


def get_item(obj: Any, key: Any) -> Any:
    """``a[k]``: list/text position (out of range -> null, as in JUEL) or object key."""
    if obj is None:
        return None
    if isinstance(obj, Mapping):
        return obj.get(key)
    if not isinstance(obj, _SEQUENCE):
        raise ExpressionError(f"cannot index a {type_name(obj)}")
    if isinstance(key, slice):
        return obj[key]
    if isinstance(key, bool) or not isinstance(key, int):
        raise ExpressionError(f"a list index must be a whole number, not a {type_name(key)}")
    return obj[key] if -len(obj) <= key < len(obj) else None


def call_method(name: str, receiver: Any, args: list[Any]) -> Any:
    """Call a whitelisted method after checking the receiver's type."""
    kinds, function = METHODS[name]
    if receiver is None:
        raise ExpressionError(f"cannot call {name}() on null")
    if not isinstance(receiver, kinds):
        raise ExpressionError(f"a {type_name(receiver)} has no method {name}()")
    return function(receiver, *args)


def _get(container: Any, key: Any, default: Any = None) -> Any:
    if isinstance(container, Mapping):
        return container.get(key, default)
    found = get_item(container, key)
    return default if found is None else found


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return parse_moment(_text_arg(value, "date")).date()


def _datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return as_utc(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return parse_moment(_text_arg(value, "datetime"))


def _duration(value: Any) -> timedelta | CalendarDuration:
    parsed = parse_duration(_text_arg(value, "duration"))
    return parsed if parsed.months else parsed.delta


def _text_arg(value: Any, function: str) -> str:
    if not isinstance(value, str):
        raise ExpressionError(f"{function}() needs ISO-8601 text, not a {type_name(value)}")
    return value


def _sum(values: Any) -> int | float:
    """``sum`` of numbers only: summing lists or texts would bypass the size limits."""
    numbers = list(values)
    if not all(isinstance(n, int | float) for n in numbers):
        raise ExpressionError("sum() adds numbers only")
    return sum(numbers)


def _now() -> datetime:
    return datetime.now(UTC)


def _shift(unit: str, sign: int) -> Callable[[date, float], date]:
    """A Joda-style ``plusDays(n)`` / ``minusMonths(n)`` method."""
    def shift(moment: date, amount: float) -> date:
        if unit in ("years", "months"):
            return add_months(moment, sign * int(amount) * (12 if unit == "years" else 1))
        return moment + sign * timedelta(**{unit: amount})
    return shift


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "len": len, "str": to_text, "int": int, "float": float, "bool": truthy, "abs": abs,
    "min": min, "max": max, "round": round, "sum": _sum, "any": any, "all": all,
    "sorted": sorted, "empty": is_empty,
    "now": _now, "dateTime": _now, "today": lambda: _now().date(),
    "date": _date, "datetime": _datetime, "duration": _duration,
}

METHODS: dict[str, tuple[tuple[type, ...], Callable[..., Any]]] = {
    "lower": (_TEXT, str.lower), "toLowerCase": (_TEXT, str.lower),
    "upper": (_TEXT, str.upper), "toUpperCase": (_TEXT, str.upper),
    "strip": (_TEXT, str.strip), "trim": (_TEXT, str.strip),
    "startswith": (_TEXT, str.startswith), "startsWith": (_TEXT, str.startswith),
    "endswith": (_TEXT, str.endswith), "endsWith": (_TEXT, str.endswith),
    "equalsIgnoreCase": (_TEXT, lambda s, o: isinstance(o, str) and s.casefold() == o.casefold()),
    "equals": ((object,), equals),
    "contains": (_COLLECTION, lambda c, x: x in c),
    "containsKey": ((Mapping,), lambda m, k: k in m),
    "size": (_COLLECTION, len), "length": (_COLLECTION, len),
    "isEmpty": (_COLLECTION, is_empty),
    "count": (_SEQUENCE, lambda s, x: s.count(x)),
    "index": (_SEQUENCE, lambda s, x: s.index(x)),
    "get": ((Mapping, list, tuple), _get),
    "keys": ((Mapping,), lambda m: list(m.keys())),
    "values": ((Mapping,), lambda m: list(m.values())),
    "items": ((Mapping,), lambda m: [list(pair) for pair in m.items()]),
    "toDate": (_TIME, lambda t: t),
    "isBefore": (_TIME, lambda a, b: a < b), "isAfter": (_TIME, lambda a, b: a > b),
    **{f"{verb}{unit.title()}": (_TIME, _shift(unit, sign))
       for verb, sign in (("plus", 1), ("minus", -1))
       for unit in ("years", "months", "weeks", "days", "hours", "minutes", "seconds")},
}
