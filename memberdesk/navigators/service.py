"""Navigator flags by hand: flag a member with a reason, assign a navigator, unflag; reads of a
flag and of a navigator's caseload. Every change is audited here (never the reasons' text).

Takes a session and never commits: the route or command does, once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction, Role
from memberdesk.compliance.models import User
from memberdesk.db import insert_on_conflict, table_of
from memberdesk.errors import Conflict, InvalidInput, NotFound
from memberdesk.members.models import Member
from memberdesk.navigators.enums import FlagSource, FlagState, Rule
from memberdesk.navigators.models import MemberNavigator
from memberdesk.navigators.schemas import NavigatorBrief, NavigatorOut, NavigatorRef

OBJECT = "member_navigator"


def get_member(session: Session, member_id: int) -> Member:
    """A member by id, else 404 naming the path parameter."""
    member = session.get(Member, member_id)
    if member is None:
        raise NotFound("no member with this id", field="path.member_id")
    return member


def get_flag(session: Session, member_id: int, *, lock: bool = False) -> MemberNavigator | None:
    """The member's flag row as stored now (locked for update when ``lock``)."""
    stmt = select(MemberNavigator).where(MemberNavigator.member_id == member_id)
    if lock:
        stmt = stmt.with_for_update()
    return session.scalars(stmt.execution_options(populate_existing=True)).first()


def check_navigator(session: Session, user_id: int, field: str) -> User:
    """An enabled account with the navigator role, else 422 naming ``field``."""
    user = session.get(User, user_id)
    if user is None or user.disabled or user.role is not Role.NAVIGATOR:
        raise InvalidInput("no enabled navigator account has this id", field=field)
    return user


def get_navigator(session: Session, user_id: int) -> User:
    """A navigator account by id (for a supervisor's look at a caseload), else 404."""
    user = session.get(User, user_id)
    if user is None or user.role is not Role.NAVIGATOR:
        raise NotFound("no navigator account has this id", field="path.user_id")
    return user


def caseloads(session: Session) -> dict[int, int]:
    """Members each enabled navigator owns now (navigators owning none included, as 0)."""
    loads = {
        uid: 0
        for uid in session.scalars(
            select(User.id).where(User.role == Role.NAVIGATOR, User.disabled.is_(False))
        )
    }
    for uid, n in session.execute(
        select(func.coalesce(MemberNavigator.navigator_id, 0), func.count())
        .where(
            MemberNavigator.state == FlagState.FLAGGED,
            MemberNavigator.navigator_id.in_(list(loads)),
        )
        .group_by(MemberNavigator.navigator_id)
    ):
        loads[uid] = n
    return loads


def least_loaded(loads: dict[int, int]) -> int | None:
    """The navigator with the fewest members (the lowest id on a tie), or None if there is none."""
    if not loads:
        return None
    return min(loads, key=lambda uid: (loads[uid], uid))


def claim_flag(session: Session, member_id: int, values: dict[str, Any]) -> bool:
    """Flag the member, exactly once however many flaggers race: insert the row unless one
    exists, else turn an ended flag back on; False when the member is flagged already.

    On PostgreSQL a racing insert waits for the other transaction and then does nothing; the
    flag of an unflagged row is a conditional UPDATE, which one writer wins."""
    table = table_of(MemberNavigator)
    insert = insert_on_conflict(session)
    # RETURNING, not rowcount: psycopg reports -1 rows for INSERT ... ON CONFLICT DO NOTHING.
    stmt = (
        insert(table)
        .values(member_id=member_id, **values)
        .on_conflict_do_nothing(index_elements=["member_id"])
        .returning(table.c.member_id)
    )
    if session.execute(stmt).first() is not None:
        return True
    again = session.execute(
        update(table)
        .where(table.c.member_id == member_id, table.c.state == FlagState.UNFLAGGED)
        .values(**values, unflagged_at=None, unflagged_by_id=None, unflag_reason=None)
        .returning(table.c.member_id)
    )
    return again.first() is not None


def flag_values(
    source: FlagSource,
    rules: list[Rule] | None,
    reason: str | None,
    navigator_id: int | None,
    by: int | None,
    at: datetime,
) -> dict[str, Any]:
    """Column values of a fresh flag."""
    return {
        "state": FlagState.FLAGGED,
        "source": source,
        "rules": [r.value for r in rules] if rules else None,
        "reason": reason,
        "navigator_id": navigator_id,
        "flagged_at": at,
        "flagged_by_id": by,
        "assigned_at": at if navigator_id else None,
        "assigned_by_id": by if navigator_id else None,
        "updated_at": at,
    }


def record_flag(
    session: Session,
    ctx: AuditContext,
    member_id: int,
    source: FlagSource,
    rules: list[Rule] | None,
    navigator_id: int | None,
) -> None:
    """Audit a new flag (the reason is named, never copied)."""
    audit.record(
        session,
        ctx,
        AuditAction.NAVIGATOR_FLAGGED,
        object_type=OBJECT,
        object_id=member_id,
        member_ids=[member_id],
        changes={"new": {"state": FlagState.FLAGGED.value, "navigator_id": navigator_id}},
        detail={"source": source.value, "rules": [r.value for r in rules or []]},
    )


