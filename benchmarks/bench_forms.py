"""Median cost of ``validate_data`` on a grant-like schema (not a test; run by hand).

Validation sits on the hot path of case creation (DESIGN §8 budgets 400 case
starts/s on 2 cores, i.e. ~5 ms of CPU per case for everything), so this keeps
an eye on how much of that the form layer takes.

    .venv/bin/python -m benchmarks.bench_forms     (from the repository root)
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from forms import apply_defaults, clean, render_title, validate_data

GRANT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["applicant", "email", "amount", "purpose", "address", "budget"],
    "properties": {
        "applicant": {"type": "string", "minLength": 2, "maxLength": 200},
        "email": {"type": "string", "format": "email"},
        "amount": {"type": "number", "exclusiveMinimum": 0, "maximum": 1_000_000},
        "currency": {"enum": ["EUR", "USD", "GBP"], "default": "EUR"},
        "purpose": {"type": "string", "minLength": 10},
        "start": {"type": "string", "format": "date"},
        "submitted": {"type": "string", "format": "date-time"},
        "website": {"type": "string", "format": "uri"},
        "organisation": {"enum": ["person", "company"], "default": "person"},
        "vat": {"type": "string", "pattern": "^[A-Z]{2}[0-9A-Z]{8,12}$"},
        "address": {"$ref": "#/$defs/address"},
        "budget": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/line"}},
    },
    "if": {"properties": {"organisation": {"const": "company"}}},
    "then": {"required": ["vat"]},
    "$defs": {
        "address": {
            "type": "object",
            "required": ["street", "city", "country"],
            "properties": {
                "street": {"type": "string"},
                "city": {"type": "string"},
                "zip": {"type": "string"},
                "country": {"type": "string", "default": "DE"},
            },
        },
        "line": {
            "type": "object",
            "required": ["item", "cost"],
            "properties": {
                "item": {"type": "string", "minLength": 1},
                "cost": {"type": "number", "minimum": 0},
                "category": {"enum": ["staff", "travel", "equipment", "other"],
                             "default": "other"},
            },
        },
    },
}

VALID: dict[str, Any] = {
    "applicant": "Ada Lovelace", "email": "ada@example.org", "amount": 12500,
    "purpose": "Analytical engine maintenance", "start": "2025-03-01",
    "submitted": "2025-02-01T10:00:00Z", "website": "https://example.org/ada",
    "address": {"street": "1 Engine Way", "city": "London", "country": "GB"},
    "budget": [{"item": f"part {i}", "cost": 100 * i, "category": "equipment"}
               for i in range(10)],
}
INVALID: dict[str, Any] = {
    **VALID, "email": "ada@", "amount": -1, "start": "2025-02-30",
    "organisation": "company", "address": {"street": "x"},
    "budget": [{"item": "", "cost": "ten"}] * 5,
}


def median_us(call: Callable[[], object], rounds: int = 2000) -> float:
    """Median wall time of one call in microseconds (after a warm-up)."""
    for _ in range(50):
        call()
    samples = []
    for _ in range(rounds):
        start = time.perf_counter_ns()
        call()
        samples.append(time.perf_counter_ns() - start)
    return statistics.median(samples) / 1000


def main() -> None:
    """Print one line per measured operation."""
    cases = {
        "validate_data (valid)": lambda: validate_data(GRANT_SCHEMA, VALID),
        f"validate_data (invalid, {len(validate_data(GRANT_SCHEMA, INVALID))} errors)":
            lambda: validate_data(GRANT_SCHEMA, INVALID),
        "apply_defaults": lambda: apply_defaults(GRANT_SCHEMA, VALID),
        "clean (defaults + validate)": lambda: clean(GRANT_SCHEMA, VALID),
        "render_title": lambda: render_title("{{ data.applicant }} ({{ data.amount }} EUR)",
                                             {"data": VALID}),
    }
    for name, call in cases.items():
        print(f"{name:40s} {median_us(call):9.1f} µs")


if __name__ == "__main__":
    main()
