"""Plain words for the QA pages (pure): kinds, states, outcomes and standings said as people
say them, scores as percentages against the goal, moments in Pacific time."""

from __future__ import annotations

from datetime import datetime

from memberdesk.contacts.timewords import due_words, local_time
from memberdesk.quality.enums import (
    CorrectiveState,
    DisputeOutcome,
    EvaluationKind,
    EvaluationState,
)
from memberdesk.quality.scoring import CORRECTIVE_BELOW, GOAL
from memberdesk.sla.packs import zone_of

KINDS = {
    EvaluationKind.RANDOM: "Monthly random sample",
    EvaluationKind.TARGETED: "Chosen for review",
    EvaluationKind.CALIBRATION: "Calibration session",
}
STATES = {
    EvaluationState.PENDING: "Waiting to be scored",
    EvaluationState.SCORED: "Scored: waiting for the agent",
    EvaluationState.ACKNOWLEDGED: "Acknowledged by the agent",
    EvaluationState.DISPUTED: "Disputed: waiting for a decision",
    EvaluationState.RESOLVED: "Dispute decided",
}
OUTCOMES = {
    DisputeOutcome.UPHELD: "The score stands",
    DisputeOutcome.RESCORED: "Rescored",
}
CORRECTIVE = {
    CorrectiveState.OPEN: "To do",
    CorrectiveState.COMPLETED: "Completed",
    CorrectiveState.CANCELLED: "No longer needed (rescored)",
}
CHANNELS = {
    "phone": "Phone call",
    "email": "E-mail",
    "chat": "Chat",
    "portal": "Portal message",
    "voicemail": "Voicemail",
    "letter": "Letter",
    "sms": "Text message",
}


def when(at: datetime | None, ref: datetime) -> str:
    """A moment in the plan's (Pacific) time, or a dash."""
    return local_time(at, zone_of("calchoice"), ref) if at else "—"


def percent(value: float | None) -> str:
    """``92.1%`` (one decimal), or ``No score`` when there is none."""
    return "No score" if value is None else f"{value:.1f}%"


def standing(value: float | None) -> tuple[str, str]:
    """What a score means against the goal, and the badge class to show it with."""
    if value is None:
        return "Not scored yet", ""
    if value >= GOAL:
        return f"Meets the {GOAL:.0f}% goal", "ok"
    if value >= CORRECTIVE_BELOW:
        return f"Below the {GOAL:.0f}% goal", "warn"
    return f"Under {CORRECTIVE_BELOW:.0f}%: corrective training", "bad"


def corrective_words(
    state: CorrectiveState, due: datetime, done: datetime | None, at: datetime
) -> tuple[str, bool]:
    """``Overdue by 2 days`` / ``Due in 9 days`` / ``Completed on time`` / ``Completed late``,
    and whether it is (or was) late."""
    if state == CorrectiveState.COMPLETED and done is not None:
        return ("Completed late", True) if done > due else ("Completed on time", False)
    if state == CorrectiveState.CANCELLED:
        return "Not needed", False
    return due_words(due, at)
