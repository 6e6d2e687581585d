"""Domain errors; the API turns them into 404/409/422 responses that never echo PHI."""

from __future__ import annotations


class MemberdeskError(Exception):
    """Base class of errors a user can act on."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(MemberdeskError):
    """The object does not exist (or the caller may not know that it does)."""

    status_code = 404


class InvalidInput(MemberdeskError):
    """A value is malformed or out of range; ``field`` names it."""

    status_code = 422


class Conflict(MemberdeskError):
    """The request is valid but clashes with the current state."""

    status_code = 409
