"""Retrying a unit of work that lost an optimistic-locking race.

Why retry at all: a case's ``revision`` is SQLAlchemy's version counter, so a
writer that read the case before another writer committed gets
``StaleDataError``. When the caller did not pin a revision (no ``If-Match``),
re-running the whole transaction re-reads the case and applies the change to
the current state — nothing is lost and the client never sees the race.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.orm.exc import StaleDataError

T = TypeVar("T")
ATTEMPTS = 3


def retry_stale(work: Callable[[], T], attempts: int = ATTEMPTS) -> T:
    """Run ``work`` (one whole transaction); on ``StaleDataError`` run it again.

    The last attempt's ``StaleDataError`` propagates for the caller to map.
    """
    for _ in range(attempts - 1):
        try:
            return work()
        except StaleDataError:
            continue
    return work()
