"""The clock state machine: pause and extension arithmetic, events exactly once, versions."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest

from memberdesk.calendars import calendar_from_dict, get_calendar
from memberdesk.sla import (
    ChangeMode,
    Clock,
    ClockError,
    ClockKind,
    ClockStatus,
    EventKind,
    PackError,
    get_target,
)

CA = get_calendar("california-state")


def T(text: str) -> datetime:
    return datetime.fromisoformat(text)


def iso(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt else None


def kinds(events: list) -> list[EventKind]:
    return [e.kind for e in events]


def test_business_days_pause_moves_due_by_whole_working_days() -> None:
    clock = Clock.for_target(
        get_target("calchoice", "claim_research"), T("2026-11-02T09:00:00-08:00")
    )
    assert iso(clock.due) == "2026-11-09T17:00:00-08:00"
    assert iso(clock.warning_at) == "2026-11-06T12:45:00-08:00"  # 75% of 53 open hours
    assert kinds(clock.pause(T("2026-11-03T10:00:00-08:00"), "waiting on member")) == [
        EventKind.PAUSED
    ]
    assert clock.status is ClockStatus.PAUSED and clock.due is None
    events = clock.resume(T("2026-11-05T10:00:00-08:00"))
    assert kinds(events) == [EventKind.RESUMED]
    assert "paused 2 working days" in events[0].detail
    # Two working days later, skipping Veterans Day (Wed 11/11).
    assert iso(clock.due) == "2026-11-12T17:00:00-08:00"
    # 10 h used before the pause, 29.75 h more from Thu 10:00 → Tue 11/10 12:45.
    assert iso(clock.warning_at) == "2026-11-10T12:45:00-08:00"
    assert any("2 working days not counted (waiting on member)" in line for line in clock.explain())


@pytest.mark.parametrize(
    ("pause", "resume", "due"),
    [
        (
            "2026-06-02T10:00:00-07:00",
            "2026-06-02T15:00:00-07:00",
            "2026-06-08T17:00:00-07:00",
        ),  # same day
        (
            "2026-06-02T18:00:00-07:00",
            "2026-06-03T07:00:00-07:00",
            "2026-06-08T17:00:00-07:00",
        ),  # overnight
        (
            "2026-06-05T16:00:00-07:00",
            "2026-06-08T09:00:00-07:00",
            "2026-06-09T17:00:00-07:00",
        ),  # weekend
        (
            "2026-06-02T10:00:00-07:00",
            "2026-06-09T10:00:00-07:00",
            "2026-06-15T17:00:00-07:00",
        ),  # 5 days
    ],
)
def test_business_days_pause_units(pause: str, resume: str, due: str) -> None:
    clock = Clock.for_target(
        get_target("calchoice", "claim_research"), T("2026-06-01T09:00:00-07:00")
    )
    assert iso(clock.due) == "2026-06-08T17:00:00-07:00"
    clock.pause(T(pause))
    clock.resume(T(resume))
    assert iso(clock.due) == due


def test_business_hours_pause_counts_open_time_exactly() -> None:
    clock = Clock(CA, ClockKind.BUSINESS_HOURS, 8, T("2026-06-01T09:00:00-07:00"), may_pause=True)
    assert iso(clock.due) == "2026-06-01T17:00:00-07:00"
    assert iso(clock.warning_at) == "2026-06-01T15:00:00-07:00"
    clock.pause(T("2026-06-01T10:00:00-07:00"))
    events = clock.resume(T("2026-06-01T12:30:00-07:00"))
    assert "paused 2h30 open" in events[0].detail
    assert iso(clock.due) == "2026-06-02T10:30:00-07:00"
    assert iso(clock.warning_at) == "2026-06-02T08:30:00-07:00"
    assert clock.paused_units() == int(2.5 * 3600 * 10**6)


def test_business_hours_pause_outside_hours_costs_nothing() -> None:
    clock = Clock(CA, ClockKind.BUSINESS_HOURS, 8, T("2026-06-01T09:00:00-07:00"), may_pause=True)
    clock.pause(T("2026-06-01T17:30:00-07:00"))
    clock.resume(T("2026-06-02T07:30:00-07:00"))
    assert iso(clock.due) == "2026-06-01T17:00:00-07:00"


def test_clock_hours_and_calendar_days_pause() -> None:
    hours = Clock(CA, ClockKind.CLOCK_HOURS, 48, T("2026-06-01T09:00:00-07:00"), may_pause=True)
    hours.pause(T("2026-06-01T10:00:00-07:00"))
    hours.resume(T("2026-06-01T13:00:00-07:00"))
    assert iso(hours.due) == "2026-06-03T12:00:00-07:00"
    assert iso(hours.warning_at) == "2026-06-03T00:00:00-07:00"  # 1 h + 35 h active
    days = Clock(CA, ClockKind.CALENDAR_DAYS, 10, T("2026-06-01T09:00:00-07:00"), may_pause=True)
    days.pause(T("2026-06-03T10:00:00-07:00"))
    days.resume(T("2026-06-06T10:00:00-07:00"))
    assert iso(days.due) == "2026-06-14T23:59:59-07:00"


def test_two_pauses_add_up() -> None:
    clock = Clock(CA, ClockKind.BUSINESS_HOURS, 8, T("2026-06-01T09:00:00-07:00"), may_pause=True)
    for a, b in (("10:00", "11:00"), ("14:00", "15:30")):
        clock.pause(T(f"2026-06-01T{a}:00-07:00"))
        clock.resume(T(f"2026-06-01T{b}:00-07:00"))
    assert iso(clock.due) == "2026-06-02T10:30:00-07:00"


def test_regulatory_clocks_never_pause() -> None:
    clock = Clock.for_target(
        get_target("oregon-medicaid", "appeal_resolution"), T("2026-11-02T09:00:00-08:00")
    )
    with pytest.raises(ClockError, match="never pause"):
        clock.pause(T("2026-11-03T09:00:00-08:00"))


def test_medicaid_appeal_extension_once_with_reason() -> None:
    clock = Clock.for_target(
        get_target("oregon-medicaid", "appeal_resolution"), T("2026-11-02T09:00:00-08:00")
    )
    assert iso(clock.due) == "2026-11-18T23:59:59-08:00"
    assert clock.policy_version and clock.policy_version.startswith("oregon-medicaid@2026.1#")
    with pytest.raises(ClockError, match="reason"):
        clock.extend(14, "  ", T("2026-11-10T09:00:00-08:00"))
    with pytest.raises(ClockError, match="1–14"):
        clock.extend(15, "member needs time", T("2026-11-10T09:00:00-08:00"))
    events = clock.extend(
        14, "member asked for time to send records", T("2026-11-10T09:00:00-08:00")
    )
    assert kinds(events) == [EventKind.EXTENDED]
    assert iso(clock.due) == "2026-12-02T23:59:59-08:00"
    with pytest.raises(ClockError, match="already used"):
        clock.extend(1, "again", T("2026-11-11T09:00:00-08:00"))
    assert clock.extensions[0].reason == "member asked for time to send records"


@pytest.mark.parametrize(
    ("pack", "target", "start", "amount", "before", "after"),
    [
        ("oregon-medicaid", "appeal_expedited", "2026-11-02T09:00:00-08:00", 336,
         "2026-11-05T09:00:00-08:00", "2026-11-19T09:00:00-08:00"),
        ("compliance", "right_of_access", "2026-01-05T10:00:00-08:00", 30,
         "2026-02-04T23:59:59-08:00", "2026-03-06T23:59:59-08:00"),
        ("compliance", "accounting_of_disclosures", "2026-01-05T10:00:00-08:00", 30,
         "2026-03-06T23:59:59-08:00", "2026-04-05T23:59:59-07:00"),
    ],
)  # fmt: skip
def test_extension_arithmetic(
    pack: str, target: str, start: str, amount: int, before: str, after: str
) -> None:
    clock = Clock.for_target(get_target(pack, target), T(start))
    assert iso(clock.due) == before
    clock.extend(amount, "written reasons sent", T(start))
    assert iso(clock.due) == after


def test_no_extension_where_the_rule_has_none_or_after_breach() -> None:
    clock = Clock.for_target(
        get_target("calchoice", "appeal_resolution"), T("2026-11-02T09:00:00-08:00")
    )
    with pytest.raises(ClockError, match="allows no extension"):
        clock.extend(5, "x", T("2026-11-03T09:00:00-08:00"))
    late = Clock.for_target(
        get_target("compliance", "right_of_access"), T("2026-01-05T10:00:00-08:00")
    )
    with pytest.raises(ClockError, match="before it"):
        late.extend(30, "too late", T("2026-02-05T00:00:00-08:00"))


def test_warning_and_breach_exactly_once() -> None:
    clock = Clock.for_target(
        get_target("calchoice", "tier1_handoff"), T("2026-06-01T09:00:00-07:00")
    )
    assert iso(clock.due) == "2026-06-03T09:00:00-07:00"
    assert iso(clock.warning_at) == "2026-06-02T09:00:00-07:00"  # warn at 24 h
    assert clock.poll(T("2026-06-02T08:59:59-07:00")) == []
    (warning,) = clock.poll(T("2026-06-02T09:00:00-07:00"))
    assert warning.kind is EventKind.WARNING and iso(warning.at) == "2026-06-02T09:00:00-07:00"
    assert clock.poll(T("2026-06-02T12:00:00-07:00")) == []
    assert clock.poll(T("2026-06-03T09:00:00-07:00")) == []  # the deadline itself is on time
    (breach,) = clock.poll(T("2026-06-03T09:00:00.000001-07:00"))
    assert breach.kind is EventKind.BREACHED and iso(breach.at) == "2026-06-03T09:00:00-07:00"
    assert clock.poll(T("2026-06-10T09:00:00-07:00")) == []
    assert clock.breached and clock.warned


def test_late_poll_reports_both_in_order_and_late_satisfy_reports_breach() -> None:
    a = Clock.for_target(get_target("calchoice", "email_reply"), T("2026-06-01T09:00:00-07:00"))
    assert kinds(a.poll(T("2026-06-30T00:00:00-07:00"))) == [EventKind.WARNING, EventKind.BREACHED]
    b = Clock.for_target(get_target("calchoice", "email_reply"), T("2026-06-01T09:00:00-07:00"))
    events = b.satisfy(T("2026-06-05T10:00:00-07:00"))
    assert kinds(events) == [EventKind.WARNING, EventKind.BREACHED, EventKind.SATISFIED]
    assert events[-1].detail == "late"
    c = Clock.for_target(get_target("calchoice", "email_reply"), T("2026-06-01T09:00:00-07:00"))
    assert [(e.kind, e.detail) for e in c.satisfy(T("2026-06-01T11:00:00-07:00"))] == [
        (EventKind.SATISFIED, "met")
    ]
    assert c.poll(T("2026-07-01T00:00:00-07:00")) == []
    with pytest.raises(ClockError):
        c.satisfy(T("2026-07-01T00:00:00-07:00"))


def test_missed_medicaid_appeal_is_deemed_exhausted() -> None:
    clock = Clock.for_target(
        get_target("oregon-medicaid", "appeal_resolution"), T("2026-11-02T09:00:00-08:00")
    )
    events = clock.poll(T("2026-11-19T00:00:00-08:00"))
    assert kinds(events) == [EventKind.WARNING, EventKind.BREACHED, EventKind.DEEMED_EXHAUSTED]
    assert clock.deemed_exhausted
    assert "deemed" in clock.explain()[-1]
    ca = Clock.for_target(
        get_target("calchoice", "appeal_resolution"), T("2026-11-02T09:00:00-08:00")
    )
    assert EventKind.DEEMED_EXHAUSTED not in kinds(ca.poll(T("2027-01-01T00:00:00-08:00")))


def test_paused_and_stopped_clocks_are_silent() -> None:
    clock = Clock.for_target(
        get_target("calchoice", "claim_research"), T("2026-06-01T09:00:00-07:00")
    )
    clock.pause(T("2026-06-01T10:00:00-07:00"))
    assert clock.poll(T("2026-09-01T00:00:00-07:00")) == []
    assert kinds(clock.stop(T("2026-09-01T00:00:00-07:00"), "withdrawn")) == [EventKind.STOPPED]
    assert clock.poll(T("2026-12-01T00:00:00-08:00")) == []
    assert clock.status is ClockStatus.STOPPED


def test_invalid_transitions() -> None:
    clock = Clock.for_target(
        get_target("calchoice", "claim_research"), T("2026-06-01T09:00:00-07:00")
    )
    with pytest.raises(ClockError, match="resume a running"):
        clock.resume(T("2026-06-01T10:00:00-07:00"))
    clock.pause(T("2026-06-01T11:00:00-07:00"))
    assert clock.poll(T("2026-06-01T08:00:00-07:00")) == []
    with pytest.raises(ClockError, match="go back"):
        clock.resume(T("2026-06-01T10:00:00-07:00"))
    with pytest.raises(PackError, match="KPI"):
        Clock.for_target(get_target("calchoice", "phone_answer"), T("2026-06-01T09:00:00-07:00"))
    with pytest.raises(ClockError, match="not in effect"):
        Clock.for_target(get_target("calchoice", "email_reply"), T("2025-06-01T09:00:00-07:00"))


def _edited_california(*closures: tuple[str, str]) -> object:
    data = dict(CA.definition)
    data["closures"] = [*data["closures"], *({"date": d, "name": n} for d, n in closures)]
    return calendar_from_dict(data)


def test_calendar_change_recomputes_or_pins() -> None:
    start = T("2026-11-20T09:00:00-08:00")
    edited = _edited_california(("2026-11-30", "Office move"))
    assert edited.name == CA.name and edited.version != CA.version
    a = Clock.for_target(get_target("calchoice", "claim_research"), start)
    b = Clock.for_target(get_target("calchoice", "claim_research"), start)
    assert iso(a.due) == iso(b.due) == "2026-12-01T17:00:00-08:00"
    assert a.is_stale(calendar_version=edited.version)
    (event,) = a.apply_calendar(edited, ChangeMode.RECOMPUTE, T("2026-11-23T09:00:00-08:00"))
    assert event.kind is EventKind.RECOMPUTED
    assert CA.version in event.detail and edited.version in event.detail
    assert iso(a.due) == "2026-12-02T17:00:00-08:00"
    assert a.calendar_version == edited.version and not a.is_stale(calendar_version=edited.version)
    (pinned,) = b.apply_calendar(edited, ChangeMode.PIN, T("2026-11-23T09:00:00-08:00"))
    assert pinned.kind is EventKind.PINNED
    assert iso(b.due) == "2026-12-01T17:00:00-08:00" and b.calendar_version == CA.version
    assert not b.is_stale(calendar_version=edited.version)
    assert b.is_stale(calendar_version="2026.2#00000000")
    assert a.apply_calendar(edited, ChangeMode.RECOMPUTE, T("2026-11-23T10:00:00-08:00")) == []


def test_policy_change_recomputes_or_pins() -> None:
    target = get_target("calchoice", "claim_research")
    new = dataclasses.replace(target, amount=3, policy_version="calchoice@2026.2#feedbeef")
    clock = Clock.for_target(target, T("2026-11-20T09:00:00-08:00"))
    assert clock.is_stale(policy_version=new.policy_version)
    events = clock.apply_target(new, ChangeMode.RECOMPUTE, T("2026-11-23T09:00:00-08:00"))
    assert kinds(events) == [EventKind.RECOMPUTED]
    assert iso(clock.due) == "2026-11-25T17:00:00-08:00"
    assert clock.policy_version == new.policy_version
    other = Clock.for_target(target, T("2026-11-20T09:00:00-08:00"))
    assert kinds(other.apply_target(new, ChangeMode.PIN, T("2026-11-23T09:00:00-08:00"))) == [
        EventKind.PINNED
    ]
    assert iso(other.due) == "2026-12-01T17:00:00-08:00"


def test_warning_stays_once_when_a_recompute_moves_it() -> None:
    clock = Clock.for_target(
        get_target("calchoice", "claim_research"), T("2026-11-20T09:00:00-08:00")
    )
    assert kinds(clock.poll(T("2026-11-30T16:00:00-08:00"))) == [EventKind.WARNING]
    edited = _edited_california(("2026-12-01", "Flood"), ("2026-12-02", "Flood"))
    events = clock.apply_calendar(edited, ChangeMode.RECOMPUTE, T("2026-11-30T16:30:00-08:00"))
    assert kinds(events) == [EventKind.RECOMPUTED]
    assert iso(clock.due) == "2026-12-03T17:00:00-08:00"
    assert clock.poll(T("2026-12-03T16:00:00-08:00")) == []
    assert kinds(clock.poll(T("2026-12-03T17:00:01-08:00"))) == [EventKind.BREACHED]


def test_snapshot_records_versions() -> None:
    clock = Clock.for_target(
        get_target("calchoice", "claim_research"), T("2026-11-20T09:00:00-08:00")
    )
    clock.pause(T("2026-11-23T09:00:00-08:00"), "waiting on member")
    snap = clock.to_dict()
    assert snap["calendar_version"] == CA.version
    assert snap["policy_version"].startswith("calchoice@2026.1#")
    assert snap["status"] == "paused" and snap["due"] is None
    assert snap["pauses"] == [["2026-11-23T09:00:00-08:00", None, "waiting on member"]]
