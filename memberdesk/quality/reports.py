"""QA figures: agent and team averages against the 90% goal, and the semi-annual audit
(per agent and half-year: evaluations, average, scores under 80%, corrective training on time
or overdue). Calibration scores never count: they grade the evaluators, not the agent."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.compliance.auth import Principal
from memberdesk.compliance.models import Team, User
from memberdesk.quality import scoring, service
from memberdesk.quality.enums import CorrectiveState, EvaluationKind
from memberdesk.quality.models import CorrectiveAssignment, Evaluation
from memberdesk.quality.schemas import AgentResult, AuditOut, AuditRow, ResultsOut, TeamResult


def _avg(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 2) if values else None


def _meets(avg: float | None) -> bool | None:
    return None if avg is None else avg >= scoring.GOAL


def _people(session: Session, ids: set[int]) -> dict[int, tuple[str, str | None]]:
    if not ids:
        return {}
    rows = session.execute(
        select(User.id, User.display_name, Team.name)
        .outerjoin(Team, Team.id == User.team_id)
        .where(User.id.in_(ids))
    ).all()
    return {r[0]: (r[1], r[2]) for r in rows}


def results(session: Session, principal: Principal | None, start: str, end: str) -> ResultsOut:
    """Averages of scored evaluations of the months ``start``..``end`` (YYYY-MM) the caller
    may see: per agent and per team (a team's average is the mean of its evaluations)."""
    stmt = select(Evaluation.agent_id, Evaluation.score).where(
        Evaluation.period >= start,
        Evaluation.period <= end,
        Evaluation.score.is_not(None),
        Evaluation.kind != EvaluationKind.CALIBRATION,
    )
    rows = session.execute(service.scoped(stmt, principal, Evaluation.agent_id)).all()
    by_agent: dict[int, list[float]] = defaultdict(list)
    for agent, score in rows:
        by_agent[agent].append(float(score or 0))
    people = _people(session, set(by_agent))
    agents, by_team = [], defaultdict(list)
    for agent, scores in by_agent.items():
        name, team = people.get(agent, (f"account {agent}", None))
        avg = _avg(scores)
        agents.append(
            AgentResult(
                agent_id=agent, agent=name, team=team, evaluations=len(scores), average=avg,
                below_80=sum(s < scoring.CORRECTIVE_BELOW for s in scores), meets_goal=_meets(avg),
            )
        )  # fmt: skip
        by_team[team or "No team"].extend(scores)
    agents.sort(key=lambda a: (a.average if a.average is not None else 101, a.agent))
    teams = [
        TeamResult(team=t, evaluations=len(s), average=_avg(s), meets_goal=_meets(_avg(s)))
        for t, s in sorted(by_team.items())
    ]
    everything = [float(s or 0) for _, s in rows]
    return ResultsOut(
        start=start,
        end=end,
        goal=scoring.GOAL,
        overall=_avg(everything),
        agents=agents,
        teams=teams,
    )


def half_bounds(year: int, half: int) -> tuple[str, str]:
    """The first and last month (YYYY-MM) of a half-year."""
    return (
        (f"{year:04d}-01", f"{year:04d}-06") if half == 1 else (f"{year:04d}-07", f"{year:04d}-12")
    )


@dataclass
class _Row:
    scores: list[float] = field(default_factory=list)
    corrective: int = 0
    on_time: int = 0
    late: int = 0
    overdue_open: int = 0
    open: int = 0


def audit_report(
    session: Session, principal: Principal | None, year: int, half: int, at: datetime
) -> AuditOut:
    """The semi-annual audit: every agent the caller may see with evaluations in the half
    (by the contact's month), and the corrective training those evaluations opened."""
    first, last = half_bounds(year, half)
    stmt = select(Evaluation.id, Evaluation.agent_id, Evaluation.score).where(
        Evaluation.period >= first,
        Evaluation.period <= last,
        Evaluation.score.is_not(None),
        Evaluation.kind != EvaluationKind.CALIBRATION,
    )
    evs = session.execute(service.scoped(stmt, principal, Evaluation.agent_id)).all()
    rows: dict[int, _Row] = defaultdict(_Row)
    for _, agent, score in evs:
        rows[agent].scores.append(float(score or 0))
    ids = [e[0] for e in evs]
    assignments = (
        list(
            session.scalars(
                select(CorrectiveAssignment).where(CorrectiveAssignment.evaluation_id.in_(ids))
            )
        )
        if ids
        else []
    )
    at = at.astimezone(UTC)
    for a in assignments:
        r = rows[a.agent_id]
        if a.state == CorrectiveState.CANCELLED:
            continue
        r.corrective += 1
        if a.state == CorrectiveState.COMPLETED and a.completed_at is not None:
            if a.completed_at <= a.due_at:
                r.on_time += 1
            else:
                r.late += 1
        elif at > a.due_at:
            r.overdue_open += 1
        else:
            r.open += 1
    people = _people(session, set(rows))
    out = []
    for agent, r in rows.items():
        name, team = people.get(agent, (f"account {agent}", None))
        out.append(
            AuditRow(
                agent_id=agent, agent=name, team=team, evaluations=len(r.scores),
                average=_avg(r.scores),
                below_80=sum(s < scoring.CORRECTIVE_BELOW for s in r.scores),
                corrective=r.corrective, on_time=r.on_time, late=r.late,
                overdue_open=r.overdue_open, open=r.open,
            )
        )  # fmt: skip
    out.sort(key=lambda r: (r.team or "", r.agent))
    return AuditOut(year=year, half=half, goal=scoring.GOAL, rows=out)
