"""Vocabulary of the vendor register."""

from __future__ import annotations

from enum import StrEnum


class VendorKind(StrEnum):
    """What a vendor does for the plan."""

    OUTSOURCED_CALL_CENTRE = "outsourced_call_centre"
    PRINT_MAIL_HOUSE = "print_mail_house"
    IVR_TELEPHONY = "ivr_telephony"
    INTERPRETER_SERVICE = "interpreter_service"
    CLOUD_HOST = "cloud_host"
    OTHER = "other"


class VendorStatus(StrEnum):
    """Whether a vendor may touch PHI: only an active one, and only with a current BAA."""

    ONBOARDING = "onboarding"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    ENDED = "ended"


class ContactRole(StrEnum):
    """Which of the vendor's people a contact is."""

    ESCALATION = "escalation"
    COMPLIANCE = "compliance"
    ACCOUNT = "account"


class BaaStanding(StrEnum):
    """A vendor's BAA at a date."""

    NONE = "none"
    NOT_YET_EFFECTIVE = "not_yet_effective"
    CURRENT = "current"
    RENEWAL_DUE = "renewal_due"
    EXPIRED = "expired"
