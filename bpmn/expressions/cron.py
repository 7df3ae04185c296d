"""Quartz cron timer cycles (``0 0/5 * * * ?``), as Camunda 7 accepts in ``timeCycle``.

Why: Camunda users write cron cycles for start timers and event
sub-processes; Camunda evaluates them with Quartz's syntax (seconds first,
``?`` for "no specific value", Sunday = 1). Supported: numbers, names
(JAN-DEC, SUN-SAT), ``*``, ``?``, ranges, lists and ``/`` steps, and the
optional year field. ``L``, ``W`` and ``#`` are refused with a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bpmn.errors import ExpressionError

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
#: (name, lowest, highest, names) per field, in Quartz order.
_FIELDS = (("second", 0, 59, ()), ("minute", 0, 59, ()), ("hour", 0, 23, ()),
           ("day of month", 1, 31, ()), ("month", 1, 12, _MONTHS),
           ("day of week", 1, 7, _DAYS), ("year", 1970, 2199, ()))
_MAX_STEPS = 20_000


@dataclass(frozen=True)
class Cron:
    """The allowed values of each field (None: any, from ``*`` or ``?``)."""

    text: str
    fields: tuple[frozenset[int] | None, ...]

    def next_after(self, now: datetime) -> datetime:
        """The first matching second strictly after ``now``."""
        moment = now.replace(microsecond=0) + timedelta(seconds=1)
        for _ in range(_MAX_STEPS):
            later = self._skip(moment)
            if later is None:
                return moment
            moment = later
        raise ExpressionError(f"cron expression never fires: {self.text!r}")

    def _skip(self, t: datetime) -> datetime | None:
        """The next candidate when ``t`` does not match (coarsest field first), else None."""
        second, minute, hour, day, month, weekday, year = self.fields
        if year is not None and t.year not in year:
            if t.year > max(year):
                raise ExpressionError(f"cron expression never fires again: {self.text!r}")
            return t.replace(year=t.year + 1, month=1, day=1, hour=0, minute=0, second=0)
        if month is not None and t.month not in month:
            first = t.replace(day=1, hour=0, minute=0, second=0)
            return (first + timedelta(days=32)).replace(day=1)
        if (day is not None and t.day not in day) or \
                (weekday is not None and t.isoweekday() % 7 + 1 not in weekday):
            return t.replace(hour=0, minute=0, second=0) + timedelta(days=1)
        if hour is not None and t.hour not in hour:
            return t.replace(minute=0, second=0) + timedelta(hours=1)
        if minute is not None and t.minute not in minute:
            return t.replace(second=0) + timedelta(minutes=1)
        if second is not None and t.second not in second:
            return t + timedelta(seconds=1)
        return None


def is_cron(text: str) -> bool:
    return len(text.split()) in (6, 7)


def parse_cron(text: str) -> Cron:
    parts = text.split()
    if len(parts) not in (6, 7):
        raise ExpressionError(f"a cron expression has 6 or 7 fields: {text!r}")
    fields = tuple(_field(part, *spec, text) for part, spec in zip(parts, _FIELDS, strict=False))
    return Cron(text, fields + ((None,) if len(parts) == 6 else ()))


def _field(part: str, name: str, low: int, high: int, names: tuple[str, ...],
           text: str) -> frozenset[int] | None:
    if part in ("*", "?"):
        return None
    bare = part.upper()
    for known in names:
        bare = bare.replace(known, "")
    if any(ch in bare for ch in "LW#"):
        raise ExpressionError(f"cron {name} {part!r} (L, W, #) is not supported: {text!r}")
    values: set[int] = set()
    for item in part.split(","):
        span, _, step = item.partition("/")
        first, last = _span(span, low, high, names, text, bool(step))
        values.update(range(first, last + 1, int(step) if step.isdigit() and int(step) else 1))
        if step and not (step.isdigit() and int(step)):
            raise ExpressionError(f"bad cron step {item!r} in {text!r}")
    return frozenset(values)


def _span(span: str, low: int, high: int, names: tuple[str, ...], text: str,
          stepped: bool) -> tuple[int, int]:
    if span == "*":
        return low, high
    first, _, last = span.partition("-")
    start = _value(first, low, high, names, text)
    end = _value(last, low, high, names, text) if last else (high if stepped else start)
    if end < start:
        raise ExpressionError(f"bad cron range {span!r} in {text!r}")
    return start, end


def _value(token: str, low: int, high: int, names: tuple[str, ...], text: str) -> int:
    upper = token.upper()
    if upper in names:
        return names.index(upper) + low
    if not token.isdigit() or not low <= int(token) <= high:
        raise ExpressionError(f"bad cron value {token!r} in {text!r}")
    return int(token)
