"""Calendars from data (dict, TOML, JSON), plan calendars layered on a base, and the registry."""

from __future__ import annotations

import hashlib
import json
import threading
import tomllib
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

from memberdesk.calendars.model import (
    WEEKDAYS,
    Calendar,
    CalendarError,
    Closure,
    ClosureKind,
    HolidayRule,
    Observance,
    Opening,
    Window,
    zone,
)

DATA_DIR = Path(__file__).with_name("data")
_KEYS = {
    "name",
    "title",
    "citation",
    "version",
    "timezone",
    "base",
    "hours",
    "observance",
    "holidays",
    "drop_holidays",
    "closures",
    "openings",
}
_FULL_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class UnknownCalendarError(KeyError):
    """No calendar of that name; the message lists the known ones."""

    def __init__(self, name: str, known: Iterable[str]) -> None:
        self.name = name
        self.known = sorted(known)
        super().__init__(name)

    def __str__(self) -> str:
        # The name asked for is not repeated: messages name the field and the rule only.
        return f"unknown calendar; known calendars: {', '.join(self.known)}"


def calendar_from_dict(
    data: Mapping[str, Any], *, resolve: Callable[[str], Calendar] | None = None
) -> Calendar:
    """Build a calendar from data; with ``base`` it is layered on that calendar."""
    unknown = set(data) - _KEYS
    if unknown:
        raise CalendarError(f"unknown key(s) {sorted(unknown)} in calendar {data.get('name')!r}")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise CalendarError("a calendar needs a non-empty 'name'")
    definition = _layer(data, resolve or get_calendar) if data.get("base") else _normalise(data)
    return _build(definition)


def layer_calendar(base: Calendar, data: Mapping[str, Any]) -> Calendar:
    """A plan calendar on top of ``base``: extra closures, other hours, openings."""
    return calendar_from_dict({**data, "base": base.name}, resolve=lambda _: base)


def _layer(data: Mapping[str, Any], resolve: Callable[[str], Calendar]) -> dict[str, Any]:
    base = resolve(str(data["base"]))
    merged = json.loads(json.dumps(base.definition))
    own = _normalise({"timezone": merged["timezone"], **data})
    dropped = set(data.get("drop_holidays", ()))
    missing = dropped - {h["name"] for h in merged["holidays"]}
    if missing:
        raise CalendarError(f"drop_holidays: {sorted(missing)} are not holidays of {base.name}")
    merged["holidays"] = [h for h in merged["holidays"] if h["name"] not in dropped]
    merged["holidays"] += own["holidays"]
    merged["closures"] += own["closures"]
    merged["openings"] += own["openings"]
    # Weekdays a plan lists replace the base hours for that weekday; the rest are inherited.
    merged["hours"].update({k: v for k, v in own["hours"].items() if k in _given_days(data)})
    for key in ("name", "title", "citation", "version", "timezone"):
        if key in data:
            merged[key] = own[key]
    if "title" not in data:  # the base's title would name the wrong office
        merged["title"] = f"plan calendar on {base.name}"
    merged["base"] = base.name
    return merged


def _given_days(data: Mapping[str, Any]) -> set[str]:
    return {_weekday_key(k) for k in (data.get("hours") or {})}


def _normalise(data: Mapping[str, Any]) -> dict[str, Any]:
    """A canonical JSON-able definition (every field present, windows as strings)."""
    name = str(data["name"])
    if "timezone" not in data:
        raise CalendarError(f"calendar {name!r} needs a 'timezone' (an IANA name)")
    zone(str(data["timezone"]))
    default_obs = Observance(data.get("observance", Observance.SUNDAY_TO_MONDAY))
    hours: dict[str, list[str]] = {wd: [] for wd in WEEKDAYS}
    for key, spans in (data.get("hours") or {}).items():
        hours[_weekday_key(key)] = [str(w) for w in _windows(spans, f"hours.{key}")]
    holidays = []
    for h in data.get("holidays", ()):
        rule = _holiday(h, default_obs)
        holidays.append(
            {
                "name": rule.name,
                "month": rule.month,
                "day": rule.day,
                "weekday": rule.weekday,
                "nth": rule.nth,
                "offset_days": rule.offset_days,
                "observed": str(rule.observed),
                "since": rule.since,
                "citation": rule.citation,
            }
        )
    closures = []
    for c in data.get("closures", ()):
        closed = [str(w) for w in _windows(c.get("closed", ()), f"closures[{c.get('date')}]")]
        closures.append(
            {
                "date": parse_date(c.get("date"), "closures.date").isoformat(),
                "name": str(c.get("name") or "Closed"),
                "closed": closed,
                "note": str(c.get("note", "")),
            }
        )
    openings = []
    for o in data.get("openings", ()):
        spans = [str(w) for w in _windows(o.get("hours", ()), f"openings[{o.get('date')}]")]
        if not spans:
            raise CalendarError(f"opening on {o.get('date')} needs 'hours'")
        openings.append(
            {
                "date": parse_date(o.get("date"), "openings.date").isoformat(),
                "name": str(o.get("name") or "Open"),
                "hours": spans,
            }
        )
    return {
        "name": name,
        "title": str(data.get("title", "")),
        "citation": str(data.get("citation", "")),
        "version": str(data.get("version", "1")),
        "timezone": str(data["timezone"]),
        "base": None,
        "hours": hours,
        "holidays": holidays,
        "closures": closures,
        "openings": openings,
    }


