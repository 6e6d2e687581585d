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


def waiting(session: Session, agent_id: int, after_id: int, at: datetime) -> list[int]:
    """This agent's pops not yet opened, newer than ``after_id`` and still fresh (ids only:
    the stream carries no PHI, the page it opens is audited)."""
    return list(
        session.scalars(
            select(ScreenPop.id)
            .where(
                ScreenPop.agent_id == agent_id,
                ScreenPop.id > after_id,
                ScreenPop.opened_at.is_(None),
                ScreenPop.created_at >= at - FRESH,
            )
            .order_by(ScreenPop.id)
            .limit(5)
        )
    )
