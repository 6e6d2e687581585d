"""QA figures: agent and team averages against the 90% goal, and the semi-annual audit
(per agent and half-year: evaluations, average, scores under 80%, corrective training on time
or overdue). Calibration scores never count: they grade the evaluators, not the agent.

The database does the counting (one GROUP BY per figure, joined on the evaluations' own
conditions rather than a list of ids), so a year of a large floor's evaluations reads in one
pass; ``bench/bench_qa.py`` measures it beside a bare average."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from memberdesk.compliance.auth import Principal
from memberdesk.compliance.models import Team, User
from memberdesk.quality import scoring, service
from memberdesk.quality.enums import CorrectiveState, EvaluationKind
from memberdesk.quality.models import CorrectiveAssignment, Evaluation
from memberdesk.quality.schemas import AgentResult, AuditOut, AuditRow, ResultsOut, TeamResult


def _meets(avg: float | None) -> bool | None:
    return None if avg is None else avg >= scoring.GOAL


def _avg(total: float, n: int) -> float | None:
    return round(total / n, 2) if n else None


def _people(session: Session, ids: set[int]) -> dict[int, tuple[str, str | None]]:
    if not ids:
        return {}
    rows = session.execute(
        select(User.id, User.display_name, Team.name)
        .outerjoin(Team, Team.id == User.team_id)
        .where(User.id.in_(ids))
    ).all()
    return {r[0]: (r[1], r[2]) for r in rows}


def _counted(first: str, last: str) -> ColumnElement[bool]:
    """Scored evaluations of the months ``first``..``last`` that count toward an agent."""
    return and_(
        Evaluation.period >= first,
        Evaluation.period <= last,
        Evaluation.score.is_not(None),
        Evaluation.kind != EvaluationKind.CALIBRATION,
    )


@dataclass
class _Sums:
    n: int
    total: float
    below: int


def _per_agent(
    session: Session, principal: Principal | None, first: str, last: str
) -> dict[int, _Sums]:
    stmt = (
        select(
            Evaluation.agent_id,
            func.count(),
            func.sum(Evaluation.score),
            func.sum(case((Evaluation.score < scoring.CORRECTIVE_BELOW, 1), else_=0)),
        )
        .where(_counted(first, last))
        .group_by(Evaluation.agent_id)
    )
    rows = session.execute(service.scoped(stmt, principal, Evaluation.agent_id)).all()
    return {r[0]: _Sums(int(r[1]), float(r[2] or 0), int(r[3] or 0)) for r in rows}


def results(session: Session, principal: Principal | None, start: str, end: str) -> ResultsOut:
    """Averages of scored evaluations of the months ``start``..``end`` (YYYY-MM) the caller
    may see: per agent and per team (a team's average is the mean of its evaluations)."""
    sums = _per_agent(session, principal, start, end)
    people = _people(session, set(sums))
    agents = []
    teams: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    for agent, s in sums.items():
        name, team = people.get(agent, (f"account {agent}", None))
        avg = _avg(s.total, s.n)
        agents.append(
            AgentResult(
                agent_id=agent, agent=name, team=team, evaluations=s.n, average=avg,
                below_80=s.below, meets_goal=_meets(avg),
            )
        )  # fmt: skip
        t = teams[team or "No team"]
        t[0] += s.n
        t[1] += s.total
    agents.sort(key=lambda a: (a.average if a.average is not None else 101, a.agent))
    team_rows = []
    for name, (n, total) in sorted(teams.items()):
        avg = _avg(total, int(n))
        team_rows.append(
            TeamResult(team=name, evaluations=int(n), average=avg, meets_goal=_meets(avg))
        )
    n_all = sum(s.n for s in sums.values())
    return ResultsOut(
        start=start,
        end=end,
        goal=scoring.GOAL,
        overall=_avg(sum(s.total for s in sums.values()), n_all),
        agents=agents,
        teams=team_rows,
    )


def half_bounds(year: int, half: int) -> tuple[str, str]:
    """The first and last month (YYYY-MM) of a half-year."""
    return (
        (f"{year:04d}-01", f"{year:04d}-06") if half == 1 else (f"{year:04d}-07", f"{year:04d}-12")
    )


def _corrective(
    session: Session, principal: Principal | None, first: str, last: str, at: datetime
) -> dict[int, dict[str, int]]:
    """Per agent: corrective assignments the half's evaluations opened, by how they stand."""
    a = CorrectiveAssignment
    late_done = and_(a.state == CorrectiveState.COMPLETED, a.completed_at > a.due_at)
    standing: Any = case(
        (and_(a.state == CorrectiveState.COMPLETED, a.completed_at <= a.due_at), "on_time"),
        (late_done, "late"),
        (and_(a.state == CorrectiveState.OPEN, a.due_at < at), "overdue_open"),
        (a.state == CorrectiveState.OPEN, "open"),
        else_="cancelled",
    )
    stmt = (
        select(a.agent_id, standing, func.count())
        .join(Evaluation, Evaluation.id == a.evaluation_id)
        .where(_counted(first, last))
        .group_by(a.agent_id, standing)
    )
    out: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for agent, how, n in session.execute(service.scoped(stmt, principal, a.agent_id)).all():
        out[agent][how] += int(n)
    return out


def audit_report(
    session: Session, principal: Principal | None, year: int, half: int, at: datetime
) -> AuditOut:
    """The semi-annual audit: every agent the caller may see with evaluations in the half
    (by the contact's month), and the corrective training those evaluations opened."""
    first, last = half_bounds(year, half)
    sums = _per_agent(session, principal, first, last)
    owed = _corrective(session, principal, first, last, at.astimezone(UTC))
    people = _people(session, set(sums) | set(owed))
    rows = []
    for agent in set(sums) | set(owed):
        s = sums.get(agent, _Sums(0, 0.0, 0))
        c = owed.get(agent, {})
        name, team = people.get(agent, (f"account {agent}", None))
        rows.append(
            AuditRow(
                agent_id=agent, agent=name, team=team, evaluations=s.n,
                average=_avg(s.total, s.n), below_80=s.below,
                corrective=sum(n for how, n in c.items() if how != "cancelled"),
                on_time=c.get("on_time", 0), late=c.get("late", 0),
                overdue_open=c.get("overdue_open", 0), open=c.get("open", 0),
            )
        )  # fmt: skip
    rows.sort(key=lambda r: (r.team or "", r.agent))
    return AuditOut(year=year, half=half, goal=scoring.GOAL, rows=rows)
