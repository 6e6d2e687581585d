"""Demo call history: thirteen months of calls to the demo plan's phone queues, so that the
call figures have something real-looking to show.

Each half hour the centre is open (the California calendar: weekdays, holidays closed) gets a
Poisson number of calls around a volume with the open-enrollment surge (October to January) and
a Monday and mid-morning peak; it is staffed by Erlang C for 80% in 20 s, one agent short in
about one half hour in six (breaks, sickness); calls wait first come, first served for the next
free agent and hang up when their patience runs out. Deterministic for a seed.

Assumptions, not seed figures: 0.25 calls per member per month, a patience of 3 minutes on
average, handle times spread around 7 minutes (the seeds give 6-9), 15% of calls for billing
and 15% in Spanish.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from memberdesk.calendars.loader import get_calendar
from memberdesk.compliance.audit import AuditContext
from memberdesk.kpi.formulas import CallRecord
from memberdesk.members.dates import add_months
from memberdesk.wfm.erlang_c import staff_one

CALLS_PER_MEMBER_MONTH = 0.25  # assumption
AHT_SECONDS = 420.0  # the seeds: 6-9 minutes
PATIENCE_SECONDS = 180.0  # assumption
SLOT = 1800  # seconds in a half hour
SURGE = {10: 1.35, 11: 1.5, 12: 1.4, 1: 1.3}  # the seeds: +30-50% October to January
QUEUES = (("general", 0.70), ("billing", 0.15), ("spanish", 0.15))
AGENTS = tuple(f"agent-{i:02d}" for i in range(1, 19))
SHORT_STAFFED = 1 / 6
BUSINESS_DAYS_PER_MONTH = 21


def poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method: means here are a few dozen at most.
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _shape(minute: int) -> float:
    """Relative volume by time of day: a mid-morning peak and a smaller one after lunch."""
    hour = minute / 60
    return 0.6 + 0.7 * math.exp(-((hour - 10.5) ** 2) / 2) + 0.4 * math.exp(-((hour - 14) ** 2))


def _queue(rng: random.Random) -> str:
    x = rng.random()
    for name, share in QUEUES:
        if x < share:
            return name
        x -= share
    return QUEUES[0][0]


Shift = tuple[datetime, str, str]  # a half hour, an agent, the state the agent was in


def demo_calls(
    *,
    members: int,
    last_day: date,
    months: int = 13,
    seed: int = 1,
    shifts: list[Shift] | None = None,
) -> Iterator[CallRecord]:
    """Calls from the first day of the month ``months`` before ``last_day`` to ``last_day``.
    With ``shifts``, each half hour's agents are noted there too: ready for the whole half
    hour when staffed, on a break when theirs is the seat short."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    cal = get_calendar("california-state")
    day = add_months(last_day.replace(day=1), -months)
    per_day = members * CALLS_PER_MEMBER_MONTH / BUSINESS_DAYS_PER_MONTH
    n = 0
    while day <= last_day:
        slots = [m for w in cal.windows_on(day) for m in range(w.start, w.end, SLOT // 60)]
        if slots:
            weight = sum(_shape(m) for m in slots)
            month_factor = SURGE.get(day.month, 1.0) * (1.2 if day.weekday() == 0 else 1.0)
            free: list[tuple[float, int]] = []  # (when the agent is free, agent index)
            for minute in slots:
                start = datetime.combine(day, time(0), cal.tz) + timedelta(minutes=minute)
                t0 = start.timestamp()
                mean = per_day * month_factor * _shape(minute) / weight
                staffed = staff_one(mean, AHT_SECONDS, interval=SLOT, target=0.8, within=20)
                agents = max(1, min(len(AGENTS), int(staffed["agents"])))
                short = rng.random() < SHORT_STAFFED and agents > 1
                if short:
                    agents -= 1
                free = _staff(free, agents, t0)
                if shifts is not None:
                    shifts.extend((start, AGENTS[i], "ready") for _, i in free)
                    if short:
                        away = next(i for i in range(len(AGENTS)) if i not in {j for _, j in free})
                        shifts.append((start, AGENTS[away], "break"))
                arrivals = sorted(t0 + rng.random() * SLOT for _ in range(poisson(rng, mean)))
                for t in arrivals:
                    n += 1
                    yield _call(rng, f"demo-{day:%Y%m%d}-{n:06d}", t, free, cal.tz)
        day += timedelta(days=1)


def _staff(free: list[tuple[float, int]], agents: int, t0: float) -> list[tuple[float, int]]:
    """The agents on shift this half hour: those still on a call stay until it ends."""
    kept = sorted(free)[:agents]
    on = {i for _, i in kept}
    for i in range(len(AGENTS)):
        if len(kept) >= agents:
            break
        if i not in on:
            kept.append((t0, i))
    heapq.heapify(kept)
    return kept


def _call(
    rng: random.Random, call_id: str, t: float, free: list[tuple[float, int]], tz: object
) -> CallRecord:
    def at(seconds: float) -> datetime:
        return datetime.fromtimestamp(round(seconds), tz)  # type: ignore[arg-type]

    queue = _queue(rng)
    ready, agent = heapq.heappop(free)
    wait = max(0.0, ready - t)
    patience = rng.expovariate(1 / PATIENCE_SECONDS)
    if wait > patience:
        heapq.heappush(free, (ready, agent))
        return CallRecord(call_id, queue, at(t), abandoned_at=at(t + patience))
    handle = rng.lognormvariate(math.log(AHT_SECONDS) - 0.08, 0.4)
    hold = handle * 0.1 if rng.random() < 0.3 else 0.0
    wrap = min(90.0, handle * 0.12)
    heapq.heappush(free, (t + wait + handle, agent))
    return CallRecord(
        call_id,
        queue,
        at(t),
        answered_at=at(t + wait),
        talk_seconds=round(handle - hold - wrap),
        hold_seconds=round(hold),
        wrap_seconds=round(wrap),
        agent_id=AGENTS[agent],
    )


def seed_demo_calls(session: Session, ctx: AuditContext, *, members: int, last_day: date) -> int:
    """Import the demo history unless calls are stored already; the number imported (the
    caller commits)."""
    from sqlalchemy import func, insert, select

    from memberdesk.kpi.ingest import import_calls
    from memberdesk.kpi.models import AgentSeconds, CallRow
    from memberdesk.kpi.targets import goals_of, threshold_of

    if session.scalar(select(func.count()).select_from(CallRow)):
        return 0
    shifts: list[Shift] = []
    calls = demo_calls(members=members, last_day=last_day, shifts=shifts)
    result = import_calls(
        session,
        ctx,
        ((i, c) for i, c in enumerate(calls, start=2)),
        pack="calchoice",
        threshold=threshold_of(goals_of("calchoice")),
        short_abandon=5.0,
    )
    if result.error_count:  # the generator broke the import's own rules: a bug, say so
        raise RuntimeError(f"demo calls refused: {result.errors[0]}")
    rows = [
        {"agent_ref": agent, "interval_start": at, "state": state, "seconds": float(SLOT)}
        for at, agent, state in shifts
    ]
    for i in range(0, len(rows), 5000):
        session.execute(insert(AgentSeconds), rows[i : i + 5000])
    return result.calls
