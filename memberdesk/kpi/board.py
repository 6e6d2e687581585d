"""What the wallboard shows, read from the live tables and today's rollups (never the events).

Every query here is bounded by what is live now or by today's half hours, so a snapshot costs a
few index reads however long the history is; the bests, which look back 90 days, are computed
once every few minutes per process.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.contacts.enums import CallbackState
from memberdesk.contacts.models import Callback
from memberdesk.kpi.formulas import NO_AGENT, CallTally
from memberdesk.kpi.ingest import COUNTERS
from memberdesk.kpi.live import AgentEvent, CallState
from memberdesk.kpi.models import AgentStatus, CallStats, LiveCallRow
from memberdesk.kpi.report import period
from memberdesk.kpi.targets import goals_of, judged
from memberdesk.sla.packs import zone_of

# A call the platform never closed, or an agent who never logged out, is not shown for ever.
STALE = timedelta(hours=16)
ON_THE_LINE = (CallState.TALKING.value, CallState.ON_HOLD.value)
AGENT_STATES = ("ready", "on_call", "wrap", "break", "not_ready")  # in the board's order
BESTS_DAYS = 90
BESTS_CACHE_SECONDS = 300.0
MAX_NAMED = 5  # agents named in each kind of cheer


@dataclass
class QueueNow:
    """One queue on the board: its callers now, and its figures so far today."""

    queue: str
    waiting: int = 0
    longest_wait_seconds: float | None = None
    on_hold: int = 0
    talking: int = 0
    today: CallTally = field(default_factory=CallTally)


@dataclass
class Board:
    """The wallboard's content at ``at``."""

    pack: str
    at: datetime
    queues: list[QueueNow]
    today: dict[str, Any]  # judged figures of every queue together
    agents: dict[str, int]
    callbacks_due: int
    cheers: list[str]

    @property
    def waiting(self) -> int:
        """Callers waiting in every queue."""
        return sum(q.waiting for q in self.queues)

    @property
    def on_hold(self) -> int:
        """Callers an agent has put on hold."""
        return sum(q.on_hold for q in self.queues)

    @property
    def busy(self) -> list[QueueNow]:
        """Queues with callers waiting or on hold, the longest wait first: with fifty queues on
        the wall, the ones that need someone now lead."""
        found = [q for q in self.queues if q.waiting or q.on_hold]
        return sorted(found, key=lambda q: (-(q.longest_wait_seconds or 0), -q.on_hold, q.queue))

    @property
    def quiet(self) -> list[QueueNow]:
        """Queues nobody is waiting in, by name (shown compactly)."""
        return [q for q in self.queues if not (q.waiting or q.on_hold)]

    @property
    def longest_wait_seconds(self) -> float | None:
        """The longest current wait of any queue."""
        waits = [q.longest_wait_seconds for q in self.queues if q.longest_wait_seconds is not None]
        return max(waits) if waits else None


def snapshot(session: Session, pack: str, at: datetime, cache: BestsCache | None = None) -> Board:
    """The board of ``pack`` at ``at`` (its day in the pack's time zone)."""
    today = at.astimezone(zone_of(pack)).date()
    start, end = period(pack, today, today)
    queues: dict[str, QueueNow] = {}

    def queue(name: str) -> QueueNow:
        return queues.setdefault(name, QueueNow(name))

    live = session.execute(
        select(LiveCallRow.queue, LiveCallRow.state, func.count(), func.min(LiveCallRow.offered_at))
        .where(
            LiveCallRow.pack == pack,
            LiveCallRow.state.in_((CallState.WAITING.value, *ON_THE_LINE)),
            LiveCallRow.offered_at >= at - STALE,
        )
        .group_by(LiveCallRow.queue, LiveCallRow.state)
    )
    for name, state, count, oldest in live:
        q = queue(name or "")
        if state == CallState.WAITING and oldest is not None:
            q.waiting = count
            q.longest_wait_seconds = max(0.0, (at - oldest).total_seconds())
        elif state == CallState.ON_HOLD:
            q.on_hold = count
        else:
            q.talking = count
    sums = [func.sum(getattr(CallStats, c)) for c in COUNTERS]
    total = CallTally()
    for name, *values in session.execute(
        select(CallStats.queue, *sums)
        .where(CallStats.pack == pack, CallStats.interval_start >= start)
        .where(CallStats.interval_start < end)
        .group_by(CallStats.queue)
    ):
        tally = CallTally(*(v or 0 for v in values))
        if tally.offered:
            queue(name).today = tally
            total = total + tally
    before = cache.get(session, pack, today) if cache else bests(session, pack, today)
    return Board(
        pack=pack,
        at=at,
        queues=sorted(queues.values(), key=lambda q: q.queue),
        today=judged(total, goals_of(pack)),
        agents=agent_counts(session, at),
        callbacks_due=callbacks_due(session, pack, end),
        cheers=cheers(session, pack, today, total, before),
    )


