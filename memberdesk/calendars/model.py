"""Calendar data model: opening windows, holiday rules, closures and one-off openings."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from memberdesk.calendars.timeline import Timeline

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MIN_YEAR, MAX_YEAR = 1900, 2399
_WINDOW_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")


class CalendarError(ValueError):
    """A calendar definition is malformed; the message names the field."""


class ClosureKind(StrEnum):
    """Whether a closure shuts the whole day or only part of it."""

    FULL = "full"
    PARTIAL = "partial"


class Observance(StrEnum):
    """How a holiday that falls on a weekend is observed."""

    NONE = "none"  # stays on its date, even a Saturday (California, Gov. Code 19853(a))
    SUNDAY_TO_MONDAY = "sunday_to_monday"
    NEAREST_WEEKDAY = "nearest_weekday"  # Saturday → Friday, Sunday → Monday (ORS 187.010)


@dataclass(frozen=True, slots=True, order=True)
class Window:
    """A half-open opening window [start, end) in minutes after local midnight."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end <= 24 * 60:
            raise CalendarError(f"window {self} must satisfy 00:00 <= open < close <= 24:00")

    @classmethod
    def parse(cls, text: str) -> Window:
        """Parse ``"08:00-17:00"`` (``24:00`` allowed as a close)."""
        match = _WINDOW_RE.match(text)
        if not match:
            raise CalendarError(f"window {text!r} is not HH:MM-HH:MM")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if m1 > 59 or m2 > 59:
            raise CalendarError(f"window {text!r} has minutes above 59")
        return cls(h1 * 60 + m1, h2 * 60 + m2)

    def __str__(self) -> str:
        return (
            f"{self.start // 60:02d}:{self.start % 60:02d}–{self.end // 60:02d}:{self.end % 60:02d}"
        )

    @property
    def minutes(self) -> int:
        """Length in wall-clock minutes."""
        return self.end - self.start


def subtract_windows(hours: tuple[Window, ...], closed: tuple[Window, ...]) -> tuple[Window, ...]:
    """The parts of ``hours`` not covered by any ``closed`` span."""
    result: list[Window] = []
    for w in hours:
        pieces = [(w.start, w.end)]
        for c in closed:
            pieces = [
                part
                for s, e in pieces
                for part in ((s, min(e, c.start)), (max(s, c.end), e))
                if part[0] < part[1]
            ]
        result.extend(Window(s, e) for s, e in pieces)
    return tuple(result)


@dataclass(frozen=True, slots=True)
class HolidayRule:
    """A recurring holiday: a fixed date or the n-th weekday of a month, plus an offset."""

    name: str
    month: int
    day: int | None = None
    weekday: int | None = None  # 0 = Monday
    nth: int | None = None  # 1..5, or -1 for the last one
    offset_days: int = 0  # e.g. +1 for the day after Thanksgiving
    observed: Observance = Observance.SUNDAY_TO_MONDAY
    since: int | None = None  # first year the holiday exists in law
    citation: str = ""

    def __post_init__(self) -> None:
        fixed = self.day is not None
        floating = self.weekday is not None and self.nth is not None
        if fixed == floating:
            raise CalendarError(f"holiday {self.name!r} needs either day, or weekday and nth")

    def actual(self, year: int) -> date | None:
        """The date the holiday falls on in ``year`` (before weekend observance)."""
        if self.since is not None and year < self.since:
            return None
        if self.day is not None:
            base = date(year, self.month, self.day)
        else:
            assert self.weekday is not None and self.nth is not None
            if self.nth > 0:
                first = date(year, self.month, 1)
                shift = (self.weekday - first.weekday()) % 7
                base = first + timedelta(days=shift + 7 * (self.nth - 1))
            else:
                nxt = date(year + (self.month == 12), self.month % 12 + 1, 1)
                last = nxt - timedelta(days=1)
                base = last - timedelta(days=(last.weekday() - self.weekday) % 7)
        return base + timedelta(days=self.offset_days)

    def observed_on(self, year: int) -> tuple[date, date] | None:
        """(actual date, observed date) of the holiday that belongs to ``year``."""
        actual = self.actual(year)
        if actual is None:
            return None
        wd = actual.weekday()
        if wd == 6 and self.observed is not Observance.NONE:
            return actual, actual + timedelta(days=1)
        if wd == 5 and self.observed is Observance.NEAREST_WEEKDAY:
            return actual, actual - timedelta(days=1)
        return actual, actual


