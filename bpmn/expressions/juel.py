"""Camunda JUEL (``${...}`` / ``#{...}``) parsed into the same Python AST the interpreter runs.

Why a parser and not text substitution: ``!`` vs ``!=``, ``empty x.y``, the
ternary ``c ? a : b`` and operators inside string literals cannot be rewritten
safely with regular expressions. The grammar is JUEL's (EL 2.2) common subset,
with Python's ``in`` / ``not in`` and ``[a, b]`` list literals as extensions.
Text around ``${}`` (``kermit_${loopCounter}``) makes a template: the result
is the concatenated text, as in JUEL composite expressions.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from bpmn.errors import ExpressionError

MAX_NESTING = 40

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<name>[A-Za-z_$][\w$]*)
  | (?P<op>==|!=|<=|>=|&&|\|\||[-+*/%<>!?:.,()\[\]])
""", re.VERBOSE)
_OPEN = re.compile(r"[$#]\{")
_IDENTIFIER = re.compile(r"[A-Za-z_$][\w$]*")
_ESCAPE = re.compile(r"\\(.)")
_CONSTANTS = {"true": True, "false": False, "null": None}
_KEYWORDS = {"and", "or", "not", "eq", "ne", "lt", "gt", "le", "ge", "div", "mod", "empty",
             "instanceof", "in"}

# Binary precedence levels, loosest first: (operator spelling -> AST operator, kind).
_LEVELS: list[tuple[dict[str, type], str]] = [
    ({"||": ast.Or, "or": ast.Or}, "bool"),
    ({"&&": ast.And, "and": ast.And}, "bool"),
    ({"==": ast.Eq, "eq": ast.Eq, "!=": ast.NotEq, "ne": ast.NotEq}, "compare"),
    ({"<": ast.Lt, "lt": ast.Lt, ">": ast.Gt, "gt": ast.Gt, "<=": ast.LtE, "le": ast.LtE,
      ">=": ast.GtE, "ge": ast.GtE, "in": ast.In, "not in": ast.NotIn}, "compare"),
    ({"+": ast.Add, "-": ast.Sub}, "binary"),
    ({"*": ast.Mult, "/": ast.Div, "div": ast.Div, "%": ast.Mod, "mod": ast.Mod}, "binary"),
]


def parse_template(text: str) -> ast.expr:
    """Parse text holding one or more ``${}``/``#{}`` parts into an AST expression."""
    parts = split_template(text)
    if len(parts) == 1 and isinstance(parts[0], ast.expr):
        return parts[0]
    values: list[ast.expr] = [
        ast.FormattedValue(value=part, conversion=-1, format_spec=None)
        if isinstance(part, ast.expr) else ast.Constant(value=part) for part in parts]
    return ast.JoinedStr(values=values)


def split_template(text: str) -> list[ast.expr | str]:
    """Literal text pieces and parsed ``${}`` bodies, in order."""
    parts: list[ast.expr | str] = []
    position = 0
    while (match := _OPEN.search(text, position)) is not None:
        end = _closing_brace(text, match.end())
        if match.start() > position:
            parts.append(text[position:match.start()])
        parts.append(_Parser(text[match.end():end]).parse())
        position = end + 1
    if position < len(text):
        parts.append(text[position:])
    return parts


def _closing_brace(text: str, start: int) -> int:
    quote = ""
    index = start
    while index < len(text):
        char = text[index]
        if quote:
            index += 2 if char == "\\" else 1
            quote = "" if char == quote else quote
            continue
        if char == "}":
            return index
        quote = char if char in "'\"" else ""
        index += 1
    raise ExpressionError("missing '}' after '${'")


