"""What a person owes in training on a day, from their records (pure: no database, no web).

The rules, from the operational guide ("40 hours initial training per new hire plus 8-12
hours/month of ongoing training", "annual HIPAA training plus role-based privacy modules"):

- The new-hire programme and the monthly hours bind the front-line roles the programme's
  courses list (everyone if they list none); the role's own courses bind every role listed.
- New-hire programme: 40 h of passed ``initial`` courses within ``INITIAL_WINDOW_DAYS`` of the
  start date. Four weeks, because 40 h is one working week of classroom time and new hires
  usually spread it over their first weeks beside shadowing; four weeks still ends well inside
  the guide's 6-8 weeks of onboarding before open enrollment, so a surge hire is trained before
  the phones open. Someone trained before their records were kept has the date on file instead.
- Monthly hours: from the first calendar month that starts after the new-hire window, at least
  8 h of training (any course but the new-hire programme) in each calendar month; 12 h is the
  target. A month cannot be made up later, so last month's shortfall is reported as overdue.
- Courses a role must take (HIPAA, the role's privacy modules, de-escalation ...): within the
  new-hire window of the later of the start date and the day the course became required; a
  course that renews (HIPAA: 12 months) is due again that many months after the last passed
  completion, on the same day of the month (or the month's last day: 29 Feb -> 28 Feb).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from memberdesk.training.enums import CourseKind, DueKind, DueStatus

INITIAL_HOURS = 40.0
INITIAL_WINDOW_DAYS = 28
MONTHLY_MINIMUM = 8.0
MONTHLY_TARGET = 12.0
DUE_SOON_DAYS = 30  # a renewal shows as due this many days ahead


@dataclass(frozen=True, slots=True)
class Course:
    """A course as the rules read it."""

    id: int
    title: str
    kind: CourseKind
    roles: frozenset[str] = frozenset()  # roles that must take it
    renew_months: int | None = None
    required_since: date = date(2000, 1, 1)  # the day it became required


@dataclass(frozen=True, slots=True)
class Done:
    """One completion."""

    course_id: int
    on: date
    hours: float
    passed: bool = True


@dataclass(frozen=True, slots=True)
class Person:
    """Who owes the training."""

    role: str
    started_on: date
    initial_on_file: date | None = None  # new-hire programme finished before records were kept


@dataclass(frozen=True, slots=True)
class Due:
    """One obligation on the day."""

    kind: DueKind
    title: str
    status: DueStatus
    due_on: date | None  # the last day to do it (None: done for good)
    course_id: int | None = None
    hours_done: float | None = None
    hours_needed: float | None = None
    last_done: date | None = None


@dataclass(frozen=True, slots=True)
class Standing:
    """Everything a person owes on a day, most urgent first, and this month's hours."""

    on: date
    dues: list[Due] = field(default_factory=list)
    month_hours: float = 0.0
    monthly_applies: bool = False
    initial_hours: float = 0.0

    @property
    def overdue(self) -> list[Due]:
        """The obligations past their date."""
        return [d for d in self.dues if d.status is DueStatus.OVERDUE]

    @property
    def due(self) -> list[Due]:
        """The obligations still to do by their date."""
        return [d for d in self.dues if d.status is DueStatus.DUE]

    @property
    def next_due(self) -> Due | None:
        """The first obligation not done (overdue ones first), if any."""
        open_ = [d for d in self.dues if d.status is not DueStatus.CURRENT]
        return open_[0] if open_ else None


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it has none."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def month_of(day: date) -> tuple[date, date]:
    """The first and last day of ``day``'s calendar month."""
    return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])


def initial_due_on(person: Person) -> date:
    """The last day of the new-hire window."""
    return person.started_on + timedelta(days=INITIAL_WINDOW_DAYS)


def monthly_from(person: Person) -> date:
    """The first day of the first month under the monthly minimum."""
    _, last = month_of(initial_due_on(person))
    return last + timedelta(days=1)


def hours_between(
    courses: dict[int, Course], done: Iterable[Done], first: date, last: date
) -> float:
    """Training hours dated ``first``..``last``, the new-hire programme aside (failed knowledge
    checks count: the time was spent off the phones)."""
    return sum(
        d.hours
        for d in done
        if first <= d.on <= last
        and (c := courses.get(d.course_id)) is not None
        and c.kind is not CourseKind.INITIAL
    )


def _initial(person: Person, courses: dict[int, Course], done: Sequence[Done], on: date) -> Due:
    title = "New-hire programme (40 hours)"
    due_on = initial_due_on(person)
    if person.initial_on_file is not None and person.initial_on_file <= on:
        return Due(
            DueKind.INITIAL_PROGRAMME,
            title,
            DueStatus.CURRENT,
            None,
            hours_done=INITIAL_HOURS,
            hours_needed=INITIAL_HOURS,
            last_done=person.initial_on_file,
        )
    total, finished = 0.0, None
    for d in sorted(done, key=lambda d: d.on):
        c = courses.get(d.course_id)
        if c is not None and c.kind is CourseKind.INITIAL and d.passed and d.on <= on:
            total += d.hours
            if finished is None and total >= INITIAL_HOURS - 1e-9:
                finished = d.on
    if finished is not None:
        status, when = DueStatus.CURRENT, None
    else:
        status, when = (DueStatus.DUE if on <= due_on else DueStatus.OVERDUE), due_on
    return Due(
        DueKind.INITIAL_PROGRAMME,
        title,
        status,
        when,
        hours_done=total,
        hours_needed=INITIAL_HOURS,
        last_done=finished,
    )


