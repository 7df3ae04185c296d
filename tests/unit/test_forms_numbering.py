"""Case numbering patterns: tokens, padding, and refusal of anything else."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from forms import check_numbering, format_number

WHEN = datetime(2025, 3, 7, 23, 59, tzinfo=UTC)


@pytest.mark.parametrize(("pattern", "seq", "expected"), [
    ("GR-{yyyy}-{seq:05}", 42, "GR-2025-00042"),
    ("{yy}{mm}{dd}-{seq}", 7, "250307-7"),
    ("{seq:03}", 123456, "123456"),  # padding never truncates
    ("CASE {seq:01}", 0, "CASE 0"),
    ("{seq}/{yyyy}", 1, "1/2025"),
])
def test_format_number(pattern: str, seq: int, expected: str) -> None:
    assert check_numbering(pattern) == []
    assert format_number(pattern, seq, WHEN) == expected


def test_two_digit_year_and_month_are_zero_padded() -> None:
    assert format_number("{yy}.{mm}.{dd}.{seq}", 5, datetime(2009, 1, 2)) == "09.01.02.5"


@pytest.mark.parametrize(("pattern", "fragment"), [
    ("{0.__class__}-{seq}", "unknown token {0.__class__}"),
    ("{seq.__class__.__init__.__globals__}", "unknown token"),
    ("{yyyy}-{seq:5}", "unknown token {seq:5}"),
    ("{seq:00}", "unknown token {seq:00}"),
    ("{seq:021}", "unknown token {seq:021}"),
    ("GR-{yyyy}", "must contain {seq}"),
    ("", "must contain {seq}"),
    ("GR-{seq", "unbalanced brace at position 4"),
    ("GR-seq}", "unbalanced brace at position 7"),
    ("{{seq}}", "unbalanced brace"),
    ("{seq}\n", "control characters"),
    ("X" * 70 + "{seq}", "longer than 64"),
])
def test_bad_patterns_are_refused(pattern: str, fragment: str) -> None:
    errors = check_numbering(pattern)
    assert any(fragment in error for error in errors), errors
    with pytest.raises(ValueError, match="invalid numbering pattern"):
        format_number(pattern, 1, WHEN)


def test_format_attacks_are_never_evaluated() -> None:
    with pytest.raises(ValueError) as caught:
        format_number("{0.__class__}{seq}", 1, WHEN)
    assert "<class" not in str(caught.value)


def test_all_problems_are_listed() -> None:
    assert len(check_numbering("{foo}-{bar")) == 2


def test_negative_sequence_values_are_refused() -> None:
    with pytest.raises(ValueError, match="start at 0"):
        format_number("{seq}", -1, WHEN)
