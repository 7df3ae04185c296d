"""Exceptions shared by the BPMN definition tooling (expressions, XML, lint).

Kept in one tiny module so the engine, the deployer and the REST facade can catch
them without importing the heavier modules that raise them. Each carries the one
piece of context a user needs to find the mistake: the expression text or the
line of the XML document.
"""

from __future__ import annotations


class ExpressionError(ValueError):
    """An expression or timer definition that cannot be parsed, is unsafe, or failed.

    One type for syntax errors, refused constructs and run-time failures (unknown
    variable, division by zero, wrong types) because callers react the same way:
    refuse the definition at deploy time, or raise an incident at run time.
    """

    def __init__(self, message: str, expression: str = "") -> None:
        text = f"{message} in expression {expression!r}" if expression else message
        super().__init__(text)
        self.message = message
        self.expression = expression


class XmlError(ValueError):
    """XML that is malformed, too large or uses a refused feature (DOCTYPE, entities).

    ``line`` is 1-based when the parser could tell where the problem is, so the
    studio can point the analyst at it.
    """

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(f"{message} (line {line})" if line else message)
        self.message = message
        self.line = line
