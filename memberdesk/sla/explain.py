"""Explanation trails: why a deadline is what it is, in words agents and auditors can read."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

from memberdesk.calendars import Calendar
from memberdesk.calendars.timeline import US, epoch_us, from_epoch_us
from memberdesk.sla.engine import ClockKind, effective_start

_MAX_DAY_LINES = 24


def fmt_day(d: date) -> str:
    """``Thu 2026-11-26``."""
    return d.strftime("%a %Y-%m-%d")


def fmt_local(dt: datetime) -> str:
    """``Wed 2026-11-25 18:00 PST`` (seconds only when not zero)."""
    clock = "%H:%M:%S" if dt.second or dt.microsecond else "%H:%M"
    return dt.strftime(f"%a %Y-%m-%d {clock} %Z")


def fmt_hours(us: int) -> str:
    """``3h00`` for a duration in microseconds."""
    minutes = us // (60 * US)
    return f"{minutes // 60}h{minutes % 60:02d}"


def explain(
    cal: Calendar, kind: ClockKind, amount: int, start: datetime, due: datetime
) -> list[str]:
    """The trail of a deadline: receipt, what was skipped or counted, and the result."""
    local = start.astimezone(cal.tz)
    trail = [f"received {fmt_local(local)} on calendar {cal.name} ({cal.tz.key})"]
    if start.utcoffset() != local.utcoffset():
        trail.append(f"given as {start.isoformat()}: the calendar's local time counts")
    trail += _BY_KIND[kind](cal, amount, local, due)
    trail += dst_notes(cal, local, due)
    return trail


def _clock_hours(cal: Calendar, amount: int, local: datetime, due: datetime) -> list[str]:
    utc_start = local.astimezone(UTC)
    return [
        "clock hours are elapsed real time: nights, weekends and holidays count",
        f"{utc_start:%Y-%m-%d %H:%M} UTC + {amount} h = {due.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
        " (added in UTC, so a clock change cannot shift it)",
        f"due {fmt_local(due)} → {due.isoformat()}",
    ]


def _calendar_days(cal: Calendar, amount: int, local: datetime, due: datetime) -> list[str]:
    d0, dn = local.date(), due.date()
    last = f"day {amount} = {fmt_day(dn)}"
    if not cal.is_working_day(dn):
        last += f" ({cal.why_closed(dn)}; calendar-day deadlines are not moved)"
    return [
        "calendar days count weekends and holidays",
        f"day 0 = {fmt_day(d0)} (local date of receipt)",
        last,
        f"due at 23:59:59 local on {fmt_day(dn)} → {due.isoformat()}",
    ]


def _business_days(cal: Calendar, amount: int, local: datetime, due: datetime) -> list[str]:
    tl = cal.timeline.covering(cal, int(local.timestamp()))
    tl = tl.covering(cal, int(due.timestamp()))
    k0 = tl.d0_index(int(local.timestamp()))
    d0 = tl.date_of(tl.wd_day[k0])
    dn = tl.date_of(tl.wd_day[k0 + amount])
    day = local.date()
    windows = cal.windows_on(day)
    minute = local.hour * 60 + local.minute
    if not windows:
        head = f"received on a non-working day ({fmt_day(day)}: {cal.why_closed(day)})"
    elif d0 != day:
        at = "at" if minute == windows[-1].end and not local.second else "after"
        head = f"received {at} close ({_hm(windows[-1].end)})"
    elif minute < windows[0].start:
        head = f"received before opening ({_hm(windows[0].start)}) on a working day"
    else:
        head = f"received before close ({_hm(windows[-1].end)}) on a working day"
    trail = [f"{head} → counted from {fmt_day(d0)}" + (" (d0)" if amount else "")]
    trail += skipped_days(cal, day, dn)
    if amount == 0:
        trail.append("0 business days: due at close of d0")
    else:
        counted = [tl.date_of(tl.wd_day[k0 + i]) for i in range(1, amount + 1)]
        shown = [f"{fmt_day(d)} ({i})" for i, d in enumerate(counted, 1)]
        if len(shown) > 10:
            shown = [*shown[:3], "…", *shown[-3:]]
        trail.append(
            f"counted {amount} working day{'s' * (amount != 1)} after d0: {', '.join(shown)}"
        )
    close = cal.windows_on(dn)[-1].end
    trail.append(f"due at close of business ({_hm(close)}) on {fmt_day(dn)} → {due.isoformat()}")
    return trail


def _business_hours(cal: Calendar, amount: int, local: datetime, due: datetime) -> list[str]:
    t_us, due_us = epoch_us(local), epoch_us(due)
    eff = effective_start(cal, t_us)
    trail = []
    if eff == t_us:
        trail.append("received during opening hours → counting starts at once")
    else:
        trail.append(
            f"received outside opening hours → counting starts at the next opening, "
            f"{fmt_local(from_epoch_us(eff, cal.tz))}"
        )
    if amount == 0:
        return [*trail, f"0 business hours: due at the start of counting → {due.isoformat()}"]
    tl = cal.timeline.covering(cal, t_us // US).covering(cal, due_us // US)
    j, _ = tl.open_offset_us(t_us)
    per_day: dict[date, list[tuple[int, int]]] = {}
    while j < tl.n_win and tl.win_start_us[j] < due_us:
        s, e = max(tl.win_start_us[j], eff), min(tl.win_end_us[j], due_us)
        if e > s:
            per_day.setdefault(from_epoch_us(s, cal.tz).date(), []).append((s, e))
        j += 1
    lines, total = [], 0
    for d, spans in per_day.items():
        got = sum(e - s for s, e in spans)
        total += got
        ranges = ", ".join(f"{_clock(s, d, cal)}–{_clock(e, d, cal)}" for s, e in spans)
        lines.append(
            f"{fmt_day(d)}: {fmt_hours(got)} counted ({ranges}), {fmt_hours(total)} so far"
        )
    if len(lines) > _MAX_DAY_LINES:
        lines = [*lines[:10], f"… {len(lines) - 20} more days …", *lines[-10:]]
    trail += skipped_days(cal, from_epoch_us(eff, cal.tz).date(), due.date())
    trail += lines
    if due_us == tl.win_end_us[j - 1]:
        trail.append(f"landed exactly on a close ({due:%H:%M}) → due at that close")
    trail.append(f"due after {amount} open hour{'s' * (amount != 1)} → {due.isoformat()}")
    return trail


def skipped_days(cal: Calendar, first: date, last: date) -> list[str]:
    """Lines for the closed days in [first, last], in date order; plain weekends grouped."""
    lines: list[str] = []
    run: list[date] = []
    plain = 0
    many = (last - first).days > 21

    def flush() -> None:
        if run and not many:
            names = ", ".join(fmt_day(x) for x in run)
            lines.append(f"skipped {names} ({cal.why_closed(run[0])})")
        run.clear()

    d = first
    while d <= last:
        closures = cal.closures_on(d)
        named = [c for c in closures if c.is_full]
        if not cal.is_working_day(d) and not named:
            run.append(d)
            plain += 1
        else:
            flush()
        if named and not cal.is_working_day(d):
            note = f" — {named[0].note}" if named[0].note else ""
            lines.append(f"skipped {fmt_day(d)} {' / '.join(c.name for c in named)}{note}")
        for c in closures:
            if not c.is_full and cal.is_working_day(d):
                spans = ", ".join(str(w) for w in c.closed)
                lines.append(f"{fmt_day(d)} is partly closed: {c.name} (closed {spans})")
        d += timedelta(days=1)
    flush()
    if many and plain:
        lines.append(f"skipped {plain} weekend or other closed days")
    return lines


def dst_notes(cal: Calendar, start: datetime, due: datetime) -> list[str]:
    """A line for every change of UTC offset between start and due."""
    a, b = start.astimezone(cal.tz), due.astimezone(cal.tz)
    # Sample each local noon between start and due: zones change offset in the small hours.
    points = [a]
    d = a.date()
    while d <= b.date():
        noon = datetime(d.year, d.month, d.day, 12, tzinfo=cal.tz)
        if a < noon < b:
            points.append(noon)
        d += timedelta(days=1)
    points.append(b)
    notes = []
    for prev, cur in pairwise(points):
        if cur.utcoffset() != prev.utcoffset():
            notes.append(
                f"clock change on {fmt_day(cur.date())} ({prev.tzname()} → {cur.tzname()}): "
                "counted in real elapsed time; deadline shown in local time"
            )
    return notes


def _clock(t_us: int, day: date, cal: Calendar) -> str:
    local = from_epoch_us(t_us, cal.tz)
    return "24:00" if local.date() > day else f"{local:%H:%M}"


def _hm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


_BY_KIND = {
    ClockKind.CLOCK_HOURS: _clock_hours,
    ClockKind.CALENDAR_DAYS: _calendar_days,
    ClockKind.BUSINESS_DAYS: _business_days,
    ClockKind.BUSINESS_HOURS: _business_hours,
}
