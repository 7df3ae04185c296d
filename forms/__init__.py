"""JSON-schema forms: definition checks, data validation with field paths, defaults,
case numbering and case titles. Plain Python (no Flask), used by the runtime and
the studio alike.
"""

from forms.defaults import apply_defaults
from forms.errors import FieldError, FormSchemaError, TemplateError
from forms.formats import FORMAT_CHECKER
from forms.numbering import check_numbering, format_number
from forms.schema_check import check_form_schema
from forms.templates import check_template, render_title
from forms.validation import clean, compiled_validator, schema_key, validate_data

__all__ = [
    "FORMAT_CHECKER",
    "FieldError",
    "FormSchemaError",
    "TemplateError",
    "apply_defaults",
    "check_form_schema",
    "check_numbering",
    "check_template",
    "clean",
    "compiled_validator",
    "format_number",
    "render_title",
    "schema_key",
    "validate_data",
]
