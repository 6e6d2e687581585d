"""Shared pieces of the register pages' forms: a time typed on the plan's clock, and a
validation or service error turned into plain words beside its field."""

from __future__ import annotations

from datetime import datetime

from pydantic import ValidationError

from memberdesk.breaches.clocks import zone
from memberdesk.cases.ui_forms import sentence
from memberdesk.errors import MemberdeskError


def typed_time(text: str) -> str | None:
    """A ``datetime-local`` value read in Pacific time, as ISO 8601 with its offset (None: not
    a time)."""
    try:
        naive = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return (naive if naive.tzinfo else naive.replace(tzinfo=zone())).isoformat()


def field_of(loc: str) -> str:
    """The form field a location names (``body.residents_by_state.CA`` -> residents_by_state)."""
    parts = [p for p in loc.split(".") if p not in ("body", "path", "query")]
    return parts[0] if parts else ""


def errors_of(exc: Exception, help: dict[str, str]) -> dict[str, str]:
    """Each problem in plain words, keyed by its field ("" for the form as a whole)."""
    found: dict[str, str] = {}
    if isinstance(exc, ValidationError):
        for err in exc.errors():
            name = field_of(".".join(str(p) for p in err["loc"]))
            found.setdefault(name, help.get(name, sentence(str(err["msg"]))))
    elif isinstance(exc, MemberdeskError):
        name = field_of(exc.field or "")
        found.setdefault(name, help.get(name) or sentence(exc.message))
    return found
