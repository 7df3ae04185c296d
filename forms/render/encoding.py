"""How JSON values travel through HTML controls and back: the shared codec.

The renderer writes values into ``value`` attributes and ``<option>``s; the
coercer (``forms.coerce``) reads the posted strings back. Both sides import the
functions here so the two directions cannot drift apart.
"""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime
from typing import Any

#: Name of the hidden inputs that say "this container was on the form" (value = its name).
SEEN = "_seen"
#: Name of the hidden inputs that say "this control holds JSON text" (value = its name).
JSON_MARK = "_json"
#: Name of the submit buttons that add, remove and move array rows.
OP = "_op"

_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_LOCAL = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})T([0-9]{2}:[0-9]{2})(:[0-9]{2}(?:\.[0-9]+)?)?")


def choice_token(value: Any) -> str:
    """The option value for one enum member: strings as they are, the rest as JSON.

    Keeps the common case (string enums) readable in the HTML and in posts while
    still telling ``1``, ``true`` and ``null`` apart.
    """
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def number_text(value: int | float) -> str:
    """A number as an ``<input type=number>`` accepts it (integral floats lose ``.0``)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def parse_number(text: str, integer: bool) -> int | float | None:
    """The number in ``text`` or None when it is not a finite decimal number.

    ``float()`` alone would accept ``nan``, ``inf`` and ``1_000``; none of them
    is a JSON number. Integral values come back as ``int`` (``42.0`` -> ``42``)
    so integer fields validate; others stay floats and fail ``integer`` honestly.
    """
    text = text.strip()
    if not _NUMBER.fullmatch(text):
        return None
    if re.fullmatch(r"[+-]?[0-9]+", text):
        return int(text)
    number = float(text)
    if not math.isfinite(number):
        return None
    return int(number) if number.is_integer() and (integer or abs(number) < 1e16) else number


def to_local_datetime(value: str) -> str | None:
    """An RFC 3339 timestamp as ``datetime-local`` text in UTC, or None if unparsable.

    ``datetime-local`` has no zone, so CaseStudio's rule is: what the control
    shows and posts is UTC. Fractional seconds are kept.
    """
    try:
        moment = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        return None
    if moment.tzinfo is None or "T" not in value.upper():
        return None
    text = moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds")
    fraction = f"{moment.microsecond:06d}".rstrip("0")
    return f"{text}.{fraction}" if fraction else text


def from_local_datetime(text: str) -> str:
    """``datetime-local`` text (UTC by our rule) as RFC 3339 ``YYYY-MM-DDTHH:MM:SSZ``.

    Anything else (a value typed into a text fallback) is returned unchanged, so
    the validator can judge it and the form can show it again.
    """
    match = _LOCAL.fullmatch(text.strip())
    if not match:
        return text
    day, hour_minute, seconds = match.groups()
    return f"{day}T{hour_minute}{seconds or ':00'}Z"


def json_text(value: Any) -> str:
    """The text of a JSON textarea: indented for larger values, compact for scalars."""
    indent = 2 if isinstance(value, dict | list) and value else None
    return json.dumps(value, ensure_ascii=False, indent=indent)


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def parse_json(text: str) -> Any:
    """Strict JSON (no ``NaN``/``Infinity``); raises ValueError with a short reason."""
    try:
        return json.loads(text, parse_constant=_no_constants)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise ValueError("nests too deeply") from None
