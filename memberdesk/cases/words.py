"""Plain words for the cases pages (pure): a page never shows a code such as ``billing`` or
``waiting_on_member``, and a deadline is said both as a time and as "due in 3 h 20 min"."""

from __future__ import annotations

from datetime import datetime, tzinfo

from memberdesk.cases.enums import (
    CaseState,
    CaseType,
    ClockState,
    EscalationReason,
    HandoffKind,
    Priority,
    TransferStatus,
)
from memberdesk.language import N_, dated
from memberdesk.members.words import clock, day, zone_name

CASE_TYPES = {
    CaseType.ELIGIBILITY: N_("Eligibility"),
    CaseType.BILLING: N_("Billing or premium"),
    CaseType.ID_CARD: N_("ID card"),
    CaseType.BENEFITS: N_("Benefits"),
    CaseType.CLAIMS: N_("Claims"),
    CaseType.PLAN_COMPARISON: N_("Comparing plans"),
    CaseType.ENROLLMENT: N_("Enrolment or life event"),
    CaseType.APPEAL: N_("Appeal"),
    CaseType.GRIEVANCE: N_("Grievance"),
    CaseType.REGULATORY_INQUIRY: N_("Regulatory inquiry"),
    CaseType.LEGAL_REFERRAL: N_("Legal referral"),
    CaseType.OTHER: N_("Something else"),
}
STATES = {
    CaseState.NEW: "New",
    CaseState.IN_PROGRESS: "In progress",
    CaseState.WAITING_ON_MEMBER: "Waiting on the member",
    CaseState.WAITING_ON_THIRD_PARTY: "Waiting on someone else (provider, employer, pharmacy)",
    CaseState.RESOLVED: "Resolved",
    CaseState.CLOSED: "Closed",
    CaseState.REOPENED: "Reopened",
}
# What a member reads about their own case: no tiers, queues or people.
MEMBER_STATES = {
    CaseState.NEW: N_("Received: we will start on it soon"),
    CaseState.IN_PROGRESS: N_("We are working on it"),
    CaseState.WAITING_ON_MEMBER: N_("Waiting for something from you"),
    CaseState.WAITING_ON_THIRD_PARTY: N_(
        "Waiting on another organisation (for example your doctor)"
    ),
    CaseState.RESOLVED: N_("Resolved"),
    CaseState.CLOSED: N_("Closed"),
    CaseState.REOPENED: N_("Reopened: we are working on it again"),
}
PRIORITIES = {
    Priority.LOW: "Low",
    Priority.NORMAL: "Normal",
    Priority.HIGH: "High",
    Priority.URGENT: "Urgent",
}
TIERS = {
    1: "Tier 1 — member services",
    2: "Tier 2 — benefits specialists",
    3: "Tier 3 — appeals and compliance",
}
REASONS = {
    EscalationReason.NEEDS_SPECIALIST: "Needs a specialist",
    EscalationReason.BILLING_DISPUTE: "Billing dispute",
    EscalationReason.CLAIM_DISPUTE: "Claim dispute",
    EscalationReason.COMPLAINT: "Complaint",
    EscalationReason.FORMAL_APPEAL: "Formal appeal",
    EscalationReason.REGULATORY: "Regulatory matter",
    EscalationReason.LEGAL: "Legal matter",
    EscalationReason.OTHER: "Something else",
}
CLOCKS = {
    "tier1_handoff": "Hand-off to Tier 2 if not resolved",
    "claim_research": "Research finished",
    "email_reply": "Written reply to the member",
    "tier3_assignment": "Case manager assigned",
    # An appeal's regulatory clocks live on its case too (memberdesk/appeals/words.py).
    "appeal_ack": "Written acknowledgement",
    "appeal_resolution": "Resolution",
    "appeal_expedited": "Expedited decision",
    "grievance_decision": "Decision or notice of delay",
    "grievance_resolution": "Grievance resolution",
    "urgent_appeal": "Urgent care decision",
    "pre_service_appeal": "Decision (pre-service)",
    "post_service_appeal": "Decision (post-service)",
    "regulator_response": "Response to the regulator",
}
CLOCK_STATES = {
    ClockState.RUNNING: "Running",
    ClockState.PAUSED: "Paused while waiting on the member",
    ClockState.MET: "Met",
    ClockState.BREACHED: "Missed",
    ClockState.STOPPED: "No longer needed",
}
# How a clock that stopped reads beside the time it stopped.
CLOCK_ENDED = {
    ClockState.MET: "Met on {}",
    ClockState.BREACHED: "Missed (ended {})",
    ClockState.STOPPED: "No longer needed (since {})",
}
HANDOFFS = {
    HandoffKind.ESCALATED: "Escalated",
    HandoffKind.AUTO_ESCALATED: "Moved up automatically (hand-off deadline passed)",
    HandoffKind.DEESCALATED: "De-escalated",
    HandoffKind.ASSIGNED: "Assigned",
    HandoffKind.TRANSFERRED: "Transferred",
}
NOTE_KINDS = {
    "note": "Note",
    "correction": "Correction (addendum)",
    "resolution": "Resolution rationale",
    "state_change": "Why the state changed",
}
TRANSFERS = {
    TransferStatus.PENDING: "Waiting for an answer",
    TransferStatus.ACCEPTED: "Accepted",
    TransferStatus.DECLINED: "Declined",
}


def clock_name(target: str) -> str:
    """A clock's target in words (an unknown one spelled out, never as a code)."""
    return CLOCKS.get(target, target.replace("_", " ").capitalize())


def span(seconds: float) -> str:
    """``3 h 20 min``, ``45 min``, ``48 h``, ``3 days 4 h`` (at least a minute)."""
    minutes = max(int(seconds // 60), 1)
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours < 72:
        return f"{hours} h" + (f" {rest} min" if rest else "")
    days, hours = divmod(hours, 24)
    return f"{days} days" + (f" {hours} h" if hours else "")


def countdown(due: datetime, at: datetime) -> tuple[str, bool]:
    """``due in 3 h 20 min`` or ``overdue by 2 h``, and whether it is overdue."""
    gap = (due - at).total_seconds()
    if gap < 0:
        return f"overdue by {span(-gap)}", True
    return f"due in {span(gap)}", False


def local_time(at: datetime, tz: tzinfo) -> str:
    """``Mon 30 Nov 2026, 5:00 pm Pacific time``."""
    local = at.astimezone(tz)
    when = dated(local.date(), f"{local:%a} {day(local.date())}", "EEE d MMM y")
    return f"{when}, {clock(local)} {zone_name(local)}".strip()


def age(seconds: int | None) -> str:
    """How long the oldest item has waited: ``3 h 5 min``, or a dash when nothing waits."""
    return "—" if seconds is None else span(seconds)
