"""A live demo day: while ``memberdesk demo`` serves, a simulated telephony platform sends call
and agent events through the same feed as a real one, so the wallboard moves.

Calls arrive at the demo plan's rate for the time of day (at least a busy morning's, so there is
always something to see), wait first come first served for a ready agent, hang up when their
patience runs out, are sometimes put on hold, and end after a handle time around 7 minutes;
agents go to wrap-up after each call, and now and then on a break. Not a model of anything
beyond the demo.
"""

from __future__ import annotations

import logging
import math
import random
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from memberdesk.compliance.audit import SYSTEM
from memberdesk.kpi.demo import AGENTS, AHT_SECONDS, PATIENCE_SECONDS, QUEUES, poisson
from memberdesk.kpi.live import AgentEvent, CallEvent, Event

log = logging.getLogger(__name__)
TICK_SECONDS = 2.0
CALLS_PER_HOUR = 60.0  # a busy morning for nine agents: always something to watch
WRAP_SECONDS = 45.0
BREAK_CHANCE = 0.0004  # per agent per idle 2-s tick: a break every hour and a half or so
BREAK_SECONDS = 600.0
ON_SHIFT = 9  # agents signed in


@dataclass
class _Call:
    id: str
    queue: str
    offered: datetime
    gives_up: datetime
    agent: str | None = None
    hold_at: datetime | None = None
    resume_at: datetime | None = None
    ends: datetime | None = None


@dataclass
class _Agent:
    name: str
    state: str = "ready"
    until: datetime | None = None  # when wrap-up or a break ends


@dataclass
class Floor:
    """The simulated centre: advance it to a time and it returns what happened meanwhile."""

    seed: int = 1
    rng: random.Random = field(init=False)
    waiting: deque[_Call] = field(default_factory=deque)
    talking: list[_Call] = field(default_factory=list)
    agents: list[_Agent] = field(default_factory=list)
    clock: datetime | None = None
    n: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)  # noqa: S311 - demo data, not secrets

    def _key(self) -> str:
        self.n += 1
        return f"demo-live-{self.seed}-{self.n}"

    def advance(self, to: datetime) -> list[Event]:
        """Everything that happened up to ``to``."""
        out: list[Event] = []
        if self.clock is None:
            self.clock = to
            for name in AGENTS[:ON_SHIFT]:
                self.agents.append(_Agent(name))
                out.append(Event(self._key(), AgentEvent.LOGGED_IN, to, agent_id=name))
                out.append(Event(self._key(), AgentEvent.READY, to, agent_id=name))
            return out
        seconds = (to - self.clock).total_seconds()
        arrivals = poisson(self.rng, CALLS_PER_HOUR * seconds / 3600)
        spread = (
            self.clock + timedelta(seconds=self.rng.random() * seconds) for _ in range(arrivals)
        )
        for at in sorted(spread):
            out += self._arrive(at)
        out += self._progress(to)
        self.clock = to
        return out

    def _arrive(self, at: datetime) -> list[Event]:
        queue = self.rng.choices([q for q, _ in QUEUES], [w for _, w in QUEUES])[0]
        patience = self.rng.expovariate(1 / PATIENCE_SECONDS)
        call = _Call(self._key() + "-call", queue, at, at + timedelta(seconds=patience))
        self.waiting.append(call)
        return [Event(self._key(), CallEvent.OFFERED, at, call_id=call.id, queue=queue)]

    def _progress(self, to: datetime) -> list[Event]:
        out: list[Event] = []
        for call in list(self.talking):
            if call.hold_at and call.hold_at <= to:
                out.append(Event(self._key(), CallEvent.HELD, call.hold_at, call_id=call.id))
                call.hold_at = None
            if call.resume_at and call.resume_at <= to and call.hold_at is None:
                out.append(Event(self._key(), CallEvent.RESUMED, call.resume_at, call_id=call.id))
                call.resume_at = None
            if call.ends and call.ends <= to:
                out.append(
                    Event(
                        self._key(),
                        CallEvent.ENDED,
                        call.ends,
                        call_id=call.id,
                        wrap_seconds=WRAP_SECONDS,
                    )
                )
                agent = next(a for a in self.agents if a.name == call.agent)
                agent.state, agent.until = "wrap", call.ends + timedelta(seconds=WRAP_SECONDS)
                out.append(Event(self._key(), AgentEvent.WRAP, call.ends, agent_id=agent.name))
                self.talking.remove(call)
        for agent in self.agents:
            if agent.state in ("wrap", "break") and agent.until and agent.until <= to:
                agent.state, agent.until = "ready", None
                out.append(Event(self._key(), AgentEvent.READY, to, agent_id=agent.name))
            elif agent.state == "ready" and not self.waiting and self.rng.random() < BREAK_CHANCE:
                agent.state, agent.until = "break", to + timedelta(seconds=BREAK_SECONDS)
                out.append(Event(self._key(), AgentEvent.BREAK, to, agent_id=agent.name))
        while self.waiting and self.waiting[0].gives_up <= to:
            gone = self.waiting.popleft()
            out.append(Event(self._key(), CallEvent.ABANDONED, gone.gives_up, call_id=gone.id))
        ready = [a for a in self.agents if a.state == "ready"]
        self.rng.shuffle(ready)
        while self.waiting and ready:
            call, agent = self.waiting.popleft(), ready.pop()
            if call.gives_up <= to:
                out.append(Event(self._key(), CallEvent.ABANDONED, call.gives_up, call_id=call.id))
                ready.append(agent)
                continue
            agent.state, call.agent = "on_call", agent.name
            handle = self.rng.lognormvariate(math.log(AHT_SECONDS) - 0.08, 0.4) - WRAP_SECONDS
            call.ends = to + timedelta(seconds=max(60.0, handle))
            if self.rng.random() < 0.3:
                call.hold_at = to + timedelta(seconds=handle / 3)
                call.resume_at = call.hold_at + timedelta(seconds=handle / 10)
            self.talking.append(call)
            out.append(
                Event(self._key(), CallEvent.ANSWERED, to, call_id=call.id, agent_id=agent.name)
            )
        return out


class LiveDemo(threading.Thread):
    """Feeds the simulated floor's events every couple of seconds until the process ends."""

    def __init__(self, sessions: sessionmaker[Session], pack: str = "calchoice") -> None:
        super().__init__(name="memberdesk-live-demo", daemon=True)
        self._sessions = sessions
        self._pack = pack
        self._floor = Floor(seed=int(datetime.now(UTC).timestamp()))
        self.stopping = threading.Event()

    def run(self) -> None:
        from memberdesk.kpi.feed import receive

        while not self.stopping.wait(TICK_SECONDS):
            events = self._floor.advance(datetime.now(UTC))
            if not events:
                continue
            try:
                with self._sessions() as session:
                    receive(session, SYSTEM, self._pack, events)
                    session.commit()
            except Exception as exc:  # a busy database must not end the demo: next tick
                log.warning("live demo: events not sent this time (%s)", type(exc).__name__)
