"""Reading the widgets' posts: form fields or a JSON body, JSON texts, problem answers.

Why both encodings: the widgets' scripts post the preview's own form fields
(``application/x-www-form-urlencoded``), while other callers (tests, the designer's
scripts) find a JSON body more natural; each endpoint reads one ``Payload``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import request
from werkzeug.datastructures import MultiDict

from forms.errors import FieldError
from runtime.app import problem_response
from runtime.errors import BadRequest
from studio.widgets import bp


@dataclass
class Payload:
    """One post: its fields as a MultiDict, plus the JSON body when one was sent."""

    form: MultiDict[str, Any]
    body: dict[str, Any] | None

    def get(self, name: str, default: Any = None) -> Any:
        if self.body is not None:
            return self.body.get(name, default)
        return self.form.get(name, default)

    def get_list(self, name: str) -> list[Any]:
        """A list field: a JSON array, repeated form fields, or one comma-separated field."""
        if self.body is not None:
            value = self.body.get(name) or []
            if not isinstance(value, list):
                raise BadRequest(f"{name} must be an array",
                                 errors=[{"path": f"/{name}", "message": "must be an array"}])
            return value
        values = self.form.getlist(name)
        if len(values) == 1 and "," in values[0]:
            values = values[0].split(",")
        return [v.strip() for v in values if v.strip()]


def read_payload() -> Payload:
    """The request's fields; a JSON body must be an object (else 400 problem+json)."""
    if request.is_json:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise BadRequest("the body must be a JSON object")
        return Payload(MultiDict(), body)
    return Payload(request.form.copy(), None)


def parse_json_text(value: Any, what: str) -> tuple[Any, list[FieldError]]:
    """A JSON document from text (or an already-parsed JSON body member).

    Returns ``(document, [])`` or ``(None, [error])`` with the line and column, so the
    analyst sees where the text broke instead of a generic failure.
    """
    if value is None or value == "":
        return None, []
    if not isinstance(value, str):
        return value, []
    try:
        return json.loads(value), []
    except RecursionError:
        return None, [FieldError("", f"{what} is nested too deeply")]
    except ValueError as exc:
        line, col = getattr(exc, "lineno", None), getattr(exc, "colno", None)
        where = f" (line {line}, column {col})" if line else ""
        reason = getattr(exc, "msg", str(exc))
        return None, [FieldError("", f"{what} is not valid JSON{where}: {reason}")]


@bp.errorhandler(BadRequest)
def _bad_request(exc: BadRequest) -> Any:
    """The widgets' endpoints answer scripts: bad input is problem+json, not a page."""
    return problem_response(exc.problem(), exc.headers)
