"""Property tests of the clock kinds, against an independent wall-clock model of the calendar."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from memberdesk.calendars import Calendar, calendar_from_dict, get_calendar, register_calendar
from memberdesk.calendars.timeline import epoch_us
from memberdesk.sla import compute_due
from memberdesk.sla.engine import ClockKind, instant_at, position

LUNCH = calendar_from_dict(
    {
        "name": "lunch-plan",
        "base": "oregon-state",
        "hours": {d: ["07:30-11:45", "12:30-18:00"] for d in ("mon", "tue", "wed", "thu", "fri")}
        | {"sat": ["09:00-13:00"]},
        "closures": [{"date": "2027-12-23", "name": "Half day", "closed": ["12:00-18:00"]}],
    }
)
register_calendar(LUNCH)
# Names, not objects, so a failing example prints short.
CALENDARS = st.sampled_from(["california-state", "oregon-state", "24x7", "lunch-plan"]).map(
    get_calendar
)
KINDS = st.sampled_from(list(ClockKind))
ZONES = st.sampled_from([UTC, ZoneInfo("America/Los_Angeles"), ZoneInfo("America/New_York")])
STARTS = st.datetimes(
    min_value=datetime(2025, 12, 1), max_value=datetime(2029, 1, 31), timezones=ZONES
)
AMOUNTS = st.integers(min_value=0, max_value=60)
FAST = settings(max_examples=int(os.environ.get("SLA_EXAMPLES", "300")), deadline=None)


def open_time(cal: Calendar, a: datetime, b: datetime) -> timedelta:
    """Open time in [a, b], walking each local day's windows (real time: subtract in UTC)."""
    total = timedelta(0)
    d = a.astimezone(cal.tz).date() - timedelta(days=1)
    while d <= b.astimezone(cal.tz).date():
        for w in cal.windows_on(d):
            ws = _local(cal, d, w.start)
            we = _local(cal, d, w.end)
            lo, hi = max(ws, a.astimezone(UTC)), min(we, b.astimezone(UTC))
            if hi > lo:
                total += hi - lo
        d += timedelta(days=1)
    return total


def _local(cal: Calendar, d: date, minute: int) -> datetime:
    if minute == 1440:
        d, minute = d + timedelta(days=1), 0
    return datetime.combine(d, time(minute // 60, minute % 60), tzinfo=cal.tz).astimezone(UTC)


@FAST
@given(CALENDARS, KINDS, AMOUNTS, STARTS)
def test_never_before_start(cal: Calendar, kind: ClockKind, n: int, start: datetime) -> None:
    due = compute_due(cal, kind, n, start).due
    assert due >= start
    assert due.tzinfo is cal.tz


@FAST
@given(CALENDARS, KINDS, AMOUNTS, STARTS, st.integers(min_value=0, max_value=10 * 86400 * 10**6))
def test_monotone_in_start(
    cal: Calendar, kind: ClockKind, n: int, start: datetime, shift_us: int
) -> None:
    # Shift in UTC: adding a timedelta to a local datetime is wall-clock maths and drops fold.
    later = start.astimezone(UTC) + timedelta(microseconds=shift_us)
    assert compute_due(cal, kind, n, start).due <= compute_due(cal, kind, n, later).due


@FAST
@given(CALENDARS, KINDS, AMOUNTS, AMOUNTS, STARTS)
def test_monotone_in_amount(
    cal: Calendar, kind: ClockKind, n: int, m: int, start: datetime
) -> None:
    lo, hi = sorted((n, m))
    assert compute_due(cal, kind, lo, start).due <= compute_due(cal, kind, hi, start).due
    if hi > lo:
        assert compute_due(cal, kind, lo, start).due < compute_due(cal, kind, hi, start).due


@FAST
@given(CALENDARS, AMOUNTS, STARTS)
def test_business_hours_contain_exactly_n_open_hours(
    cal: Calendar, n: int, start: datetime
) -> None:
    due = compute_due(cal, "business_hours", n, start).due
    assert open_time(cal, start, due) == timedelta(hours=n)
    if n:  # and not a moment later than needed: the last microsecond before due is open
        assert cal.is_open(due.astimezone(UTC) - timedelta(microseconds=1))


@FAST
@given(CALENDARS, AMOUNTS, STARTS)
def test_business_days_definition(cal: Calendar, n: int, start: datetime) -> None:
    """d0 by the contract's words, then the n-th working day after it, due at its close."""
    local = start.astimezone(cal.tz)
    d = local.date()
    windows = cal.windows_on(d)
    if not windows or local >= _local(cal, d, windows[-1].end):
        d = cal.next_working_day(d)
    for _ in range(n):
        d = cal.next_working_day(d)
    expected = _local(cal, d, cal.windows_on(d)[-1].end)
    assert compute_due(cal, "business_days", n, start).due == expected


@FAST
@given(CALENDARS, AMOUNTS, STARTS)
def test_calendar_days_and_clock_hours_definition(cal: Calendar, n: int, start: datetime) -> None:
    local_date = start.astimezone(cal.tz).date() + timedelta(days=n)
    eod = datetime.combine(local_date, time(23, 59, 59), tzinfo=cal.tz)
    # A start in the day's last second with n = 0 is due at once, never before the start.
    assert compute_due(cal, "calendar_days", n, start).due == max(eod, start)
    real = compute_due(cal, "clock_hours", n, start).due
    assert real.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=n)


@FAST
@given(CALENDARS, KINDS, AMOUNTS, STARTS)
def test_positions_agree_with_fast_path(
    cal: Calendar, kind: ClockKind, n: int, start: datetime
) -> None:
    t = epoch_us(start)
    unit = 3600 * 10**6 if kind.unit == "hours" else 1
    pos = position(cal, kind, t) + n * unit
    assert instant_at(cal, kind, pos, t) == epoch_us(compute_due(cal, kind, n, start).due)
