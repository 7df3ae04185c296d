"""A page showing both widgets on sample files: for the browser test and the designer.

Why a demo page: the widgets are built and tested apart from the studio's editor
(which embeds them through ``widgets/macros.html``); this page is the smallest host
that uses the same macros, scripts and endpoints.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import render_template

from studio.widgets import bp, builtin_topics

SAMPLES = Path(__file__).with_name("samples")
#: The demo's pretend bundle: its task forms (``form:<key>``) besides the data form.
TASK_FORMS = ("review",)


def sample(name: str) -> str:
    return (SAMPLES / name).read_text(encoding="utf-8")


@bp.get("/demo")
def demo() -> Any:
    """The data form and one task form in builders, the process in the modeler."""
    return render_template(
        "widgets/demo.html",
        schema_text=sample("demo.schema.json"), ui_text=sample("demo.ui.json"),
        review_schema=sample("review.schema.json"), review_ui=sample("review.ui.json"),
        xml_text=sample("demo.bpmn"), form_keys=list(TASK_FORMS), topics=builtin_topics())