def flag(
    session: Session,
    ctx: AuditContext,
    member_id: int,
    *,
    reason: str,
    navigator_id: int | None,
    actor: User,
    at: datetime,
) -> MemberNavigator:
    """Flag a member by hand with the reason; the navigator named, else the caller if they are
    a navigator, else the navigator with the fewest members. 409 if already flagged."""
    get_member(session, member_id)
    if navigator_id is not None:
        check_navigator(session, navigator_id, "body.navigator_id")
    elif actor.role is Role.NAVIGATOR and not actor.disabled:
        navigator_id = actor.id
    else:
        navigator_id = least_loaded(caseloads(session))
    values = flag_values(FlagSource.HAND, None, reason, navigator_id, actor.id, at)
    if not claim_flag(session, member_id, values):
        raise Conflict("the member is already flagged for a navigator", field="path.member_id")
    record_flag(session, ctx, member_id, FlagSource.HAND, None, navigator_id)
    row = get_flag(session, member_id)
    assert row is not None  # just written in this transaction
    return row


def _flagged(session: Session, member_id: int) -> MemberNavigator:
    get_member(session, member_id)
    row = get_flag(session, member_id, lock=True)
    if row is None or row.state is not FlagState.FLAGGED:
        raise Conflict("the member is not flagged for a navigator", field="path.member_id")
    return row


def assign(
    session: Session,
    ctx: AuditContext,
    member_id: int,
    navigator_id: int,
    *,
    actor: User,
    at: datetime,
) -> MemberNavigator:
    """Give a flagged member to a navigator (409 when the member is not flagged)."""
    row = _flagged(session, member_id)
    check_navigator(session, navigator_id, "body.navigator_id")
    before = row.navigator_id
    row.navigator_id, row.assigned_at, row.assigned_by_id = navigator_id, at, actor.id
    row.updated_at = at
    session.flush()
    audit.record(
        session,
        ctx,
        AuditAction.NAVIGATOR_ASSIGNED,
        object_type=OBJECT,
        object_id=member_id,
        member_ids=[member_id],
        changes={"old": {"navigator_id": before}, "new": {"navigator_id": navigator_id}},
    )
    return row


def unflag(
    session: Session, ctx: AuditContext, member_id: int, *, reason: str, actor: User, at: datetime
) -> MemberNavigator:
    """End the flag with the reason; the member's work routes like anyone's again."""
    row = _flagged(session, member_id)
    row.state = FlagState.UNFLAGGED
    row.unflagged_at, row.unflagged_by_id, row.unflag_reason = at, actor.id, reason
    row.updated_at = at
    session.flush()
    audit.record(
        session,
        ctx,
        AuditAction.NAVIGATOR_UNFLAGGED,
        object_type=OBJECT,
        object_id=member_id,
        member_ids=[member_id],
        changes={
            "old": {"state": FlagState.FLAGGED.value, "navigator_id": row.navigator_id},
            "new": {"state": FlagState.UNFLAGGED.value},
        },
    )
    return row


def ref(user: User | None) -> NavigatorRef | None:
    """A navigator as the API names them."""
    if user is None:
        return None
    return NavigatorRef(id=user.id, username=user.username, display_name=user.display_name)


def _rules(row: MemberNavigator) -> list[Rule]:
    return [Rule(r) for r in row.rules or []]


def flag_out(session: Session, row: MemberNavigator) -> NavigatorOut:
    """The flag with its reasons (PHI: callers audit the read)."""
    nav = session.get(User, row.navigator_id) if row.navigator_id else None
    return NavigatorOut(
        member_id=row.member_id,
        state=row.state,
        source=row.source,
        rules=_rules(row),
        reason=row.reason,
        navigator=ref(nav),
        flagged_at=row.flagged_at,
        flagged_by_id=row.flagged_by_id,
        assigned_at=row.assigned_at,
        unflagged_at=row.unflagged_at,
        unflag_reason=row.unflag_reason,
    )


def read_flag(session: Session, ctx: AuditContext, member_id: int, path: str) -> NavigatorOut:
    """A member's flag, audited as a PHI read (404 when the member was never flagged)."""
    get_member(session, member_id)
    row = get_flag(session, member_id)
    if row is None:
        raise NotFound("the member has never been flagged for a navigator", field="path.member_id")
    out = flag_out(session, row)
    audit.record(
        session,
        ctx,
        AuditAction.NAVIGATOR_READ,
        object_type=OBJECT,
        object_id=member_id,
        member_ids=[member_id],
        detail={"path": path[:120]},
    )
    return out


def brief(session: Session, member_id: int) -> NavigatorBrief | None:
    """The member's current navigator flag for the member 360 (None when not flagged)."""
    row = session.get(MemberNavigator, member_id)
    if row is None or row.state is not FlagState.FLAGGED:
        return None
    nav = session.get(User, row.navigator_id) if row.navigator_id else None
    return NavigatorBrief(
        source=row.source, rules=_rules(row), navigator=ref(nav), flagged_at=row.flagged_at
    )
