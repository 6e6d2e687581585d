"""Clock statuses, events and history records (shared by the clock and its callers)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class ClockStatus(StrEnum):
    """Where a clock is in its life."""

    RUNNING = "running"
    PAUSED = "paused"
    SATISFIED = "satisfied"
    STOPPED = "stopped"


class EventKind(StrEnum):
    """Things a clock reports, each at most once where it matters (warning, breach)."""

    STARTED = "started"
    PAUSED = "paused"
    RESUMED = "resumed"
    EXTENDED = "extended"
    WARNING = "warning"
    BREACHED = "breached"
    DEEMED_EXHAUSTED = "deemed_exhausted"
    SATISFIED = "satisfied"
    STOPPED = "stopped"
    RECOMPUTED = "recomputed"
    PINNED = "pinned"


class ChangeMode(StrEnum):
    """What an open clock does when its calendar or policy changes."""

    RECOMPUTE = "recompute"
    PIN = "pin"  # keep the version the clock started on


class ClockError(ValueError):
    """An operation the clock's rule does not allow (the message says which rule)."""


@dataclass(frozen=True, slots=True)
class ClockEvent:
    """One event; ``at`` is when it took effect (for warning/breach: the threshold)."""

    kind: EventKind
    at: datetime
    detail: str = ""
    due: datetime | None = None


@dataclass(slots=True)
class Pause:
    """An interval in which the clock did not count."""

    start: datetime
    end: datetime | None
    reason: str


@dataclass(frozen=True, slots=True)
class Extension:
    """An extension granted under the rule, with its recorded reason."""

    amount: int
    reason: str
    at: datetime
