"""Table-driven deadlines for the four clock kinds, worked by hand from their contracts
(docs/sla.md, "The four clock kinds")."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest

from memberdesk.calendars import calendar_from_dict, get_calendar
from memberdesk.sla import DeadlineError, compute_due, compute_due_batch, to_datetimes

CA, OR, ALWAYS = "california-state", "oregon-state", "24x7"


def due(cal: str, kind: str, amount: int, start: str) -> str:
    return compute_due(cal, kind, amount, datetime.fromisoformat(start)).due.isoformat()


# One business day from 10:00 on the last working day before every California closure of
# 2026–2028: the closure (and any weekend) is skipped, Saturday holidays are not moved.
CALIFORNIA_HOLIDAYS = [
    ("2025-12-31T10:00:00-08:00", "2026-01-02T17:00:00-08:00"),  # New Year's Day (Thu)
    ("2026-01-16T10:00:00-08:00", "2026-01-20T17:00:00-08:00"),  # MLK Day
    ("2026-02-13T10:00:00-08:00", "2026-02-17T17:00:00-08:00"),  # Presidents' Day
    ("2026-03-30T10:00:00-07:00", "2026-04-01T17:00:00-07:00"),  # Cesar Chavez Day (Tue)
    ("2026-05-22T10:00:00-07:00", "2026-05-26T17:00:00-07:00"),  # Memorial Day
    ("2026-07-02T10:00:00-07:00", "2026-07-03T17:00:00-07:00"),  # Jul 4 is a Saturday: Fri open
    ("2026-07-03T10:00:00-07:00", "2026-07-06T17:00:00-07:00"),
    ("2026-09-04T10:00:00-07:00", "2026-09-08T17:00:00-07:00"),  # Labor Day
    ("2026-11-10T10:00:00-08:00", "2026-11-12T17:00:00-08:00"),  # Veterans Day (Wed)
    ("2026-11-25T10:00:00-08:00", "2026-11-30T17:00:00-08:00"),  # Thanksgiving + day after
    ("2026-12-24T10:00:00-08:00", "2026-12-28T17:00:00-08:00"),  # Christmas (Fri)
    ("2026-12-31T10:00:00-08:00", "2027-01-04T17:00:00-08:00"),  # New Year's Day (Fri)
    ("2027-01-15T10:00:00-08:00", "2027-01-19T17:00:00-08:00"),  # MLK Day
    ("2027-02-12T10:00:00-08:00", "2027-02-16T17:00:00-08:00"),  # Presidents' Day
    ("2027-03-30T10:00:00-07:00", "2027-04-01T17:00:00-07:00"),  # Cesar Chavez Day (Wed)
    ("2027-05-28T10:00:00-07:00", "2027-06-01T17:00:00-07:00"),  # Memorial Day
    ("2027-07-02T10:00:00-07:00", "2027-07-06T17:00:00-07:00"),  # Jul 4 Sunday → Mon Jul 5
    ("2027-09-03T10:00:00-07:00", "2027-09-07T17:00:00-07:00"),  # Labor Day
    ("2027-11-10T10:00:00-08:00", "2027-11-12T17:00:00-08:00"),  # Veterans Day (Thu)
    ("2027-11-24T10:00:00-08:00", "2027-11-29T17:00:00-08:00"),  # Thanksgiving + day after
    ("2027-12-23T10:00:00-08:00", "2027-12-24T17:00:00-08:00"),  # Dec 25 Saturday: Fri 24 open
    ("2027-12-24T10:00:00-08:00", "2027-12-27T17:00:00-08:00"),
    ("2027-12-30T10:00:00-08:00", "2027-12-31T17:00:00-08:00"),  # Jan 1 Saturday: Fri 31 open
    ("2027-12-31T10:00:00-08:00", "2028-01-03T17:00:00-08:00"),
    ("2028-01-14T10:00:00-08:00", "2028-01-18T17:00:00-08:00"),  # MLK Day
    ("2028-02-18T10:00:00-08:00", "2028-02-22T17:00:00-08:00"),  # Presidents' Day
    ("2028-03-30T10:00:00-07:00", "2028-04-03T17:00:00-07:00"),  # Cesar Chavez Day (Fri)
    ("2028-05-26T10:00:00-07:00", "2028-05-30T17:00:00-07:00"),  # Memorial Day
    ("2028-07-03T10:00:00-07:00", "2028-07-05T17:00:00-07:00"),  # Independence Day (Tue)
    ("2028-09-01T10:00:00-07:00", "2028-09-05T17:00:00-07:00"),  # Labor Day
    ("2028-11-09T10:00:00-08:00", "2028-11-13T17:00:00-08:00"),  # Nov 11 Saturday → Fri Nov 10
    ("2028-11-22T10:00:00-08:00", "2028-11-27T17:00:00-08:00"),  # Thanksgiving + day after
    ("2028-12-22T10:00:00-08:00", "2028-12-26T17:00:00-08:00"),  # Christmas (Mon)
]


@pytest.mark.parametrize(("start", "expected"), CALIFORNIA_HOLIDAYS)
def test_california_holidays_business_days(start: str, expected: str) -> None:
    assert due(CA, "business_days", 1, start) == expected


@pytest.mark.parametrize(
    ("cal", "kind", "amount", "start", "expected"),
    [
        # The verify example: after close Wednesday, Thanksgiving and the day after closed.
        (CA, "business_days", 2, "2026-11-25T18:00:00-08:00", "2026-12-02T17:00:00-08:00"),
        (CA, "business_days", 0, "2026-11-25T18:00:00-08:00", "2026-11-30T17:00:00-08:00"),
        # Receipt before opening / at opening / just before close: d0 is that day.
        (CA, "business_days", 1, "2026-06-02T07:59:00-07:00", "2026-06-03T17:00:00-07:00"),
        (CA, "business_days", 1, "2026-06-02T08:00:00-07:00", "2026-06-03T17:00:00-07:00"),
        (CA, "business_days", 1, "2026-06-02T16:59:59.999999-07:00", "2026-06-03T17:00:00-07:00"),
        (CA, "business_days", 0, "2026-06-02T00:00:00-07:00", "2026-06-02T17:00:00-07:00"),
        # Exactly at close and after close: the next working day is d0.
        (CA, "business_days", 1, "2026-06-02T17:00:00-07:00", "2026-06-04T17:00:00-07:00"),
        (CA, "business_days", 0, "2026-06-02T17:00:00-07:00", "2026-06-03T17:00:00-07:00"),
        (CA, "business_days", 1, "2026-06-02T23:59:59-07:00", "2026-06-04T17:00:00-07:00"),
        # Weekend receipt: d0 is Monday.
        (CA, "business_days", 1, "2026-06-06T10:00:00-07:00", "2026-06-09T17:00:00-07:00"),
        (CA, "business_days", 0, "2026-06-07T23:00:00-07:00", "2026-06-08T17:00:00-07:00"),
        # The same instant given in another zone is the same receipt.
        (CA, "business_days", 1, "2026-06-03T00:30:00Z", "2026-06-04T17:00:00-07:00"),
        # Ten business days over Thanksgiving.
        (CA, "business_days", 10, "2026-11-20T09:00:00-08:00", "2026-12-08T17:00:00-08:00"),
        # Business hours: counting starts at start or next opening; landing on a close = that close.
        (CA, "business_hours", 1, "2026-06-02T16:00:00-07:00", "2026-06-02T17:00:00-07:00"),
        (CA, "business_hours", 2, "2026-06-02T16:00:00-07:00", "2026-06-03T09:00:00-07:00"),
        (CA, "business_hours", 9, "2026-06-02T07:00:00-07:00", "2026-06-02T17:00:00-07:00"),
        (CA, "business_hours", 1, "2026-06-02T17:00:00-07:00", "2026-06-03T09:00:00-07:00"),
        (CA, "business_hours", 0, "2026-06-02T06:00:00-07:00", "2026-06-02T08:00:00-07:00"),
        (CA, "business_hours", 0, "2026-06-02T10:15:00-07:00", "2026-06-02T10:15:00-07:00"),
        (CA, "business_hours", 10, "2026-11-25T14:00:00-08:00", "2026-11-30T15:00:00-08:00"),
        (CA, "business_hours", 4, "2026-06-05T15:30:00-07:00", "2026-06-08T10:30:00-07:00"),
        # Calendar days: weekends and holidays count; 23:59:59 local.
        (CA, "calendar_days", 30, "2026-11-25T18:00:00-08:00", "2026-12-25T23:59:59-08:00"),
        (CA, "calendar_days", 0, "2026-06-02T10:00:00-07:00", "2026-06-02T23:59:59-07:00"),
        (CA, "calendar_days", 1, "2026-06-03T02:00:00-04:00", "2026-06-03T23:59:59-07:00"),
        (CA, "calendar_days", 0, "2026-06-02T23:59:59.5-07:00", "2026-06-02T23:59:59.500000-07:00"),
        # Clock hours: real time, shown in the calendar zone.
        (CA, "clock_hours", 72, "2026-11-25T18:00:00-08:00", "2026-11-28T18:00:00-08:00"),
        (CA, "clock_hours", 48, "2026-06-02T12:00:00Z", "2026-06-04T05:00:00-07:00"),
    ],
)
def test_receipt_rules(cal: str, kind: str, amount: int, start: str, expected: str) -> None:
    assert due(cal, kind, amount, start) == expected


@pytest.mark.parametrize(
    ("cal", "kind", "amount", "start", "expected"),
    [
        # Spring forward: Sun 2026-03-08 02:00 PST → 03:00 PDT.
        (CA, "clock_hours", 24, "2026-03-07T12:00:00-08:00", "2026-03-08T13:00:00-07:00"),
        (CA, "business_days", 1, "2026-03-06T10:00:00-08:00", "2026-03-09T17:00:00-07:00"),
        (CA, "business_hours", 2, "2026-03-06T16:00:00-08:00", "2026-03-09T09:00:00-07:00"),
        (CA, "calendar_days", 10, "2026-03-01T10:00:00-08:00", "2026-03-11T23:59:59-07:00"),
        (ALWAYS, "business_hours", 24, "2026-03-08T00:00:00-08:00", "2026-03-09T01:00:00-07:00"),
        (ALWAYS, "business_hours", 3, "2026-03-08T01:00:00-08:00", "2026-03-08T05:00:00-07:00"),
        # Fall back: Sun 2026-11-01 02:00 PDT → 01:00 PST.
        (CA, "clock_hours", 24, "2026-10-31T12:00:00-07:00", "2026-11-01T11:00:00-08:00"),
        (CA, "clock_hours", 72, "2026-10-30T18:00:00-07:00", "2026-11-02T17:00:00-08:00"),
        (CA, "business_days", 1, "2026-10-30T10:00:00-07:00", "2026-11-02T17:00:00-08:00"),
        (CA, "business_hours", 2, "2026-10-30T16:00:00-07:00", "2026-11-02T09:00:00-08:00"),
        (ALWAYS, "business_hours", 24, "2026-11-01T00:00:00-07:00", "2026-11-01T23:00:00-08:00"),
        (ALWAYS, "business_hours", 2, "2026-11-01T00:30:00-07:00", "2026-11-01T01:30:00-08:00"),
        (CA, "calendar_days", 0, "2026-11-01T01:30:00-07:00", "2026-11-01T23:59:59-08:00"),
        (CA, "calendar_days", 0, "2026-11-01T01:30:00-08:00", "2026-11-01T23:59:59-08:00"),
        # Leap day 2028-02-29.
        (CA, "calendar_days", 1, "2028-02-28T10:00:00-08:00", "2028-02-29T23:59:59-08:00"),
        (CA, "calendar_days", 30, "2028-02-01T10:00:00-08:00", "2028-03-02T23:59:59-08:00"),
        (CA, "business_days", 1, "2028-02-28T10:00:00-08:00", "2028-02-29T17:00:00-08:00"),
        (CA, "business_hours", 9, "2028-02-29T08:00:00-08:00", "2028-02-29T17:00:00-08:00"),
        (CA, "clock_hours", 24, "2028-02-28T12:00:00-08:00", "2028-02-29T12:00:00-08:00"),
        # Year end.
        (CA, "business_days", 2, "2026-12-30T10:00:00-08:00", "2027-01-04T17:00:00-08:00"),
        (CA, "calendar_days", 5, "2026-12-29T10:00:00-08:00", "2027-01-03T23:59:59-08:00"),
        (CA, "business_hours", 10, "2026-12-31T16:00:00-08:00", "2027-01-04T17:00:00-08:00"),
        (CA, "business_days", 0, "2027-12-31T10:00:00-08:00", "2027-12-31T17:00:00-08:00"),
        (CA, "clock_hours", 12, "2026-12-31T18:00:00-08:00", "2027-01-01T06:00:00-08:00"),
    ],
)
def test_dst_leap_day_and_year_end(
    cal: str, kind: str, amount: int, start: str, expected: str
) -> None:
    assert due(cal, kind, amount, start) == expected


@pytest.mark.parametrize(
    ("kind", "amount", "start", "expected"),
    [
        (
            "business_days",
            1,
            "2026-06-18T10:00:00-07:00",
            "2026-06-22T17:00:00-07:00",
        ),  # Juneteenth
        ("business_days", 1, "2026-11-25T10:00:00-08:00", "2026-11-27T17:00:00-08:00"),  # Fri open
        ("business_days", 0, "2026-07-03T10:00:00-07:00", "2026-07-06T17:00:00-07:00"),  # Sat → Fri
        ("business_days", 0, "2027-12-31T10:00:00-08:00", "2028-01-03T17:00:00-08:00"),
        ("business_days", 5, "2027-12-20T10:00:00-08:00", "2027-12-28T17:00:00-08:00"),
        ("business_days", 6, "2027-12-22T10:00:00-08:00", "2028-01-03T17:00:00-08:00"),
        ("calendar_days", 16, "2026-11-02T09:00:00-08:00", "2026-11-18T23:59:59-08:00"),
    ],
)
def test_oregon(kind: str, amount: int, start: str, expected: str) -> None:
    assert due(OR, kind, amount, start) == expected


def test_juneteenth_is_open_in_california() -> None:
    assert due(CA, "business_days", 1, "2026-06-18T10:00:00-07:00") == "2026-06-19T17:00:00-07:00"


PLAN = calendar_from_dict(
    {
        "name": "plan-deadlines",
        "base": "california-state",
        "hours": {d: ["08:00-12:00", "13:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")},
        "closures": [{"date": "2026-12-24", "name": "Christmas Eve", "closed": ["12:00-17:00"]}],
        "openings": [
            {"date": "2026-11-28", "name": "Enrollment Saturday", "hours": ["09:00-13:00"]}
        ],
    }
)


@pytest.mark.parametrize(
    ("kind", "amount", "start", "expected"),
    [
        ("business_hours", 5, "2026-06-01T10:00:00-07:00", "2026-06-01T16:00:00-07:00"),  # lunch
        (
            "business_hours",
            3,
            "2026-06-01T09:00:00-07:00",
            "2026-06-01T12:00:00-07:00",
        ),  # lands on 12:00
        ("business_hours", 1, "2026-06-01T12:15:00-07:00", "2026-06-01T14:00:00-07:00"),
        ("business_days", 0, "2026-06-01T12:30:00-07:00", "2026-06-01T17:00:00-07:00"),
        (
            "business_days",
            0,
            "2026-12-24T10:00:00-08:00",
            "2026-12-24T12:00:00-08:00",
        ),  # early close
        ("business_days", 0, "2026-12-24T13:00:00-08:00", "2026-12-28T17:00:00-08:00"),
        ("business_hours", 3, "2026-12-24T10:00:00-08:00", "2026-12-28T09:00:00-08:00"),
        ("business_days", 0, "2026-11-28T10:00:00-08:00", "2026-11-28T13:00:00-08:00"),  # opening
        ("business_days", 1, "2026-11-25T10:00:00-08:00", "2026-11-28T13:00:00-08:00"),
    ],
)
def test_plan_calendar(kind: str, amount: int, start: str, expected: str) -> None:
    assert (
        compute_due(PLAN, kind, amount, datetime.fromisoformat(start)).due.isoformat() == expected
    )


def test_far_future_and_long_amounts_extend_the_timeline() -> None:
    assert due(CA, "business_days", 1, "2390-06-05T10:00:00-07:00").startswith("2390-06-06T17:00")
    assert (
        due(CA, "calendar_days", 3650, "2026-01-01T10:00:00-08:00") == "2035-12-30T23:59:59-08:00"
    )
    assert due(CA, "business_days", 1, "1995-06-05T10:00:00-07:00") == "1995-06-06T17:00:00-07:00"
    assert due(CA, "business_days", 2600, "2026-01-02T10:00:00-08:00").startswith("2036-")


def test_bad_input() -> None:
    start = datetime.fromisoformat("2026-06-02T10:00:00-07:00")
    with pytest.raises(DeadlineError, match="no UTC offset"):
        compute_due(CA, "business_days", 1, datetime(2026, 6, 2, 10))
    with pytest.raises(DeadlineError, match="zero or more"):
        compute_due(CA, "business_days", -1, start)
    with pytest.raises(DeadlineError, match="whole number"):
        compute_due(CA, "business_days", 1.5, start)  # type: ignore[arg-type]
    with pytest.raises(DeadlineError, match="unknown clock kind; use one of"):
        compute_due(CA, "weeks", 1, start)
    with pytest.raises(KeyError, match="unknown calendar; known calendars") as err:
        compute_due("narnia", "business_days", 1, start)
    assert err.value.name == "narnia" and "narnia" not in str(err.value)  # type: ignore[attr-defined]
    with pytest.raises(DeadlineError, match="amount is too large") as too_far:
        compute_due(CA, "business_days", 10**6, start)
    assert too_far.value.field == "amount"
    with pytest.raises(DeadlineError, match="start must be within") as too_early:
        compute_due(CA, "business_days", 1, datetime.fromisoformat("1850-01-01T00:00:00Z"))
    assert too_early.value.field == "start"


def test_trail_of_the_verify_example() -> None:
    d = compute_due(CA, "business_days", 2, datetime.fromisoformat("2026-11-25T18:00:00-08:00"))
    assert d.trail[1] == "received after close (17:00) → counted from Mon 2026-11-30 (d0)"
    assert "skipped Thu 2026-11-26 Thanksgiving" in d.trail
    assert "skipped Fri 2026-11-27 Day after Thanksgiving" in d.trail
    assert d.trail[-1].endswith("→ 2026-12-02T17:00:00-08:00")
    assert d.to_dict()["due"] == "2026-12-02T17:00:00-08:00"


@pytest.mark.parametrize(
    ("kind", "amount", "start", "fragment"),
    [
        (
            "clock_hours",
            24,
            "2026-03-07T12:00:00-08:00",
            "clock change on Sun 2026-03-08 (PST → PDT)",
        ),
        (
            "business_hours",
            2,
            "2026-06-02T16:00:00-07:00",
            "Wed 2026-06-03: 1h00 counted (08:00–09:00)",
        ),
        ("business_hours", 1, "2026-06-02T16:00:00-07:00", "landed exactly on a close (17:00)"),
        (
            "calendar_days",
            30,
            "2026-11-25T18:00:00-08:00",
            "Christmas Day; calendar-day deadlines are not moved",
        ),
        (
            "business_days",
            1,
            "2026-06-06T10:00:00-07:00",
            "received on a non-working day (Sat 2026-06-06: weekend)",
        ),
        ("business_days", 1, "2026-06-02T17:00:00-07:00", "received at close (17:00)"),
        ("business_days", 1, "2026-06-02T07:00:00-07:00", "received before opening (08:00)"),
        (
            "business_days",
            1,
            "2027-12-23T10:00:00-08:00",
            "counted 1 working day after d0: Fri 2027-12-24 (1)",
        ),
        (
            "business_days",
            5,
            "2027-12-22T10:00:00-08:00",
            "Christmas Day — falls on a Saturday; not moved",
        ),
    ],
)
def test_trail_lines(kind: str, amount: int, start: str, fragment: str) -> None:
    trail = compute_due(CA, kind, amount, datetime.fromisoformat(start)).trail
    assert any(fragment in line for line in trail), trail


def test_trail_partial_closure() -> None:
    trail = compute_due(
        PLAN, "business_days", 1, datetime.fromisoformat("2026-12-23T10:00:00-08:00")
    ).trail
    assert "Thu 2026-12-24 is partly closed: Christmas Eve (closed 12:00–17:00)" in trail


@pytest.mark.parametrize(
    "kind", ["clock_hours", "calendar_days", "business_days", "business_hours"]
)
@pytest.mark.parametrize("cal", [CA, OR, ALWAYS, PLAN])
def test_batch_matches_single(kind: str, cal: object) -> None:
    rng = np.random.default_rng(7)
    lo = np.datetime64("2025-12-20T00:00:00", "us").astype(np.int64)
    hi = np.datetime64("2029-01-05T00:00:00", "us").astype(np.int64)
    starts = rng.integers(lo, hi, 2000).astype("datetime64[us]")
    amounts = rng.integers(0, 40, 2000)
    got = to_datetimes(compute_due_batch(cal, kind, amounts, starts), cal)
    for s, n, g in zip(starts[:400], amounts[:400], got[:400], strict=True):
        aware = datetime.fromisoformat(str(s) + "+00:00")
        assert compute_due(cal, kind, int(n), aware).due == g, (s, n)


def test_batch_inputs() -> None:
    starts = [datetime.fromisoformat("2026-11-25T18:00:00-08:00")]
    out = compute_due_batch(CA, "business_days", 2, np.array(starts, dtype=object))
    assert to_datetimes(out, CA)[0].isoformat() == "2026-12-02T17:00:00-08:00"
    assert compute_due_batch(CA, "business_days", 2, np.array([], dtype="datetime64[us]")).size == 0
    with pytest.raises(DeadlineError):
        compute_due_batch(CA, "business_days", -1, np.array(starts, dtype=object))
    far = np.array(["2026-01-02T18:00:00"], dtype="datetime64[us]")
    out = compute_due_batch(get_calendar(CA), "business_days", 3000, far)
    assert (
        to_datetimes(out, CA)[0]
        == compute_due(CA, "business_days", 3000, starts[0].replace(month=1, day=2, hour=10)).due
    )
