"""Domain exceptions carrying their HTTP status; one handler renders problem+json.

Why in the core: services raise these without knowing about Flask; the API
layer (and the CLI) render them uniformly (werkzeug's HTTPException idea).
"""

from __future__ import annotations

from typing import Any

PROBLEMS = "https://casestudio.dev/problems/"


class DomainError(Exception):
    """Base of every error a user can be shown."""

    status = 400
    type = "about:blank"
    title = "Bad request"

    def __init__(self, detail: str = "", *, errors: list[dict[str, Any]] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors or []
        self.headers = headers or {}

    def problem(self) -> dict[str, Any]:
        """The RFC 9457 problem document."""
        body: dict[str, Any] = {"type": self.type, "title": self.title,
                                "status": self.status, "detail": self.detail}
        if self.errors:
            body["errors"] = self.errors
        return body


class BadRequest(DomainError):
    status = 400
    title = "Bad request"
    type = PROBLEMS + "bad-request"


class Unauthorized(DomainError):
    status = 401
    title = "Authentication required"
    type = PROBLEMS + "authentication-required"


class Forbidden(DomainError):
    status = 403
    title = "Not permitted"
    type = PROBLEMS + "not-permitted"


class NotFound(DomainError):
    status = 404
    title = "Not found"
    type = PROBLEMS + "not-found"


class Conflict(DomainError):
    status = 409
    title = "Conflict"
    type = PROBLEMS + "conflict"


class PreconditionFailed(DomainError):
    status = 412
    title = "Precondition failed"
    type = PROBLEMS + "precondition-failed"


class PayloadTooLarge(DomainError):
    status = 413
    title = "Payload too large"
    type = PROBLEMS + "payload-too-large"


class UnsupportedMediaType(DomainError):
    status = 415
    title = "Unsupported media type"
    type = PROBLEMS + "unsupported-media-type"


class ValidationFailed(DomainError):
    status = 422
    title = "Validation failed"
    type = PROBLEMS + "validation-failed"


class ServiceUnavailable(DomainError):
    status = 503
    title = "Service unavailable"
    type = PROBLEMS + "service-unavailable"
