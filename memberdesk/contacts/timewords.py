"""Deadlines and moments in plain words for the desktop's pages (pure): "Today, 5:00 pm Pacific
time", "Overdue by 2 hours"."""

from __future__ import annotations

from datetime import datetime, tzinfo

from memberdesk.members.words import day

ZONE_NAMES = {"America/Los_Angeles": "Pacific time", "America/New_York": "Eastern time"}


def local_time(at: datetime, tz: tzinfo, ref: datetime) -> str:
    """``Today, 5:00 pm Pacific time`` / ``Mon 30 Nov 2026, 5:00 pm Pacific time``."""
    local = at.astimezone(tz)
    hour = local.hour % 12 or 12
    clock = f"{hour}:{local.minute:02d} {'am' if local.hour < 12 else 'pm'}"
    zone = ZONE_NAMES.get(str(getattr(tz, "key", "")), local.tzname() or "")
    today = ref.astimezone(tz).date()
    when = "Today" if local.date() == today else f"{local:%a} {day(local.date())}"
    return f"{when}, {clock} {zone}".strip()


def _span(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{max(minutes, 1)} minute{'s' if max(minutes, 1) != 1 else ''}"
    hours, rest = divmod(minutes, 60)
    text = f"{hours} hour{'s' if hours != 1 else ''}"
    return text + (f" {rest} min" if rest and hours < 10 else "")


def due_words(due: datetime, at: datetime) -> tuple[str, bool]:
    """``Overdue by 2 hours`` or ``Due in 45 minutes``, and whether it is overdue."""
    gap = (due - at).total_seconds()
    if gap < 0:
        return f"Overdue by {_span(-gap)}", True
    return f"Due in {_span(gap)}", False
