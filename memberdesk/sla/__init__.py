"""SLA and regulatory clocks, policy packs."""

from memberdesk.sla.clocks import Clock
from memberdesk.sla.engine import (
    ClockKind,
    Deadline,
    DeadlineError,
    compute_due,
    compute_due_batch,
    to_datetimes,
)
from memberdesk.sla.events import (
    ChangeMode,
    ClockError,
    ClockEvent,
    ClockStatus,
    EventKind,
    Extension,
    Pause,
)
from memberdesk.sla.packs import (
    ExtensionRule,
    Pack,
    PackError,
    Target,
    UnknownPackError,
    UnknownTargetError,
    get_pack,
    get_target,
    pack_names,
)

__all__ = [
    "ChangeMode",
    "Clock",
    "ClockError",
    "ClockEvent",
    "ClockKind",
    "ClockStatus",
    "Deadline",
    "DeadlineError",
    "EventKind",
    "Extension",
    "ExtensionRule",
    "Pack",
    "PackError",
    "Pause",
    "Target",
    "UnknownPackError",
    "UnknownTargetError",
    "compute_due",
    "compute_due_batch",
    "get_pack",
    "get_target",
    "pack_names",
    "to_datetimes",
]