def _tokenize(body: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(body):
        match = _TOKEN.match(body, position)
        if match is None:
            raise ExpressionError(f"unexpected character {body[position]!r}")
        kind = match.lastgroup or ""
        if kind != "space":
            text = match.group()
            tokens.append(("op" if kind == "name" and text in _KEYWORDS else kind, text))
        position = match.end()
    return tokens


class _Parser:
    """Recursive descent over JUEL's precedence levels, producing ``ast`` nodes."""

    def __init__(self, body: str) -> None:
        self.tokens = _tokenize(body)
        self.position = 0
        self.depth = 0

    def parse(self) -> ast.expr:
        if not self.tokens:
            raise ExpressionError("empty expression")
        node = self.ternary()
        if self.position < len(self.tokens):
            raise ExpressionError(f"unexpected {self.tokens[self.position][1]!r}")
        return node

    def peek(self, offset: int = 0) -> str:
        index = self.position + offset
        return self.tokens[index][1] if index < len(self.tokens) else ""

    def accept(self, *texts: str) -> bool:
        if self.position < len(self.tokens) and self.tokens[self.position][0] in ("op", "name") \
                and self.peek() in texts:
            self.position += 1
            return True
        return False

    def expect(self, text: str) -> None:
        if not self.accept(text):
            found = self.peek() or "end of expression"
            raise ExpressionError(f"expected {text!r} but found {found!r}")

    def nested(self) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise ExpressionError("expression is nested too deeply")

    def ternary(self) -> ast.expr:
        self.nested()
        node = self.binary(0)
        if self.accept("?"):
            body = self.ternary()
            self.expect(":")
            node = ast.IfExp(test=node, body=body, orelse=self.ternary())
        self.depth -= 1
        return node

    def binary(self, level: int) -> ast.expr:
        if level == len(_LEVELS):
            return self.unary()
        operators, kind = _LEVELS[level]
        node = self.binary(level + 1)
        while (spelling := self.operator(operators)) is not None:
            node = _combine(kind, operators[spelling](), node, self.binary(level + 1))
        return node

    def operator(self, operators: dict[str, type]) -> str | None:
        if self.peek() == "not" and self.peek(1) == "in" and "not in" in operators:
            self.position += 2
            return "not in"
        spelling = self.peek()
        if self.position < len(self.tokens) and self.tokens[self.position][0] == "op" \
                and spelling in operators:
            self.position += 1
            return spelling
        return None

    def unary(self) -> ast.expr:
        self.nested()
        if self.accept("-"):
            node: ast.expr = ast.UnaryOp(op=ast.USub(), operand=self.unary())
        elif self.accept("!", "not"):
            node = ast.UnaryOp(op=ast.Not(), operand=self.unary())
        elif self.accept("empty"):
            node = _call(ast.Name(id="empty", ctx=ast.Load()), [self.unary()])
        else:
            node = self.postfix(self.primary())
        self.depth -= 1
        return node

    def postfix(self, node: ast.expr) -> ast.expr:
        while True:
            if self.accept("."):
                name = self.name()
                attribute = ast.Attribute(value=node, attr=name, ctx=ast.Load())
                node = _call(attribute, self.arguments()) if self.accept("(") else attribute
            elif self.accept("["):
                node = ast.Subscript(value=node, slice=self.ternary(), ctx=ast.Load())
                self.expect("]")
            else:
                return node

    def name(self) -> str:
        kind, text = self.tokens[self.position] if self.position < len(self.tokens) else ("", "")
        if kind not in ("name", "op") or not _IDENTIFIER.fullmatch(text):
            raise ExpressionError(f"expected a property name but found {text!r}")
        self.position += 1
        return text

    def primary(self) -> ast.expr:
        if self.position >= len(self.tokens):
            raise ExpressionError("unexpected end of expression")
        kind, text = self.tokens[self.position]
        self.position += 1
        if kind == "number":
            return ast.Constant(value=float(text) if any(c in text for c in ".eE") else int(text))
        if kind == "string":
            return ast.Constant(value=_ESCAPE.sub(r"\1", text[1:-1]))
        if kind == "name":
            return self.identifier(text)
        if text == "(":
            node = self.ternary()
            self.expect(")")
            return node
        if text == "[":
            return ast.List(elts=self.items("]"), ctx=ast.Load())
        raise ExpressionError(f"unexpected {text!r}")

    def identifier(self, text: str) -> ast.expr:
        if text in _CONSTANTS:
            return ast.Constant(value=_CONSTANTS[text])
        name = ast.Name(id=text, ctx=ast.Load())
        return _call(name, self.arguments()) if self.accept("(") else name

    def arguments(self) -> list[ast.expr]:
        return self.items(")")

    def items(self, closing: str) -> list[ast.expr]:
        found: list[ast.expr] = []
        if self.accept(closing):
            return found
        found.append(self.ternary())
        while self.accept(","):
            found.append(self.ternary())
        self.expect(closing)
        return found


def _call(function: ast.expr, args: list[ast.expr]) -> ast.Call:
    return ast.Call(func=function, args=args, keywords=[])


def _combine(kind: str, op: Any, left: ast.expr, right: ast.expr) -> ast.expr:
    if kind == "bool":
        return ast.BoolOp(op=op, values=[left, right])
    if kind == "compare":
        return ast.Compare(left=left, ops=[op], comparators=[right])
    return ast.BinOp(left=left, op=op, right=right)
