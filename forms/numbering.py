"""Human case numbers such as ``GR-2025-00042`` from a pattern like ``GR-{yyyy}-{seq:05}``.

The pattern is analyst input, so it is parsed here token by token and never handed
to ``str.format`` (which would evaluate ``{0.__class__}``-style field expressions).
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache

MAX_PATTERN = 64
MAX_WIDTH = 20
_SEQ_WIDTH = re.compile(r"seq:0([0-9]{1,2})")
_DATE_TOKENS = {"yyyy": "%04d", "yy": "%02d", "mm": "%02d", "dd": "%02d"}

#: A parsed pattern: literal text, or a token name with its zero-padding width.
Part = tuple[str, str | None, int]


def _token(body: str) -> tuple[str, int] | None:
    """``(name, width)`` of a token body such as ``seq:05``; None if unknown."""
    if body in _DATE_TOKENS or body == "seq":
        return body, 0
    match = _SEQ_WIDTH.fullmatch(body)
    if match and 1 <= int(match.group(1)) <= MAX_WIDTH:
        return "seq", int(match.group(1))
    return None


def _scan(pattern: str) -> tuple[list[Part], list[str]]:
    """Split into literal and token parts, collecting every problem on the way."""
    parts: list[Part] = []
    errors: list[str] = []
    position = 0
    for match in re.finditer(r"\{([^{}]*)\}|[{}]", pattern):
        parts.append((pattern[position:match.start()], None, 0))
        position = match.end()
        if match.group(1) is None:
            errors.append(f"unbalanced brace at position {match.start() + 1}")
            continue
        token = _token(match.group(1))
        if token is None:
            errors.append(f"unknown token {{{match.group(1)}}} (use {{yyyy}}, {{yy}}, {{mm}}, "
                          f"{{dd}}, {{seq}} or {{seq:0N}})")
        else:
            parts.append(("", *token))
    parts.append((pattern[position:], None, 0))
    return [p for p in parts if p[0] or p[1]], errors


@lru_cache(maxsize=256)
def _parse(pattern: str) -> tuple[tuple[Part, ...], tuple[str, ...]]:
    """Parsed parts and problems; cached because every case creation formats a number."""
    parts, errors = _scan(pattern)
    if len(pattern) > MAX_PATTERN:
        errors.append(f"is longer than {MAX_PATTERN} characters")
    if any((ch.isspace() and ch != " ") or ord(ch) < 32 for ch in pattern):
        errors.append("contains control characters or line breaks")
    if not errors and not any(name == "seq" for _, name, _ in parts):
        errors.append("must contain {seq} so that numbers are unique")
    return tuple(parts), tuple(errors)


def check_numbering(pattern: str) -> list[str]:
    """Problems of a numbering pattern; [] when it can be used."""
    return list(_parse(pattern)[1])


def _render(name: str, width: int, seq: int, when: datetime) -> str:
    """One token's text; only integers are ever formatted, never analyst text."""
    if name == "seq":
        return str(seq).zfill(width)
    value = {"yyyy": when.year, "yy": when.year % 100, "mm": when.month, "dd": when.day}[name]
    return _DATE_TOKENS[name] % value


def format_number(pattern: str, seq: int, when: datetime) -> str:
    """The case number for sequence value ``seq`` created at ``when``.

    Raises ValueError for an unusable pattern or a negative sequence value.
    """
    parts, errors = _parse(pattern)
    if errors:
        raise ValueError(f"invalid numbering pattern {pattern!r}: " + "; ".join(errors))
    if seq < 0:
        raise ValueError("sequence values start at 0")
    return "".join(text if name is None else _render(name, width, seq, when)
                   for text, name, width in parts)
