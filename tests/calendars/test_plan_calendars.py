"""Plan calendars as data, layered on a base calendar."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from memberdesk.calendars import (
    CalendarError,
    ClosureKind,
    Window,
    calendar_from_dict,
    get_calendar,
    layer_calendar,
    load_calendar_file,
    register_calendar,
)

LA = ZoneInfo("America/Los_Angeles")
PLAN = {
    "name": "plan-test",
    "base": "california-state",
    "version": "7",
    "hours": {day: ["08:00-12:00", "13:00-17:00"] for day in ("mon", "tue", "wed", "thu", "fri")},
    "drop_holidays": ["Cesar Chavez Day"],
    "holidays": [{"name": "Plan founders' day", "month": 6, "day": 1}],
    "closures": [
        {"date": "2026-12-24", "name": "Christmas Eve early close", "closed": ["12:00-17:00"]},
        {"date": "2026-10-09", "name": "Office move"},
    ],
    "openings": [
        {"date": "2026-11-28", "name": "Open-enrollment Saturday", "hours": ["09:00-13:00"]}
    ],
}


def test_layered_closures_and_openings() -> None:
    cal = calendar_from_dict(PLAN)
    assert cal.base == "california-state"
    assert cal.tz.key == "America/Los_Angeles"
    names = {c.name for c in cal.closures(2026)}
    assert "Cesar Chavez Day" not in names
    assert {"Plan founders' day", "Office move", "Thanksgiving"} <= names
    partial = [c for c in cal.closures(2026) if c.kind is ClosureKind.PARTIAL]
    assert [(c.date, c.closed) for c in partial] == [(date(2026, 12, 24), (Window(720, 1020),))]
    assert cal.windows_on(date(2026, 12, 24)) == (Window(480, 720),)
    assert cal.windows_on(date(2026, 6, 2)) == (Window(480, 720), Window(780, 1020))
    assert cal.is_working_day(date(2026, 3, 31))  # dropped holiday
    assert not cal.is_working_day(date(2026, 10, 9))
    assert cal.is_working_day(date(2026, 11, 28))  # one-off Saturday opening
    assert [o.name for o in cal.openings_in(2026)] == ["Open-enrollment Saturday"]
    assert not cal.is_open(datetime(2026, 6, 2, 12, 30, tzinfo=LA))  # lunch break
    assert cal.is_open(datetime(2026, 11, 28, 12, 59, tzinfo=LA))


def test_opening_overrides_a_holiday() -> None:
    cal = layer_calendar(
        get_calendar("california-state"),
        {
            "name": "open-on-veterans-day",
            "openings": [{"date": "2026-11-11", "hours": "08:00-17:00"}],
        },
    )
    assert cal.is_working_day(date(2026, 11, 11))
    assert all(c.date != date(2026, 11, 11) for c in cal.closures(2026))


def test_saturday_plan_hours_close_on_unmoved_saturday_holiday() -> None:
    cal = layer_calendar(
        get_calendar("california-state"), {"name": "sat", "hours": {"sat": ["09:00-13:00"]}}
    )
    assert cal.is_working_day(date(2026, 6, 6))
    assert not cal.is_working_day(date(2026, 7, 4))  # Independence Day on a Saturday
    assert cal.is_working_day(date(2026, 7, 3))


def test_oregon_plan_adds_day_after_thanksgiving() -> None:
    cal = layer_calendar(
        get_calendar("oregon-state"),
        {
            "name": "oregon-plan",
            "holidays": [
                {
                    "name": "Day after Thanksgiving",
                    "month": 11,
                    "weekday": "thu",
                    "nth": 4,
                    "offset_days": 1,
                }
            ],
        },
    )
    assert not cal.is_working_day(date(2026, 11, 27))
    assert get_calendar("oregon-state").is_working_day(date(2026, 11, 27))


def test_version_changes_with_data() -> None:
    a = calendar_from_dict(PLAN)
    b = calendar_from_dict(
        {**PLAN, "closures": [*PLAN["closures"], {"date": "2026-10-12", "name": "x"}]}
    )
    assert a.version.startswith("7#") and b.version.startswith("7#")
    assert a.version != b.version
    assert calendar_from_dict(PLAN).version == a.version


def test_register_and_file(tmp_path) -> None:
    register_calendar(PLAN)
    assert get_calendar("plan-test").base == "california-state"
    path = tmp_path / "plan.toml"
    path.write_text(
        'name = "from-file"\nbase = "oregon-state"\n'
        '[[closures]]\ndate = 2026-08-14\nname = "Retreat"\n'
    )
    assert not load_calendar_file(path).is_working_day(date(2026, 8, 14))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "x"}, "timezone"),
        ({"name": "x", "timezone": "Mars/Olympus"}, "unknown time zone"),
        ({"name": "x", "timezone": "UTC", "hours": {"mon": ["09:00-08:00"]}}, "window"),
        ({"name": "x", "timezone": "UTC", "hours": {"mon": ["9-5"]}}, "HH:MM"),
        (
            {"name": "x", "timezone": "UTC", "hours": {"mon": ["08:00-12:00", "11:00-13:00"]}},
            "overlap",
        ),
        ({"name": "x", "timezone": "UTC", "hours": {"funday": ["08:00-12:00"]}}, "weekday"),
        ({"name": "x", "timezone": "UTC", "hourz": {}}, "unknown key"),
        ({"name": "x", "timezone": "UTC"}, "never open"),
        ({"name": "x", "base": "california-state", "drop_holidays": ["Festivus"]}, "Festivus"),
        (
            {
                "name": "x",
                "timezone": "UTC",
                "hours": {"mon": "08:00-17:00"},
                "closures": [{"date": "2026-02-30"}],
            },
            "not a date",
        ),
    ],
)
def test_bad_definitions(data: dict, message: str) -> None:
    with pytest.raises(CalendarError, match=message):
        calendar_from_dict(data)
