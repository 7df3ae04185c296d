"""New case: choose a case type, fill its generated form, land on the case page."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from runtime.errors import Forbidden, ValidationFailed
from studio.catalog import creatable_types
from studio.formkit import FormState, field_errors, read_form
from studio.portal import bp
from studio.web import principal, services

PREFIX = "f"


@bp.get("/cases/new")
def new_case() -> Any:
    types = creatable_types()
    if len(types) == 1 and not request.args.get("choose"):
        return redirect(url_for("portal.new_case_form", case_type=types[0].key))
    return render_template("portal/new_case.html", types=types)


def _definition(case_type: str) -> dict[str, Any]:
    """The latest definition of a type the user may create cases of (else 403/404)."""
    if case_type not in {t.key for t in creatable_types()}:
        services().case_types.get(principal(), case_type)  # 404 for unknown types
        raise Forbidden(f"you may not create {case_type} cases")
    return dict(services().case_types.get(principal(), case_type).definition)


def _render(case_type: str, definition: dict[str, Any], form: FormState, status: int = 200
            ) -> Any:
    return render_template("portal/new_case_form.html", case_type=case_type,
                           definition=definition, form=form), status


@bp.get("/cases/new/<case_type>")
def new_case_form(case_type: str) -> Any:
    definition = _definition(case_type)
    form = FormState(definition.get("schema", {}), definition.get("ui"), None, prefix=PREFIX)
    return _render(case_type, definition, form)


@bp.post("/cases/new/<case_type>")
def create_case(case_type: str) -> Any:
    """Server validation with errors at the fields; success lands on the case page."""
    definition = _definition(case_type)
    schema, ui = definition.get("schema", {}), definition.get("ui")
    posted = read_form(schema, request.form, PREFIX)
    if posted.op or posted.errors:
        return _render(case_type, definition, FormState(schema, ui, posted.data, posted.errors,
                                                        PREFIX), 200 if posted.op else 422)
    try:
        case = services().cases.create(principal(), case_type, posted.data)
    except ValidationFailed as exc:
        form = FormState(schema, ui, posted.data, field_errors(exc.errors), PREFIX)
        return _render(case_type, definition, form, 422)
    flash(f"Created {case.number}.", "ok")
    return redirect(url_for("portal.case_page", case_id=case.id))