def agent_counts(session: Session, at: datetime) -> dict[str, int]:
    """Agents signed in, by what they are doing: an agent on a call counts as on a call
    whatever state they last set."""
    on_call = set(
        session.scalars(
            select(LiveCallRow.agent_ref)
            .where(LiveCallRow.state.in_(ON_THE_LINE), LiveCallRow.offered_at >= at - STALE)
            .distinct()
        )
    )
    counts = dict.fromkeys(AGENT_STATES, 0)
    for agent, state in session.execute(
        select(AgentStatus.agent_ref, AgentStatus.state).where(
            AgentStatus.state != AgentEvent.LOGGED_OUT.value, AgentStatus.since >= at - STALE
        )
    ):
        if agent in on_call:
            counts["on_call"] += 1
        elif state in (AgentEvent.READY, AgentEvent.LOGGED_IN):
            counts["ready"] += 1
        elif state in counts:
            counts[state] += 1
    return counts


def callbacks_due(session: Session, pack: str, end_of_day: datetime) -> int:
    """Voicemail callbacks still open and due before the end of today."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Callback)
            .where(
                Callback.pack == pack,
                Callback.state == CallbackState.OPEN,
                Callback.due_at < end_of_day,
            )
        )
        or 0
    )


# The strip of bests ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Best:
    """An agent's best day before today."""

    answered: int
    day: date


def bests(session: Session, pack: str, today: date) -> dict[str, Best]:
    """Each agent's best day of answered calls in the 90 days before ``today``."""
    start, _ = period(pack, today - timedelta(days=BESTS_DAYS), today)
    end, _ = period(pack, today, today)
    zone = zone_of(pack)
    days: dict[tuple[str, date], int] = {}
    for agent, slot, answered in session.execute(
        select(CallStats.agent_ref, CallStats.interval_start, func.sum(CallStats.answered))
        .where(CallStats.pack == pack, CallStats.interval_start >= start)
        .where(CallStats.interval_start < end, CallStats.agent_ref != NO_AGENT)
        .group_by(CallStats.agent_ref, CallStats.interval_start)
    ):
        k = (agent, slot.astimezone(zone).date())
        days[k] = days.get(k, 0) + int(answered or 0)
    found: dict[str, Best] = {}
    for (agent, day), n in days.items():
        best = found.get(agent)
        if best is None or n > best.answered or (n == best.answered and day > best.day):
            found[agent] = Best(n, day)
    return found


class BestsCache:
    """Bests kept a few minutes (they read three months of half hours; a board that updates
    twice a second need not read them each time)."""

    def __init__(self, seconds: float = BESTS_CACHE_SECONDS) -> None:
        self._seconds = seconds
        self._kept: dict[tuple[str, date], tuple[float, dict[str, Best]]] = {}
        self._lock = threading.Lock()

    def get(self, session: Session, pack: str, today: date) -> dict[str, Best]:
        """The bests of ``pack`` before ``today``, from the cache when fresh."""
        key = (pack, today)
        with self._lock:
            kept = self._kept.get(key)
        if kept is not None and time.monotonic() - kept[0] < self._seconds:
            return kept[1]
        found = bests(session, pack, today)
        with self._lock:
            self._kept = {k: v for k, v in self._kept.items() if k[1] == today}
            self._kept[key] = (time.monotonic(), found)
        return found


def cheers(
    session: Session,
    pack: str,
    today: date,
    total: CallTally,
    before: dict[str, Best],
) -> list[str]:
    """Lines worth celebrating: personal bests beaten today, today's busiest agents, targets
    met so far today, and each agent's best day lately."""
    start, end = period(pack, today, today)
    goals = goals_of(pack)
    answered_today = dict(
        session.execute(
            select(CallStats.agent_ref, func.sum(CallStats.answered))
            .where(CallStats.pack == pack, CallStats.interval_start >= start)
            .where(CallStats.interval_start < end, CallStats.agent_ref != NO_AGENT)
            .group_by(CallStats.agent_ref)
        ).all()
    )
    out: list[str] = []
    beaten = [
        (agent, int(n), before[agent])
        for agent, n in sorted(answered_today.items(), key=lambda kv: (-kv[1], kv[0]))
        if n and agent in before and n > before[agent].answered
    ]
    # Named one by one up to a few, so the strip stays readable with hundreds of agents.
    for agent, n, best in beaten[:MAX_NAMED]:
        out.append(
            f"New personal best: {agent} has answered {n} calls today "
            f"(best before: {best.answered} on {best.day:%-d %B})."
        )
    if len(beaten) > MAX_NAMED:
        more = len(beaten) - MAX_NAMED
        out.append(f"And {more} more {'agent' if more == 1 else 'agents'} beat their best today.")
    leaders = [(a, int(n)) for a, n in answered_today.items() if n]
    leaders.sort(key=lambda kv: (-kv[1], kv[0]))
    if leaders:
        top = ", ".join(f"{a} ({n})" for a, n in leaders[:3])
        out.append(f"Most calls answered today: {top}.")
    level, goal = total.service_level, goals.get("service_level")
    if level is not None and goal is not None and goal.status(level) == "ok":
        out.append(f"Service level today: {level:.0%}, on target.")
    gone, goal = total.abandon_rate, goals.get("abandon_rate")
    if gone is not None and goal is not None and goal.status(gone) == "ok":
        out.append(f"Hang-ups while waiting today: {gone:.1%}, on target.")
    for agent, best in sorted(before.items(), key=lambda kv: (-kv[1].answered, kv[0]))[:MAX_NAMED]:
        out.append(f"Best day lately: {agent}, {best.answered} calls on {best.day:%-d %B}.")
    return out
