"""Calls fed live become contacts: a call answered, ended, and whose caller was identified by a
member ID on file is logged once as an inbound phone contact of that member, attributed to the
agent whose platform ID is a memberdesk username (unattributed otherwise).

Exactly once per call: the contact carries the platform's call ID (``Contact.call_ref``, unique).
``feed.receive`` calls this while it holds the call's row lock (``FOR UPDATE`` on PostgreSQL;
SQLite has one writer), so two requests carrying events of one call never both find it missing;
the unique index is the backstop. Once logged, the contact belongs to the agent's wrap-up: later
events of the call change the call's figures, never the contact. Never commits.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.crypto import bidx_member_number
from memberdesk.compliance.enums import AuditAction, Role
from memberdesk.compliance.models import User
from memberdesk.contacts import service
from memberdesk.contacts.enums import Channel, Direction, Reason
from memberdesk.contacts.models import Contact
from memberdesk.contacts.schemas import MAX_SECONDS, ContactIn
from memberdesk.kpi.live import CallState
from memberdesk.kpi.models import LiveCallRow
from memberdesk.members.models import Member
from memberdesk.surveys.service import after_contact

log = logging.getLogger(__name__)
SOURCE = "telephony"  # named in the audit entry: logged by the feed, not by a person


def link_calls(session: Session, ctx: AuditContext, call_ids: Iterable[str]) -> int:
    """Log a contact for each of these calls that has just become one; how many were logged."""
    rows = _candidates(session, sorted(set(call_ids)))
    if not rows:
        return 0
    members = _members(session, {r.member_ref for r in rows if r.member_ref})
    agents = _agents(session, {r.agent_ref for r in rows if r.agent_ref})
    logged = 0
    for row in rows:
        member = members.get(row.member_ref or "")
        if member is None:
            continue  # a member ID not on file (a typo in the IVR, another plan's member)
        if _log(session, ctx, row, member, agents.get(row.agent_ref or "")):
            logged += 1
    return logged


def _candidates(session: Session, call_ids: list[str]) -> list[LiveCallRow]:
    """The calls among ``call_ids`` answered and ended with a member ID and no contact yet."""
    if not call_ids:
        return []
    ended = session.scalars(
        select(LiveCallRow)
        .where(
            LiveCallRow.call_id.in_(call_ids),
            LiveCallRow.state == CallState.ENDED.value,
            LiveCallRow.member_ref.is_not(None),
        )
        .order_by(LiveCallRow.call_id)
    ).all()
    if not ended:
        return []
    done = set(
        session.scalars(
            select(Contact.call_ref).where(Contact.call_ref.in_([r.call_id for r in ended]))
        )
    )
    return [r for r in ended if r.call_id not in done]


def _members(session: Session, numbers: set[str]) -> dict[str, Member]:
    """Members by the member ID the platform sent (member IDs are found by blind index only)."""
    if not numbers:
        return {}
    by_index = {bidx_member_number(n): n for n in numbers}
    found = session.scalars(
        select(Member).where(
            Member.member_number_bidx.in_(list(by_index)), Member.purged_at.is_(None)
        )
    )
    return {by_index[m.member_number_bidx]: m for m in found}


def _agents(session: Session, refs: set[str]) -> dict[str, int]:
    """Staff users whose username is the platform's agent ID. A member's portal account is
    never taken for an agent, whatever its username."""
    if not refs:
        return {}
    rows = session.execute(
        select(User.username, User.id).where(User.username.in_(refs), User.role != Role.MEMBER)
    )
    return {name: user_id for name, user_id in rows}


def _seconds(value: float) -> int:
    return min(MAX_SECONDS, max(0, round(value)))


def _log(
    session: Session, ctx: AuditContext, row: LiveCallRow, member: Member, agent_id: int | None
) -> bool:
    """Log the call as a contact through the same checks and audit as one an agent logs."""
    if row.answered_at is None:  # an ended call was answered; this tells the type checker
        return False
    try:
        body = ContactIn(
            member_id=member.id,
            channel=Channel.PHONE,
            direction=Direction.INBOUND,
            # The reason is the agent's to give at wrap-up; "other" until then.
            reasons=[Reason.OTHER],
            started_at=row.answered_at,
            ended_at=row.ended_at,
            talk_seconds=_seconds(row.talk_seconds),
            hold_seconds=_seconds(row.hold_seconds),
            wrap_seconds=_seconds(row.wrap_seconds),
        )
    except ValidationError as exc:
        # Not worth losing the batch over: the call still counts in the figures. The rule
        # broken is logged, never the values (a member ID, a time of a member's call).
        fields = sorted({".".join(str(p) for p in e["loc"]) for e in exc.errors()})
        log.warning("call not logged as a contact: %s out of range", ", ".join(fields))
        return False
    contact = service.log_contact(session, body, agent_id=agent_id, member=member)
    contact.call_ref = row.call_id
    session.flush()
    audit.record(
        session,
        ctx,
        AuditAction.CONTACT_LOGGED,
        object_type="contact",
        object_id=contact.id,
        member_ids=[member.id],
        detail={"source": SOURCE, "call_id": row.call_id},
        changes={"new": body.model_dump(mode="json", exclude_none=True)},
    )
    after_contact(session, contact)  # a call the member had earns its survey like any other
    return True
