"""Precomputed open time of a calendar: epoch arrays per calendar-year, joined into a timeline.

Everything here is in real (UTC epoch) time: opening windows are converted from local wall
clock once per year, so a DST change is already inside the numbers and clock maths never
touches a time zone again. Positions handed out (working-day numbers, open microseconds) stay
stable when the timeline is later extended in either direction.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from memberdesk.calendars.model import MAX_YEAR, MIN_YEAR, CalendarError

if TYPE_CHECKING:
    from memberdesk.calendars.model import Calendar

US = 1_000_000
_END_OF_DAY = time(23, 59, 59)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)


def epoch_us(at: datetime) -> int:
    """Exact microseconds since the Unix epoch of an aware datetime."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{at.isoformat()} has no UTC offset; an aware datetime is required")
    return (at - _EPOCH) // _ONE_US


def from_epoch_us(t_us: int, tz: Any) -> datetime:
    """The aware datetime in ``tz`` of epoch microseconds ``t_us``."""
    sec, us = divmod(t_us, US)
    dt = datetime.fromtimestamp(sec, tz)
    return dt.replace(microsecond=us) if us else dt


@dataclass(frozen=True, slots=True)
class YearBlock:
    """One calendar-year of a calendar in epoch seconds (day indexes relative to Jan 1)."""

    year: int
    day_start: list[int]  # local midnight of each day, plus the midnight after Dec 31
    eod: list[int]  # 23:59:59 local of each day
    win_start: list[int]
    win_end: list[int]
    win_day: list[int]
    wd_day: list[int]  # working days (days with at least one window)
    wd_close: list[int]  # close of business: end of the day's last window
    open_seconds: int


def year_block(cal: Calendar, year: int) -> YearBlock:
    """The epoch arrays of ``cal`` for ``year`` (cached on the calendar)."""
    key = f"block:{year}"
    block = cal._cache.get(key)
    if block is not None:
        return block
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise CalendarError(f"year {year} is outside the supported range {MIN_YEAR}–{MAX_YEAR}")
    tz = cal.tz
    first = date(year, 1, 1)
    n_days = (date(year + 1, 1, 1) - first).days
    day_start, eod, ws, we, wday, wd_day, wd_close = [], [], [], [], [], [], []
    # fold=0 picks the earlier instant of an ambiguous time and the pre-transition offset for a
    # time skipped by a spring-forward gap, so the epoch values stay monotone through DST.
    for i in range(n_days + 1):
        d = first + timedelta(days=i)
        day_start.append(int(datetime(d.year, d.month, d.day, tzinfo=tz).timestamp()))
    for i in range(n_days):
        d = first + timedelta(days=i)
        eod.append(int(datetime.combine(d, _END_OF_DAY, tzinfo=tz).timestamp()))
        close = None
        for w in cal.windows_on(d):
            s = _local_minute(d, w.start, tz, day_start[i + 1])
            e = _local_minute(d, w.end, tz, day_start[i + 1])
            if e <= s:  # the whole window sits in a spring-forward gap
                continue
            ws.append(s)
            we.append(e)
            wday.append(i)
            close = e
        if close is not None:
            wd_day.append(i)
            wd_close.append(close)
    total = sum(e - s for s, e in zip(ws, we, strict=True))
    block = YearBlock(year, day_start, eod, ws, we, wday, wd_day, wd_close, total)
    cal._cache[key] = block
    return block


