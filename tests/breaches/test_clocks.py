"""The breach notice clocks, from the compliance pack: 60 days to individuals, the California
notice, HHS with the individuals from 500 affected (else the annual log, due 60 days after the
year of discovery ends), the media over 500 residents of one state, and how each stands."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from memberdesk.breaches import clocks
from memberdesk.breaches.clocks import Sent, notice_clocks, standing
from memberdesk.breaches.enums import ClockStatus, Outcome, Recipient
from memberdesk.sla.packs import get_target


def T(text: str) -> datetime:
    return datetime.fromisoformat(text)


def by(found: list[clocks.Clock]) -> dict[tuple[Recipient, str | None], clocks.Clock]:
    return {(c.recipient, c.state): c for c in found}


def test_individuals_are_due_sixty_calendar_days_from_discovery() -> None:
    [ind, hhs] = notice_clocks(T("2026-03-02T10:15:00-08:00"), 12, {})
    assert ind.recipient is Recipient.INDIVIDUALS and ind.target == "breach_notice_individuals"
    # 2 March + 60 days = 1 May, to the end of that day in California (daylight time by then).
    assert ind.due == T("2026-05-01T23:59:59-07:00")
    assert ind.owed == 12
    # The same answer as the pack's own target gives, not a date worked out here.
    assert (
        ind.due
        == get_target("compliance", "breach_notice_individuals")
        .compute_due(T("2026-03-02T10:15:00-08:00"))
        .due
    )
    assert hhs.annual_log


def test_a_discovery_late_at_night_utc_counts_from_the_california_day() -> None:
    # 07:30 UTC on 3 March is still 2 March in California: the 60 days count from the 2nd.
    [ind, _] = notice_clocks(datetime(2026, 3, 3, 7, 30, tzinfo=UTC), 1, {})
    assert ind.due == T("2026-05-01T23:59:59-07:00")


@pytest.mark.parametrize(
    ("affected", "annual"),
    [(1, True), (499, True), (500, False), (501, False), (120_000, False)],
)
def test_hhs_is_told_with_the_individuals_from_500_affected(affected: int, annual: bool) -> None:
    found = by(notice_clocks(T("2026-06-10T09:00:00-07:00"), affected, {}))
    hhs, ind = found[(Recipient.HHS, None)], found[(Recipient.INDIVIDUALS, None)]
    assert hhs.annual_log is annual
    if annual:
        # 164.408(c): within 60 days of the end of 2026, i.e. by 1 March 2027.
        assert hhs.due == T("2027-03-01T23:59:59-08:00")
    else:
        assert hhs.due == ind.due


@pytest.mark.parametrize(
    ("discovered", "due"),
    [
        ("2026-01-01T00:00:00-08:00", "2027-03-01T23:59:59-08:00"),
        ("2026-12-31T23:59:00-08:00", "2027-03-01T23:59:59-08:00"),
        # A leap year's log: 60 days after 31 Dec 2027 is 29 Feb 2028.
        ("2027-07-04T12:00:00-07:00", "2028-02-29T23:59:59-08:00"),
        # New Year's Eve in California is already 1 January in UTC: still the 2026 log.
        ("2027-01-01T02:00:00+00:00", "2027-03-01T23:59:59-08:00"),
    ],
)
def test_the_annual_log_date(discovered: str, due: str) -> None:
    assert clocks.annual_log_due(T(discovered)) == T(due)


@pytest.mark.parametrize(
    ("residents", "media"),
    [
        ({"CA": 500}, []),
        ({"CA": 501}, ["CA"]),
        ({"CA": 400, "OR": 400}, []),  # 800 in all, but not more than 500 in one state
        ({"CA": 700, "OR": 600, "WA": 10}, ["CA", "OR"]),
    ],
)
def test_the_media_when_more_than_500_residents_of_one_state(
    residents: dict[str, int], media: list[str]
) -> None:
    found = notice_clocks(T("2026-06-10T09:00:00-07:00"), sum(residents.values()), residents)
    assert [c.state for c in found if c.recipient is Recipient.MEDIA] == media
    ind = by(found)[(Recipient.INDIVIDUALS, None)]
    assert all(c.due == ind.due for c in found if c.recipient is Recipient.MEDIA)


def test_california_residents_get_the_state_notice() -> None:
    found = by(notice_clocks(T("2026-06-10T09:00:00-07:00"), 40, {"CA": 30, "NV": 10}))
    ca = found[(Recipient.CALIFORNIA, None)]
    assert ca.target == "breach_notice_california" and ca.owed == 30
    assert ca.due == T("2026-07-10T23:59:59-07:00")  # 30 calendar days
    nobody = by(notice_clocks(T("2026-06-10T09:00:00-07:00"), 10, {"NV": 10}))
    assert (Recipient.CALIFORNIA, None) not in nobody


def test_a_clock_is_met_when_the_notices_reach_everyone_owed() -> None:
    start = T("2026-06-10T09:00:00-07:00")
    [ind, *_] = notice_clocks(start, 100, {})
    first = Sent(Recipient.INDIVIDUALS, start + timedelta(days=10), 60)
    second = Sent(Recipient.INDIVIDUALS, start + timedelta(days=20), 40)
    early = start + timedelta(days=15)
    assert standing(ind, [first], Outcome.BREACH, early).status is ClockStatus.RUNNING
    late = ind.due + timedelta(seconds=1)
    half = standing(ind, [first], Outcome.BREACH, late)
    assert (half.status, half.reached) == (ClockStatus.OVERDUE, 60)
    done = standing(ind, [first, second], Outcome.BREACH, late)
    assert (done.status, done.met_at) == (ClockStatus.MET, second.sent_at)
    tardy = Sent(Recipient.INDIVIDUALS, ind.due + timedelta(days=1), 40)
    assert standing(ind, [first, tardy], Outcome.BREACH, late).status is ClockStatus.MET_LATE
    assert standing(ind, [], Outcome.NOT_A_BREACH, late).status is ClockStatus.NOT_REQUIRED
    # Undecided: the clock runs all the same (it runs from discovery, not from the decision).
    assert standing(ind, [], None, late).status is ClockStatus.OVERDUE
