"""Dates and times as a letter writes them, in its own language (pure)."""

from __future__ import annotations

from datetime import date, datetime

from memberdesk.language import long_date

# The zones memberdesk's calendars use, as members read them.
ZONE_NAMES = {
    ("en", "America/Los_Angeles"): "Pacific Time",
    ("es", "America/Los_Angeles"): "hora del Pacífico",
}


def day(value: date | datetime, language: str) -> str:
    """``March 16, 2026`` / ``16 de marzo de 2026`` (a datetime: its own local date)."""
    return long_date(value.date() if isinstance(value, datetime) else value, language)


def _zone(value: datetime, language: str) -> str:
    key = getattr(value.tzinfo, "key", None)
    if key is not None and (language, key) in ZONE_NAMES:
        return ZONE_NAMES[(language, key)]
    return value.tzname() or "UTC"


def when(value: datetime, language: str) -> str:
    """A moment on the letter's calendar: ``March 16, 2026 at 5:00 p.m. Pacific Time``."""
    if language == "es":
        return f"{day(value, language)} a las {value:%H:%M}, {_zone(value, language)}"
    hour = value.hour % 12 or 12
    half = "a.m." if value.hour < 12 else "p.m."
    return f"{day(value, language)} at {hour}:{value:%M} {half} {_zone(value, language)}"
