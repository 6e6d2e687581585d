"""Call KPIs over a period, from the half-hour rollups (never the call records themselves)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.kpi.formulas import CallTally
from memberdesk.kpi.ingest import COUNTERS
from memberdesk.kpi.models import CallStats
from memberdesk.sla.packs import zone_of


class By(StrEnum):
    """How a report is broken down."""

    QUEUE = "queue"
    AGENT = "agent"
    DAY = "day"


def period(pack: str, first: date, last: date) -> tuple[datetime, datetime]:
    """[start, end) of the days ``first`` to ``last`` in the pack's time zone."""
    zone = zone_of(pack)
    start = datetime.combine(first, time(0), zone)
    end = datetime.combine(last + timedelta(days=1), time(0), zone)
    return start, end


def _tally(values: Iterable[Any]) -> CallTally:
    return CallTally(*(v or 0 for v in values))


def call_kpis(
    session: Session, pack: str, first: date, last: date, by: By | None = None
) -> tuple[CallTally, list[tuple[str, CallTally]]]:
    """The period's tally and, with ``by``, one per queue, agent or day (in key order)."""
    start, end = period(pack, first, last)
    sums = [func.sum(getattr(CallStats, c)) for c in COUNTERS]
    where = (
        CallStats.pack == pack,
        CallStats.interval_start >= start,
        CallStats.interval_start < end,
    )
    total = _tally(session.execute(select(*sums).where(*where)).one())
    if by is None:
        return total, []
    if by is By.DAY:
        zone = zone_of(pack)
        days: dict[str, CallTally] = {}
        for at, *values in session.execute(
            select(CallStats.interval_start, *sums).where(*where).group_by(CallStats.interval_start)
        ):
            day = at.astimezone(zone).date().isoformat()
            days[day] = days.get(day, CallTally()) + _tally(values)
        return total, sorted((d, t) for d, t in days.items() if t.offered)
    column = CallStats.queue if by is By.QUEUE else CallStats.agent_ref
    rows = session.execute(
        select(column, *sums)
        .where(*where)
        .group_by(column)
        .having(func.sum(CallStats.offered) != 0)  # a late event may have moved every call away
        .order_by(column)
    )
    return total, [(key, _tally(values)) for key, *values in rows]


def interval_volumes(session: Session, pack: str) -> list[tuple[datetime, int]]:
    """Calls offered per half hour (every queue and agent together), oldest first: the history
    a forecast learns from. Half hours without a call are absent."""
    rows = session.execute(
        select(CallStats.interval_start, func.sum(CallStats.offered))
        .where(CallStats.pack == pack)
        .group_by(CallStats.interval_start)
        .order_by(CallStats.interval_start)
    )
    return [(at, int(n or 0)) for at, n in rows]
