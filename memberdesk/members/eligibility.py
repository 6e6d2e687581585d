"""Eligibility at a date, with the reason when not eligible (pure: no database)."""

from __future__ import annotations

import calendar as _cal
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from memberdesk.members.enums import IneligibleReason, Relationship


class SpanLike(Protocol):
    """What eligibility needs of a coverage span."""

    @property
    def effective_date(self) -> date: ...
    @property
    def termination_date(self) -> date | None: ...


@dataclass(frozen=True)
class Eligibility:
    """The answer to "is this member covered on this date", and why not."""

    on: date
    eligible: bool
    reason: IneligibleReason | None
    explanation: str
    span_index: int | None = None  # which span covers the date (index into the spans given)


def age_on(dob: date, on: date) -> int:
    """Age in whole years on a date (a 29 February birthday ages on 1 March)."""
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def age_out_date(dob: date, age_limit: int) -> date:
    """First day without coverage: the 1st of the month after the limit birthday.

    Plans commonly cover a child through the end of the month in which they turn 26.
    """
    year = dob.year + age_limit
    day = min(dob.day, _cal.monthrange(year, dob.month)[1])
    birthday = date(year, dob.month, day)
    return date(year + (birthday.month == 12), birthday.month % 12 + 1, 1)


def covers(span: SpanLike, on: date) -> bool:
    """True when ``on`` lies within the span (termination date inclusive)."""
    return span.effective_date <= on and (
        span.termination_date is None or on <= span.termination_date
    )


def eligibility_at(
    *,
    on: date,
    spans: Sequence[SpanLike],
    relationship: Relationship,
    date_of_birth: date,
    group_effective: date,
    group_terminated: date | None,
    disabled_dependent: bool = False,
    age_limit: int = 26,
) -> Eligibility:
    """Decide eligibility on ``on``; group status first, then coverage spans, then age."""
    if group_terminated is not None and on > group_terminated:
        return Eligibility(
            on,
            False,
            IneligibleReason.GROUP_TERMINATED,
            f"employer group terminated; coverage ended {group_terminated.isoformat()}",
        )
    if on < group_effective:
        return Eligibility(
            on,
            False,
            IneligibleReason.GROUP_NOT_YET_EFFECTIVE,
            f"employer group coverage starts {group_effective.isoformat()}",
        )
    covering = [i for i, s in enumerate(spans) if covers(s, on)]
    if not covering:
        if not spans:
            return Eligibility(on, False, IneligibleReason.NO_COVERAGE, "no coverage on file")
        future = [s.effective_date for s in spans if s.effective_date > on]
        past = [s.termination_date for s in spans if s.termination_date and s.termination_date < on]
        if past:
            last_end = max(past)
            nxt = f"; next coverage starts {min(future).isoformat()}" if future else ""
            return Eligibility(
                on,
                False,
                IneligibleReason.TERMINATED,
                f"coverage terminated {last_end.isoformat()}{nxt}",
            )
        return Eligibility(
            on,
            False,
            IneligibleReason.NOT_YET_EFFECTIVE,
            f"coverage starts {min(future).isoformat()}",
        )
    if relationship == Relationship.CHILD and not disabled_dependent:
        cutoff = age_out_date(date_of_birth, age_limit)
        if on >= cutoff:
            last_day = cutoff - timedelta(days=1)
            return Eligibility(
                on,
                False,
                IneligibleReason.AGED_OUT,
                f"dependent reached age {age_limit}; coverage ended {last_day.isoformat()} "
                "(end of the birthday month)",
            )
    span = spans[covering[-1]]
    until = span.termination_date.isoformat() if span.termination_date else "open-ended"
    return Eligibility(
        on,
        True,
        None,
        f"covered from {span.effective_date.isoformat()} until {until}",
        span_index=covering[-1],
    )
