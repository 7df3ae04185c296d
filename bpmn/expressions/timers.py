"""BPMN timer definitions: ISO-8601 durations, date-times and repeating intervals.

``timeDuration`` ``PT5M``, ``timeDate`` ``2026-01-01T10:00:00Z``, ``timeCycle``
``R3/PT10M`` or ``R2/2026-01-01T00:00:00Z/PT1H``, or a ``${...}`` expression
yielding one of them (text, a date-time or a duration), or a Quartz cron
cycle ``0 0/5 * * * ?`` (`bpmn.expressions.cron`). Naive date-times mean UTC.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from bpmn.errors import ExpressionError
from bpmn.expressions.core import evaluate, is_expression
from bpmn.expressions.cron import Cron, is_cron, parse_cron
from bpmn.expressions.isodates import (
    CalendarDuration,
    add_months,
    as_utc,
    parse_duration,
    parse_moment,
)

TimerKind = Literal["duration", "date", "cycle"]
MAX_CYCLE_STEPS = 100_000
_REPEAT = re.compile(r"R(\d*)", re.IGNORECASE)


@dataclass(frozen=True)
class TimerSpec:
    """A parsed timer. ``repetitions`` is 1 for duration/date timers, ``None`` for ``R/...``.

    ``start`` is the fixed moment of a date timer or the optional start of a cycle;
    ``interval`` the duration of a duration timer or the period of a cycle.
    """

    kind: TimerKind
    interval: CalendarDuration | None = None
    start: datetime | None = None
    repetitions: int | None = 1
    cron: Cron | None = None

    def next_due(self, now: datetime) -> datetime:
        """When the timer fires next, seen from ``now`` (naive ``now`` means UTC)."""
        now = as_utc(now)
        if self.cron is not None:
            return self.cron.next_after(now)
        if self.interval is None:  # a date timer
            return self.start or now
        if self.start is None:
            return self.interval.add_to(now)
        if now < self.start:
            return self.start
        return _next_slot(self.start, self.interval, now)


def _next_slot(start: datetime, interval: CalendarDuration, now: datetime) -> datetime:
    """The first ``start + k * interval`` (k >= 1) after ``now``."""
    if not interval.months:  # fixed period: jump straight to the slot
        steps = (now - start) // interval.delta + 1
        return start + steps * interval.delta
    for step in range(1, MAX_CYCLE_STEPS):  # months: count from start, no day drift
        moment = add_months(start, step * interval.months) + step * interval.delta
        if moment > now:
            return moment
    raise ExpressionError("timer cycle starts too long ago")


def parse_timer(text: str, variables: Mapping[str, Any] | None = None, *,
                kind: TimerKind | None = None) -> TimerSpec:
    """Parse a timer definition; ``kind`` (from timeDuration/timeDate/timeCycle) must match."""
    value = text.strip()
    if is_expression(value):
        spec = _from_value(evaluate(value, variables or {}), text)
    else:
        spec = _literal(value)
    if kind is not None and spec.kind != kind:
        raise ExpressionError(f"a {kind} timer needs {_EXAMPLES[kind]}, not {value!r}")
    return spec


def is_literal_timer(text: str) -> bool:
    """True when ``text`` is an ISO-8601 timer literal (no expression to evaluate)."""
    if is_expression(text):
        return False
    try:
        _literal(text.strip())
    except ExpressionError:
        return False
    return True


_EXAMPLES = {"duration": "an ISO-8601 duration like PT5M",
             "date": "an ISO-8601 date-time like 2026-01-01T10:00:00Z",
             "cycle": "a repeating interval like R3/PT10M"}


def _from_value(value: Any, text: str) -> TimerSpec:
    if isinstance(value, str) and not is_expression(value):
        return _literal(value.strip())
    if isinstance(value, date):
        return TimerSpec("date", start=_moment(value))
    if isinstance(value, timedelta):
        return TimerSpec("duration", interval=CalendarDuration(delta=value))
    if isinstance(value, CalendarDuration):
        return TimerSpec("duration", interval=value)
    raise ExpressionError(f"timer expression gave {value!r}, not a date or duration", text)


def _moment(value: date) -> datetime:
    if isinstance(value, datetime):
        return as_utc(value)
    return parse_moment(value.isoformat())


def _literal(text: str) -> TimerSpec:
    head = text[:1].upper()
    if " " in text:
        if not is_cron(text):
            raise ExpressionError(f"not a timer: {text!r}; use an ISO-8601 repeating "
                                  "interval such as R/PT1H or a cron cycle like 0 0/5 * * * ?")
        return TimerSpec("cycle", cron=parse_cron(text), repetitions=None)
    if head == "R":
        return _cycle(text)
    if head == "P":
        return TimerSpec("duration", interval=parse_duration(text))
    if head.isdigit():
        return TimerSpec("date", start=parse_moment(text))
    raise ExpressionError(f"not an ISO-8601 duration, date-time or repeating interval: {text!r}")


def _cycle(text: str) -> TimerSpec:
    parts = text.split("/")
    match = _REPEAT.fullmatch(parts[0])
    if match is None or len(parts) not in (2, 3) or parts[-1][:1].upper() != "P":
        raise ExpressionError(
            f"not a repeating interval: {text!r}; use R3/PT10M or R/2026-01-01T00:00:00Z/PT1H")
    repetitions = int(match.group(1)) if match.group(1) else None
    if repetitions == 0:
        raise ExpressionError(f"a timer cycle must repeat at least once: {text!r}")
    interval = parse_duration(parts[-1])
    if interval.is_zero():
        raise ExpressionError(f"a timer cycle needs a period longer than zero: {text!r}")
    start = parse_moment(parts[1]) if len(parts) == 3 else None
    return TimerSpec("cycle", interval=interval, start=start, repetitions=repetitions)