def _local_minute(d: date, minute: int, tz: Any, next_midnight: int) -> int:
    if minute == 24 * 60:
        return next_midnight
    return int(datetime(d.year, d.month, d.day, minute // 60, minute % 60, tzinfo=tz).timestamp())


class Timeline:
    """A contiguous span of year blocks as flat lists (for bisect) and lazily NumPy arrays."""

    __slots__ = (
        "_np",
        "cum_base_us",
        "cum_before_us",
        "cum_end_us",
        "day_first_win",
        "day_start",
        "eod",
        "eod_dt",
        "first_ord",
        "first_year",
        "hi",
        "last_year",
        "lo",
        "n_days",
        "n_wd",
        "n_win",
        "next_wd",
        "tz",
        "wd_base",
        "wd_close",
        "wd_close_dt",
        "wd_day",
        "win_end_us",
        "win_start_us",
    )

    tz: Any
    first_year: int
    last_year: int
    first_ord: int
    lo: int  # epoch second of the first local midnight covered
    hi: int  # epoch second just past the last covered day
    n_days: int
    n_win: int
    n_wd: int
    day_start: list[int]
    eod: list[int]
    eod_dt: list[datetime]
    win_start_us: list[int]
    win_end_us: list[int]
    cum_before_us: list[int]
    cum_end_us: list[int]
    day_first_win: list[int]
    wd_day: list[int]
    wd_close: list[int]
    wd_close_dt: list[datetime]
    next_wd: list[int]
    cum_base_us: int
    wd_base: int
    _np: dict[str, Any] | None

    @classmethod
    def build(
        cls, cal: Calendar, first_year: int, last_year: int, prev: Timeline | None = None
    ) -> Timeline:
        """Join the year blocks ``first_year..last_year``; keep ``prev``'s positions stable."""
        first_year = max(first_year, MIN_YEAR)
        last_year = min(last_year, MAX_YEAR)
        blocks = [year_block(cal, y) for y in range(first_year, last_year + 1)]
        self = cls.__new__(cls)
        self.tz = cal.tz
        self.first_year, self.last_year = first_year, last_year
        self.first_ord = date(first_year, 1, 1).toordinal()
        day_start: list[int] = []
        eod: list[int] = []
        ws: list[int] = []
        we: list[int] = []
        wday: list[int] = []
        wd_day: list[int] = []
        wd_close: list[int] = []
        for b in blocks:
            offset = len(eod)
            day_start.extend(b.day_start[:-1])
            eod.extend(b.eod)
            ws.extend(b.win_start)
            we.extend(b.win_end)
            wday.extend(offset + i for i in b.win_day)
            wd_day.extend(offset + i for i in b.wd_day)
            wd_close.extend(b.wd_close)
        day_start.append(blocks[-1].day_start[-1])
        self.n_days, self.n_win, self.n_wd = len(eod), len(ws), len(wd_day)
        self.lo, self.hi = day_start[0], day_start[-1]
        self.day_start, self.eod, self.wd_day, self.wd_close = day_start, eod, wd_day, wd_close
        self.win_start_us = [s * US for s in ws]
        self.win_end_us = [e * US for e in we]
        cum = 0
        self.cum_before_us, self.cum_end_us = [], []
        for s, e in zip(ws, we, strict=True):
            self.cum_before_us.append(cum)
            cum += (e - s) * US
            self.cum_end_us.append(cum)
        self.day_first_win = _first_index_at_or_after(wday, self.n_days)
        self.next_wd = _first_index_at_or_after(wd_day, self.n_days)
        self.wd_close_dt = [datetime.fromtimestamp(c, cal.tz) for c in wd_close]
        self.eod_dt = [datetime.fromtimestamp(e, cal.tz) for e in eod]
        self._np = None
        # Stable positions: shift the bases by whatever was prepended before prev's first year.
        self.cum_base_us, self.wd_base = 0, 0
        if prev is not None:
            pre = [b for b in blocks if b.year < prev.first_year]
            self.cum_base_us = prev.cum_base_us - sum(b.open_seconds for b in pre) * US
            self.wd_base = prev.wd_base - sum(len(b.wd_day) for b in pre)
        return self

    # -- coverage ------------------------------------------------------------------------
    def grown(self, cal: Calendar, *, back: int = 0, forward: int = 0) -> Timeline:
        """A timeline with ``back``/``forward`` more years, installed on the calendar."""
        if (back and self.first_year <= MIN_YEAR) or (forward and self.last_year >= MAX_YEAR):
            raise CalendarError(f"dates outside {MIN_YEAR}–{MAX_YEAR} are not supported")
        tl = Timeline.build(cal, self.first_year - back, self.last_year + forward, prev=self)
        cal.set_timeline(tl)
        return tl

    def covering(self, cal: Calendar, sec: int) -> Timeline:
        """This timeline, or a grown one, that contains epoch second ``sec``."""
        tl = self
        while sec < tl.lo:
            tl = tl.grown(cal, back=max(1, (tl.lo - sec) // 31_536_000 + 1))
        while sec >= tl.hi:
            tl = tl.grown(cal, forward=max(2, (sec - tl.hi) // 31_536_000 + 1))
        return tl

    # -- lookups (scalar) ----------------------------------------------------------------
    def day_index(self, sec: int) -> int:
        """Index of the local day containing ``sec`` (caller ensures coverage)."""
        return bisect_right(self.day_start, sec) - 1

    def d0_index(self, sec: int) -> int:
        """Working-day index of d0: today if before today's close, else the next working day."""
        i = bisect_right(self.day_start, sec) - 1
        k = self.next_wd[i]
        if k < self.n_wd and self.wd_day[k] == i and sec >= self.wd_close[k]:
            k += 1
        return k

    def open_offset_us(self, t_us: int) -> tuple[int, int]:
        """(window index, open µs before ``t_us``) with the window at or after ``t_us``."""
        j = bisect_right(self.win_end_us, t_us)
        if j >= self.n_win:
            return j, self.cum_end_us[-1] if self.n_win else 0
        return j, self.cum_before_us[j] + max(0, t_us - self.win_start_us[j])

    def open_instant_us(self, cum_us: int) -> int | None:
        """Earliest epoch µs at which open time reaches ``cum_us`` (None past the end)."""
        m = bisect_left(self.cum_end_us, cum_us)
        if m >= self.n_win:
            return None
        return self.win_start_us[m] + max(0, cum_us - self.cum_before_us[m])

    def date_of(self, day_index: int) -> date:
        """The local date of day ``day_index``."""
        return date.fromordinal(self.first_ord + day_index)

    # -- NumPy views, for batch recomputation -------------------------------------------
    def arrays(self) -> dict[str, Any]:
        """NumPy copies of the lookup lists plus index arrays for batches (built once)."""
        if self._np is None:
            self._np = _numpy_views(self)
        return self._np


def _numpy_views(tl: Timeline) -> dict[str, Any]:
    import numpy as np

    names = ["day_start", "eod", "wd_day", "wd_close", "next_wd", "day_first_win"]
    names += ["win_start_us", "win_end_us", "cum_before_us", "cum_end_us"]
    a: dict[str, Any] = {name: np.asarray(getattr(tl, name), dtype=np.int64) for name in names}
    # Close of business if day i is itself a working day, else "never": d0 in one comparison.
    nw = a["next_wd"][:-1]
    safe = np.minimum(nw, max(tl.n_wd - 1, 0))
    same = (nw < tl.n_wd) & (a["wd_day"][safe] == np.arange(tl.n_days)) if tl.n_wd else nw < 0
    a["close_today"] = np.where(same, a["wd_close"][safe] if tl.n_wd else 0, np.iinfo(np.int64).max)
    # How many windows a day can hold bounds the refinement steps after the day lookup.
    counts = np.diff(a["day_first_win"])
    a["win_steps"] = int(counts.max()) + 1 if counts.size else 1
    # Hour buckets over cumulative open time: the first window reaching each whole open hour.
    bucket = 3600 * US
    n_buckets = int(a["cum_end_us"][-1]) // bucket + 2 if tl.n_win else 1
    first = np.searchsorted(a["cum_end_us"], np.arange(n_buckets, dtype=np.int64) * bucket)
    a["bucket_first"] = first
    a["bucket_steps"] = int(np.diff(first).max()) + 1 if n_buckets > 1 else 1
    return a


def _first_index_at_or_after(days: list[int], n_days: int) -> list[int]:
    """For each day 0..n_days, the index of the first entry of sorted ``days`` on/after it."""
    out = [0] * (n_days + 1)
    k = 0
    for i in range(n_days + 1):
        while k < len(days) and days[k] < i:
            k += 1
        out[i] = k
    return out
