"""SLA and regulatory clocks, policy packs."""

from typing import TYPE_CHECKING, Any

from memberdesk.sla.clocks import Clock
from memberdesk.sla.engine import ClockKind, Deadline, DeadlineError, compute_due
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

if TYPE_CHECKING:
    from memberdesk.sla.batch import compute_due_batch, to_datetimes

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


def __getattr__(name: str) -> Any:
    # The batch API needs NumPy; import it on first use so `memberdesk --help` stays fast.
    if name in ("compute_due_batch", "to_datetimes"):
        from memberdesk.sla import batch

        return getattr(batch, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
