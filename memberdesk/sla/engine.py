"""Deadline arithmetic for the four clock kinds, one at a time or in NumPy batches.

The contracts (DESIGN.md, "Business calendars and SLA clocks"):
- clock_hours N: start + N hours of real time (added in UTC, so DST cannot shift it).
- calendar_days N: 23:59:59 local on the local date of start + N days.
- business_days N: d0 = start's local date if it is a working day and start is before that
  day's close, else the next working day; due at close of the N-th working day after d0.
- business_hours N: N hours counted only inside opening windows from start (or the next
  opening); landing exactly on a close is due at that close.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from memberdesk.calendars import Calendar, get_calendar
from memberdesk.calendars.timeline import US, Timeline, epoch_us, from_epoch_us

if TYPE_CHECKING:
    import numpy as np

HOUR_US = 3600 * US
END_OF_DAY = time(23, 59, 59)


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
        self.calendar, self.kind, self.amount, self.start, self.due = (
            calendar,
            kind,
            amount,
            start,
            due,
        )
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
        raise DeadlineError(
            f"unknown clock kind {kind!r}; use one of {known}", field="kind"
        ) from None


def check_amount(amount: Any) -> None:
    """Reject anything but a whole number of units, zero or more."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise DeadlineError(f"amount must be a whole number, got {amount!r}", field="amount")
    if amount < 0:
        raise DeadlineError(f"amount must be zero or more, got {amount}", field="amount")


def _split(start: datetime) -> tuple[int, int]:
    """(epoch second, microsecond) of an aware datetime, exactly."""
    if start.utcoffset() is None:
        raise DeadlineError(
            f"start {start.isoformat()} has no UTC offset; deadlines need an unambiguous instant",
            field="start",
        )
    us = start.microsecond
    ts = start.timestamp()
    # The float timestamp is within ~0.2 µs of the truth, so rounding recovers the exact second.
    return (int(ts) if ts >= 0 else round(ts)) if not us else round(ts - us / US), us


def compute_due(
    calendar: Calendar | str, kind: ClockKind | str, amount: int, start: datetime
) -> Deadline:
    """The deadline of a ``kind`` clock of ``amount`` units started at ``start`` on ``calendar``."""
    cal = calendar if isinstance(calendar, Calendar) else get_calendar(calendar)
    fn = _SINGLE.get(kind)
    if fn is None:
        resolve_kind(kind)  # raises the helpful message
    check_amount(amount)
    sec, us = _split(start)
    due = fn(cal, sec, us, amount)  # type: ignore[misc]
    return Deadline(cal, ClockKind(kind), amount, start, due)


def _clock_hours(cal: Calendar, sec: int, us: int, n: int) -> datetime:
    return from_epoch_us(sec * US + us + n * HOUR_US, cal.tz)


