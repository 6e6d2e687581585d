"""Reading cases: filtered pages, a member's open cases (for the 360)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.cases.enums import CaseState, CaseType
from memberdesk.cases.models import Case
from memberdesk.cases.states import OPEN_STATES


def list_cases(
    session: Session,
    *,
    state: CaseState | None,
    queue_id: int | None,
    tier: int | None,
    assignee_id: int | None,
    member_id: int | None,
    case_type: CaseType | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Case], int]:
    """Cases matching every filter given, newest first, and how many match in all."""
    stmt = select(Case)
    if state is not None:
        stmt = stmt.where(Case.state == state)
    if queue_id is not None:
        stmt = stmt.where(Case.queue_id == queue_id)
    if tier is not None:
        stmt = stmt.where(Case.tier == tier)
    if assignee_id is not None:
        stmt = stmt.where(Case.assignee_id == assignee_id)
    if member_id is not None:
        stmt = stmt.where(Case.member_id == member_id)
    if case_type is not None:
        stmt = stmt.where(Case.case_type == case_type)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.scalars(
        stmt.order_by(Case.created_at.desc(), Case.id.desc()).limit(limit).offset(offset)
    ).all()
    return rows, total


def member_open_cases(session: Session, member_id: int) -> Sequence[Case]:
    """The member's open cases, oldest first (each with its clocks)."""
    return session.scalars(
        select(Case)
        .where(Case.member_id == member_id, Case.state.in_(OPEN_STATES))
        .order_by(Case.created_at, Case.id)
    ).all()
