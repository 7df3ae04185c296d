"""Format assertions for the ``format`` keyword: email, date, date-time, uri.

Written here rather than taken from jsonschema's optional extras because those
silently become no-ops when their helper packages are missing, and because forms
need "strict but sane": a date must be a real calendar date, a timestamp must
carry its time zone (a case's deadline is meaningless without one), an email must
look deliverable. Other formats stay annotations, as JSON Schema 2020-12 allows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from urllib.parse import urlsplit

from jsonschema import FormatChecker

_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DATE_TIME = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?"
    r"(?:[Zz]|[+-]([0-9]{2}):([0-9]{2}))"
)
_LOCAL_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-\u0080-\U0010ffff]+")
_LABEL = re.compile(r"(?!-)[A-Za-z0-9\-\u0080-\U0010ffff]{1,63}(?<!-)")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*")
_OPAQUE_SCHEMES = frozenset({"urn", "mailto", "tel"})


def is_date(value: str) -> bool:
    """RFC 3339 full-date: exactly ``YYYY-MM-DD`` and a day that exists."""
    match = _DATE.fullmatch(value)
    if not match:
        return False
    try:
        date(*(int(part) for part in match.groups()))
    except ValueError:
        return False
    return True


def is_date_time(value: str) -> bool:
    """RFC 3339 date-time with a mandatory offset (``Z`` or ``±hh:mm``)."""
    match = _DATE_TIME.fullmatch(value)
    if not match or not is_date(match.group(1)):
        return False
    hour, minute, second = (int(match.group(i)) for i in (2, 3, 4))
    leap_ok = second < 60 or (second == 60 and minute == 59)
    offset_ok = match.group(6) is None or (
        int(match.group(6)) < 24 and int(match.group(7)) < 60
    )
    return hour < 24 and minute < 60 and leap_ok and offset_ok


def is_email(value: str) -> bool:
    """``local@domain.tld`` in dot-atom form; quoted locals and IP literals refused."""
    local, at, domain = value.rpartition("@")
    if not at or not local or len(local) > 64 or len(domain) > 253:
        return False
    if not all(_LOCAL_ATOM.fullmatch(atom) for atom in local.split(".")):
        return False
    labels = domain.split(".")
    if len(labels) < 2 or labels[-1].isdigit():
        return False
    return all(_LABEL.fullmatch(label) for label in labels)


def is_uri(value: str) -> bool:
    """Absolute URI: a scheme plus a host, or an opaque scheme such as ``urn:``."""
    if any(ch.isspace() or ord(ch) < 32 for ch in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    if not _SCHEME.fullmatch(parts.scheme) or value[: len(parts.scheme) + 1] != parts.scheme + ":":
        return False
    if parts.scheme.lower() in _OPAQUE_SCHEMES:
        return bool(parts.path or parts.netloc)
    return bool(parts.hostname)


def _strings_only(check: Callable[[str], bool]) -> Callable[[object], bool]:
    """Formats constrain strings only; other types pass (``type`` judges them)."""
    def wrapped(value: object) -> bool:
        return not isinstance(value, str) or check(value)
    return wrapped


def make_format_checker() -> FormatChecker:
    """A FormatChecker that knows exactly our four formats and nothing else."""
    checker = FormatChecker(formats=())
    for name, check in (("date", is_date), ("date-time", is_date_time),
                        ("email", is_email), ("uri", is_uri)):
        checker.checks(name)(_strings_only(check))
    return checker


#: Shared, stateless checker used by every compiled validator.
FORMAT_CHECKER = make_format_checker()
