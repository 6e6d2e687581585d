"""Plain words for the contacts domain (pure): pages never show a code."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from memberdesk.contacts.enums import (
    AttemptOutcome,
    CallbackState,
    Channel,
    Direction,
    Disposition,
    Reason,
)
from memberdesk.contacts.schemas import ContactSummary
from memberdesk.members.words import PACIFIC, clock, day

CHANNELS = {
    Channel.PHONE: "Phone",
    Channel.EMAIL: "Secure e-mail",
    Channel.CHAT: "Chat",
    Channel.PORTAL: "Portal message",
    Channel.VOICEMAIL: "Voicemail",
    Channel.LETTER: "Letter",
    Channel.SMS: "Text message",
}
DIRECTIONS = {Direction.INBOUND: "inbound", Direction.OUTBOUND: "outbound"}
REASONS = {
    Reason.ELIGIBILITY: "Eligibility",
    Reason.BILLING: "Billing or premium",
    Reason.ID_CARD: "ID card",
    Reason.BENEFITS: "Benefits",
    Reason.CLAIMS: "Claims",
    Reason.PLAN_COMPARISON: "Comparing plans",
    Reason.ENROLLMENT: "Enrolment or life event",
    Reason.APPEAL_GRIEVANCE: "Appeal or grievance",
    Reason.PHARMACY: "Pharmacy",
    Reason.TRANSPORTATION: "Transportation",
    Reason.DENTAL: "Dental",
    Reason.BEHAVIORAL_HEALTH: "Behavioural health",
    Reason.PROVIDER: "Finding a provider",
    Reason.OTHER: "Something else",
}
DISPOSITIONS = {
    Disposition.RESOLVED: "Resolved",
    Disposition.CASE_OPENED: "Case opened",
    Disposition.TRANSFERRED: "Transferred",
    Disposition.CALLBACK_SCHEDULED: "Call-back arranged",
    Disposition.VOICEMAIL_LEFT: "Voicemail left",
    Disposition.NO_ANSWER: "No answer",
    Disposition.INFO_SENT: "Information sent",
    Disposition.OTHER: "Other",
}
OUTCOMES = {
    AttemptOutcome.REACHED: "Reached the member",
    AttemptOutcome.NO_ANSWER: "No answer",
    AttemptOutcome.LEFT_MESSAGE: "Left a message",
    AttemptOutcome.WRONG_NUMBER: "Wrong number",
}
CALLBACK_STATES = {
    CallbackState.OPEN: "Waiting",
    CallbackState.COMPLETED: "Called back",
    CallbackState.LETTER: "Letter instead",
}


def how(channel: Channel, direction: Direction) -> str:
    """``Phone, inbound``."""
    return f"{CHANNELS[channel]}, {DIRECTIONS[direction]}"


def about(reasons: Iterable[Reason]) -> str:
    """``Billing or premium; ID card``."""
    return "; ".join(REASONS[r] for r in reasons)


def when(at: datetime) -> str:
    """``20 Nov 2026, 9:30 am`` on the plan's (Pacific) clock."""
    local = at.astimezone(PACIFIC)
    return f"{day(local)}, {clock(local)}"


def history_rows(contacts: Iterable[ContactSummary]) -> list[dict[str, str]]:
    """Rows of the member page's "Recent contacts" table, in words."""
    return [
        {
            "when": when(c.started_at),
            "how": how(c.channel, c.direction),
            "about": about(c.reasons),
            "agent": "Phone menu" if c.phone_menu else c.agent or "The member",
            "resolved": "Yes" if c.resolved else "No",
        }
        for c in contacts
    ]
