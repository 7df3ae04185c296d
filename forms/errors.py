"""Error values of the forms package.

``FieldError`` is the one shape every validation problem takes, so the REST API can
render ``errors: [{path, message}]`` and the HTML forms can attach each message to
its field without knowing which check produced it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class FieldError:
    """One problem at one place.

    ``path`` is a JSON Pointer (RFC 6901): into the submitted data for data
    validation, into the schema document for schema checks; ``""`` is the root.
    Frozen and ordered so error lists can be deduplicated and sorted stably.
    """

    path: str
    message: str

    def as_dict(self) -> dict[str, str]:
        """The JSON shape used in problem+json ``errors`` arrays."""
        return {"path": self.path, "message": self.message}


class TemplateError(Exception):
    """A title template that cannot be compiled, is unsafe, or failed to render.

    One exception type for all three, because callers react the same way: refuse
    the template at deploy time, or fall back to another title at run time.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FormSchemaError(ValueError):
    """Raised when data is validated against a schema that fails ``check_form_schema``.

    Validating against a broken schema would crash deep inside jsonschema (bad regex,
    dangling ``$ref``) or silently accept everything; failing loudly with the schema's
    own errors points at the real culprit, the deployed definition.
    """

    def __init__(self, errors: list[FieldError]) -> None:
        detail = "; ".join(f"{e.path or '/'}: {e.message}" for e in errors[:5])
        super().__init__(f"invalid form schema: {detail}")
        self.errors = errors
