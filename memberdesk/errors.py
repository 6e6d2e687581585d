"""Domain errors; the API turns them into 4xx responses that never echo PHI.

Every error answer has one shape, the same as FastAPI's validation errors:
``{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}``. ``loc`` names the field (empty
when the error is about the request as a whole), ``msg`` states the rule in plain words and never
repeats the value sent, ``type`` is a stable code for programs.
"""

from __future__ import annotations


class MemberdeskError(Exception):
    """Base class of errors a user can act on."""

    status_code = 400
    type = "bad_request"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def detail(self) -> dict[str, object]:
        """The error as one item of the ``detail`` list."""
        # List positions are numbers, as in FastAPI's own validation errors.
        loc = [int(p) if p.isdigit() else p for p in self.field.split(".")] if self.field else []
        return {
            "loc": loc,
            "msg": self.message,
            "type": self.type,
        }


class NotFound(MemberdeskError):
    """The object does not exist (or the caller may not know that it does)."""

    status_code = 404
    type = "not_found"


class InvalidInput(MemberdeskError):
    """A value is malformed or breaks a business rule; ``field`` names it."""

    status_code = 422
    type = "invalid"


class Conflict(MemberdeskError):
    """The request is valid but clashes with the current state."""

    status_code = 409
    type = "conflict"
