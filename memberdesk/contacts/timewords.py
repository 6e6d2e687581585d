"""Deadlines and moments in plain words for the desktop's pages (pure): "Today, 5:00 pm Pacific
time", "Overdue by 2 hours"."""

from __future__ import annotations

from datetime import datetime, tzinfo

from memberdesk.language import dated
from memberdesk.language import gettext as _
from memberdesk.members.words import clock, count, day, zone_name


def local_time(at: datetime, tz: tzinfo, ref: datetime) -> str:
    """``today, 5:00 pm Pacific time`` / ``Mon 30 Nov 2026, 5:00 pm Pacific time`` (read
    inside a sentence: "Due today, 5:00 pm Pacific time")."""
    local = at.astimezone(tz)
    today = ref.astimezone(tz).date()
    when = (
        _("today")
        if local.date() == today
        else dated(local.date(), f"{local:%a} {day(local.date())}", "EEE d MMM y")
    )
    return f"{when}, {clock(local)} {zone_name(local)}".strip()


def _span(seconds: float) -> str:
    """A gap as a person says it: 45 minutes, 2 hours 10 min, 1 day 17 hours."""
    minutes = max(int(seconds // 60), 1)
    if minutes < 60:
        return count(minutes, "minute")
    hours, rest = divmod(minutes, 60)
    if hours >= 24:
        days, hours = divmod(hours, 24)
        return count(days, "day") + (f" {count(hours, 'hour')}" if hours else "")
    return count(hours, "hour") + (f" {rest} min" if rest and hours < 10 else "")


def due_words(due: datetime, at: datetime) -> tuple[str, bool]:
    """``Overdue by 2 hours`` or ``Due in 45 minutes``, and whether it is overdue."""
    gap = (due - at).total_seconds()
    if gap < 0:
        return f"Overdue by {_span(-gap)}", True
    return f"Due in {_span(gap)}", False
