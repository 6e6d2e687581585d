"""Live telephony events folded into calls and agent time (pure: no I/O, no database).

A telephony platform reports what happens as it happens, but not always once and not always in
order. Everything here is therefore a function of the *set* of events received: a call's state
is folded from all its events sorted by time, and an agent's time in each state comes from the
consecutive pairs of its state events. A duplicate changes nothing and a late event lands where
its time puts it, so the result never depends on the order of arrival.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from itertools import pairwise

from memberdesk.kpi.formulas import (
    INTERVAL_MINUTES,
    NO_AGENT,
    SHORT_ABANDON_SECONDS,
    CallRecord,
    CallTally,
    add_tallies,
    interval_of,
)


class CallEvent(StrEnum):
    """What happened to a call."""

    OFFERED = "offered"  # reached the centre, for a queue
    QUEUED = "queued"  # placed in (or moved to) a queue
    ANSWERED = "answered"
    HELD = "held"  # the agent put the caller on hold
    RESUMED = "resumed"  # back from hold
    TRANSFERRED = "transferred"
    ABANDONED = "abandoned"  # the caller hung up while waiting
    ENDED = "ended"


class AgentEvent(StrEnum):
    """An agent's change of state."""

    LOGGED_IN = "logged_in"
    READY = "ready"
    NOT_READY = "not_ready"
    BREAK = "break"
    WRAP = "wrap"
    LOGGED_OUT = "logged_out"


# What each kind of event must name, besides its key, kind and time.
NEEDS: dict[CallEvent | AgentEvent, tuple[str, ...]] = {
    **{k: ("call_id",) for k in CallEvent},
    CallEvent.OFFERED: ("call_id", "queue"),
    CallEvent.QUEUED: ("call_id", "queue"),
    CallEvent.ANSWERED: ("call_id", "agent_id"),
    **{k: ("agent_id",) for k in AgentEvent},
}


def kind_of(name: str) -> CallEvent | AgentEvent:
    """The kind named ``name`` (ValueError when there is none)."""
    try:
        return CallEvent(name)
    except ValueError:
        return AgentEvent(name)


# Same-second events of one call are put in the order they must have happened in.
RANK = {kind: i for i, kind in enumerate(CallEvent)}


class CallState(StrEnum):
    """Where a call stands."""

    UNKNOWN = "unknown"  # events arrived before the one that says when it was offered
    WAITING = "waiting"
    TALKING = "talking"
    ON_HOLD = "on_hold"
    ENDED = "ended"  # answered, then ended
    ABANDONED = "abandoned"
    LOST = "lost"  # ended without being answered or abandoned


@dataclass(frozen=True)
class Event:
    """One event as received (``key``: the sender's idempotency key)."""

    key: str
    kind: CallEvent | AgentEvent
    at: datetime
    call_id: str | None = None
    queue: str | None = None
    agent_id: str | None = None
    member_id: str | None = None
    warm: bool = False  # transferred: the agent stayed on the line to introduce the caller
    wrap_seconds: float | None = None  # ended: after-call work reported by the platform
    # The platform's own call behind a queued task (TaskRouter's task carries the CallSid the
    # phone menu kept), for the screen pop only; not stored: the call is ``call_id``.
    ref: str | None = None

    def order(self) -> tuple[datetime, int, str]:
        """Where the event falls among its call's or agent's events."""
        rank = RANK[self.kind] if isinstance(self.kind, CallEvent) else 0
        return (self.at, rank, self.key)


@dataclass(frozen=True)
class LiveCall:
    """A call as its events so far describe it."""

    call_id: str
    state: CallState
    queue: str | None = None
    offered_at: datetime | None = None
    answered_at: datetime | None = None
    abandoned_at: datetime | None = None
    ended_at: datetime | None = None
    agent_id: str | None = None
    member_id: str | None = None
    talk_seconds: float = 0.0
    hold_seconds: float = 0.0
    wrap_seconds: float = 0.0
    transfers: int = 0
    warm_transfers: int = 0

    def record(self) -> CallRecord | None:
        """The call as a call record, once it counts: it was answered, abandoned or lost.
        A call still waiting is not counted yet (it may still be answered in time)."""
        if self.offered_at is None or self.queue is None:
            return None
        if self.state in (CallState.UNKNOWN, CallState.WAITING):
            return None
        return CallRecord(
            call_id=self.call_id,
            queue=self.queue,
            offered_at=self.offered_at,
            answered_at=self.answered_at,
            abandoned_at=self.abandoned_at,
            talk_seconds=self.talk_seconds,
            hold_seconds=self.hold_seconds,
            wrap_seconds=self.wrap_seconds,
            agent_id=self.agent_id,
            member_id=self.member_id,
            transfers=self.transfers,
            warm_transfers=self.warm_transfers,
        )


