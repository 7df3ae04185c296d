"""Sandboxed expressions and ISO-8601 timers for BPMN definitions (DESIGN §3).

``evaluate("${amount > 1000}", variables)`` or ``evaluate("amount > 1000", ...)``;
``parse_expression`` checks without evaluating (deploy-time lint);
``parse_timer("R3/PT10M")`` gives a ``TimerSpec`` with ``next_due(now)``.
Nothing here ever calls ``eval``/``exec``/``compile`` on analyst input: see
``interpreter`` for the whitelist and the resource limits.
"""

from __future__ import annotations

from bpmn.errors import ExpressionError
from bpmn.expressions.core import (
    MAX_LENGTH,
    Expression,
    evaluate,
    evaluate_condition,
    is_expression,
    parse_expression,
)
from bpmn.expressions.functions import FUNCTIONS, METHODS, truthy
from bpmn.expressions.isodates import CalendarDuration, parse_duration, parse_moment
from bpmn.expressions.timers import TimerKind, TimerSpec, is_literal_timer, parse_timer

__all__ = [
    "FUNCTIONS",
    "MAX_LENGTH",
    "METHODS",
    "CalendarDuration",
    "Expression",
    "ExpressionError",
    "TimerKind",
    "TimerSpec",
    "evaluate",
    "evaluate_condition",
    "is_expression",
    "is_literal_timer",
    "parse_duration",
    "parse_expression",
    "parse_moment",
    "parse_timer",
    "truthy",
]
