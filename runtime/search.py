"""The text that free-text search (``q=``) matches against.

Why a column: matching number, title and every string in the data with one
indexed-able expression keeps list queries simple and the same on SQLite and
PostgreSQL (a trigram index can be added on PostgreSQL without code changes).
"""

from __future__ import annotations

from typing import Any

MAX_LEN = 4000


def search_text(case: Any) -> str:
    """Lower-cased number, title and the string/number leaves of the data."""
    parts = [case.number or "", case.title or ""]
    _leaves(case.data, parts)
    return " ".join(parts).lower()[:MAX_LEN]


def _leaves(value: Any, out: list[str]) -> None:
    if isinstance(value, dict):
        for item in value.values():
            _leaves(item, out)
    elif isinstance(value, list):
        for item in value:
            _leaves(item, out)
    elif isinstance(value, str | int | float) and not isinstance(value, bool):
        out.append(str(value))