@dataclass(frozen=True, slots=True)
class Closure:
    """A date on which the office is closed all day (FULL) or for some spans (PARTIAL)."""

    date: date
    name: str
    kind: ClosureKind = ClosureKind.FULL
    closed: tuple[Window, ...] = ()  # the closed spans of a partial closure
    note: str = ""
    citation: str = ""

    @property
    def is_full(self) -> bool:
        """True when the whole day is closed."""
        return self.kind is ClosureKind.FULL


@dataclass(frozen=True, slots=True)
class Opening:
    """A one-off opening: the office is open with ``hours`` on a date it would be closed."""

    date: date
    name: str
    hours: tuple[Window, ...]


@dataclass(frozen=True)
class Calendar:
    """A business calendar: zone, weekly windows, holiday rules, closures and openings."""

    name: str
    tz: ZoneInfo
    hours: tuple[tuple[Window, ...], ...]  # index 0 = Monday
    holidays: tuple[HolidayRule, ...] = ()
    dated_closures: tuple[Closure, ...] = ()
    openings: tuple[Opening, ...] = ()
    title: str = ""
    citation: str = ""
    base: str | None = None
    version: str = "1"
    definition: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __hash__(self) -> int:
        return hash((self.name, self.version))

    def __repr__(self) -> str:
        return f"Calendar({self.name!r}, {self.tz.key}, version {self.version})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))  # keeps test failure reports (hypothesis) short

    # -- dates ---------------------------------------------------------------------------
    def closures(self, year: int) -> list[Closure]:
        """Closures in ``year`` (observed holidays, dated full and partial), minus openings."""
        closures, openings = self._year_map(year)
        return sorted(
            (c for d, day in closures.items() if d not in openings for c in day),
            key=lambda c: (c.date, c.kind != ClosureKind.FULL, c.name),
        )

    def openings_in(self, year: int) -> list[Opening]:
        """One-off openings in ``year``, by date."""
        return sorted(self._year_map(year)[1].values(), key=lambda o: o.date)

    def closures_on(self, d: date) -> list[Closure]:
        """The closures that apply on ``d`` (empty when an opening overrides them)."""
        closures, openings = self._year_map(d.year)
        return [] if d in openings else list(closures.get(d, ()))

    def opening_on(self, d: date) -> Opening | None:
        """The one-off opening on ``d``, if any."""
        return self._year_map(d.year)[1].get(d)

    def windows_on(self, d: date) -> tuple[Window, ...]:
        """Local opening windows on ``d`` after holidays, closures and openings."""
        closures, openings = self._year_map(d.year)
        if d in openings:
            return openings[d].hours
        todays = closures.get(d, ())
        if any(c.is_full for c in todays):
            return ()
        hours = self.hours[d.weekday()]
        for c in todays:
            hours = subtract_windows(hours, c.closed)
        return hours

    def is_working_day(self, d: date) -> bool:
        """True when the office opens at all on local date ``d``."""
        return bool(self.windows_on(d))

    def is_open(self, at: datetime) -> bool:
        """True when ``at`` (aware) falls inside an opening window."""
        from memberdesk.calendars.timeline import US, epoch_us

        t_us = epoch_us(at)
        tl = self.timeline.covering(self, t_us // US)
        j, _ = tl.open_offset_us(t_us)
        # Real instants, not wall-clock minutes, so windows that touch a DST change stay exact.
        return j < tl.n_win and tl.win_start_us[j] <= t_us

    def next_working_day(self, d: date, *, include: bool = False) -> date:
        """The first working day after ``d`` (or on it, with ``include``)."""
        day = d if include else d + timedelta(days=1)
        for _ in range(3660):
            if self.is_working_day(day):
                return day
            day += timedelta(days=1)
        raise CalendarError(f"calendar {self.name} has no working day within 10 years of {d}")

    def why_closed(self, d: date) -> str:
        """A short reason the office is closed on ``d`` (holiday name, or 'weekend')."""
        full = [c.name for c in self.closures_on(d) if c.is_full]
        if full:
            return " / ".join(full)
        if not self.hours[d.weekday()]:
            return "weekend" if d.weekday() >= 5 else f"closed on {DAY_NAMES[d.weekday()]}s"
        return "closed"

    def weekly_summary(self) -> str:
        """Opening hours grouped by weekday, e.g. ``Mon–Fri 08:00–17:00``."""
        groups: list[tuple[int, int, tuple[Window, ...]]] = []
        for i, hours in enumerate(self.hours):
            if groups and groups[-1][2] == hours and groups[-1][1] == i - 1:
                groups[-1] = (groups[-1][0], i, hours)
            else:
                groups.append((i, i, hours))
        parts = []
        for a, b, hours in groups:
            if not hours:
                continue
            days = WEEKDAYS[a].title() + ("" if a == b else "–" + WEEKDAYS[b].title())
            parts.append(f"{days} {', '.join(str(w) for w in hours)}")
        return "; ".join(parts) or "never open"

    # -- precomputation ------------------------------------------------------------------
    @property
    def timeline(self) -> Timeline:
        """The precomputed open-time arrays (built lazily, extended as queries need)."""
        tl = self._cache.get("timeline")
        if tl is None:
            from memberdesk.calendars.timeline import Timeline

            today = datetime.now(self.tz).year
            tl = Timeline.build(self, today - 1, today + 3)
            self._cache["timeline"] = tl
        return tl

    def set_timeline(self, tl: Timeline) -> None:
        """Install an extended timeline (called by the timeline itself)."""
        self._cache["timeline"] = tl

    def _year_map(self, year: int) -> tuple[dict[date, list[Closure]], dict[date, Opening]]:
        key = f"year:{year}"
        cached = self._cache.get(key)
        if cached is None:
            cached = _build_year_map(self, year)
            self._cache[key] = cached
        return cached


def _build_year_map(
    cal: Calendar, year: int
) -> tuple[dict[date, list[Closure]], dict[date, Opening]]:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise CalendarError(f"year {year} is outside the supported range {MIN_YEAR}–{MAX_YEAR}")
    closures: dict[date, list[Closure]] = {}
    # A Saturday Jan 1 observed on Friday Dec 31 belongs to the next year's rule.
    for rule_year in (year - 1, year, year + 1):
        for rule in cal.holidays:
            pair = rule.observed_on(rule_year)
            if pair is None or pair[1].year != year:
                continue
            actual, observed = pair
            closures.setdefault(observed, []).append(_holiday_closure(cal, rule, actual, observed))
    for c in cal.dated_closures:
        if c.date.year == year:
            closures.setdefault(c.date, []).append(c)
    openings = {o.date: o for o in cal.openings if o.date.year == year}
    return closures, openings


def _holiday_closure(cal: Calendar, rule: HolidayRule, actual: date, observed: date) -> Closure:
    if observed != actual:
        moved_to = DAY_NAMES[observed.weekday()]
        note = f"falls on {DAY_NAMES[actual.weekday()]} {actual}; observed {moved_to}"
        return Closure(observed, f"{rule.name} (observed)", note=note, citation=rule.citation)
    note = ""
    if actual.weekday() == 5 and not cal.hours[5]:
        note = "falls on a Saturday; not moved to Friday (offices open that Friday)"
    elif actual.weekday() == 6 and not cal.hours[6]:
        note = "falls on a Sunday; not moved"
    return Closure(actual, rule.name, note=note, citation=rule.citation)


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    """A ZoneInfo by IANA name, with a calendar-flavoured error."""
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError) as exc:
        raise CalendarError(f"unknown time zone {name!r}") from exc