def _calendar_days(cal: Calendar, sec: int, us: int, n: int) -> datetime:
    tl = cal.timeline
    if not tl.lo <= sec < tl.hi:
        tl = tl.covering(cal, sec)
    i = tl.day_index(sec) + n
    while i >= tl.n_days:
        tl = tl.grown(cal, forward=(i - tl.n_days) // 365 + 1)
    if n == 0 and sec >= tl.eod[i]:  # started in the day's last second: due at once, not before
        return from_epoch_us(max(sec * US + us, tl.eod[i] * US), cal.tz)
    return tl.eod_dt[i]


def _business_days(cal: Calendar, sec: int, us: int, n: int) -> datetime:
    tl = cal.timeline
    if not tl.lo <= sec < tl.hi:
        tl = tl.covering(cal, sec)
    k = tl.d0_index(sec) + n
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


_SINGLE = {
    ClockKind.CLOCK_HOURS: _clock_hours,
    ClockKind.CALENDAR_DAYS: _calendar_days,
    ClockKind.BUSINESS_DAYS: _business_days,
    ClockKind.BUSINESS_HOURS: _business_hours,
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


# -- batches ------------------------------------------------------------------------------
def compute_due_batch(
    calendar: Calendar | str,
    kind: ClockKind | str,
    amounts: int | Sequence[int] | np.ndarray,
    starts: np.ndarray | Sequence[datetime],
) -> np.ndarray:
    """Deadlines for many clocks at once: ``starts`` (UTC datetime64 or aware datetimes) →
    ``datetime64[us]`` in UTC; used to recompute every open clock after a calendar change."""
    import numpy as np

    cal = resolve_calendar(calendar)
    k = resolve_kind(kind)
    t_us = _as_epoch_us(starts)
    n = np.broadcast_to(np.asarray(amounts, dtype=np.int64), t_us.shape)
    if n.size and int(n.min()) < 0:
        raise DeadlineError("amounts must be zero or more", field="amount")
    if t_us.size == 0:
        return t_us.astype("datetime64[us]")
    if k is ClockKind.CLOCK_HOURS:
        return (t_us + n * HOUR_US).astype("datetime64[us]")
    sec = np.floor_divide(t_us, US)
    tl = cal.timeline.covering(cal, int(sec.min())).covering(cal, int(sec.max()))
    while True:
        out = _BATCH[k](tl.arrays(), tl, sec, t_us, n)
        if out is not None:
            return out.astype("datetime64[us]")
        tl = tl.grown(cal, forward=max(1, int(n.max()) // 200 + 1))


def _batch_calendar_days(a: dict, tl: Timeline, sec: Any, t_us: Any, n: Any) -> Any:
    import numpy as np

    i = np.searchsorted(a["day_start"], sec, side="right") - 1 + n
    return None if int(i.max()) >= tl.n_days else np.maximum(a["eod"][i] * US, t_us)


def _batch_business_days(a: dict, tl: Timeline, sec: Any, t_us: Any, n: Any) -> Any:
    import numpy as np

    if tl.n_wd == 0:
        return None
    i = np.searchsorted(a["day_start"], sec, side="right") - 1
    k = a["next_wd"][i]
    kc = np.minimum(k, tl.n_wd - 1)
    k = k + ((k < tl.n_wd) & (a["wd_day"][kc] == i) & (sec >= a["wd_close"][kc])) + n
    return None if int(k.max()) >= tl.n_wd else a["wd_close"][k] * US


def _batch_business_hours(a: dict, tl: Timeline, sec: Any, t_us: Any, n: Any) -> Any:
    import numpy as np

    j = np.searchsorted(a["win_end_us"], t_us, side="right")
    if tl.n_win == 0 or int(j.max()) >= tl.n_win:
        return None
    ws = a["win_start_us"][j]
    target = a["cum_before_us"][j] + np.maximum(0, t_us - ws) + n * HOUR_US
    m = np.searchsorted(a["cum_end_us"], target, side="left")
    if int(m.max()) >= tl.n_win:
        return None
    due = a["win_start_us"][m] + np.maximum(0, target - a["cum_before_us"][m])
    return np.where(n == 0, np.maximum(t_us, ws), due)


_BATCH = {
    ClockKind.CALENDAR_DAYS: _batch_calendar_days,
    ClockKind.BUSINESS_DAYS: _batch_business_days,
    ClockKind.BUSINESS_HOURS: _batch_business_hours,
}


def _as_epoch_us(starts: Any) -> np.ndarray:
    import numpy as np

    arr = np.asarray(starts)
    if arr.dtype == object:
        return np.fromiter((epoch_us(s) for s in arr.ravel()), np.int64, arr.size).reshape(
            arr.shape
        )
    if np.issubdtype(arr.dtype, np.datetime64):
        return arr.astype("datetime64[us]").view(np.int64)
    if np.issubdtype(arr.dtype, np.integer):
        return arr.astype(np.int64)  # already epoch microseconds
    raise DeadlineError(
        "starts must be datetime64 (UTC), epoch µs or aware datetimes", field="start"
    )


def to_datetimes(dues: np.ndarray, calendar: Calendar | str) -> list[datetime]:
    """Aware datetimes in the calendar zone for a (small) batch result."""
    tz = resolve_calendar(calendar).tz
    return [from_epoch_us(int(v), tz) for v in dues.astype("datetime64[us]").view("int64")]
