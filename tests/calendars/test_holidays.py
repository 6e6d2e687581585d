"""Shipped calendars: every California and Oregon closure of 2026–2028, by rule."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from memberdesk.calendars import ClosureKind, UnknownCalendarError, calendar_names, get_calendar

LA = ZoneInfo("America/Los_Angeles")

# Gov. Code 19853(a): Sunday → Monday; Saturday stays (offices open Friday) except Nov 11 → Friday.
CALIFORNIA = {
    2026: [
        ("2026-01-01", "New Year's Day"),
        ("2026-01-19", "Martin Luther King Jr. Day"),
        ("2026-02-16", "Presidents' Day"),
        ("2026-03-31", "Cesar Chavez Day"),
        ("2026-05-25", "Memorial Day"),
        ("2026-07-04", "Independence Day"),  # Saturday: not moved
        ("2026-09-07", "Labor Day"),
        ("2026-11-11", "Veterans Day"),
        ("2026-11-26", "Thanksgiving"),
        ("2026-11-27", "Day after Thanksgiving"),
        ("2026-12-25", "Christmas Day"),
    ],
    2027: [
        ("2027-01-01", "New Year's Day"),
        ("2027-01-18", "Martin Luther King Jr. Day"),
        ("2027-02-15", "Presidents' Day"),
        ("2027-03-31", "Cesar Chavez Day"),
        ("2027-05-31", "Memorial Day"),
        ("2027-07-05", "Independence Day (observed)"),  # Sunday → Monday
        ("2027-09-06", "Labor Day"),
        ("2027-11-11", "Veterans Day"),
        ("2027-11-25", "Thanksgiving"),
        ("2027-11-26", "Day after Thanksgiving"),
        ("2027-12-25", "Christmas Day"),  # Saturday: not moved
    ],
    2028: [
        ("2028-01-01", "New Year's Day"),  # Saturday: not moved
        ("2028-01-17", "Martin Luther King Jr. Day"),
        ("2028-02-21", "Presidents' Day"),
        ("2028-03-31", "Cesar Chavez Day"),
        ("2028-05-29", "Memorial Day"),
        ("2028-07-04", "Independence Day"),
        ("2028-09-04", "Labor Day"),
        ("2028-11-10", "Veterans Day (observed)"),  # Saturday Nov 11 → Friday
        ("2028-11-23", "Thanksgiving"),
        ("2028-11-24", "Day after Thanksgiving"),
        ("2028-12-25", "Christmas Day"),
    ],
}

# ORS 187.010: Sunday → Monday, Saturday → Friday; Juneteenth; no day after Thanksgiving.
OREGON = {
    2026: [
        ("2026-01-01", "New Year's Day"),
        ("2026-01-19", "Martin Luther King Jr. Day"),
        ("2026-02-16", "Presidents Day"),
        ("2026-05-25", "Memorial Day"),
        ("2026-06-19", "Juneteenth"),
        ("2026-07-03", "Independence Day (observed)"),
        ("2026-09-07", "Labor Day"),
        ("2026-11-11", "Veterans Day"),
        ("2026-11-26", "Thanksgiving"),
        ("2026-12-25", "Christmas Day"),
    ],
    2027: [
        ("2027-01-01", "New Year's Day"),
        ("2027-01-18", "Martin Luther King Jr. Day"),
        ("2027-02-15", "Presidents Day"),
        ("2027-05-31", "Memorial Day"),
        ("2027-06-18", "Juneteenth (observed)"),
        ("2027-07-05", "Independence Day (observed)"),
        ("2027-09-06", "Labor Day"),
        ("2027-11-11", "Veterans Day"),
        ("2027-11-25", "Thanksgiving"),
        ("2027-12-24", "Christmas Day (observed)"),
        ("2027-12-31", "New Year's Day (observed)"),  # Jan 1 2028 is a Saturday
    ],
    2028: [
        ("2028-01-17", "Martin Luther King Jr. Day"),
        ("2028-02-21", "Presidents Day"),
        ("2028-05-29", "Memorial Day"),
        ("2028-06-19", "Juneteenth"),
        ("2028-07-04", "Independence Day"),
        ("2028-09-04", "Labor Day"),
        ("2028-11-10", "Veterans Day (observed)"),
        ("2028-11-23", "Thanksgiving"),
        ("2028-12-25", "Christmas Day"),
    ],
}


def _listed(name: str, year: int) -> list[tuple[str, str]]:
    return [(c.date.isoformat(), c.name) for c in get_calendar(name).closures(year)]


@pytest.mark.parametrize("year", sorted(CALIFORNIA))
def test_california_closures(year: int) -> None:
    assert _listed("california-state", year) == CALIFORNIA[year]


@pytest.mark.parametrize("year", sorted(OREGON))
def test_oregon_closures(year: int) -> None:
    assert _listed("oregon-state", year) == OREGON[year]


@pytest.mark.parametrize(
    ("day", "working"),
    [
        # Saturday holidays are not moved in California: the Friday before is open.
        ("2026-07-03", True),
        ("2027-12-24", True),
        ("2027-12-31", True),
        # ...except Veterans Day.
        ("2028-11-10", False),
        # Sunday → Monday.
        ("2027-07-05", False),
        # Observances and elective days are not closures.
        ("2026-06-19", True),  # Juneteenth
        ("2026-02-16", False),  # Presidents' Day (Susan B. Anthony Day Feb 15 is a Sunday anyway)
        ("2027-02-15", False),
        ("2026-09-25", True),  # Native American Day (4th Friday of September)
        ("2026-11-08", False),  # a Sunday
        ("2026-11-27", False),  # day after Thanksgiving
    ],
)
def test_california_working_days(day: str, working: bool) -> None:
    assert get_calendar("california-state").is_working_day(date.fromisoformat(day)) is working


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2026-07-03", False),  # Saturday holiday → Friday
        ("2027-12-24", False),
        ("2027-12-31", False),
        ("2026-06-19", False),  # Juneteenth is an Oregon holiday
        ("2026-11-27", True),  # day after Thanksgiving is not
        ("2026-03-31", True),  # no Cesar Chavez Day in Oregon
    ],
)
def test_oregon_working_days(day: str, working: bool) -> None:
    assert get_calendar("oregon-state").is_working_day(date.fromisoformat(day)) is working


def test_saturday_holiday_note_says_not_moved() -> None:
    (july4,) = [c for c in get_calendar("california-state").closures(2026) if c.date.month == 7]
    assert july4.kind is ClosureKind.FULL
    assert "not moved to Friday" in july4.note


@pytest.mark.parametrize(
    ("at", "is_open"),
    [
        (datetime(2026, 6, 2, 7, 59, 59, tzinfo=LA), False),
        (datetime(2026, 6, 2, 8, 0, tzinfo=LA), True),
        (datetime(2026, 6, 2, 16, 59, 59, 999999, tzinfo=LA), True),
        (datetime(2026, 6, 2, 17, 0, tzinfo=LA), False),  # windows are half-open
        (datetime(2026, 6, 6, 10, 0, tzinfo=LA), False),  # Saturday
        (datetime(2026, 11, 26, 10, 0, tzinfo=LA), False),  # Thanksgiving
        (datetime.fromisoformat("2026-06-02T15:30:00+00:00"), True),  # 08:30 PDT
    ],
)
def test_is_open(at: datetime, is_open: bool) -> None:
    assert get_calendar("california-state").is_open(at) is is_open


def test_24x7_is_always_open() -> None:
    cal = get_calendar("24x7")
    assert cal.closures(2026) == []
    assert cal.is_open(datetime(2026, 12, 25, 3, 0, tzinfo=LA))
    assert cal.is_working_day(date(2026, 12, 25))


def test_names_and_unknown_calendar() -> None:
    assert {"california-state", "oregon-state", "24x7"} <= set(calendar_names())
    with pytest.raises(UnknownCalendarError) as exc:
        get_calendar("narnia")
    assert isinstance(exc.value, KeyError)
    assert exc.value.name == "narnia"  # kept for programs, never repeated in the message
    assert "narnia" not in str(exc.value)
    assert "california-state" in str(exc.value)


def test_calendar_zone_and_version() -> None:
    cal = get_calendar("california-state")
    assert cal.tz.key == "America/Los_Angeles"
    assert cal.version.startswith("2026.1#")
