"""The clock state machine: start, pause/resume, extend, satisfy/stop, warning and breach.

A clock keeps its raw history (start, pause intervals, extensions) and derives the deadline
from it on the clock's own scale, so pause time is counted exactly once and a calendar or
policy change can recompute the deadline from first principles.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from memberdesk.calendars import Calendar, get_calendar
from memberdesk.calendars.timeline import epoch_us, from_epoch_us
from memberdesk.sla.engine import (
    HOUR_US,
    ClockKind,
    check_amount,
    compute_due,
    instant_at,
    open_instant,
    open_position,
    position,
    resolve_kind,
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
from memberdesk.sla.explain import fmt_hours, fmt_local
from memberdesk.sla.packs import DEFAULT_WARNING_SHARE, ExtensionRule, PackError, Target


@dataclass
class Clock:
    """A running SLA or regulatory clock on a calendar (pure; persist with ``to_dict``)."""

    calendar: Calendar
    kind: ClockKind
    amount: int
    started_at: datetime
    warning_share: float = DEFAULT_WARNING_SHARE
    may_pause: bool = False
    extension_rule: ExtensionRule | None = None
    deemed_exhausted_on_breach: bool = False
    policy_version: str | None = None
    target: str | None = None  # "pack/target_id"
    status: ClockStatus = ClockStatus.RUNNING
    pauses: list[Pause] = field(default_factory=list)
    extensions: list[Extension] = field(default_factory=list)
    history: list[ClockEvent] = field(default_factory=list)
    warned: bool = False
    breached: bool = False
    deemed_exhausted: bool = False
    closed_at: datetime | None = None
    pinned: set[str] = field(default_factory=set)
    _due_us: int | None = field(default=None, repr=False)
    _warn_us: int | None = field(default=None, repr=False)
    _last_us: int = field(default=0, repr=False)

    def __post_init__(self) -> None:
        self.kind = resolve_kind(self.kind)
        check_amount(self.amount)
        if not 0 < self.warning_share <= 1:
            raise ClockError("warning_share must be in (0, 1]")
        self._last_us = epoch_us(self.started_at)
        self._recompute()
        if not self.history:
            self._emit(EventKind.STARTED, self._last_us, f"{self.kind} {self.amount}")

    @classmethod
    def for_target(
        cls, target: Target, started_at: datetime, calendar: Calendar | None = None
    ) -> Clock:
        """Start a clock for a pack target on the pack's calendar (or a plan calendar)."""
        if target.clock is None or target.amount is None:
            raise PackError(f"{target.pack}/{target.id} is a KPI target, not a clock")
        on = started_at.astimezone((calendar or get_calendar(target.calendar)).tz).date()
        if on < target.effective_from or (target.effective_to and on > target.effective_to):
            raise ClockError(f"{target.policy_version} is not in effect on {on.isoformat()}")
        return cls(
            calendar=calendar or get_calendar(target.calendar),
            kind=target.clock,
            amount=target.amount,
            started_at=started_at,
            warning_share=target.warning_share,
            may_pause=target.may_pause,
            extension_rule=target.extension,
            deemed_exhausted_on_breach=target.deemed_exhausted_on_breach,
            policy_version=target.policy_version,
            target=f"{target.pack}/{target.id}",
        )

    # -- derived ---------------------------------------------------------------------------
    @property
    def calendar_version(self) -> str:
        """Version of the calendar the deadline is computed on."""
        return self.calendar.version

    @property
    def due(self) -> datetime | None:
        """The deadline (None while paused: a paused clock has no deadline yet)."""
        return None if self._due_us is None else from_epoch_us(self._due_us, self.calendar.tz)

    @property
    def warning_at(self) -> datetime | None:
        """When the warning fires (None while paused)."""
        return None if self._warn_us is None else from_epoch_us(self._warn_us, self.calendar.tz)

    @property
    def is_open(self) -> bool:
        """True while running or paused."""
        return self.status in (ClockStatus.RUNNING, ClockStatus.PAUSED)

    def paused_units(self) -> int:
        """Total paused time on the clock's own scale (µs, open µs, working days or days)."""
        return sum(
            position(self.calendar, self.kind, epoch_us(p.end))
            - position(self.calendar, self.kind, epoch_us(p.start))
            for p in self.pauses
            if p.end is not None
        )

    def _budget(self) -> int:
        units = self.amount + sum(e.amount for e in self.extensions)
        return units * HOUR_US if self.kind.unit == "hours" else units

    def _recompute(self) -> None:
        if self.status is ClockStatus.PAUSED:
            self._due_us = self._warn_us = None
            return
        cal, kind = self.calendar, self.kind
        s_us = epoch_us(self.started_at)
        pos = position(cal, kind, s_us) + self._budget() + self.paused_units()
        self._due_us = due = instant_at(cal, kind, pos, s_us)
        # Warn at a share of the active time: open time for business clocks, real time else.
        measure = self._measure
        # Active segments: start → first pause, each resume → next pause, last resume → ∞.
        bounds = [s_us]
        for p in self.pauses:
            if p.end is not None:
                bounds += [epoch_us(p.start), epoch_us(p.end)]
        marks = [measure(b) for b in bounds]
        used = sum(b - a for a, b in zip(marks[0::2], marks[1::2], strict=False))
        paused = sum(b - a for a, b in zip(marks[1::2], marks[2::2], strict=False))
        total = measure(due) - marks[0] - paused
        remaining = math.ceil(self.warning_share * total) - used
        last = bounds[-1]
        warn = last if remaining <= 0 else self._unmeasure(measure(last) + remaining)
        # Whole seconds read better in notices; rounding up never warns before the share.
        self._warn_us = min(-(-warn // 1_000_000) * 1_000_000, due)

    def _measure(self, t_us: int) -> int:
        if self.kind in (ClockKind.BUSINESS_DAYS, ClockKind.BUSINESS_HOURS):
            return open_position(self.calendar, t_us)
        return t_us

    def _unmeasure(self, m: int) -> int:
        if self.kind in (ClockKind.BUSINESS_DAYS, ClockKind.BUSINESS_HOURS):
            return open_instant(self.calendar, m)
        return m

    # -- transitions -------------------------------------------------------------------------
    def poll(self, now: datetime) -> list[ClockEvent]:
        """Warning and breach events that have become due by ``now`` (each exactly once)."""
        # A sweeper whose ``now`` lags the last change simply finds nothing new.
        return self._catch_up(epoch_us(now))

    def pause(self, at: datetime, reason: str = "") -> list[ClockEvent]:
        """Stop counting (service SLAs only; regulatory clocks never pause)."""
        t = self._check_time(at)
        if not self.may_pause:
            raise ClockError(f"{self._name()} may not pause (regulatory clocks never pause)")
        self._require(ClockStatus.RUNNING, "pause")
        events = self._catch_up(t)
        self.pauses.append(Pause(at, None, reason))
        self.status = ClockStatus.PAUSED
        self._recompute()
        return [*events, self._emit(EventKind.PAUSED, t, reason)]

    def resume(self, at: datetime) -> list[ClockEvent]:
        """Start counting again; the deadline moves by exactly the paused time."""
        t = self._check_time(at)
        self._require(ClockStatus.PAUSED, "resume")
        self.pauses[-1].end = at
        self.status = ClockStatus.RUNNING
        before = self._due_us
        self._recompute()
        p = self.pauses[-1]
        units = position(self.calendar, self.kind, t) - position(
            self.calendar, self.kind, epoch_us(p.start)
        )
        detail = f"paused {self._fmt_units(units)}; due {self._fmt_due(before)}"
        return [self._emit(EventKind.RESUMED, t, detail), *self._catch_up(t)]

    def extend(self, amount: int, reason: str, at: datetime) -> list[ClockEvent]:
        """Extend the deadline as the rule allows (count, amount, recorded reason)."""
        t = self._check_time(at)
        rule = self.extension_rule
        if rule is None:
            raise ClockError(f"{self._name()} allows no extension")
        if len(self.extensions) >= rule.count:
            raise ClockError(f"{self._name()} allows {rule.count} extension(s); already used")
        if not 0 < amount <= rule.amount:
            raise ClockError(f"extension must be 1–{rule.amount} {self.kind.unit}")
        if rule.reason_required and not reason.strip():
            raise ClockError("an extension needs a recorded reason")
        if not self.is_open:
            raise ClockError(f"cannot extend a {self.status} clock")
        events = self._catch_up(t)
        if self.breached:
            raise ClockError("the deadline has passed; an extension must be taken before it")
        self.extensions.append(Extension(amount, reason, at))
        before = self._due_us
        self._recompute()
        detail = f"+{amount} {self.kind.unit} ({reason}); due {self._fmt_due(before)}"
        return [*events, self._emit(EventKind.EXTENDED, t, detail)]

    def satisfy(self, at: datetime) -> list[ClockEvent]:
        """The obligation was met at ``at``; a late one still reports its breach first."""
        t = self._check_time(at)
        if not self.is_open:
            raise ClockError(f"cannot satisfy a {self.status} clock")
        if self.status is ClockStatus.PAUSED:
            self.pauses[-1].end = at
            self.status = ClockStatus.RUNNING
            self._recompute()
        events = self._catch_up(t)
        self.status, self.closed_at = ClockStatus.SATISFIED, at
        met = "met" if self._due_us is not None and t <= self._due_us else "late"
        return [*events, self._emit(EventKind.SATISFIED, t, met)]

    def stop(self, at: datetime, reason: str = "") -> list[ClockEvent]:
        """Close the clock without meeting it (withdrawn, merged, out of scope)."""
        t = self._check_time(at)
        if not self.is_open:
            raise ClockError(f"cannot stop a {self.status} clock")
        events = self._catch_up(t) if self.status is ClockStatus.RUNNING else []
        if self.status is ClockStatus.PAUSED:
            self.pauses[-1].end = at
        self.status, self.closed_at = ClockStatus.STOPPED, at
        return [*events, self._emit(EventKind.STOPPED, t, reason)]

    # -- calendar and policy changes -----------------------------------------------------
    def apply_calendar(
        self, calendar: Calendar, mode: ChangeMode, at: datetime
    ) -> list[ClockEvent]:
        """A new calendar version: recompute the deadline, or pin the old one (recorded)."""
        if calendar.version == self.calendar.version:
            return []
        t = self._check_time(at)
        if ChangeMode(mode) is ChangeMode.PIN:
            self.pinned.add(calendar.version)
            kept = f"{self.calendar.name} {self.calendar.version}"
            detail = f"kept calendar {kept}; {calendar.version} not applied"
            return [self._emit(EventKind.PINNED, t, detail)]
        old, before = self.calendar.version, self._due_us
        self.calendar = calendar
        self._recompute()
        detail = f"calendar {calendar.name} {old} → {calendar.version}; due {self._fmt_due(before)}"
        return [self._emit(EventKind.RECOMPUTED, t, detail), *self._catch_up(t)]

    def apply_target(self, target: Target, mode: ChangeMode, at: datetime) -> list[ClockEvent]:
        """A new policy version: adopt its rule and recompute, or pin the old one (recorded)."""
        if target.policy_version == self.policy_version:
            return []
        if target.clock is None or target.amount is None:
            raise PackError(f"{target.pack}/{target.id} is a KPI target, not a clock")
        t = self._check_time(at)
        if ChangeMode(mode) is ChangeMode.PIN:
            self.pinned.add(target.policy_version)
            detail = f"kept policy {self.policy_version}; {target.policy_version} not applied"
            return [self._emit(EventKind.PINNED, t, detail)]
        events: list[ClockEvent] = []
        if self.status is ClockStatus.PAUSED and not target.may_pause:
            events += self.resume(at)
        old, before = self.policy_version, self._due_us
        self.kind, self.amount = target.clock, target.amount
        self.warning_share, self.may_pause = target.warning_share, target.may_pause
        self.extension_rule = target.extension
        self.deemed_exhausted_on_breach = target.deemed_exhausted_on_breach
        self.policy_version = target.policy_version
        self._recompute()
        detail = f"policy {old} → {target.policy_version}; due {self._fmt_due(before)}"
        return [*events, self._emit(EventKind.RECOMPUTED, t, detail), *self._catch_up(t)]

    def is_stale(
        self, calendar_version: str | None = None, policy_version: str | None = None
    ) -> bool:
        """True when a current version differs from the clock's and was not explicitly pinned."""
        for current, mine in (
            (calendar_version, self.calendar.version),
            (policy_version, self.policy_version),
        ):
            if current is not None and current != mine and current not in self.pinned:
                return True
        return False

    # -- explanation and persistence -------------------------------------------------------
    def explain(self) -> list[str]:
        """The deadline's trail, then every pause, extension and recomputation."""
        trail = compute_due(self.calendar, self.kind, self.amount, self.started_at).trail
        for p in self.pauses:
            end = fmt_local(p.end.astimezone(self.calendar.tz)) if p.end else "(still paused)"
            line = f"paused {fmt_local(p.start.astimezone(self.calendar.tz))} → {end}"
            if p.end:
                units = position(self.calendar, self.kind, epoch_us(p.end)) - position(
                    self.calendar, self.kind, epoch_us(p.start)
                )
                line += f": {self._fmt_units(units)} not counted"
            trail.append(line + (f" ({p.reason})" if p.reason else ""))
        for e in self.extensions:
            when = fmt_local(e.at.astimezone(self.calendar.tz))
            trail.append(f"extended by {e.amount} {self.kind.unit} on {when}: {e.reason}")
        trail += [
            f"{ev.kind}: {ev.detail}"
            for ev in self.history
            if ev.kind in (EventKind.RECOMPUTED, EventKind.PINNED)
        ]
        due = self.due
        trail.append(
            f"current deadline → {due.isoformat()}" if due else "paused: no deadline until resumed"
        )
        if self.deemed_exhausted:
            trail.append(
                "deadline missed: the member is deemed to have exhausted the appeal process"
            )
        return trail

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready snapshot (raw history; the deadline is re-derived on load)."""
        iso = _iso
        return {
            "calendar": self.calendar.name,
            "calendar_version": self.calendar.version,
            "policy_version": self.policy_version,
            "target": self.target,
            "kind": str(self.kind),
            "amount": self.amount,
            "started_at": iso(self.started_at),
            "warning_share": self.warning_share,
            "may_pause": self.may_pause,
            "extension_rule": None
            if not self.extension_rule
            else {
                "count": self.extension_rule.count,
                "amount": self.extension_rule.amount,
                "reason_required": self.extension_rule.reason_required,
            },
            "deemed_exhausted_on_breach": self.deemed_exhausted_on_breach,
            "status": str(self.status),
            "pauses": [[iso(p.start), iso(p.end), p.reason] for p in self.pauses],
            "extensions": [[e.amount, e.reason, iso(e.at)] for e in self.extensions],
            "warned": self.warned,
            "breached": self.breached,
            "deemed_exhausted": self.deemed_exhausted,
            "closed_at": iso(self.closed_at),
            "pinned": sorted(self.pinned),
            "due": iso(self.due),
            "warning_at": iso(self.warning_at),
        }

    # -- internals ---------------------------------------------------------------------------
    def _catch_up(self, t: int) -> list[ClockEvent]:
        if self.status is not ClockStatus.RUNNING or self._due_us is None:
            return []
        events = []
        if not self.warned and self._warn_us is not None and t >= self._warn_us:
            self.warned = True
            events.append(
                self._emit(
                    EventKind.WARNING, self._warn_us, f"{self.warning_share:.0%} of the time used"
                )
            )
        # The deadline instant itself is still on time; the breach is anything after it.
        if not self.breached and t > self._due_us:
            self.breached = True
            events.append(self._emit(EventKind.BREACHED, self._due_us, "deadline passed"))
            if self.deemed_exhausted_on_breach:
                self.deemed_exhausted = True
                events.append(
                    self._emit(
                        EventKind.DEEMED_EXHAUSTED,
                        self._due_us,
                        _EXHAUSTED,
                    )
                )
        return events

    def _emit(self, kind: EventKind, t_us: int, detail: str) -> ClockEvent:
        event = ClockEvent(kind, from_epoch_us(t_us, self.calendar.tz), detail, self.due)
        self.history.append(event)
        self._last_us = max(self._last_us, t_us)
        return event

    def _check_time(self, at: datetime) -> int:
        t = epoch_us(at)
        if t < self._last_us:
            raise ClockError(
                f"{at.isoformat()} is before the clock's last change; time cannot go back"
            )
        return t

    def _require(self, status: ClockStatus, action: str) -> None:
        if self.status is not status:
            raise ClockError(f"cannot {action} a {self.status} clock")

    def _name(self) -> str:
        return self.target or f"this {self.kind} clock"

    def _fmt_due(self, before: int | None) -> str:
        old = "(paused)" if before is None else from_epoch_us(before, self.calendar.tz).isoformat()
        new = self.due.isoformat() if self.due else "(paused)"
        return f"{old} → {new}"

    def _fmt_units(self, units: int) -> str:
        if self.kind is ClockKind.CLOCK_HOURS:
            return f"{fmt_hours(units)} elapsed"
        if self.kind is ClockKind.BUSINESS_HOURS:
            return f"{fmt_hours(units)} open"
        noun = "working day" if self.kind is ClockKind.BUSINESS_DAYS else "day"
        return f"{units} {noun}{'s' * (units != 1)}"


_EXHAUSTED = "member deemed to have exhausted the plan's appeal process (42 CFR 438.408(c)(3))"


def _iso(d: datetime | None) -> str | None:
    return d.isoformat() if d else None
