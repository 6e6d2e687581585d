"""Rules member data obeys (pure): the API refuses what breaks them, and the synthetic book is
checked against the same functions, so the demo never shows what the product would refuse."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from memberdesk.members.eligibility import Eligibility, SpanLike
from memberdesk.members.enums import IneligibleReason, LifeEventType

MEMBER_NUMBER_RE = re.compile(r"^\d{9}-\d{2}$")
# The subscriber number alone (no -NN suffix) names a whole household.
SUBSCRIBER_NUMBER_RE = re.compile(r"^\d{9}$")
HOUSEHOLD_SUFFIXES = 100  # -00 (subscriber) to -99
MAX_EVENT_LEAD_DAYS = 90  # events may be reported ahead (a wedding date), not further
# A card is never sent once coverage is over for good; these reasons leave nothing to come.
_FINAL = {
    IneligibleReason.AGED_OUT,
    IneligibleReason.GROUP_TERMINATED,
    IneligibleReason.NO_COVERAGE,
}


def life_event_problem(event_date: date, member_dob: date, today: date) -> str | None:
    """Why an event date cannot be right for this member, or None."""
    if event_date < member_dob:
        return "the event date must not be before the member's date of birth"
    if event_date > today + timedelta(days=MAX_EVENT_LEAD_DAYS):
        return f"the event date must be at most {MAX_EVENT_LEAD_DAYS} days in the future"
    return None


def is_duplicate_event(
    kind: LifeEventType, when: date, recorded: Iterable[tuple[LifeEventType, date]]
) -> bool:
    """The same kind of event on the same day is already on the enrolment."""
    return any(k == kind and d == when for k, d in recorded)


DUPLICATE_EVENT = "this life event is already recorded on the enrolment (same type and date)"


def id_card_problem(result: Eligibility, spans: Sequence[SpanLike]) -> str | None:
    """Why no ID card may be requested on ``result.on``, or None.

    Covered members get cards, and so do members whose coverage starts later (new enrolments
    get their card before the first day); nobody gets one after coverage has ended.
    """
    if result.eligible:
        return None
    if result.reason not in _FINAL and any(s.effective_date > result.on for s in spans):
        return None
    return NO_CARD_AFTER_COVERAGE


NO_CARD_AFTER_COVERAGE = "no ID card: the member is not covered and no coverage starts later"


def coverage_problems(
    spans: Sequence[SpanLike], dob: date, group_start: date | None, group_end: date | None
) -> list[str]:
    """What is wrong with a member's coverage history (oldest span first); a member with no
    employer group (Medicaid) has no group dates to keep within."""
    problems: list[str] = []
    previous: SpanLike | None = None
    for s in spans:
        end = s.termination_date
        if end is not None and end < s.effective_date:
            problems.append("span ends before it starts")
        if s.effective_date < dob:
            problems.append("span starts before the member's birth")
        if group_start is not None and s.effective_date < group_start:
            problems.append("span starts before the employer's group plan")
        if group_end is not None and (end is None or end > group_end):
            problems.append("span runs past the end of the employer's group plan")
        if previous is not None and (
            previous.termination_date is None or previous.termination_date >= s.effective_date
        ):
            problems.append("spans overlap")
        previous = s
    return problems
