"""Screen pops: a call answered by an agent (a live telephony event naming the agent) opens on
that agent's desktop, with the member the phone menu identified and the path it took, or the
caller's number to search by. Made inside the feed's transaction; never commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance.crypto import bidx_member_number
from memberdesk.compliance.enums import Role
from memberdesk.compliance.models import User
from memberdesk.ivr.models import IvrCall, ScreenPop
from memberdesk.kpi.live import Event
from memberdesk.members.models import Member

FRESH = timedelta(minutes=2)  # a pop not opened by then is a call long since taken elsewhere
LOOK_LIMIT = 2000  # pops waiting at once across the floor: far more than agents on calls


def answered(session: Session, events: Sequence[Event]) -> int:
    """One pop per answered call whose agent is a memberdesk user; how many were made."""
    made = 0
    for e in events:
        if not e.agent_id or not e.call_id:
            continue
        agent = session.scalar(
            select(User.id).where(User.username == e.agent_id, User.role != Role.MEMBER)
        )
        if agent is None:
            continue  # an agent memberdesk does not know (a platform ID, another system's)
        refs = [r for r in (e.ref, e.call_id) if r]
        call = session.scalars(
            select(IvrCall).where(IvrCall.call_sid.in_(refs)).order_by(IvrCall.id).limit(1)
        ).first()
        member_id = call.member_id if call is not None else None
        if member_id is None and e.member_id:
            member_id = session.scalar(
                select(Member.id).where(
                    Member.member_number_bidx == bidx_member_number(e.member_id),
                    Member.purged_at.is_(None),
                )
            )
        session.add(
            ScreenPop(
                agent_id=agent,
                call_ref=e.call_id,
                ivr_call_id=call.id if call is not None else None,
                member_id=member_id,
                phone=call.from_phone if call is not None else None,
                created_at=now(),
            )
        )
        made += 1
    if made:
        session.flush()
    return made


def fresh(session: Session, at: datetime) -> list[tuple[int, int]]:
    """Every agent's pops not yet opened and still fresh, as (pop id, agent id), oldest first:
    one look serves every desktop a process streams to (ids only: the stream carries no PHI,
    the page it opens is audited)."""
    rows = session.execute(
        select(ScreenPop.id, ScreenPop.agent_id)
        .where(ScreenPop.created_at >= at - FRESH, ScreenPop.opened_at.is_(None))
        # In the index's order, so the look reads only the last minutes of it.
        .order_by(ScreenPop.created_at, ScreenPop.id)
        .limit(LOOK_LIMIT)
    )
    return [(pop_id, agent_id) for pop_id, agent_id in rows]
