"""The form builder's live preview: the portal's own renderer and validator.

Why on the server: the analyst must see exactly what case workers will see and the
errors the API will report, so the preview goes through ``forms.render`` and
``forms.validation`` (via ``studio.formkit``) rather than a look-alike in JavaScript.
A broken schema is reported like deploy reports it (``forms.check_form_schema``),
never as a server error.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from flask import jsonify
from werkzeug.datastructures import MultiDict

from forms import check_form_schema, clean
from forms.errors import FieldError
from runtime.errors import BadRequest
from studio.formkit import FormState, read_form
from studio.widgets import bp
from studio.widgets.payload import Payload, parse_json_text, read_payload

log = logging.getLogger(__name__)
PREFIX = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,31}$")
DEFAULT_PREFIX = "preview"


@dataclass
class Preview:
    """What the preview pane shows: the form, the sample data's errors, the schema's."""

    html: str = ""
    data: Any = None
    errors: list[FieldError] = field(default_factory=list)
    schema_errors: list[FieldError] = field(default_factory=list)
    ui_errors: list[FieldError] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"html": self.html, "data": self.data,
                "errors": [e.as_dict() for e in self.errors],
                "schemaErrors": [e.as_dict() for e in self.schema_errors],
                "uiErrors": [e.as_dict() for e in self.ui_errors]}


def read_schema(text: Any) -> tuple[dict[str, Any] | None, list[FieldError]]:
    """The schema document if it can be rendered, with every problem deploy would report."""
    schema, problems = parse_json_text(text, "The JSON Schema")
    if problems:
        return None, problems
    if not isinstance(schema, dict):
        return None, [FieldError("", "The JSON Schema must be a JSON object")]
    return schema, check_form_schema(schema)


def read_ui(text: Any) -> tuple[dict[str, Any] | None, list[FieldError]]:
    """The UI schema (optional): a JSON object or nothing."""
    ui, problems = parse_json_text(text, "The UI schema")
    if problems:
        return None, problems
    if ui is not None and not isinstance(ui, dict):
        return None, [FieldError("", "The UI schema must be a JSON object")]
    return ui, []


def declared_only(schema: Any, data: Any) -> Any:
    """``data`` without members the schema no longer declares.

    Why: the preview posts the fields it showed before the analyst's last schema edit,
    so a removed or renamed field would linger as an "extra" value in the sample.
    """
    if isinstance(data, list) and isinstance(schema, dict) and isinstance(schema.get("items"),
                                                                          dict):
        return [declared_only(schema["items"], item) for item in data]
    if not (isinstance(data, dict) and isinstance(schema, dict)):
        return data
    declared = schema.get("properties")
    if not isinstance(declared, dict) or "patternProperties" in schema or isinstance(
            schema.get("additionalProperties"), dict):
        return data
    return {k: declared_only(declared[k], v) for k, v in data.items() if k in declared}


def sample_data(schema: dict[str, Any], form: MultiDict[str, Any], body_data: Any,
                prefix: str, check: bool) -> tuple[Any, list[FieldError]]:
    """The sample data typed into the preview (its form fields, or ``data`` as JSON).

    Errors are reported only when asked (``check``) or when a value could not be
    typed: a fresh preview should not greet the analyst with "is required" everywhere.
    """
    if body_data is not None:
        return body_data, (clean(schema, body_data)[1] if check else [])
    posted = read_form(schema, form, prefix)
    data = declared_only(schema, posted.data)
    if posted.op or posted.errors or not check:
        return data, posted.errors
    return data, clean(schema, data if data is not None else {})[1]


def build_preview(schema_text: Any, ui_text: Any, *, form: MultiDict[str, Any] | None = None,
                  data: Any = None, prefix: str = DEFAULT_PREFIX, check: bool = False) -> Preview:
    """Render ``schema_text``/``ui_text`` with the sample data; never raises for bad input."""
    schema, schema_errors = read_schema(schema_text)
    ui, ui_errors = read_ui(ui_text)
    result = Preview(schema_errors=schema_errors, ui_errors=ui_errors)
    if schema is None:
        return result
    try:
        if not schema_errors:
            result.data, result.errors = sample_data(schema, form or MultiDict(), data, prefix,
                                                     check)
        state = FormState(schema, ui, result.data, result.errors, prefix=prefix)
        result.html = str(state.html())
    except Exception as exc:  # any schema text must yield an answer, never a 500
        log.warning("form preview failed: %r", exc)
        result.schema_errors.append(FieldError("", "The form cannot be drawn from this schema "
                                               f"({type(exc).__name__})."))
        result.html = ""
    return result


def _prefix(payload: Payload) -> str:
    """Each builder on a page uses its own prefix, so the preview's ids never clash."""
    prefix = str(payload.get("prefix") or DEFAULT_PREFIX)
    if not PREFIX.match(prefix):
        raise BadRequest("prefix must be letters and digits",
                         errors=[{"path": "/prefix", "message": "must be letters and digits"}])
    return prefix


def _data(payload: Payload) -> tuple[Any, list[FieldError]]:
    """Sample data sent as JSON (``data``), if any; else the preview's own fields count."""
    if payload.body is not None:
        return payload.body.get("data"), []
    return parse_json_text(payload.form.get("data"), "The sample data")


@bp.post("/form-preview")
def form_preview() -> Any:
    """``schema``, ``ui`` (JSON texts), sample data as the preview's fields or ``data``.

    Answers 200 with ``{html, data, errors, schemaErrors, uiErrors}`` whatever the
    schema holds; only a malformed request (a prefix that is not a name) is a 400.
    """
    payload = read_payload()
    prefix = _prefix(payload)
    data, data_errors = _data(payload)
    check = str(payload.get("check", "")).lower() in ("1", "true", "yes", "on")
    result = build_preview(payload.get("schema"), payload.get("ui"), form=payload.form,
                           data=data, prefix=prefix, check=check)
    result.errors = data_errors + result.errors
    return jsonify(result.as_json())