def _build(definition: dict[str, Any]) -> Calendar:
    hours = tuple(tuple(Window.parse(w) for w in definition["hours"][wd]) for wd in WEEKDAYS)
    holidays = tuple(_holiday(h, Observance.SUNDAY_TO_MONDAY) for h in definition["holidays"])
    closures = tuple(
        Closure(
            date.fromisoformat(c["date"]),
            c["name"],
            ClosureKind.PARTIAL if c["closed"] else ClosureKind.FULL,
            tuple(Window.parse(w) for w in c["closed"]),
            c["note"],
        )
        for c in definition["closures"]
    )
    openings = tuple(
        Opening(
            date.fromisoformat(o["date"]), o["name"], tuple(Window.parse(w) for w in o["hours"])
        )
        for o in definition["openings"]
    )
    if not any(hours) and not openings:
        raise CalendarError(f"calendar {definition['name']!r} is never open")
    canonical = json.dumps(definition, sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha256(canonical.encode()).hexdigest()[:8]
    return Calendar(
        name=definition["name"],
        tz=zone(definition["timezone"]),
        hours=hours,
        holidays=holidays,
        dated_closures=closures,
        openings=openings,
        title=definition["title"],
        citation=definition["citation"],
        base=definition["base"],
        # Any change to the data changes the digest, so a clock can tell it is stale even
        # when whoever edited the calendar forgot to bump the label.
        version=f"{definition['version']}#{digest}",
        definition=definition,
    )


def _holiday(h: Mapping[str, Any], default_obs: Observance) -> HolidayRule:
    try:
        weekday = h.get("weekday")
        if isinstance(weekday, str):
            weekday = WEEKDAYS.index(_weekday_key(weekday))
        return HolidayRule(
            name=str(h["name"]),
            month=int(h["month"]),
            day=h.get("day"),
            weekday=weekday,
            nth=h.get("nth"),
            offset_days=int(h.get("offset_days", 0)),
            observed=Observance(h.get("observed") or default_obs),
            since=h.get("since"),
            citation=str(h.get("citation", "")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, CalendarError):
            raise
        raise CalendarError(f"holiday {dict(h)!r} is malformed: {exc}") from exc


def _weekday_key(key: str) -> str:
    k = str(key).strip().lower()
    if k in _FULL_WEEKDAYS:
        return WEEKDAYS[_FULL_WEEKDAYS.index(k)]
    if k not in WEEKDAYS:
        raise CalendarError(f"{key!r} is not a weekday (use mon, tue, … sun)")
    return k


def _windows(spans: Any, where: str) -> list[Window]:
    if isinstance(spans, str):
        spans = [spans]
    windows = sorted(Window.parse(str(s)) for s in spans)
    for a, b in pairwise(windows):
        if b.start < a.end:
            raise CalendarError(f"{where}: windows {a} and {b} overlap")
    return windows


def parse_date(value: Any, where: str) -> date:
    """A date from a TOML date or an ISO string; the error names ``where``."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise CalendarError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from exc


def load_calendar_file(path: str | Path) -> Calendar:
    """Read a calendar from a ``.toml`` or ``.json`` file."""
    p = Path(path)
    with p.open("rb") as fh:
        data = json.load(fh) if p.suffix == ".json" else tomllib.load(fh)
    return calendar_from_dict(data)


# -- registry -------------------------------------------------------------------------------
_lock = threading.RLock()
_registry: dict[str, Calendar] = {}
_shipped: dict[str, dict[str, Any]] = {}


def _shipped_data() -> dict[str, dict[str, Any]]:
    if not _shipped:
        for path in sorted(DATA_DIR.glob("*.toml")):
            with path.open("rb") as fh:
                data = tomllib.load(fh)
            _shipped[str(data["name"])] = data
    return _shipped


def get_calendar(name: str) -> Calendar:
    """The shipped or registered calendar called ``name``."""
    with _lock:
        cal = _registry.get(name)
        if cal is None:
            data = _shipped_data().get(name)
            if data is None:
                raise UnknownCalendarError(name, calendar_names())
            cal = calendar_from_dict(data, resolve=get_calendar)
            _registry[name] = cal
        return cal


def calendar_names() -> list[str]:
    """Names of every shipped and registered calendar, sorted."""
    with _lock:
        return sorted(set(_shipped_data()) | set(_registry))


def register_calendar(calendar: Calendar | Mapping[str, Any]) -> Calendar:
    """Add (or replace) a plan calendar so ``get_calendar`` finds it."""
    cal = calendar if isinstance(calendar, Calendar) else calendar_from_dict(calendar)
    with _lock:
        _registry[cal.name] = cal
    return cal
