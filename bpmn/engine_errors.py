"""Domain errors raised by every `Engine` implementation.

Why Camunda's type names and statuses: the `/engine-rest` facade renders these
as Camunda error bodies (`{type, message}`) 1:1, and the Camunda REST adapter
maps Camunda's error bodies back into the same classes, so callers handle one
set of exceptions whichever engine is configured.
"""

from __future__ import annotations


class EngineError(Exception):
    """Base class: carries the HTTP status and Camunda exception type name."""

    status: int = 500
    type: str = "ProcessEngineException"

    def __init__(self, message: str, *, status: int | None = None,
                 type: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        if type is not None:
            self.type = type

    def to_dict(self) -> dict[str, str]:
        """Camunda's REST error body."""
        return {"type": self.type, "message": self.message}


class NotFound(EngineError):
    """An id or key that does not exist (Camunda answers 404)."""

    status = 404
    type = "InvalidRequestException"


class BadUserRequest(EngineError):
    """Invalid input: unsupported BPMN, wrong arguments, illegal state change."""

    status = 400
    type = "InvalidRequestException"


class ExternalTaskLockedByOther(BadUserRequest):
    """Completing/extending a task whose live lock belongs to another worker."""


class MismatchingMessageCorrelation(BadUserRequest):
    """No (or too many) executions/definitions matched a correlated message."""

    type = "RestException"


class TaskAlreadyClaimed(EngineError):
    """Claiming a task that another user already holds (Camunda: 500)."""

    type = "TaskAlreadyClaimedException"


class OptimisticLocking(EngineError):
    """Two transactions changed the same instance; the caller may retry."""

    type = "OptimisticLockingException"


class ProcessEngineError(EngineError):
    """Executing the process failed (expression error, missing called process...)."""
