"""A small time-limited memo for identity checks.

Why: every API call authenticates (HTTP Basic from Camunda clients, bearer tokens
from the portal and workers). Without a memo each call costs a scrypt (~70 ms, on
purpose) or a database round trip in its own transaction; remembering a *successful*
check for a few seconds removes that from the hot path. Failures are never
remembered, keys are hashes (never secrets), and identity changes clear the memo.
"""

from __future__ import annotations

import threading
import time
from typing import Generic, TypeVar

V = TypeVar("V")


class Memo(Generic[V]):
    """``key -> value`` entries that expire ``ttl`` seconds after being put (or earlier)."""

    def __init__(self, ttl: float, max_entries: int = 1000) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: dict[str, tuple[float, V]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> V | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] <= time.monotonic():
            return None
        return entry[1]

    def put(self, key: str, value: V, *, ttl: float | None = None) -> None:
        """Remember ``value``; ``ttl`` may shorten (never lengthen) the default lifetime."""
        lifetime = self.ttl if ttl is None else max(0.0, min(ttl, self.ttl))
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()  # crude but bounded; a refill costs one check each
            self._entries[key] = (time.monotonic() + lifetime, value)

    def discard(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
