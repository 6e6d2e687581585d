"""Deadline arithmetic for the four clock kinds, one at a time or in NumPy batches.

The contracts (docs/sla.md, "The four clock kinds"):
- clock_hours N: start + N hours of real time (added in UTC, so DST cannot shift it).
- calendar_days N: 23:59:59 local on the local date of start + N days.
- business_days N: d0 = start's local date if it is a working day and start is before that
  day's close, else the next working day; due at close of the N-th working day after d0.
- business_hours N: N hours counted only inside opening windows from start (or the next
  opening); landing exactly on a close is due at that close.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import UTC, date, datetime, time, timezone
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from memberdesk.calendars import Calendar, CalendarError, get_calendar
from memberdesk.calendars.model import MAX_YEAR, MIN_YEAR
from memberdesk.calendars.timeline import US, epoch_us, from_epoch_us

if TYPE_CHECKING:
    pass

HOUR_US = 3600 * US
END_OF_DAY = time(23, 59, 59)
# Supported instants, as epoch seconds (a day of margin either side for any time zone).
_MIN_SEC = int(datetime(MIN_YEAR, 1, 2, tzinfo=UTC).timestamp())
_MAX_SEC = int(datetime(MAX_YEAR, 12, 31, tzinfo=UTC).timestamp())


class ClockKind(StrEnum):
    """How a clock counts time."""

    CLOCK_HOURS = "clock_hours"
    CALENDAR_DAYS = "calendar_days"
    BUSINESS_DAYS = "business_days"
    BUSINESS_HOURS = "business_hours"

    @property
    def unit(self) -> str:
        """'hours' or 'days'."""
        return "hours" if self.endswith("hours") else "days"


class DeadlineError(ValueError):
    """Bad input to a deadline computation; ``field`` names the offending argument."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


class Deadline:
    """A computed deadline; ``trail`` explains it (built on first access)."""

    __slots__ = ("_trail", "amount", "calendar", "due", "kind", "start")

    def __init__(
        self, calendar: Calendar, kind: ClockKind, amount: int, start: datetime, due: datetime
    ) -> None:
        self.calendar = calendar
        self.kind = kind
        self.amount = amount
        self.start = start
        self.due = due
        self._trail: list[str] | None = None

    @property
    def trail(self) -> list[str]:
        """Human-readable steps from start to due, for agents and auditors."""
        if self._trail is None:
            from memberdesk.sla.explain import explain

            self._trail = explain(self.calendar, self.kind, self.amount, self.start, self.due)
        return self._trail

    @property
    def calendar_version(self) -> str:
        """Version of the calendar the deadline was computed on."""
        return self.calendar.version

    def to_dict(self, *, trail: bool = False) -> dict[str, Any]:
        """JSON-ready fields (ISO 8601 with offsets)."""
        out: dict[str, Any] = {
            "due": self.due.isoformat(),
            "start": self.start.isoformat(),
            "calendar": self.calendar.name,
            "calendar_version": self.calendar.version,
            "timezone": self.calendar.tz.key,
            "clock": str(self.kind),
            "amount": self.amount,
        }
        if trail:
            out["trail"] = self.trail
        return out

    def __repr__(self) -> str:
        return (
            f"Deadline({self.kind} {self.amount} on {self.calendar.name}: {self.due.isoformat()})"
        )


def resolve_calendar(calendar: Calendar | str) -> Calendar:
    """A Calendar object from a calendar or its name."""
    return calendar if isinstance(calendar, Calendar) else get_calendar(calendar)


def resolve_kind(kind: ClockKind | str) -> ClockKind:
    """A ClockKind from an enum or its string, with a clear error."""
    try:
        return ClockKind(kind)
    except ValueError:
        known = ", ".join(k.value for k in ClockKind)
        raise DeadlineError(f"unknown clock kind; use one of {known}", field="kind") from None


