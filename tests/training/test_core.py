"""The dues core: the new-hire window, monthly hours across month ends and leap years, annual
HIPAA renewal on the same day a year on (29 Feb -> 28 Feb), role-based modules, quiz passing."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from memberdesk.training import core
from memberdesk.training.core import Course, Done, Person, add_months, standing
from memberdesk.training.enums import CourseKind as K
from memberdesk.training.enums import DueKind, DueStatus

FRONT = frozenset({"tier1_agent", "supervisor"})
PROGRAMME = [
    Course(1, "Programme: benefits", K.INITIAL, FRONT),
    Course(2, "Programme: systems", K.INITIAL, FRONT),
]
HIPAA = Course(3, "HIPAA", K.HIPAA_ANNUAL, frozenset({"tier1_agent", "supervisor", "admin"}), 12)
PRIVACY = Course(4, "Privacy for Tier 1", K.PRIVACY_MODULE, frozenset({"tier1_agent"}))
UPDATE = Course(5, "Plan changes", K.CONTINUING)
CATALOGUE = [*PROGRAMME, HIPAA, PRIVACY, UPDATE]


def dues(st_: core.Standing) -> dict[str, tuple[DueStatus, date | None]]:
    return {d.title: (d.status, d.due_on) for d in st_.dues}


def test_a_new_hire_owes_the_programme_hipaa_and_their_module_within_four_weeks() -> None:
    hire = Person("tier1_agent", date(2026, 11, 2))
    first_week = standing(hire, CATALOGUE, [Done(1, date(2026, 11, 3), 24)], date(2026, 11, 6))
    got = dues(first_week)
    assert got["New-hire programme (40 hours)"] == (DueStatus.DUE, date(2026, 11, 30))
    assert got["HIPAA"] == (DueStatus.DUE, date(2026, 11, 30))
    assert got["Privacy for Tier 1"] == (DueStatus.DUE, date(2026, 11, 30))
    assert first_week.initial_hours == 24
    # No monthly minimum until the first month that starts after the window (December).
    assert not first_week.monthly_applies
    assert not any(d.kind is DueKind.MONTHLY_HOURS for d in first_week.dues)
    # On the last day it is still due; the day after, overdue.
    assert dues(standing(hire, CATALOGUE, [], date(2026, 11, 30)))["HIPAA"][0] is DueStatus.DUE
    late = standing(hire, CATALOGUE, [Done(1, date(2026, 11, 3), 24)], date(2026, 12, 1))
    assert [d.status for d in late.dues[:3]] == [DueStatus.OVERDUE] * 3  # overdue first
    assert dues(late)["New-hire programme (40 hours)"][0] is DueStatus.OVERDUE
    assert len(late.overdue) == 3
    assert late.monthly_applies  # December starts after the window: 8 h due by its end
    assert dues(late)["Training hours in December 2026"] == (DueStatus.DUE, date(2026, 12, 31))
    done = [
        Done(1, date(2026, 11, 3), 24),
        Done(2, date(2026, 11, 20), 16),
        Done(3, date(2026, 11, 21), 2),
        Done(4, date(2026, 11, 21), 1.5),
    ]
    ok = standing(hire, CATALOGUE, done, date(2026, 12, 1))
    assert ok.overdue == [] and ok.next_due.title == "Training hours in December 2026"
    assert dues(ok)["New-hire programme (40 hours)"][0] is DueStatus.CURRENT
    programme = next(d for d in ok.dues if d.kind is DueKind.INITIAL_PROGRAMME)
    assert programme.last_done == date(2026, 11, 20)  # the day the 40th hour was done


def test_failed_knowledge_checks_do_not_finish_the_programme_but_their_hours_count() -> None:
    hire = Person("tier1_agent", date(2026, 1, 5))
    done = [Done(1, date(2026, 1, 6), 24), Done(2, date(2026, 1, 8), 16, passed=False)]
    got = standing(hire, CATALOGUE, done, date(2026, 1, 9))
    assert got.initial_hours == 24
    failed_update = [Done(5, date(2026, 3, 2), 3, passed=False)]
    march = standing(
        Person("tier1_agent", date(2025, 1, 1)), CATALOGUE, failed_update, date(2026, 3, 5)
    )
    assert march.month_hours == 3  # the time was spent off the phones


def test_monthly_minimum_is_per_calendar_month_and_last_months_shortfall_is_overdue() -> None:
    veteran = Person("tier1_agent", date(2024, 1, 8), initial_on_file=date(2024, 1, 20))
    done = [
        Done(5, date(2026, 1, 31), 6),  # January's last day
        Done(3, date(2026, 2, 1), 2),  # February's first
        Done(5, date(2026, 2, 27), 5),
    ]
    feb = standing(veteran, CATALOGUE, done, date(2026, 2, 28))
    months = {d.title: d for d in feb.dues if d.kind is DueKind.MONTHLY_HOURS}
    assert feb.month_hours == 7
    assert months["Training hours in February 2026"].status is DueStatus.DUE
    assert months["Training hours in February 2026"].due_on == date(2026, 2, 28)
    assert months["Training hours in January 2026"].status is DueStatus.OVERDUE
    assert months["Training hours in January 2026"].hours_done == 6
    march = standing(veteran, CATALOGUE, [*done, Done(5, date(2026, 2, 28), 1)], date(2026, 3, 1))
    assert march.month_hours == 0
    assert "Training hours in February 2026" not in dues(march)  # 8 h: met
    assert dues(march)["Training hours in March 2026"] == (DueStatus.DUE, date(2026, 3, 31))
    # The programme's own hours are not monthly training.
    assert (
        core.hours_between(
            {c.id: c for c in CATALOGUE},
            [Done(1, date(2026, 3, 2), 8)],
            date(2026, 3, 1),
            date(2026, 3, 31),
        )
        == 0
    )


def test_leap_february_has_29_days_of_training() -> None:
    veteran = Person("supervisor", date(2020, 1, 6), initial_on_file=date(2020, 1, 31))
    done = [Done(5, date(2028, 2, 29), 8), Done(3, date(2028, 2, 29), 2)]
    feb = standing(veteran, CATALOGUE, done, date(2028, 2, 29))
    assert feb.month_hours == 10
    assert dues(feb)["Training hours in February 2028"] == (DueStatus.CURRENT, date(2028, 2, 29))
    march = standing(veteran, CATALOGUE, done, date(2028, 3, 1))
    assert "Training hours in February 2028" not in dues(march)


def test_hipaa_renews_twelve_months_on_and_a_leap_day_lands_on_28_february() -> None:
    veteran = Person("admin", date(2020, 1, 6))
    leap = [Done(3, date(2024, 2, 29), 2)]
    assert dues(standing(veteran, CATALOGUE, leap, date(2024, 12, 1)))["HIPAA"] == (
        DueStatus.CURRENT,
        date(2025, 2, 28),
    )
    # Within 30 days of the renewal it shows as due; the day after, overdue.
    assert dues(standing(veteran, CATALOGUE, leap, date(2025, 1, 29)))["HIPAA"][0] is DueStatus.DUE
    assert dues(standing(veteran, CATALOGUE, leap, date(2025, 2, 28)))["HIPAA"][0] is DueStatus.DUE
    over = standing(veteran, CATALOGUE, leap, date(2025, 3, 1))
    assert dues(over)["HIPAA"][0] is DueStatus.OVERDUE and over.next_due.title == "HIPAA"
    # The latest passed completion counts; a failed one does not renew it.
    again = [*leap, Done(3, date(2025, 2, 20), 2, passed=False), Done(3, date(2025, 3, 3), 2)]
    assert dues(standing(veteran, CATALOGUE, again, date(2025, 3, 4)))["HIPAA"] == (
        DueStatus.CURRENT,
        date(2026, 3, 3),
    )
    # Staff outside the programme's roles owe their own courses, not the 40 h nor monthly hours.
    only = standing(veteran, CATALOGUE, leap, date(2024, 12, 1))
    assert [d.kind for d in only.dues] == [DueKind.COURSE]


def test_a_course_made_required_later_gives_everyone_the_window_from_that_day() -> None:
    module = Course(
        9, "New privacy module", K.PRIVACY_MODULE, FRONT, required_since=date(2026, 5, 4)
    )
    veteran = Person("supervisor", date(2019, 3, 1), initial_on_file=date(2019, 3, 20))
    got = dues(standing(veteran, [*CATALOGUE, module], [], date(2026, 5, 10)))
    assert got["New privacy module"] == (DueStatus.DUE, date(2026, 6, 1))


def test_records_after_the_day_read_are_ignored() -> None:
    veteran = Person("tier1_agent", date(2024, 1, 8), initial_on_file=date(2024, 1, 20))
    future = [Done(3, date(2026, 6, 1), 2)]
    assert (
        dues(standing(veteran, CATALOGUE, future, date(2026, 5, 31)))["HIPAA"][0]
        is DueStatus.OVERDUE
    )


# A loaded CI machine draws slowly; the property is cheap, so no deadline or speed check.
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)), st.integers(-120, 120))
def test_add_months_keeps_the_day_or_the_months_last(day: date, months: int) -> None:
    got = add_months(day, months)
    assert (got.year * 12 + got.month) - (day.year * 12 + day.month) == months
    first, last = core.month_of(got)
    assert got.day == min(day.day, last.day) and first.day == 1
    assert (last + timedelta(days=1)).day == 1


def test_quiz_pass_mark_and_monthly_mean() -> None:
    assert (
        core.quiz_passed(None, None) and core.quiz_passed(80, 80) and not core.quiz_passed(79.9, 80)
    )
    assert not core.quiz_passed(None, 80)
    people = [
        (
            Person("tier1_agent", date(2020, 1, 1), date(2020, 1, 2)),
            [Done(5, date(2026, 1, 10), 9)],
        ),
        (
            Person("tier1_agent", date(2020, 1, 1), date(2020, 1, 2)),
            [Done(5, date(2026, 2, 10), 12)],
        ),
        (Person("admin", date(2020, 1, 1)), [Done(5, date(2026, 1, 10), 40)]),  # not front line
        (Person("tier1_agent", date(2026, 1, 20)), []),  # still in the window
    ]
    mean, count = core.monthly_mean(people, CATALOGUE, [date(2026, 1, 1), date(2026, 2, 1)])
    assert count == 4 and mean == (9 + 12) / 4
