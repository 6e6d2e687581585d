"""The single source of "now", so tests can move time with time_machine."""

from __future__ import annotations

from datetime import UTC, date, datetime


def now() -> datetime:
    """Current time as an aware UTC datetime."""
    return datetime.now(UTC)


def today_utc() -> date:
    """Today's date in UTC."""
    return now().date()
