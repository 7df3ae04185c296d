"""ISO-8601 durations and date-times, with calendar arithmetic for years and months.

Why our own: ``timedelta`` cannot express "one month" (28 to 31 days) and
python-dateutil is not a dependency; BPMN timers (``P1M``) and due dates need it.
Naive date-times are taken as UTC so that a deployed definition means the same
instant on every server, whatever its local time zone.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from bpmn.errors import ExpressionError

MAX_YEARS = 10_000

Moment = TypeVar("Moment", bound=date)

_NUMBER = r"(\d+(?:[.,]\d+)?)"
_DURATION = re.compile(
    rf"P(?:(\d+)Y)?(?:(\d+)M)?(?:{_NUMBER}W)?(?:{_NUMBER}D)?"
    rf"(?:T(?:{_NUMBER}H)?(?:{_NUMBER}M)?(?:{_NUMBER}S)?)?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CalendarDuration:
    """A duration with a calendar part (months) and an exact part (``delta``).

    Adding it to a date-time first moves by whole months, clamping the day to the
    target month's length (Jan 31 + P1M = Feb 28/29, as Camunda and Joda do), then
    adds the exact part.
    """

    months: int = 0
    delta: timedelta = timedelta(0)

    def add_to(self, moment: datetime) -> datetime:
        """``moment`` moved forward by this duration."""
        return add_months(moment, self.months) + self.delta

    def subtract_from(self, moment: datetime) -> datetime:
        """``moment`` moved backward by this duration."""
        return add_months(moment, -self.months) - self.delta

    def is_zero(self) -> bool:
        """True for ``PT0S``: a timer that is due at once."""
        return self.months == 0 and not self.delta

    def __radd__(self, other: Any) -> datetime:
        if isinstance(other, datetime):
            return self.add_to(other)
        return NotImplemented

    __add__ = __radd__

    def __rsub__(self, other: Any) -> datetime:
        if isinstance(other, datetime):
            return self.subtract_from(other)
        return NotImplemented


def parse_duration(text: str) -> CalendarDuration:
    """Parse ``PnYnMnWnDTnHnMnS`` (fractions allowed below months); raise ExpressionError."""
    match = _DURATION.fullmatch(text.strip())
    if not match or not any(match.groups()) or text.strip().upper().endswith("T"):
        raise ExpressionError(f"not an ISO-8601 duration: {text!r}")
    years, months, weeks, days, hours, minutes, seconds = (
        _number(group) for group in match.groups())
    if years > MAX_YEARS:
        raise ExpressionError(f"duration too long: {text!r}")
    try:
        delta = timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)
    except OverflowError:
        raise ExpressionError(f"duration too long: {text!r}") from None
    return CalendarDuration(months=int(years) * 12 + int(months), delta=delta)


def _number(group: str | None) -> float:
    return float(group.replace(",", ".")) if group else 0.0


def parse_moment(text: str) -> datetime:
    """Parse an ISO-8601 date or date-time into an aware datetime (naive means UTC)."""
    value = text.strip()
    try:
        if len(value) == 10:
            return as_utc(datetime.combine(date.fromisoformat(value), datetime.min.time()))
        return as_utc(datetime.fromisoformat(value))
    except ValueError:
        raise ExpressionError(f"not an ISO-8601 date-time: {text!r}") from None


def as_utc(moment: datetime) -> datetime:
    """Attach UTC to a naive date-time; leave aware ones as they are."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def add_months(moment: Moment, months: int) -> Moment:
    """Move by whole calendar months, clamping the day to the month's last day."""
    if not months:
        return moment
    year, month_index = divmod(moment.month - 1 + months, 12)
    year += moment.year
    if not 1 <= year <= 9999:
        raise ExpressionError("date out of range after adding months")
    day = min(moment.day, calendar.monthrange(year, month_index + 1)[1])
    return moment.replace(year=year, month=month_index + 1, day=day)
