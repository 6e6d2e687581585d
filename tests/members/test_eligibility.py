"""Eligibility rules, table-driven (pure core: no database)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from memberdesk.members.eligibility import age_on, age_out_date, eligibility_at
from memberdesk.members.enums import IneligibleReason, Relationship
from memberdesk.members.words import day

R = IneligibleReason


@dataclass
class S:
    effective_date: date
    termination_date: date | None = None


def check(
    on: date,
    spans: list[S],
    *,
    rel: Relationship = Relationship.SELF,
    dob: date = date(1980, 1, 1),
    g_eff: date = date(2015, 1, 1),
    g_term: date | None = None,
    disabled: bool = False,
):  # type: ignore[no-untyped-def]
    return eligibility_at(
        on=on,
        spans=spans,
        relationship=rel,
        date_of_birth=dob,
        group_effective=g_eff,
        group_terminated=g_term,
        disabled_dependent=disabled,
    )


@pytest.mark.parametrize(
    ("on", "spans", "eligible", "reason"),
    [
        (date(2026, 3, 1), [S(date(2020, 1, 1))], True, None),
        # termination date is the last covered day
        (date(2025, 6, 30), [S(date(2020, 1, 1), date(2025, 6, 30))], True, None),
        (date(2025, 7, 1), [S(date(2020, 1, 1), date(2025, 6, 30))], False, R.TERMINATED),
        # future coverage
        (date(2026, 11, 30), [S(date(2026, 12, 1))], False, R.NOT_YET_EFFECTIVE),
        (date(2026, 12, 1), [S(date(2026, 12, 1))], True, None),
        # a gap between two spans is terminated (with the next start in the explanation)
        (
            date(2023, 3, 15),
            [S(date(2020, 1, 1), date(2023, 2, 28)), S(date(2023, 4, 1))],
            False,
            R.TERMINATED,
        ),
        (
            date(2023, 4, 1),
            [S(date(2020, 1, 1), date(2023, 2, 28)), S(date(2023, 4, 1))],
            True,
            None,
        ),
        (date(2023, 4, 1), [], False, R.NO_COVERAGE),
    ],
)
def test_spans(on: date, spans: list[S], eligible: bool, reason: R | None) -> None:
    result = check(on, spans)
    assert result.eligible is eligible
    assert result.reason == reason


def test_gap_explanation_names_next_start() -> None:
    result = check(date(2023, 3, 15), [S(date(2020, 1, 1), date(2023, 2, 28)), S(date(2023, 4, 1))])
    assert result.explanation == (
        "Not covered: coverage ended on 28 Feb 2023. New coverage starts on 1 Apr 2023."
    )


def test_retroactive_termination_applies_to_past_dates() -> None:
    # Termination keyed today for last month: eligibility for dates after it is now "terminated",
    # even though an agent asking last month would have heard "eligible".
    spans = [S(date(2021, 1, 1), date(2026, 9, 30))]
    assert check(date(2026, 9, 30), spans).eligible
    result = check(date(2026, 10, 15), spans)
    assert (result.eligible, result.reason) == (False, R.TERMINATED)


def test_group_termination_wins_over_open_span() -> None:
    spans = [S(date(2019, 1, 1))]
    assert check(date(2024, 12, 31), spans, g_term=date(2024, 12, 31)).eligible
    result = check(date(2025, 1, 1), spans, g_term=date(2024, 12, 31))
    assert (result.eligible, result.reason) == (False, R.GROUP_TERMINATED)


def test_group_not_yet_effective() -> None:
    result = check(date(2026, 11, 15), [S(date(2026, 12, 1))], g_eff=date(2026, 12, 1))
    assert result.reason == R.GROUP_NOT_YET_EFFECTIVE


@pytest.mark.parametrize(
    ("dob", "last_covered", "first_uncovered"),
    [
        (date(2000, 5, 17), date(2026, 5, 31), date(2026, 6, 1)),
        (date(2000, 12, 3), date(2026, 12, 31), date(2027, 1, 1)),  # year end
        (date(2000, 2, 29), date(2026, 2, 28), date(2026, 3, 1)),  # leap-day birthday
        (date(2000, 1, 1), date(2026, 1, 31), date(2026, 2, 1)),
    ],
)
def test_dependent_ages_out_at_end_of_birthday_month(
    dob: date, last_covered: date, first_uncovered: date
) -> None:
    spans = [S(date(2010, 1, 1))]
    assert age_out_date(dob, 26) == first_uncovered
    assert check(last_covered, spans, rel=Relationship.CHILD, dob=dob).eligible
    result = check(first_uncovered, spans, rel=Relationship.CHILD, dob=dob)
    assert (result.eligible, result.reason) == (False, R.AGED_OUT)
    assert f"coverage ended on {day(last_covered)}." in result.explanation
    assert "end of the month they turn 26" in result.explanation


def test_age_limit_spares_subscribers_spouses_and_disabled_dependents() -> None:
    spans = [S(date(2010, 1, 1))]
    on = date(2026, 11, 1)
    old = date(1990, 1, 1)
    assert check(on, spans, rel=Relationship.SELF, dob=old).eligible
    assert check(on, spans, rel=Relationship.SPOUSE, dob=old).eligible
    assert check(on, spans, rel=Relationship.CHILD, dob=old, disabled=True).eligible
    assert not check(on, spans, rel=Relationship.CHILD, dob=old).eligible


def test_age_on_leap_day() -> None:
    assert age_on(date(2000, 2, 29), date(2026, 2, 28)) == 25
    assert age_on(date(2000, 2, 29), date(2026, 3, 1)) == 26


def test_sentences_are_plain_words() -> None:
    spans = [S(date(2025, 6, 1))]
    assert (
        check(date(2026, 3, 1), spans).explanation == "Covered since 1 Jun 2025, with no end date."
    )
    ended = [S(date(2025, 6, 1), date(2026, 6, 30))]
    assert check(date(2026, 3, 1), ended).explanation == (
        "Covered from 1 Jun 2025 through 30 Jun 2026."
    )
    newborn = check(
        date(2026, 3, 1), [S(date(2026, 1, 9))], rel=Relationship.CHILD, dob=date(2026, 1, 9)
    )
    assert newborn.from_birth
    assert newborn.explanation == "Covered since birth on 9 Jan 2026, with no end date."
    group = check(date(2025, 1, 1), [S(date(2019, 1, 1))], g_term=date(2024, 12, 31))
    assert group.explanation == "Not covered: the employer's group plan ended on 31 Dec 2024."
    assert check(date(2023, 4, 1), []).explanation == "Not covered: no coverage on file."
    for result in (newborn, group):
        assert "_" not in result.explanation and "open-ended" not in result.explanation