def check_amount(amount: Any) -> None:
    """Reject anything but a whole number of units, zero or more."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise DeadlineError("amount must be a whole number", field="amount")
    if amount < 0:
        raise DeadlineError("amount must be zero or more", field="amount")


_PLAIN_TZ = (ZoneInfo, timezone)  # tzinfo classes that always give an offset


def _split(start: datetime) -> tuple[int, int]:
    """(epoch second, microsecond) of an aware datetime, exactly."""
    tz = start.tzinfo
    if tz is None or (tz.__class__ not in _PLAIN_TZ and start.utcoffset() is None):
        raise DeadlineError(
            "start has no UTC offset; deadlines need an unambiguous instant", field="start"
        )
    us = start.microsecond
    ts = start.timestamp()
    # An integral float timestamp is exact; otherwise it is within ~0.2 µs of the truth, so
    # rounding after taking the microseconds off recovers the exact second.
    return (int(ts) if not us else round(ts - us / US)), us


def compute_due(
    calendar: Calendar | str, kind: ClockKind | str, amount: int, start: datetime
) -> Deadline:
    """The deadline of a ``kind`` clock of ``amount`` units started at ``start`` on ``calendar``."""
    # This is the hot path for single deadlines: every check here is the cheap form.
    cal = calendar if calendar.__class__ is Calendar else resolve_calendar(calendar)  # type: ignore[arg-type]
    entry = _SINGLE.get(kind)
    if entry is None:
        resolve_kind(kind)  # raises the helpful message
    if amount.__class__ is not int or amount < 0:
        check_amount(amount)
    sec, us = _split(start)
    if not _MIN_SEC <= sec < _MAX_SEC:
        raise DeadlineError(f"start must be within {MIN_YEAR}–{MAX_YEAR}", field="start")
    kind_enum, fn = entry  # type: ignore[misc]
    try:
        due = fn(cal, sec, us, amount)
    except (CalendarError, OverflowError, ValueError):
        # The start is in range, so only the amount can have carried the deadline past it.
        raise DeadlineError(
            f"amount is too large: the deadline would fall after {MAX_YEAR}", field="amount"
        ) from None
    return Deadline(cal, kind_enum, amount, start, due)


def _clock_hours(cal: Calendar, sec: int, us: int, n: int) -> datetime:
    if sec + n * 3600 >= _MAX_SEC:
        raise CalendarError(f"dates outside {MIN_YEAR}–{MAX_YEAR} are not supported")
    if us:
        return from_epoch_us(sec * US + us + n * HOUR_US, cal.tz)
    return datetime.fromtimestamp(sec + n * 3600, cal.tz)


def _calendar_days(cal: Calendar, sec: int, us: int, n: int) -> datetime:
    tl = cal.timeline
    if not tl.lo <= sec < tl.hi:
        tl = tl.covering(cal, sec)
    i = bisect_right(tl.day_start, sec) - 1 + n
    while i >= tl.n_days:
        tl = tl.grown(cal, forward=(i - tl.n_days) // 365 + 1)
    if n == 0 and sec >= tl.eod[i]:  # started in the day's last second: due at once, not before
        return from_epoch_us(max(sec * US + us, tl.eod[i] * US), cal.tz)
    return tl.eod_dt[i]


def _business_days(cal: Calendar, sec: int, us: int, n: int) -> datetime:
    tl = cal.timeline
    if not tl.lo <= sec < tl.hi:
        tl = tl.covering(cal, sec)
    # d0_index inlined: this is the hot path.
    i = bisect_right(tl.day_start, sec) - 1
    k = tl.next_wd[i]
    if k < tl.n_wd and tl.wd_day[k] == i and sec >= tl.wd_close[k]:
        k += 1
    k += n
    while k >= tl.n_wd:
        tl = tl.grown(cal, forward=(k - tl.n_wd) // 200 + 1)
    return tl.wd_close_dt[k]


def _business_hours(cal: Calendar, sec: int, us: int, n: int) -> datetime:
    tl = cal.timeline
    if not tl.lo <= sec < tl.hi:
        tl = tl.covering(cal, sec)
    t_us = sec * US + us
    j, cum = tl.open_offset_us(t_us)
    while j >= tl.n_win:  # nothing open before the end of the timeline
        tl = tl.grown(cal, forward=1)
        j, cum = tl.open_offset_us(t_us)
    if n == 0:  # due at the effective start: now if open, else the next opening
        return from_epoch_us(max(t_us, tl.win_start_us[j]), cal.tz)
    target = cum + n * HOUR_US
    while (due := tl.open_instant_us(target)) is None:
        tl = tl.grown(cal, forward=(target - tl.cum_end_us[-1]) // (2000 * HOUR_US) + 1)
    return from_epoch_us(due, cal.tz)


_SINGLE: dict[str, tuple[ClockKind, Any]] = {
    ClockKind.CLOCK_HOURS: (ClockKind.CLOCK_HOURS, _clock_hours),
    ClockKind.CALENDAR_DAYS: (ClockKind.CALENDAR_DAYS, _calendar_days),
    ClockKind.BUSINESS_DAYS: (ClockKind.BUSINESS_DAYS, _business_days),
    ClockKind.BUSINESS_HOURS: (ClockKind.BUSINESS_HOURS, _business_hours),
}


# -- stable positions, for clocks that pause and extend ------------------------------------
def position(cal: Calendar, kind: ClockKind, t_us: int) -> int:
    """Where instant ``t_us`` sits on the clock's own scale (µs, open µs, working day, day)."""
    if kind is ClockKind.CLOCK_HOURS:
        return t_us
    tl = cal.timeline.covering(cal, t_us // US)
    if kind is ClockKind.CALENDAR_DAYS:
        return tl.first_ord + tl.day_index(t_us // US)
    if kind is ClockKind.BUSINESS_DAYS:
        return tl.d0_index(t_us // US) + tl.wd_base
    return open_position(cal, t_us)


def instant_at(cal: Calendar, kind: ClockKind, pos: int, floor_us: int) -> int:
    """The deadline instant (epoch µs) for scale position ``pos``, never before ``floor_us``."""
    if kind is ClockKind.CLOCK_HOURS:
        return max(pos, floor_us)
    if kind is ClockKind.BUSINESS_HOURS:
        return max(open_instant(cal, pos), effective_start(cal, floor_us))
    if kind is ClockKind.CALENDAR_DAYS:
        eod = datetime.combine(date.fromordinal(pos), END_OF_DAY, tzinfo=cal.tz)
        return max(epoch_us(eod), floor_us)
    tl = cal.timeline.covering(cal, floor_us // US)
    while pos - tl.wd_base >= tl.n_wd:
        tl = tl.grown(cal, forward=(pos - tl.wd_base - tl.n_wd) // 200 + 1)
    while pos - tl.wd_base < 0:
        tl = tl.grown(cal, back=1)
    return max(tl.wd_close[pos - tl.wd_base] * US, floor_us)


def open_position(cal: Calendar, t_us: int) -> int:
    """Open microseconds of ``cal`` before ``t_us`` (a stable, monotone scale)."""
    tl = cal.timeline.covering(cal, t_us // US)
    j, cum = tl.open_offset_us(t_us)
    while j >= tl.n_win:
        tl = tl.grown(cal, forward=1)
        j, cum = tl.open_offset_us(t_us)
    return cum + tl.cum_base_us


def open_instant(cal: Calendar, pos: int) -> int:
    """Earliest epoch µs at which open time reaches stable position ``pos``."""
    tl = cal.timeline
    while (due := tl.open_instant_us(pos - tl.cum_base_us)) is None:
        tl = tl.grown(cal, forward=1)
    while pos - tl.cum_base_us < 0:
        tl = tl.grown(cal, back=1)
        due = tl.open_instant_us(pos - tl.cum_base_us)
    assert due is not None
    return due


def effective_start(cal: Calendar, t_us: int) -> int:
    """``t_us`` if the calendar is open then, else the next opening."""
    tl = cal.timeline.covering(cal, t_us // US)
    j, _ = tl.open_offset_us(t_us)
    while j >= tl.n_win:
        tl = tl.grown(cal, forward=1)
        j, _ = tl.open_offset_us(t_us)
    return max(t_us, tl.win_start_us[j])
