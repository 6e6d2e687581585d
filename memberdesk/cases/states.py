"""The case life cycle and the escalation path as data (pure: no database, no web).

Every move a case may make is listed here; anything else is refused with both states named.
"""

from __future__ import annotations

from collections.abc import Iterable

from memberdesk.cases.enums import CaseState, CaseType, EscalationReason

S = CaseState
WORKING = (S.IN_PROGRESS, S.WAITING_ON_MEMBER, S.WAITING_ON_THIRD_PARTY)
ALLOWED: dict[CaseState, frozenset[CaseState]] = {
    S.NEW: frozenset({*WORKING, S.RESOLVED}),
    S.IN_PROGRESS: frozenset({S.WAITING_ON_MEMBER, S.WAITING_ON_THIRD_PARTY, S.RESOLVED}),
    S.WAITING_ON_MEMBER: frozenset({S.IN_PROGRESS, S.WAITING_ON_THIRD_PARTY, S.RESOLVED}),
    S.WAITING_ON_THIRD_PARTY: frozenset({S.IN_PROGRESS, S.WAITING_ON_MEMBER, S.RESOLVED}),
    # A resolved case is closed when nothing more comes, or reopened when the member returns.
    S.RESOLVED: frozenset({S.CLOSED, S.REOPENED}),
    S.CLOSED: frozenset({S.REOPENED}),
    S.REOPENED: frozenset({*WORKING, S.RESOLVED}),
}
OPEN_STATES = frozenset(s for s in CaseState if s not in (S.RESOLVED, S.CLOSED))

TOP_TIER = 3
# Tier 2 -> 3 is for regulatory work only: formal appeals, regulatory inquiries, legal referrals.
TIER3_REASONS = frozenset(
    {EscalationReason.FORMAL_APPEAL, EscalationReason.REGULATORY, EscalationReason.LEGAL}
)
TIER3_TYPES = frozenset(
    {CaseType.APPEAL, CaseType.GRIEVANCE, CaseType.REGULATORY_INQUIRY, CaseType.LEGAL_REFERRAL}
)
# The clock a case starts when it arrives at a tier (the hand-off or assignment obligation).
TIER_CLOCK = {1: "tier1_handoff", 3: "tier3_assignment"}
# Clocks a case carries for its type from the moment it is opened.
TYPE_CLOCKS: dict[CaseType, tuple[str, ...]] = {
    CaseType.CLAIMS: ("claim_research",),
    CaseType.BILLING: ("claim_research",),
}
# Targets met when the case is resolved (the rest stop: their obligation no longer applies).
MET_ON_RESOLVE = frozenset({"tier1_handoff", "claim_research", "email_reply", "tier3_assignment"})
# A reply to the member went out when the case starts waiting on them.
MET_ON_WAITING_FOR_MEMBER = frozenset({"email_reply"})


class TransitionError(ValueError):
    """A move the life cycle does not allow; the message names both states."""


def check_transition(current: CaseState, wanted: CaseState) -> None:
    """Raise ``TransitionError`` unless ``current`` -> ``wanted`` is an allowed move."""
    if wanted not in ALLOWED[current]:
        allowed = ", ".join(sorted(ALLOWED[current])) or "none"
        raise TransitionError(
            f"a case cannot move from {current} to {wanted} (from {current}: {allowed})"
        )


def escalation_target(
    tier: int, state: CaseState, reason: EscalationReason, case_type: CaseType
) -> int:
    """The tier an escalation moves a case to, or ``TransitionError`` saying why not."""
    if state not in OPEN_STATES:
        raise TransitionError(f"a {state} case cannot be escalated (reopen it first)")
    if tier >= TOP_TIER:
        raise TransitionError(f"a Tier {tier} case cannot be escalated further")
    if tier == 2 and reason not in TIER3_REASONS and case_type not in TIER3_TYPES:
        raise TransitionError(
            "Tier 2 escalates to Tier 3 only for formal_appeal, regulatory or legal reasons "
            "(or appeal, grievance, regulatory_inquiry and legal_referral cases)"
        )
    return tier + 1


def deescalation_target(tier: int, state: CaseState) -> int:
    """The tier a de-escalation moves a case to, or ``TransitionError``."""
    if state not in OPEN_STATES:
        raise TransitionError(f"a {state} case cannot be de-escalated (reopen it first)")
    if tier <= 1:
        raise TransitionError("a Tier 1 case cannot be de-escalated")
    return tier - 1


def clocks_at_open(case_type: CaseType, from_written_contact: bool) -> list[str]:
    """Targets a new Tier 1 case starts: the hand-off, its type's, and a reply owed."""
    targets = [TIER_CLOCK[1], *TYPE_CLOCKS.get(case_type, ())]
    if from_written_contact:
        targets.append("email_reply")
    return targets


def missing_steps(steps: Iterable[tuple[str, bool, bool]]) -> list[str]:
    """Ids of required steps not done, from (step_id, required, done) triples."""
    return [sid for sid, required, done in steps if required and not done]
