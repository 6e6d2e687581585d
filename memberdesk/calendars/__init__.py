"""Business calendars: time zone, opening windows, closures (pure; no I/O)."""

from memberdesk.calendars.loader import (
    UnknownCalendarError,
    calendar_from_dict,
    calendar_names,
    get_calendar,
    layer_calendar,
    load_calendar_file,
    register_calendar,
)
from memberdesk.calendars.model import (
    Calendar,
    CalendarError,
    Closure,
    ClosureKind,
    HolidayRule,
    Observance,
    Opening,
    Window,
)

__all__ = [
    "Calendar",
    "CalendarError",
    "Closure",
    "ClosureKind",
    "HolidayRule",
    "Observance",
    "Opening",
    "UnknownCalendarError",
    "Window",
    "calendar_from_dict",
    "calendar_names",
    "get_calendar",
    "layer_calendar",
    "load_calendar_file",
    "register_calendar",
]
