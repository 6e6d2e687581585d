"""Vocabulary of the cases domain: states, types, priorities, reasons, clock and transfer states."""

from __future__ import annotations

from enum import StrEnum


class CaseState(StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    WAITING_ON_MEMBER = "waiting_on_member"
    WAITING_ON_THIRD_PARTY = "waiting_on_third_party"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REOPENED = "reopened"


class CaseType(StrEnum):
    ELIGIBILITY = "eligibility"
    BILLING = "billing"
    ID_CARD = "id_card"
    BENEFITS = "benefits"
    CLAIMS = "claims"
    PLAN_COMPARISON = "plan_comparison"
    ENROLLMENT = "enrollment"
    APPEAL = "appeal"
    GRIEVANCE = "grievance"
    REGULATORY_INQUIRY = "regulatory_inquiry"
    LEGAL_REFERRAL = "legal_referral"
    OTHER = "other"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


# Urgent first when two cases are equally close to breach.
PRIORITY_RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}


class EscalationReason(StrEnum):
    NEEDS_SPECIALIST = "needs_specialist"
    BILLING_DISPUTE = "billing_dispute"
    CLAIM_DISPUTE = "claim_dispute"
    COMPLAINT = "complaint"
    FORMAL_APPEAL = "formal_appeal"
    REGULATORY = "regulatory"
    LEGAL = "legal"
    OTHER = "other"


class HandoffKind(StrEnum):
    """Why a case changed hands: a tier move up or down, an assignment or a transfer."""

    ESCALATED = "escalated"
    AUTO_ESCALATED = "auto_escalated"  # the Tier 1 hand-off deadline ran out
    DEESCALATED = "deescalated"
    ASSIGNED = "assigned"
    TRANSFERRED = "transferred"


# The reason recorded on an automatic Tier 1 -> 2 move (not one a person may choose).
HANDOFF_DEADLINE = "handoff_deadline"


class ClockState(StrEnum):
    """A case clock as stored on its row (``breached``: past due and still open)."""

    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    BREACHED = "breached"
    STOPPED = "stopped"


OPEN_CLOCK_STATES = (ClockState.RUNNING, ClockState.PAUSED, ClockState.BREACHED)


class TransferStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