def _course(person: Person, course: Course, done: Sequence[Done], on: date) -> Due:
    """``done`` is this course's completions up to ``on``."""
    last = max((d.on for d in done if d.passed), default=None)
    if last is None:
        start = max(person.started_on, course.required_since)
        due_on = start + timedelta(days=INITIAL_WINDOW_DAYS)
        status = DueStatus.DUE if on <= due_on else DueStatus.OVERDUE
        return Due(DueKind.COURSE, course.title, status, due_on, course_id=course.id)
    if course.renew_months is None:
        return Due(DueKind.COURSE, course.title, DueStatus.CURRENT, None, course.id, last_done=last)
    again = add_months(last, course.renew_months)
    if on > again:
        status = DueStatus.OVERDUE
    elif (again - on).days <= DUE_SOON_DAYS:
        status = DueStatus.DUE
    else:
        status = DueStatus.CURRENT
    return Due(DueKind.COURSE, course.title, status, again, course.id, last_done=last)


def _month_words(first: date) -> str:
    return f"Training hours in {calendar.month_name[first.month]} {first.year}"


def standing(person: Person, courses: Iterable[Course], done: Iterable[Done], on: date) -> Standing:
    """What ``person`` owes on day ``on``: overdue first, then due by date, then current."""
    catalogue = {c.id: c for c in courses}
    records = [d for d in done if d.on <= on]
    front_line = in_programme(person, catalogue.values())
    dues = [_initial(person, catalogue, records, on)] if front_line else []
    by_course: dict[int, list[Done]] = {}
    for d in records:
        by_course.setdefault(d.course_id, []).append(d)
    for c in catalogue.values():
        if c.kind is not CourseKind.INITIAL and person.role in c.roles:
            dues.append(_course(person, c, by_course.get(c.id, []), on))
    first, last = month_of(on)
    month_hours = hours_between(catalogue, records, first, last)
    starts = monthly_from(person)
    applies = front_line and first >= starts
    if applies:
        status = DueStatus.CURRENT if month_hours >= MONTHLY_MINIMUM - 1e-9 else DueStatus.DUE
        dues.append(
            Due(
                DueKind.MONTHLY_HOURS,
                _month_words(first),
                status,
                last,
                hours_done=month_hours,
                hours_needed=MONTHLY_MINIMUM,
            )
        )
    prev_last = first - timedelta(days=1)
    prev_first = prev_last.replace(day=1)
    if front_line and prev_first >= starts:
        prev_hours = hours_between(catalogue, records, prev_first, prev_last)
        if prev_hours < MONTHLY_MINIMUM - 1e-9:
            dues.append(
                Due(
                    DueKind.MONTHLY_HOURS,
                    _month_words(prev_first),
                    DueStatus.OVERDUE,
                    prev_last,
                    hours_done=prev_hours,
                    hours_needed=MONTHLY_MINIMUM,
                )
            )
    order = {DueStatus.OVERDUE: 0, DueStatus.DUE: 1, DueStatus.CURRENT: 2}
    dues.sort(key=lambda d: (order[d.status], d.due_on or date.max, d.title))
    return Standing(
        on=on,
        dues=dues,
        month_hours=month_hours,
        monthly_applies=applies,
        initial_hours=dues_initial_hours(dues),
    )


def in_programme(person: Person, courses: Iterable[Course]) -> bool:
    """Whether the new-hire programme and the monthly hours apply to the person: to the roles
    the programme's courses list (to everyone when they list none)."""
    roles: set[str] = set()
    for c in courses:
        if c.kind is CourseKind.INITIAL:
            roles |= c.roles
    return not roles or person.role in roles


def dues_initial_hours(dues: Iterable[Due]) -> float:
    """The new-hire programme's hours among ``dues``."""
    for d in dues:
        if d.kind is DueKind.INITIAL_PROGRAMME:
            return d.hours_done or 0.0
    return 0.0


def monthly_mean(
    people: Iterable[tuple[Person, list[Done]]], courses: Iterable[Course], months: list[date]
) -> tuple[float, int]:
    """Mean training hours per person-month over ``months`` (first days), counting only the
    months each person was under the monthly rule; and how many person-months that was."""
    catalogue = {c.id: c for c in courses}
    total, count = 0.0, 0
    for person, done in people:
        if not in_programme(person, catalogue.values()):
            continue
        starts = monthly_from(person)
        for first in months:
            if first >= starts:
                total += hours_between(catalogue, done, *month_of(first))
                count += 1
    return (total / count if count else 0.0), count


def quiz_passed(score: float | None, pass_mark: float | None) -> bool:
    """A completion passes when the course has no knowledge check, or the score meets its
    pass mark."""
    if pass_mark is None:
        return True
    return score is not None and score >= pass_mark
