"""Preparing and evaluating expressions: JUEL ``${...}`` or Python-style, cached.

Why one entry point for both dialects: BPMN files exported from Camunda Modeler
carry ``${approved}``, analysts writing by hand prefer ``amount > 1000 and
approved``; the engine, the lint and the deployer should not care which. Text
holding ``${`` or ``#{`` is JUEL (a template when there is text around it);
anything else is a Python expression. Both become a whitelisted AST that
``interpreter.build`` turns into closures; nothing reaches ``eval``/``compile``.

Unknown variables raise, as they do in Camunda (``${x == null}`` with ``x``
unset is an error, not false); a missing *key* of an object (``${a.b}``) is null,
as with JUEL maps.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from bpmn.errors import ExpressionError
from bpmn.expressions.functions import truthy
from bpmn.expressions.interpreter import Evaluator, build
from bpmn.expressions.juel import parse_template

MAX_LENGTH = 2000
_MARKER = re.compile(r"[$#]\{")
_RUNTIME_ERRORS = (TypeError, ValueError, ArithmeticError, LookupError, RecursionError)


@dataclass(frozen=True)
class Expression:
    """A checked, prepared expression; call it with the variables to get its value."""

    source: str
    run: Evaluator

    def __call__(self, variables: Mapping[str, Any]) -> Any:
        try:
            return self.run(variables)
        except ExpressionError as exc:
            raise ExpressionError(exc.message, self.source) from None
        except _RUNTIME_ERRORS as exc:
            raise ExpressionError(str(exc) or type(exc).__name__, self.source) from None


def is_expression(text: str) -> bool:
    """True when ``text`` holds a ``${...}``/``#{...}`` part (so a plain assignee is not)."""
    return _MARKER.search(text) is not None


@lru_cache(maxsize=4096)
def parse_expression(expression: str) -> Expression:
    """Check and prepare ``expression`` without evaluating it; raise ExpressionError.

    Cached by text: conditions are re-evaluated for every token passing a gateway.
    """
    if len(expression) > MAX_LENGTH:
        raise ExpressionError(f"expression longer than {MAX_LENGTH} characters")
    try:
        tree = parse_template(expression) if is_expression(expression) else _python(expression)
        return Expression(expression, build(tree))
    except ExpressionError as exc:
        raise ExpressionError(exc.message, expression) from None


def _python(text: str) -> ast.expr:
    with warnings.catch_warnings():  # invalid escapes warn; the text is data, not our code
        warnings.simplefilter("ignore")
        try:
            return ast.parse(text.strip(), mode="eval").body
        except SyntaxError as exc:
            raise ExpressionError(f"syntax error: {exc.msg}") from None
        except (ValueError, RecursionError, MemoryError):
            raise ExpressionError("expression cannot be parsed") from None


def evaluate(expression: str, variables: Mapping[str, Any]) -> Any:
    """The value of ``expression`` for ``variables``; raise ExpressionError on any failure."""
    return parse_expression(expression)(variables)


def evaluate_condition(expression: str, variables: Mapping[str, Any]) -> bool:
    """A gateway/sequence-flow condition: the value's truth, text 'false' counting as false."""
    return truthy(evaluate(expression, variables))
