"""Plain words for the breach register's pages (pure): no code such as ``not_a_breach`` or
``hhs_portal`` is ever shown."""

from __future__ import annotations

from datetime import datetime

from memberdesk.breaches.clocks import zone
from memberdesk.breaches.enums import (
    Basis,
    ClockStatus,
    Factor,
    IncidentState,
    NoticeMethod,
    Outcome,
    PhiKind,
    Recipient,
    Risk,
)
from memberdesk.contacts.timewords import due_words, local_time

PHI_KINDS = {
    PhiKind.NAMES: "Names",
    PhiKind.ADDRESSES: "Addresses",
    PhiKind.DATES_OF_BIRTH: "Dates of birth",
    PhiKind.SOCIAL_SECURITY_NUMBERS: "Social Security numbers",
    PhiKind.MEMBER_IDS: "Member ID numbers",
    PhiKind.PHONE_NUMBERS: "Phone numbers",
    PhiKind.EMAIL_ADDRESSES: "E-mail addresses",
    PhiKind.DIAGNOSES: "Diagnoses",
    PhiKind.TREATMENT: "Treatment information",
    PhiKind.CLAIMS: "Claims",
    PhiKind.PAYMENT: "Payment and bank details",
    PhiKind.CALL_RECORDINGS: "Call recordings",
    PhiKind.OTHER: "Other",
}
STATES = {
    IncidentState.ASSESSING: "Being assessed",
    IncidentState.NOTIFYING: "A breach: notices owed",
    IncidentState.COMPLETE: "A breach: every notice sent",
    IncidentState.NOT_A_BREACH: "Not a breach",
}
FACTORS = {
    Factor.NATURE_EXTENT: "1. The nature and extent of the information (identifiers, how "
    "sensitive, how likely to be re-identified)",
    Factor.UNAUTHORIZED_PERSON: "2. Who used it or received it without authorisation",
    Factor.ACQUIRED_VIEWED: "3. Whether it was actually acquired or viewed",
    Factor.MITIGATION: "4. How far the risk has been reduced",
}
RISKS = {Risk.LOW: "Low", Risk.MODERATE: "Moderate", Risk.HIGH: "High"}
OUTCOMES = {Outcome.BREACH: "A breach: notify", Outcome.NOT_A_BREACH: "Not a breach"}
BASES = {
    Basis.LOW_PROBABILITY: "Low probability that the information was compromised (needs the "
    "four-factor assessment)",
    Basis.UNINTENTIONAL_WORKFORCE: "Unintentional, good-faith access by a member of staff",
    Basis.INADVERTENT_AUTHORIZED: "Inadvertent disclosure between people authorised at the plan",
    Basis.UNABLE_TO_RETAIN: "The recipient could not have kept the information",
}
RECIPIENTS = {
    Recipient.INDIVIDUALS: "The people affected",
    Recipient.CALIFORNIA: "California residents (state law)",
    Recipient.HHS: "The U.S. Department of Health and Human Services",
    Recipient.MEDIA: "The media",
}
METHODS = {
    NoticeMethod.MAIL: "First-class mail",
    NoticeMethod.EMAIL: "E-mail (where the person agreed to it)",
    NoticeMethod.PHONE: "Telephone (urgent cases)",
    NoticeMethod.SUBSTITUTE_NOTICE: "Substitute notice (web posting or media)",
    NoticeMethod.HHS_PORTAL: "The HHS breach portal",
    NoticeMethod.PRESS_RELEASE: "Press release",
    NoticeMethod.OTHER: "Other",
}
CLOCK_STATUS = {
    ClockStatus.RUNNING: "Not yet sent",
    ClockStatus.OVERDUE: "Overdue",
    ClockStatus.MET: "Sent in time",
    ClockStatus.MET_LATE: "Sent late",
    ClockStatus.NOT_REQUIRED: "Not required",
}


def recipient(r: Recipient, state: str | None, annual_log: bool) -> str:
    """Who a clock's notice goes to, in words."""
    if r is Recipient.MEDIA and state:
        return f"The media in {state}"
    if r is Recipient.HHS and annual_log:
        return "HHS, in the year's log (fewer than 500 affected)"
    return RECIPIENTS[r]


def when(at: datetime, ref: datetime) -> str:
    """A moment in Pacific time, as people read it."""
    return local_time(at, zone(), ref)


def countdown(due: datetime, at: datetime) -> tuple[str, bool]:
    """``Due in 45 days 3 hours`` or ``Overdue by 2 days``, and whether it is overdue."""
    return due_words(due, at)


def phi_kinds(kinds: list[str]) -> str:
    """``Names, Addresses, Claims``."""
    return ", ".join(PHI_KINDS.get(PhiKind(k), k) for k in kinds)
