"""Queues, agent skills and get-next: which queue a case waits in, and who may take it.

Get-next picks under a row lock that other pickers skip (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL), so concurrent agents never take one case twice; on SQLite the writing session
already holds the database's only write lock, so the select-then-update is single-writer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, and_, case, func, not_, or_, select
from sqlalchemy.orm import Session, object_session
from sqlalchemy.sql.selectable import ScalarSelect

from memberdesk.cases import clocks
from memberdesk.cases.enums import OPEN_CLOCK_STATES, PRIORITY_RANK, CaseType, ClockState
from memberdesk.cases.models import AgentSkill, Case, CaseClock, Queue
from memberdesk.cases.states import OPEN_STATES, TIER_CLOCK
from memberdesk.compliance.enums import Role
from memberdesk.compliance.models import User
from memberdesk.errors import Conflict, InvalidInput, NotFound
from memberdesk.navigators import offers

# Tiers an agent works when no skills were set for them, from their role.
ROLE_TIERS: dict[Role, list[int]] = {
    Role.TIER1_AGENT: [1],
    Role.TIER2_SPECIALIST: [2],
    Role.TIER3_APPEALS: [3],
    Role.NAVIGATOR: [1, 2],
    Role.SUPERVISOR: [1, 2, 3],
}
DEFAULT_LANGUAGES = ["en"]


@dataclass(frozen=True)
class Skills:
    """An agent's effective skills (their row, or their role's defaults)."""

    tiers: list[int]
    languages: list[str]
    case_types: list[str] | None
    capacity: int
    explicit: bool


def route_queue(session: Session, tier: int, case_type: CaseType, language: str) -> Queue:
    """The first active queue of ``tier`` for the case type and language: the most specific
    one (a language queue before a general one, a case-type queue before an any-type one)."""
    queues = session.scalars(
        select(Queue).where(Queue.tier == tier, Queue.active.is_(True)).order_by(Queue.id)
    ).all()
    fitting = [
        q
        for q in queues
        if (q.language is None or q.language == language)
        and (q.case_types is None or case_type.value in q.case_types)
    ]
    if not fitting:
        raise Conflict(f"no active Tier {tier} queue takes {case_type} cases")
    fitting.sort(key=lambda q: (q.language is None, q.case_types is None))
    return fitting[0]


def get_queue(session: Session, queue_id: int, field: str) -> Queue:
    """An active queue by id, else 422 naming ``field``."""
    queue = session.get(Queue, queue_id)
    if queue is None or not queue.active:
        raise InvalidInput("no active queue with this id", field=field)
    return queue


def skills_of(session: Session, user: User, default_capacity: int) -> Skills:
    """The user's skills row, or the defaults of their role."""
    row = session.get(AgentSkill, user.id)
    if row is not None:
        return Skills(row.tiers, row.languages, row.case_types, row.capacity, True)
    return Skills(ROLE_TIERS.get(user.role, []), DEFAULT_LANGUAGES, None, default_capacity, False)


def set_skills(
    session: Session,
    user: User,
    tiers: list[int],
    languages: list[str],
    case_types: list[CaseType] | None,
    capacity: int,
) -> AgentSkill:
    """Create or replace a user's skills."""
    if user.role not in ROLE_TIERS:
        raise InvalidInput("only staff who work cases have skills", field="path.user_id")
    row = session.get(AgentSkill, user.id) or AgentSkill(user_id=user.id)
    row.tiers = sorted(set(tiers))
    row.languages = sorted(set(languages))
    row.case_types = sorted({t.value for t in case_types}) if case_types is not None else None
    row.capacity = capacity
    session.add(row)
    session.flush()
    return row


def get_staff(session: Session, user_id: int, field: str) -> User:
    """An enabled staff account that works cases, else 422 naming ``field``."""
    user = session.get(User, user_id)
    if user is None or user.disabled or user.role not in ROLE_TIERS:
        raise InvalidInput("no enabled staff account that works cases has this id", field=field)
    return user


def get_user(session: Session, user_id: int) -> User:
    """Any account by id (for the skills route), else 404."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("no user with this id", field="path.user_id")
    return user


def held(session: Session, user_id: int) -> int:
    """Open cases assigned to the user."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Case)
            .where(Case.assignee_id == user_id, Case.state.in_(OPEN_STATES))
        )
        or 0
    )


def _next_due() -> ScalarSelect[datetime | None]:
    # The case's most urgent open clock: breached or nearest to breach first.
    return (
        select(func.min(CaseClock.due_at))
        .where(CaseClock.case_id == Case.id, CaseClock.state.in_(OPEN_CLOCK_STATES))
        .correlate(Case)
        .scalar_subquery()
    )


