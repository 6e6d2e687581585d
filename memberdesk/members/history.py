"""A member's coverage history as the member page shows it (pure: no database, no web).

A CalChoice member's history is one list of plans. An Oregon Health Plan member's is two: their
Medicaid eligibility, with the gaps between spans said in words (a renewal not completed, then a
new application), and the partner plans held inside it for each kind of care.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from memberdesk.members.enums import ELIGIBILITY_BENEFITS, Benefit
from memberdesk.members.schemas import CoverageSpanOut


@dataclass(frozen=True)
class Gap:
    """Months without coverage between two eligibility spans."""

    start: date
    end: date
    months: int


@dataclass(frozen=True)
class History:
    """The spans of a member's coverage, split for the page."""

    eligibility: list[CoverageSpanOut | Gap]  # oldest first, gaps between spans
    partners: list[CoverageSpanOut]  # by kind of care, then oldest first


def _iso(value: str) -> date | None:
    # A date masked to its year (a newborn's first day, a young child's end of continuous
    # eligibility, for a role that sees years of birth only) cannot bound a gap: the gap row is
    # left out rather than dated wrong.
    return date.fromisoformat(value) if len(value) == 10 else None


def months_between(start: date, end: date) -> int:
    """Whole or part calendar months from ``start`` to ``end`` inclusive."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


def split(coverage: list[CoverageSpanOut]) -> History:
    """Eligibility spans with the gaps between them, and partner-plan spans apart."""
    spans = [s for s in coverage if s.plan.benefit in ELIGIBILITY_BENEFITS]
    partners = [s for s in coverage if s.plan.benefit not in ELIGIBILITY_BENEFITS]
    rows: list[CoverageSpanOut | Gap] = []
    for prev, span in zip([None, *spans], spans, strict=False):
        start = _iso(span.effective_date)
        end = _iso(prev.termination_date) if prev and prev.termination_date else None
        if end is not None and start is not None:
            first_free = date.fromordinal(end.toordinal() + 1)
            if first_free < start:
                last_free = date.fromordinal(start.toordinal() - 1)
                rows.append(Gap(first_free, last_free, months_between(first_free, last_free)))
        rows.append(span)
    order = list(Benefit)
    partners.sort(key=lambda s: (order.index(s.plan.benefit), s.effective_date))
    return History(rows, partners)
