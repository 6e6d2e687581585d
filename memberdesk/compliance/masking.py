"""Reduce member fields a role may not see (minimum necessary), by field name, recursively."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel

from memberdesk.language import gettext as _

MASKED = "[masked]"
_PHONE_KEYS = {"phone", "general_phone", "sensitive_phone"}
_ADDRESS_TEXT_KEYS = {"general_address", "sensitive_address"}


def _last4(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    return "•••-•••-" + digits[-4:] if len(digits) >= 4 else MASKED


def _member_number_last4(value: str) -> str:
    return "•" * max(0, len(value) - 5) + value[-5:]


def mask_payload(data: Any, mask: dict[str, str]) -> Any:
    """Return ``data`` (dicts and lists from ``model_dump``) with masked fields reduced."""
    if not mask:
        return data
    if isinstance(data, list):
        return [mask_payload(item, mask) for item in data]
    if not isinstance(data, dict):
        return data
    out: dict[str, Any] = {}
    for key, value in data.items():
        if value is None:
            out[key] = None
        elif key == "date_of_birth" and "date_of_birth" in mask:
            out[key] = str(value)[:4]
        elif key in _PHONE_KEYS and "phone" in mask:
            out[key] = _last4(str(value))
        elif key == "member_number" and "member_number" in mask:
            out[key] = _member_number_last4(str(value))
        elif key == "address" and isinstance(value, dict) and "address" in mask:
            out[key] = {**value, "line1": None, "line2": None, "postal_code": None}
        elif key in _ADDRESS_TEXT_KEYS and "address" in mask:
            out[key] = MASKED
        elif (key == "email" and "email" in mask) or (
            key == "confidential_communication" and "confidential" in mask
        ):
            out[key] = None
        else:
            out[key] = mask_payload(value, mask)
    return out


def masked_for(role: str, model: BaseModel) -> Any:
    """``model`` as JSON-ready data with the fields ``role`` may not see reduced."""
    from memberdesk.compliance.permissions import policy

    return mask_payload(model.model_dump(mode="json"), policy(role).mask)


def hides_birth_dates(role: str) -> bool:
    """True when ``role`` sees dates of birth as the year only."""
    from memberdesk.compliance.permissions import policy

    return policy(role).mask.get("date_of_birth") == "year"


@dataclass(frozen=True)
class BirthDates:
    """Dates that reveal someone's date of birth, written for one role.

    Masking follows meaning, not field names: a newborn's coverage starts on its date of birth,
    a birth event is dated on it, and a child ages out at the end of the birth month. A role
    that sees the year of birth only sees those dates as the year too, in every field and
    sentence that shows them.
    """

    year_only: bool = False
    dates: frozenset[date] = frozenset()

    def hides(self, value: date) -> bool:
        """True when ``value`` must be shown as its year."""
        return self.year_only and value in self.dates

    def iso(self, value: date) -> str:
        """``2026-01-09``, or ``2026`` when it reveals a birth."""
        return str(value.year) if self.hides(value) else value.isoformat()

    def text(self, value: date, full: Callable[[date], str]) -> str:
        """``full(value)`` (e.g. ``9 Jan 2026``), or the year when it reveals a birth."""
        return str(value.year) if self.hides(value) else full(value)

    def at(self, value: date, full: Callable[[date], str]) -> str:
        """``on 9 Jan 2026``, or ``in 2026`` when it reveals a birth."""
        if self.hides(value):
            return _("in %(year)s") % {"year": value.year}
        return _("on %(date)s") % {"date": full(value)}
