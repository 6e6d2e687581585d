"""Finding appeals: the worklist order (nearest open deadline first), filters, paging."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import ScalarSelect

from memberdesk.appeals.enums import AppealKind, AppealState
from memberdesk.appeals.models import Appeal
from memberdesk.cases.enums import OPEN_CLOCK_STATES
from memberdesk.cases.models import CaseClock


def next_due() -> ScalarSelect[datetime | None]:
    """The appeal's most urgent open deadline (its case's open clocks)."""
    return (
        select(func.min(CaseClock.due_at))
        .where(CaseClock.case_id == Appeal.case_id, CaseClock.state.in_(OPEN_CLOCK_STATES))
        .correlate(Appeal)
        .scalar_subquery()
    )


def _filtered(
    states: Sequence[AppealState] | None,
    pack: str | None,
    kind: AppealKind | None,
    member_id: int | None,
) -> Select[Appeal]:
    stmt = select(Appeal)
    if states:
        stmt = stmt.where(Appeal.state.in_(list(states)))
    if pack:
        stmt = stmt.where(Appeal.pack == pack)
    if kind:
        stmt = stmt.where(Appeal.kind == kind)
    if member_id:
        stmt = stmt.where(Appeal.member_id == member_id)
    return stmt


def list_appeals(
    session: Session,
    *,
    states: Sequence[AppealState] | None = None,
    pack: str | None = None,
    kind: AppealKind | None = None,
    member_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Appeal], int]:
    """A page of appeals, nearest open deadline first (none running: last, oldest first)."""
    stmt = _filtered(states, pack, kind, member_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    due = next_due()
    rows = session.scalars(
        stmt.order_by(due.is_(None), due, Appeal.received_at, Appeal.id).limit(limit).offset(offset)
    ).all()
    return list(rows), total
