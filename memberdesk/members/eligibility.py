"""Eligibility at a date, with the reason when not eligible (pure: no database)."""

from __future__ import annotations

import calendar as _cal
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from memberdesk.language import gettext as _
from memberdesk.members.enums import IneligibleReason, Relationship
from memberdesk.members.words import day


class SpanLike(Protocol):
    """What eligibility needs of a coverage span."""

    @property
    def effective_date(self) -> date: ...
    @property
    def termination_date(self) -> date | None: ...


class DateText(Protocol):
    """How a sentence writes a date: the date alone, or with its preposition ("on …")."""

    def bare(self, value: date) -> str: ...
    def at(self, value: date) -> str: ...


class PlainDates:
    """Dates in full, as people write them (``on 9 Jan 2026``)."""

    def bare(self, value: date) -> str:
        """``9 Jan 2026``."""
        return day(value)

    def at(self, value: date) -> str:
        """``on 9 Jan 2026``."""
        return _("on %(date)s") % {"date": day(value)}


@dataclass(frozen=True)
class Eligibility:
    """The answer to "is this member covered on this date", and why not.

    The facts behind the answer are kept apart from the sentence, so the sentence can be written
    with dates reduced for a role that may not see them (a newborn's coverage starts on its date
    of birth).
    """

    on: date
    eligible: bool
    reason: IneligibleReason | None
    span_index: int | None = None  # which span covers the date (index into the spans given)
    since: date | None = None  # first day of the covering span
    until: date | None = None  # last day of the covering span, if it has one
    ended: date | None = None  # last covered day before ``on`` (coverage, group or age limit)
    starts: date | None = None  # first day of coverage (or of the group) after ``on``
    from_birth: bool = False  # the covering span starts on the member's date of birth
    age_limit: int | None = None
    renews: date | None = None  # Medicaid: when the covering eligibility's renewal is due

    @property
    def explanation(self) -> str:
        """One sentence an agent can read to the member."""
        return self.explain(PlainDates())

    def explain(self, dates: DateText) -> str:
        """The sentence, with dates written by ``dates``, in the page's language."""
        reason = self.reason
        if self.eligible and self.since is not None:
            if self.until is None:
                words = {"on": dates.at(self.since), "since": dates.bare(self.since)}
                if self.renews:
                    words["renewal"] = dates.at(self.renews)
                    if self.from_birth:
                        return (
                            _(
                                "Covered since birth %(on)s, with no end date; renewal due "
                                "%(renewal)s."
                            )
                            % words
                        )
                    return (
                        _("Covered since %(since)s, with no end date; renewal due %(renewal)s.")
                        % words
                    )
                if self.from_birth:
                    return _("Covered since birth %(on)s, with no end date.") % words
                return _("Covered since %(since)s, with no end date.") % words
            span = {"on": dates.at(self.since), "since": dates.bare(self.since)}
            span["until"] = dates.bare(self.until)
            if self.from_birth:
                return _("Covered from birth %(on)s through %(until)s.") % span
            return _("Covered from %(since)s through %(until)s.") % span
        if reason == IneligibleReason.GROUP_TERMINATED and self.ended:
            return _("Not covered: the employer's group plan ended %(on)s.") % {
                "on": dates.at(self.ended)
            }
        if reason == IneligibleReason.GROUP_NOT_YET_EFFECTIVE and self.starts:
            return _("Not covered yet: the employer's group plan starts %(on)s.") % {
                "on": dates.at(self.starts)
            }
        if reason == IneligibleReason.AGED_OUT and self.ended and self.age_limit:
            return _(
                "Not covered: a child is covered through the end of the month they turn "
                "%(age)s; coverage ended %(on)s."
            ) % {"age": self.age_limit, "on": dates.at(self.ended)}
        if reason == IneligibleReason.TERMINATED and self.ended:
            ended = {"on": dates.at(self.ended)}
            if self.starts:
                ended["starts"] = dates.at(self.starts)
                return (
                    _("Not covered: coverage ended %(on)s. New coverage starts %(starts)s.") % ended
                )
            return _("Not covered: coverage ended %(on)s.") % ended
        if reason == IneligibleReason.NOT_YET_EFFECTIVE and self.starts:
            return _("Not covered yet: coverage starts %(on)s.") % {"on": dates.at(self.starts)}
        return _("Not covered: no coverage on file.")


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
    group_effective: date | None,
    group_terminated: date | None,
    disabled_dependent: bool = False,
    age_limit: int | None = 26,
) -> Eligibility:
    """Decide eligibility on ``on``; group status first, then coverage spans, then age.

    A member enrolled through no employer (Medicaid) has no group dates; ``age_limit`` None
    means no dependant age limit applies (a child on Medicaid is eligible in their own right).
    """
    if group_terminated is not None and on > group_terminated:
        return Eligibility(on, False, IneligibleReason.GROUP_TERMINATED, ended=group_terminated)
    if group_effective is not None and on < group_effective:
        return Eligibility(
            on, False, IneligibleReason.GROUP_NOT_YET_EFFECTIVE, starts=group_effective
        )
    covering = [i for i, s in enumerate(spans) if covers(s, on)]
    if not covering:
        if not spans:
            return Eligibility(on, False, IneligibleReason.NO_COVERAGE)
        future = [s.effective_date for s in spans if s.effective_date > on]
        past = [s.termination_date for s in spans if s.termination_date and s.termination_date < on]
        if past:
            return Eligibility(
                on,
                False,
                IneligibleReason.TERMINATED,
                ended=max(past),
                starts=min(future) if future else None,
            )
        return Eligibility(on, False, IneligibleReason.NOT_YET_EFFECTIVE, starts=min(future))
    if age_limit is not None and relationship == Relationship.CHILD and not disabled_dependent:
        cutoff = age_out_date(date_of_birth, age_limit)
        if on >= cutoff:
            return Eligibility(
                on,
                False,
                IneligibleReason.AGED_OUT,
                ended=cutoff - timedelta(days=1),
                age_limit=age_limit,
            )
    index = covering[-1]
    span = spans[index]
    return Eligibility(
        on,
        True,
        None,
        span_index=index,
        since=span.effective_date,
        until=span.termination_date,
        from_birth=span.effective_date == date_of_birth,
        renews=getattr(span, "renewal_date", None),
    )