def fold_call(call_id: str, events: Iterable[Event]) -> LiveCall:
    """The call described by ``events`` (any order, duplicates allowed)."""
    unique = {e.key: e for e in events}
    call = LiveCall(call_id, CallState.UNKNOWN)
    hold_from: datetime | None = None
    hold = 0.0
    ends: list[Event] = []
    for e in sorted(unique.values(), key=Event.order):
        if e.member_id:
            call = replace(call, member_id=e.member_id)
        match e.kind:
            case CallEvent.OFFERED | CallEvent.QUEUED:
                # Offered at the first of them; in the queue it was last placed in.
                moved = e.kind is CallEvent.QUEUED or call.queue is None
                call = replace(
                    call, offered_at=call.offered_at or e.at, queue=e.queue if moved else call.queue
                )
            case CallEvent.ANSWERED if call.answered_at is None:
                call = replace(call, answered_at=e.at, agent_id=e.agent_id)
            case CallEvent.HELD if hold_from is None and not ends:
                hold_from = e.at
            case CallEvent.RESUMED if hold_from is not None and not ends:
                hold += (e.at - hold_from).total_seconds()
                hold_from = None
            case CallEvent.TRANSFERRED:
                call = replace(
                    call,
                    transfers=call.transfers + 1,
                    warm_transfers=call.warm_transfers + e.warm,
                )
            case CallEvent.ABANDONED if call.answered_at is None and call.abandoned_at is None:
                call = replace(call, abandoned_at=e.at)
            case CallEvent.ENDED:
                ends.append(e)
    if ends:
        # The first end closes the call; after-call work is what the platform says it was,
        # or else runs to the last end it reports (TaskRouter: task.wrapup, then completed).
        given = [e.wrap_seconds for e in ends if e.wrap_seconds is not None]
        wrap = max(given) if given else (ends[-1].at - ends[0].at).total_seconds()
        call = replace(call, ended_at=ends[0].at, wrap_seconds=wrap)
    if hold_from is not None and call.ended_at is not None:
        hold += (call.ended_at - hold_from).total_seconds()
        hold_from = None
    talk = 0.0
    if call.answered_at is not None and call.ended_at is not None:
        talk = max(0.0, (call.ended_at - call.answered_at).total_seconds() - hold)
    return replace(call, hold_seconds=hold, talk_seconds=talk, state=_state(call, hold_from))


def _state(call: LiveCall, hold_from: datetime | None) -> CallState:
    if call.offered_at is None:
        return CallState.UNKNOWN
    if call.answered_at is not None:
        if call.ended_at is not None:
            return CallState.ENDED
        return CallState.ON_HOLD if hold_from is not None else CallState.TALKING
    if call.abandoned_at is not None:
        return CallState.ABANDONED
    return CallState.LOST if call.ended_at is not None else CallState.WAITING


Contribution = tuple[tuple[str, str, datetime], CallTally]  # (queue, agent, half hour), tally


def contribution(
    call: LiveCall, threshold: float, short_abandon: float = SHORT_ABANDON_SECONDS
) -> Contribution | None:
    """What the call adds to the half-hour rollups (None while it does not count yet)."""
    record = call.record()
    if record is None:
        return None
    tally = CallTally()
    tally.count(record, threshold, short_abandon)
    return (record.queue, record.agent_id or NO_AGENT, interval_of(record.offered_at)), tally


def correction(
    before: Contribution | None, after: Contribution | None
) -> dict[tuple[str, str, datetime], CallTally]:
    """What to add to the rollups so that they hold ``after`` instead of ``before``."""
    out: dict[tuple[str, str, datetime], CallTally] = {}
    if before is not None:
        out[before[0]] = -before[1]
    if after is not None:
        add_tallies(out, {after[0]: after[1]})
    return {k: t for k, t in out.items() if not t.is_zero()}


# Agent time ------------------------------------------------------------------------------------

HALF_HOUR = timedelta(minutes=INTERVAL_MINUTES)
Seconds = dict[tuple[datetime, str], float]  # (half hour, state) -> seconds


def half_hours(start: datetime, end: datetime) -> Iterator[tuple[datetime, float]]:
    """Split [start, end) by half hour: (the half hour's start, seconds in it)."""
    at = start
    while at < end:
        slot = interval_of(at)
        stop = min(end, slot + HALF_HOUR)
        yield slot, (stop - at).total_seconds()
        at = stop


def segment(state: str, start: datetime, end: datetime, sign: float = 1.0) -> Seconds:
    """The seconds an agent spent in ``state`` from ``start`` to ``end``, by half hour. Time
    logged out is not counted."""
    if state == AgentEvent.LOGGED_OUT:
        return {}
    return {(slot, state): sign * s for slot, s in half_hours(start, end)}


def agent_time(events: Iterable[Event]) -> Seconds:
    """An agent's time in each state by half hour, from consecutive pairs of its events (the
    last state is open and not counted until the next event closes it)."""
    ordered = sorted({e.key: e for e in events}.values(), key=Event.order)
    out: Seconds = {}
    for a, b in pairwise(ordered):
        add_seconds(out, segment(a.kind, a.at, b.at))
    return out


def insertion(new: Event, before: Event | None, after: Event | None) -> Seconds:
    """What changes in an agent's time when ``new`` lands between its neighbours ``before``
    and ``after`` (either may be None): the pair it splits is replaced by two."""
    out: Seconds = {}
    if before is not None and after is not None:
        add_seconds(out, segment(before.kind, before.at, after.at, -1.0))
    if before is not None:
        add_seconds(out, segment(before.kind, before.at, new.at))
    if after is not None:
        add_seconds(out, segment(new.kind, new.at, after.at))
    return {k: v for k, v in out.items() if abs(v) > 1e-9}


def add_seconds(into: Seconds, more: Seconds) -> None:
    """Add ``more`` into ``into``."""
    for k, v in more.items():
        into[k] = into.get(k, 0.0) + v
