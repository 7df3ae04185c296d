"""Bounded arithmetic and comparisons for the expression interpreter.

Why bounded: ``'a' * 10**9``, ``9 ** 9 ** 9`` or ``[['a' * 9000]] * 9000`` are
a few characters of analyst input but gigabytes or minutes of work. Each
operator checks the size of its result *before* computing it; equality follows
JUEL's coercions (``functions.equals``).
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from typing import Any

from bpmn.errors import ExpressionError
from bpmn.expressions.functions import equals

MAX_REPEAT = 100_000      # weight of a `*` repetition result (chars / nested items)
MAX_CONCAT = 1_000_000    # weight of a `+` concatenation result
MAX_INT_BITS = 4096

_SEQUENCES = (str, list, tuple)


def weight(value: Any, budget: int) -> int:
    """Characters plus items, nested contents included, counted up to just past ``budget``.

    Nested contents count because ``[['a' * 9000]] * 9000`` is small in memory yet
    ``str()`` of it, sorting or comparing it costs its expanded size.
    """
    total, stack = 0, [value]
    while stack and total <= budget:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, list | tuple | set | frozenset):
            total += len(item)
            stack.extend(item)
        elif isinstance(item, Mapping):
            total += len(item)
            stack.extend(item.keys())
            stack.extend(item.values())
    return total


def _check_weight(value: Any, times: int, limit: int) -> None:
    if times > 0 and weight(value, limit // times + 1) * times > limit:
        raise ExpressionError(f"result longer than {limit} items")


def _check_bits(bits: int) -> None:
    if bits > MAX_INT_BITS:
        raise ExpressionError("number too large")


def _add(left: Any, right: Any) -> Any:
    if isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES):
        _check_weight([left, right], 1, MAX_CONCAT)
    return left + right


def _multiply(left: Any, right: Any) -> Any:
    for sequence, count in ((left, right), (right, left)):
        if isinstance(sequence, _SEQUENCES) and isinstance(count, int):
            _check_weight(sequence, count, MAX_REPEAT)
    if isinstance(left, int) and isinstance(right, int):
        _check_bits(left.bit_length() + right.bit_length())
    return left * right


def _power(base: Any, exponent: Any) -> Any:
    if isinstance(base, int) and isinstance(exponent, int) and abs(base) > 1:
        _check_bits(base.bit_length() * max(exponent, 0))
    result = base**exponent
    if isinstance(result, complex):
        raise ExpressionError("the result is not a real number")
    return result


def _modulo(left: Any, right: Any) -> Any:
    if isinstance(left, str):
        raise ExpressionError("text formatting with % is not allowed")
    return left % right


BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: _add, ast.Sub: operator.sub, ast.Mult: _multiply, ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv, ast.Mod: _modulo, ast.Pow: _power,
}

COMPARE: dict[type, Callable[[Any, Any], bool]] = {
    ast.Eq: equals, ast.NotEq: lambda a, b: not equals(a, b),
    ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
    ast.In: lambda a, b: operator.contains(b, a),
    ast.NotIn: lambda a, b: not operator.contains(b, a),
    ast.Is: operator.is_, ast.IsNot: operator.is_not,
}