def _open_cases(skills: Skills, owned: bool = False) -> Select[int]:
    # ``owned``: a navigator's own members, whose work is theirs whatever its language or type.
    queues = select(Queue.id).where(Queue.active.is_(True), Queue.tier.in_(skills.tiers))
    if not owned:
        queues = queues.where(or_(Queue.language.is_(None), Queue.language.in_(skills.languages)))
    stmt = select(Case.id).where(
        Case.queue_id.in_(queues), Case.assignee_id.is_(None), Case.state.in_(OPEN_STATES)
    )
    if skills.case_types is not None and not owned:
        stmt = stmt.where(Case.case_type.in_(skills.case_types))
    return stmt


def _best(session: Session, stmt: Select[int]) -> int | None:
    due = _next_due()
    rank = case(*((Case.priority == p.value, r) for p, r in PRIORITY_RANK.items()), else_=9)
    return session.scalar(
        stmt.order_by(due.is_(None), due, rank, Case.created_at, Case.id)
        .limit(1)
        .with_for_update(skip_locked=True, of=Case)
    )


def pick_own_case(session: Session, skills: Skills, navigator_id: int) -> int | None:
    """Lock and return the best waiting case of a member this navigator owns, at any tier they
    work and in any language (they own those members end to end, with an interpreter where
    needed), or None."""
    own = _open_cases(skills, owned=True).where(
        Case.member_id.in_(offers.navigated_by(navigator_id))
    )
    return _best(session, own)


def pick_case(
    session: Session, skills: Skills, *, user_id: int | None = None, at: datetime | None = None
) -> int | None:
    """Lock and return the id of the best unassigned case these skills allow (or None).

    With ``user_id`` and ``at``, a case of a member whose navigator is someone else is left to
    that navigator for ``FIRST_OFFER`` after it entered its queue."""
    stmt = _open_cases(skills)
    if user_id is not None and at is not None:
        stmt = stmt.where(
            not_(
                and_(
                    Case.member_id.in_(offers.held_for_others(user_id)),
                    Case.queued_at > at - offers.FIRST_OFFER,
                )
            )
        )
    return _best(session, stmt)


def take(case_obj: Case, user_id: int, at: datetime) -> None:
    """Assign the case; at Tier 3 that meets the case-manager assignment clock."""
    session = object_session(case_obj)
    assert session is not None  # a case being assigned was loaded by a session
    case_obj.assignee = session.get(User, user_id)
    case_obj.assignee_id = user_id
    case_obj.updated_at = at
    if case_obj.tier == 3:
        clocks.close(case_obj, [TIER_CLOCK[3]], at, met=True)


@dataclass
class QueueStats:
    queue: Queue
    waiting: int
    assigned: int
    oldest_waiting_seconds: int | None
    at_risk: int
    breached: int


def queue_stats(session: Session, at: datetime) -> list[QueueStats]:
    """Every queue with its waiting and assigned counts, oldest wait, at-risk and breached
    open cases (counts only: nothing about any member)."""
    open_case = Case.state.in_(OPEN_STATES)
    counts = {
        row.queue_id: row
        for row in session.execute(
            select(
                Case.queue_id,
                func.count().filter(Case.assignee_id.is_(None)).label("waiting"),
                func.count().filter(Case.assignee_id.is_not(None)).label("assigned"),
                func.min(Case.queued_at).filter(Case.assignee_id.is_(None)).label("oldest"),
            )
            .where(open_case)
            .group_by(Case.queue_id)
        )
    }
    running = CaseClock.state.in_((ClockState.RUNNING, ClockState.BREACHED))
    breached_q = and_(running, CaseClock.due_at < at)
    risk_q = and_(running, CaseClock.warn_at <= at, CaseClock.due_at >= at)
    risks = {
        row.queue_id: row
        for row in session.execute(
            select(
                Case.queue_id,
                func.count(func.distinct(Case.id)).filter(breached_q).label("breached"),
                func.count(func.distinct(Case.id)).filter(risk_q).label("at_risk"),
            )
            .join(CaseClock, CaseClock.case_id == Case.id)
            .where(open_case, running)
            .group_by(Case.queue_id)
        )
    }
    out = []
    for q in session.scalars(select(Queue).order_by(Queue.tier, Queue.id)):
        c, r = counts.get(q.id), risks.get(q.id)
        oldest = c.oldest if c is not None else None
        age = int((at - oldest) / timedelta(seconds=1)) if oldest is not None else None
        out.append(
            QueueStats(
                q,
                c.waiting if c else 0,
                c.assigned if c else 0,
                max(age, 0) if age is not None else None,
                r.at_risk if r else 0,
                r.breached if r else 0,
            )
        )
    return out
