"""A navigator's caseload: the members they own with their open cases, callbacks and the
nearest deadline. Counts come from three grouped queries, not one query per member."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.cases.enums import ClockState
from memberdesk.cases.models import Case, CaseClock
from memberdesk.cases.states import OPEN_STATES
from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction
from memberdesk.compliance.models import User
from memberdesk.contacts.enums import CallbackState
from memberdesk.contacts.models import Callback
from memberdesk.members.models import Member
from memberdesk.navigators.enums import FlagState, Rule
from memberdesk.navigators.models import MemberNavigator
from memberdesk.navigators.schemas import Caseload, CaseloadMember
from memberdesk.navigators.service import ref


def _earliest(*values: datetime | None) -> datetime | None:
    found = [v for v in values if v is not None]
    return min(found) if found else None


def caseload(session: Session, navigator: User) -> Caseload:
    """The members ``navigator`` owns, nearest deadline first, then by name."""
    rows = session.execute(
        select(MemberNavigator, Member)
        .join(Member, Member.id == MemberNavigator.member_id)
        .where(
            MemberNavigator.navigator_id == navigator.id,
            MemberNavigator.state == FlagState.FLAGGED,
        )
    ).all()
    ids = [m.id for _, m in rows]
    cases = {
        mid: (n, waiting)
        for mid, n, waiting in session.execute(
            select(Case.member_id, func.count(), func.count().filter(Case.assignee_id.is_(None)))
            .where(Case.member_id.in_(ids), Case.state.in_(OPEN_STATES))
            .group_by(Case.member_id)
        )
    }
    case_due = {
        mid: due
        for mid, due in session.execute(
            select(Case.member_id, func.min(CaseClock.due_at))
            .join(CaseClock, CaseClock.case_id == Case.id)
            .where(
                Case.member_id.in_(ids),
                Case.state.in_(OPEN_STATES),
                CaseClock.state.in_((ClockState.RUNNING, ClockState.BREACHED)),
            )
            .group_by(Case.member_id)
        )
    }
    calls = {
        mid: (n, due)
        for mid, n, due in session.execute(
            select(Callback.member_id, func.count(), func.min(Callback.due_at))
            .where(Callback.member_id.in_(ids), Callback.state == CallbackState.OPEN)
            .group_by(Callback.member_id)
        )
    }
    members = []
    for flag, m in rows:
        n_cases, waiting = cases.get(m.id, (0, 0))
        n_calls, call_due = calls.get(m.id, (0, None))
        members.append(
            CaseloadMember(
                member_id=m.id,
                first_name=m.first_name,
                last_name=m.last_name,
                spoken_language=m.spoken_language,
                interpreter_needed=m.interpreter_needed,
                source=flag.source,
                rules=[Rule(r) for r in flag.rules or []],
                flagged_at=flag.flagged_at,
                open_cases=n_cases,
                waiting_cases=waiting,
                open_callbacks=n_calls,
                next_due_at=_earliest(case_due.get(m.id), call_due),
            )
        )
    members.sort(
        key=lambda c: (
            c.next_due_at is None,
            c.next_due_at.timestamp() if c.next_due_at else 0.0,
            c.last_name,
            c.first_name,
            c.member_id,
        )
    )
    nav = ref(navigator)
    assert nav is not None
    return Caseload(navigator=nav, total=len(members), members=members)


def read_caseload(session: Session, ctx: AuditContext, navigator: User, path: str) -> Caseload:
    """The caseload, its read audited with every member it shows."""
    out = caseload(session, navigator)
    audit.record(
        session,
        ctx,
        AuditAction.NAVIGATOR_CASELOAD_READ,
        object_type="navigator",
        object_id=navigator.id,
        member_ids=[m.member_id for m in out.members],
        detail={"path": path[:120], "members": out.total},
    )
    return out
