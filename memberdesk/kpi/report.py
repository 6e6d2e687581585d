"""Call KPIs over a period, from the half-hour rollups (never the call records themselves)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.compliance.models import Team, User
from memberdesk.kpi.formulas import NO_AGENT, CallTally
from memberdesk.kpi.ingest import COUNTERS
from memberdesk.kpi.live import AgentEvent
from memberdesk.kpi.models import AgentSeconds, CallStats
from memberdesk.sla.packs import zone_of


class By(StrEnum):
    """How a report is broken down."""

    QUEUE = "queue"
    AGENT = "agent"
    TEAM = "team"  # the team of the memberdesk user whose username is the agent's ID
    INTERVAL = "interval"  # half hours
    DAY = "day"
    WEEK = "week"  # weeks starting on Monday
    MONTH = "month"


BY_WORDS = "queue, agent, team, interval, day, week or month"
MAX_DAYS = 400  # a year and a bit: enough for a year-on-year month, not a scan of everything
NO_TEAM = "No team on file"  # agents not matched to a memberdesk user with a team


def _time_key(by: By, at: datetime, zone: Any) -> str:
    """The half hour, day, week (its Monday) or month of ``at`` in the pack's zone."""
    local = at.astimezone(zone)
    if by is By.INTERVAL:
        return local.strftime("%Y-%m-%d %H:%M")
    day = local.date()
    if by is By.WEEK:
        return (day - timedelta(days=day.weekday())).isoformat()
    return day.isoformat()[:7] if by is By.MONTH else day.isoformat()


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
    if by in (By.INTERVAL, By.DAY, By.WEEK, By.MONTH):
        zone = zone_of(pack)
        keyed: dict[str, CallTally] = {}
        for at, *values in session.execute(
            select(CallStats.interval_start, *sums).where(*where).group_by(CallStats.interval_start)
        ):
            key = _time_key(by, at, zone)
            keyed[key] = keyed.get(key, CallTally()) + _tally(values)
        return total, sorted((k, t) for k, t in keyed.items() if t.offered)
    if by is By.TEAM:
        return total, _by_team(session, where, sums)
    column = CallStats.queue if by is By.QUEUE else CallStats.agent_ref
    rows = session.execute(
        select(column, *sums)
        .where(*where)
        .group_by(column)
        .having(func.sum(CallStats.offered) != 0)  # a late event may have moved every call away
        .order_by(column)
    )
    return total, [(key, _tally(values)) for key, *values in rows]


def _by_team(
    session: Session, where: tuple[Any, ...], sums: list[Any]
) -> list[tuple[str, CallTally]]:
    """Agents' figures summed by the team of the user each agent ID names."""
    teams = dict(
        session.execute(select(User.username, Team.name).join(Team, User.team_id == Team.id)).all()
    )
    out: dict[str, CallTally] = {}
    for agent, *values in session.execute(
        select(CallStats.agent_ref, *sums).where(*where).group_by(CallStats.agent_ref)
    ):
        if agent == NO_AGENT:
            continue  # calls nobody answered belong to no team
        team = teams.get(agent, NO_TEAM)
        out[team] = out.get(team, CallTally()) + _tally(values)
    return sorted((k, t) for k, t in out.items() if t.offered)


def available_seconds(session: Session, pack: str, first: date, last: date) -> dict[str, float]:
    """Each agent's time signed in and not on a break over the days (occupancy's denominator),
    for the agents who took this line's calls in them."""
    start, end = period(pack, first, last)
    agents = select(CallStats.agent_ref).where(
        CallStats.pack == pack,
        CallStats.interval_start >= start,
        CallStats.interval_start < end,
        CallStats.agent_ref != NO_AGENT,
    )
    rows = session.execute(
        select(AgentSeconds.agent_ref, func.sum(AgentSeconds.seconds))
        .where(AgentSeconds.interval_start >= start, AgentSeconds.interval_start < end)
        .where(AgentSeconds.state != AgentEvent.BREAK.value, AgentSeconds.agent_ref.in_(agents))
        .group_by(AgentSeconds.agent_ref)
    )
    return {agent: float(s or 0) for agent, s in rows}


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
