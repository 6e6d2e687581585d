"""Month arithmetic for coverage dates (pure)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta


def first_of_month(d: date) -> date:
    """The first day of ``d``'s month."""
    return d.replace(day=1)


def add_months(d: date, months: int) -> date:
    """``d`` moved by whole months, the day clamped to the target month's length."""
    total = d.year * 12 + d.month - 1 + months
    year, month = divmod(total, 12)
    return date(year, month + 1, min(d.day, calendar.monthrange(year, month + 1)[1]))


def first_of_next_month(d: date) -> date:
    """The first day of the month after ``d``'s."""
    return add_months(first_of_month(d), 1)


def month_end(d: date) -> date:
    """The last day of ``d``'s month."""
    return first_of_next_month(d) - timedelta(days=1)
