"""Median cost of rendering and reading back a grant-sized form (not a test; run by hand).

Every portal page with a case or task form renders it, and every save posts it
back; the budget is "well under 5 ms" for a form of about 30 fields, so pages
stay inside DESIGN §10's 300 ms with room for everything else.

    .venv/bin/python -m benchmarks.bench_forms_render     (from the repository root)
"""

from __future__ import annotations

from typing import Any

from benchmarks.bench_forms import GRANT_SCHEMA, INVALID, VALID, median_us
from forms import validate_data
from forms.coerce import coerce_form
from forms.render import render_form

GRANT_UI: dict[str, Any] = {
    "ui:order": ["applicant", "email", "organisation", "vat", "*"],
    "purpose": {"ui:widget": "textarea", "ui:help": "What the money is for."},
    "organisation": {"ui:widget": "radio"},
    "website": {"ui:placeholder": "https://"},
}
#: About 30 fields: 12 top-level ones, the address, and 5 budget lines of 3 fields.
THIRTY_FIELDS: dict[str, Any] = {**VALID, "budget": VALID["budget"][:5]}


def _posted(data: Any) -> dict[str, list[str]]:
    """What a browser posts for the rendered form (enough for timing coerce_form)."""
    from lxml import html

    root = html.fragment_fromstring(str(render_form(GRANT_SCHEMA, GRANT_UI, data)),
                                    create_parent="div")
    posted: dict[str, list[str]] = {}
    for element in root.iter("input", "textarea", "select"):
        name = element.get("name")
        skip = element.get("type") in ("checkbox", "radio") and element.get("checked") is None
        if name and not skip and element.get("disabled") is None:
            value = element.text or "" if element.tag == "textarea" else element.get("value", "")
            posted.setdefault(name, []).append(value.removeprefix("\n"))
    return posted


def main() -> None:
    """Print one line per measured operation."""
    errors = validate_data(GRANT_SCHEMA, INVALID)
    post = _posted(THIRTY_FIELDS)
    cases = {
        "render_form (new, defaults only)": lambda: render_form(GRANT_SCHEMA, GRANT_UI, None),
        "render_form (~30 fields)": lambda: render_form(GRANT_SCHEMA, GRANT_UI, THIRTY_FIELDS),
        "render_form (~45 fields)": lambda: render_form(GRANT_SCHEMA, GRANT_UI, VALID),
        f"render_form (invalid, {len(errors)} errors)":
            lambda: render_form(GRANT_SCHEMA, GRANT_UI, INVALID, errors),
        "render_form (read-only, ~30 fields)":
            lambda: render_form(GRANT_SCHEMA, GRANT_UI, THIRTY_FIELDS, read_only=True),
        "coerce_form (~30 fields)": lambda: coerce_form(GRANT_SCHEMA, post),
    }
    for name, call in cases.items():
        print(f"{name:40s} {median_us(call, rounds=500):9.1f} µs")


if __name__ == "__main__":
    main()
