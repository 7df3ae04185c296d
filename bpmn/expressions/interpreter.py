"""Turns a whitelisted Python AST into a tree of closures; nothing is compiled or eval'd.

Why closures: the AST is checked once (node types, names, functions, size) when
an expression is prepared, and the closures it becomes then run a cached
condition in about a microsecond. Any node type not in ``_BUILDERS`` is refused,
so comprehensions, lambdas, assignments, imports, starred arguments and
keyword arguments never run. Every operation that could blow up memory or CPU
(``'a' * 10**9``, ``9 ** 9 ** 9``, ``'%999999999d' % 1``) is bounded in ``operators``.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from typing import Any

from bpmn.errors import ExpressionError
from bpmn.expressions.functions import (
    FUNCTIONS,
    METHODS,
    call_method,
    get_item,
    get_property,
    to_text,
    truthy,
)
from bpmn.expressions.operators import BINARY, COMPARE

Evaluator = Callable[[Mapping[str, Any]], Any]

MAX_NODES = 500
MAX_DEPTH = 64

_CONSTANT_NAMES = {"true": True, "false": False, "null": None}
_LITERAL_TYPES = (str, int, float, bool, type(None))
_NODE_NAMES = {ast.ListComp: "comprehensions are", ast.SetComp: "comprehensions are",
               ast.DictComp: "comprehensions are", ast.GeneratorExp: "generators are",
               ast.Lambda: "lambdas are", ast.NamedExpr: "assignments are",
               ast.Starred: "* unpacking is", ast.Await: "await is"}


def build(tree: ast.AST) -> Evaluator:
    """Check the size of ``tree`` and turn it into an evaluator, or raise ExpressionError."""
    _check_size(tree)
    return _build(tree)


def _check_size(tree: ast.AST) -> None:
    stack, count = [(tree, 1)], 0
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES or depth > MAX_DEPTH:
            raise ExpressionError("expression is too complex")
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def _build(node: ast.AST) -> Evaluator:
    builder = _BUILDERS.get(type(node))
    if builder is None:
        raise ExpressionError(f"{_NODE_NAMES.get(type(node), type(node).__name__)} not allowed")
    return builder(node)


def public(name: str) -> str:
    """Refuse private and dunder names everywhere: the classic sandbox escape route."""
    if name.startswith("_"):
        raise ExpressionError(f"name {name!r} is not allowed (leading underscore)")
    return name


def _constant(node: ast.Constant) -> Evaluator:
    value = node.value
    if not isinstance(value, _LITERAL_TYPES):
        raise ExpressionError(f"{type(value).__name__} literals are not allowed")
    return lambda _variables: value


def _name(node: ast.Name) -> Evaluator:
    name = public(node.id)
    if name in _CONSTANT_NAMES:  # JUEL spellings also accepted in Python style
        value = _CONSTANT_NAMES[name]
        return lambda _variables: value

    def lookup(variables: Mapping[str, Any]) -> Any:
        try:
            return variables[name]
        except KeyError:
            raise ExpressionError(f"unknown variable {name!r}") from None
    return lookup


def _bool_op(node: ast.BoolOp) -> Evaluator:
    parts = [_build(value) for value in node.values]
    stop_on = isinstance(node.op, ast.Or)  # `or` stops at a true value, `and` at a false one

    def run(variables: Mapping[str, Any]) -> Any:
        value = None
        for part in parts:
            value = part(variables)
            if truthy(value) is stop_on:
                return value
        return value
    return run


def _unary_op(node: ast.UnaryOp) -> Evaluator:
    operand = _build(node.operand)
    if isinstance(node.op, ast.Not):
        return lambda variables: not truthy(operand(variables))
    if isinstance(node.op, ast.USub):
        return lambda variables: -operand(variables)
    if isinstance(node.op, ast.UAdd):
        return lambda variables: +operand(variables)
    raise ExpressionError(f"operator {type(node.op).__name__} is not allowed")


def _bin_op(node: ast.BinOp) -> Evaluator:
    function = BINARY.get(type(node.op))
    if function is None:
        raise ExpressionError(f"operator {type(node.op).__name__} is not allowed")
    left, right = _build(node.left), _build(node.right)
    return lambda variables: function(left(variables), right(variables))


def _compare(node: ast.Compare) -> Evaluator:
    first = _build(node.left)
    steps = [(COMPARE[type(op)], _build(item)) for op, item in zip(
        node.ops, node.comparators, strict=True)]

    def run(variables: Mapping[str, Any]) -> bool:
        left = first(variables)
        for test, item in steps:
            right = item(variables)
            if not test(left, right):
                return False
            left = right
        return True
    return run


def _if_exp(node: ast.IfExp) -> Evaluator:
    test, body, orelse = _build(node.test), _build(node.body), _build(node.orelse)
    return lambda variables: body(variables) if truthy(test(variables)) else orelse(variables)


def _call(node: ast.Call) -> Evaluator:
    if node.keywords:
        raise ExpressionError("keyword arguments are not allowed")
    args = [_build(arg) for arg in node.args]
    target = node.func
    if isinstance(target, ast.Name):
        function = FUNCTIONS.get(public(target.id))
        if function is None:
            raise ExpressionError(f"unknown function {target.id}()")
        return lambda variables: function(*[arg(variables) for arg in args])
    if isinstance(target, ast.Attribute):
        receiver, name = _build(target.value), public(target.attr)
        if name not in METHODS:
            raise ExpressionError(f"unknown method {name}()")
        return lambda variables: call_method(
            name, receiver(variables), [arg(variables) for arg in args])
    _build(target)  # report what is wrong with it (a lambda, ...) if anything
    raise ExpressionError("only named functions and methods can be called")


def _attribute(node: ast.Attribute) -> Evaluator:
    name, receiver = public(node.attr), _build(node.value)
    return lambda variables: get_property(receiver(variables), name)


def _subscript(node: ast.Subscript) -> Evaluator:
    receiver, key = _build(node.value), _build(node.slice)
    return lambda variables: get_item(receiver(variables), key(variables))


def _slice(node: ast.Slice) -> Evaluator:
    parts = [None if part is None else _build(part) for part in (node.lower, node.upper, node.step)]
    return lambda variables: slice(*[p(variables) if p else None for p in parts])


def _sequence(kind: Callable[[list[Any]], Any]) -> Callable[[Any], Evaluator]:
    def builder(node: ast.List | ast.Tuple | ast.Set) -> Evaluator:
        items = [_build(item) for item in node.elts]
        return lambda variables: kind([item(variables) for item in items])
    return builder


def _dict(node: ast.Dict) -> Evaluator:
    if any(key is None for key in node.keys):
        raise ExpressionError("** unpacking is not allowed")
    pairs = [(_build(k), _build(v)) for k, v in zip(node.keys, node.values, strict=True)
             if k is not None]
    return lambda variables: {k(variables): v(variables) for k, v in pairs}


def _template(node: ast.JoinedStr) -> Evaluator:
    parts: list[Evaluator] = []
    for value in node.values:
        if isinstance(value, ast.FormattedValue):
            if value.format_spec is not None or value.conversion != -1:
                raise ExpressionError("format specifications are not allowed")
            parts.append(_as_text(_build(value.value)))
        else:
            parts.append(_build(value))
    return lambda variables: "".join(part(variables) for part in parts)


def _as_text(inner: Evaluator) -> Evaluator:
    return lambda variables: to_text(inner(variables))


_BUILDERS: dict[type, Callable[[Any], Evaluator]] = {
    ast.Constant: _constant, ast.Name: _name, ast.BoolOp: _bool_op, ast.UnaryOp: _unary_op,
    ast.BinOp: _bin_op, ast.Compare: _compare, ast.IfExp: _if_exp, ast.Call: _call,
    ast.Attribute: _attribute, ast.Subscript: _subscript, ast.Slice: _slice,
    ast.List: _sequence(list), ast.Tuple: _sequence(tuple), ast.Set: _sequence(set),
    ast.Dict: _dict, ast.JoinedStr: _template,
}
