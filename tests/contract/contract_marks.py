"""Marking inherited contract tests per backend, without touching the suite.

Why re-declare instead of editing the suite: each backend knows what it lacks
(a real Camunda has no Python-style conditions; the facade may lack an
endpoint); the suite's assertions stay the same for everyone. The wrapper
keeps the original's signature (``functools.wraps``), so its fixtures resolve.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import pytest


def mark_tests(cls: type, marks: Mapping[str, pytest.MarkDecorator]) -> None:
    """Re-declare the inherited tests ``marks`` names on ``cls`` with the given mark."""
    for name, mark in marks.items():
        original = getattr(cls, name)

        @functools.wraps(original)
        def test(self: Any, *args: Any, __original: Any = original, **kwargs: Any) -> Any:
            return __original(self, *args, **kwargs)

        setattr(cls, name, mark(test))
