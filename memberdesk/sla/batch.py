"""Deadlines for many clocks at once, in NumPy: used when a calendar change forces every open
clock to be recomputed. Same contracts and same precomputed timeline as the single path."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np

from memberdesk.calendars import Calendar
from memberdesk.calendars.timeline import US, Timeline, epoch_us, from_epoch_us
from memberdesk.sla.engine import (
    HOUR_US,
    ClockKind,
    DeadlineError,
    resolve_calendar,
    resolve_kind,
)

_DAY = 86_400


def compute_due_batch(
    calendar: Calendar | str,
    kind: ClockKind | str,
    amounts: int | Sequence[int] | np.ndarray,
    starts: np.ndarray | Sequence[datetime],
) -> np.ndarray:
    """Deadlines of many clocks: ``starts`` (UTC datetime64, epoch µs or aware datetimes) →
    ``datetime64[us]`` in UTC."""
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
        a = tl.arrays()
        out = _BATCH[k](a, tl, _day_index(a, tl, sec), sec, t_us, n)
        if out is not None:
            return out.astype("datetime64[us]")
        tl = tl.grown(cal, forward=max(1, int(n.max()) // 200 + 1))


def _day_index(a: dict[str, Any], tl: Timeline, sec: np.ndarray) -> np.ndarray:
    """Local day of each instant: arithmetic guess, then a ±1 fix for DST-length days."""
    ds = a["day_start"]
    i = (sec - tl.lo) // _DAY
    np.clip(i, 0, tl.n_days - 1, out=i)
    i += sec >= ds[i + 1]
    i -= sec < ds[i]
    np.clip(i, 0, tl.n_days - 1, out=i)
    bad = (sec < ds[i]) | (sec >= ds[i + 1])
    if bad.any():  # zones that ever skipped or repeated a whole day
        i[bad] = np.searchsorted(ds, sec[bad], side="right") - 1
    return i


def _calendar_days(a: dict, tl: Timeline, i: Any, sec: Any, t_us: Any, n: Any) -> Any:
    i = i + n
    return None if int(i.max()) >= tl.n_days else np.maximum(a["eod"][i] * US, t_us)


def _business_days(a: dict, tl: Timeline, i: Any, sec: Any, t_us: Any, n: Any) -> Any:
    k = a["next_wd"][i] + (sec >= a["close_today"][i]) + n
    return None if int(k.max()) >= tl.n_wd else a["wd_close"][k] * US


def _business_hours(a: dict, tl: Timeline, i: Any, sec: Any, t_us: Any, n: Any) -> Any:
    if tl.n_win == 0:
        return None
    last = tl.n_win - 1
    win_end, cum_end = a["win_end_us"], a["cum_end_us"]
    # First window ending after t: the day's first window, stepped past those already over.
    j = a["day_first_win"][i]
    for _ in range(a["win_steps"]):
        j += (j <= last) & (win_end[np.minimum(j, last)] <= t_us)
    if int(j.max()) > last:
        return None
    ws = a["win_start_us"][j]
    target = a["cum_before_us"][j] + np.maximum(0, t_us - ws) + n * HOUR_US
    if int(target.max()) > int(cum_end[-1]):
        return None
    # First window whose cumulative end reaches the target, from the whole-hour bucket index.
    m = a["bucket_first"][target // HOUR_US]
    for _ in range(a["bucket_steps"]):
        m += cum_end[np.minimum(m, last)] < target
    due = a["win_start_us"][m] + np.maximum(0, target - a["cum_before_us"][m])
    return np.where(n == 0, np.maximum(t_us, ws), due)


_BATCH = {
    ClockKind.CALENDAR_DAYS: _calendar_days,
    ClockKind.BUSINESS_DAYS: _business_days,
    ClockKind.BUSINESS_HOURS: _business_hours,
}


def _as_epoch_us(starts: Any) -> np.ndarray:
    arr = np.asarray(starts)
    if arr.dtype == object:
        flat = np.fromiter((epoch_us(s) for s in arr.ravel()), np.int64, arr.size)
        return flat.reshape(arr.shape)
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
