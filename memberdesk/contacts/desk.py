"""What the agent desktop and the portal pages need beyond the contacts API's services: a call
started and ended from the desktop, its reasons chosen at the end, the member's usual reasons,
portal messages awaiting a reply with their answers, and today's callbacks and letters with the
names an agent calls them by. Every read of member data and every change is audited here or
through ``access``; nothing commits (the route does, once).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.calendars import get_calendar
from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction
from memberdesk.contacts import access, callbacks, service
from memberdesk.contacts.enums import (
    CallbackState,
    Channel,
    Direction,
    Disposition,
    LetterState,
    Reason,
)
from memberdesk.contacts.models import Callback, Contact, ContactReason, LetterTask
from memberdesk.contacts.schemas import MAX_SECONDS, ContactIn, ContactPatch
from memberdesk.errors import Conflict
from memberdesk.members.models import Member
from memberdesk.members.packs import pack_for
from memberdesk.sla.packs import get_target

# A call left open longer than this is not "the call in progress" any more (the agent forgot
# to end it); the member page stops offering to go back to it.
OPEN_CALL_HOURS = 12
USUAL_REASONS = 4


def start_call(
    session: Session, ctx: AuditContext, *, agent_id: int, member: Member | None, at: datetime
) -> Contact:
    """An inbound phone contact started now; its reasons are chosen when it is saved."""
    body = ContactIn(
        member_id=member.id if member else None,
        channel=Channel.PHONE,
        direction=Direction.INBOUND,
        # A contact has at least one reason; "other" holds the place until the wrap-up.
        reasons=[Reason.OTHER],
        started_at=at,
        language=member.spoken_language if member else None,
        interpreter_used=False,
    )
    return access.log_contact(session, ctx, body, agent_id=agent_id)


def _desk_fields(
    session: Session,
    ctx: AuditContext,
    contact: Contact,
    reasons: Sequence[Reason],
    interpreter_used: bool,
) -> None:
    """Set what the wrap-up patch does not carry: the reasons (rows kept for reasons that
    stay) and the interpreter, audited old and new."""
    wanted = list(dict.fromkeys(reasons))
    before = contact.reason_codes
    old: dict[str, object] = {}
    new: dict[str, object] = {}
    if before != wanted:
        keep = [r for r in contact.reasons if r.reason in wanted]
        have = {r.reason for r in keep}
        contact.reasons = keep + [
            ContactReason(reason=r, member_id=contact.member_id, started_at=contact.started_at)
            for r in wanted
            if r not in have
        ]
        old["reasons"] = [r.value for r in before]
        new["reasons"] = [r.value for r in wanted]
    if interpreter_used != contact.interpreter_used:
        old["interpreter_used"], new["interpreter_used"] = (
            contact.interpreter_used,
            interpreter_used,
        )
        contact.interpreter_used = interpreter_used
    if not new:
        return
    session.flush()
    audit.record(
        session,
        ctx,
        AuditAction.CONTACT_UPDATED,
        object_type="contact",
        object_id=contact.id,
        member_ids=[contact.member_id] if contact.member_id else [],
        changes={"old": old, "new": new},
    )


def end_call(
    session: Session,
    ctx: AuditContext,
    contact: Contact,
    *,
    reasons: Sequence[Reason],
    resolved: bool,
    disposition: Disposition | None,
    notes: str | None,
    interpreter_used: bool,
    at: datetime,
) -> Contact:
    """Save and end a desktop call: reasons, resolution, disposition, talk time from its start.

    409 when the call was already saved (a second click, or another tab)."""
    if contact.ended_at is not None:
        raise Conflict("this call was already saved and ended", field="path.contact_id")
    _desk_fields(session, ctx, contact, reasons, interpreter_used)
    talk = max(0, min(MAX_SECONDS, int((at - contact.started_at).total_seconds())))
    patch = ContactPatch(
        ended_at=max(at, contact.started_at),
        talk_seconds=talk,
        disposition=disposition or (Disposition.RESOLVED if resolved else Disposition.OTHER),
        resolved=resolved,
        notes=notes,
    )
    return access.wrap_up(session, ctx, contact.id, patch)


def usual_reasons(session: Session, member_id: int, limit: int = USUAL_REASONS) -> list[Reason]:
    """The reasons this member contacts us about most, most frequent first (ties: latest)."""
    rows = session.execute(
        select(ContactReason.reason, func.count(), func.max(ContactReason.started_at))
        .where(ContactReason.member_id == member_id, ContactReason.reason != Reason.OTHER)
        .group_by(ContactReason.reason)
        .order_by(func.count().desc(), func.max(ContactReason.started_at).desc())
        .limit(limit)
    ).all()
    return [Reason(r) for r, _, _ in rows]


def reasons_in_order(usual: Sequence[Reason]) -> list[Reason]:
    """Every reason, the member's usual ones first, "something else" last."""
    rest = [r for r in Reason if r not in usual and r != Reason.OTHER]
    return [*usual, *rest, Reason.OTHER]


def open_call(session: Session, agent_id: int, member_id: int, at: datetime) -> Contact | None:
    """This agent's phone call with this member that has not been saved yet, if any."""
    return session.scalars(
        select(Contact)
        .where(
            Contact.agent_id == agent_id,
            Contact.member_id == member_id,
            Contact.channel == Channel.PHONE,
            Contact.ended_at.is_(None),
            Contact.started_at >= at - timedelta(hours=OPEN_CALL_HOURS),
        )
        .order_by(Contact.started_at.desc(), Contact.id.desc())
        .limit(1)
    ).first()


# --- portal messages -------------------------------------------------------------------------


@dataclass(frozen=True)
class Thread:
    """A member's portal message and what member services answered."""

    message: Contact
    replies: list[Contact]


def _portal_messages(session: Session, member_id: int, *, awaiting: bool) -> list[Contact]:
    where = [
        Contact.member_id == member_id,
        Contact.channel == Channel.PORTAL,
        Contact.direction == Direction.INBOUND,
    ]
    if awaiting:
        where.append(Contact.answered_at.is_(None))
        order = (Contact.reply_due_at, Contact.id)
    else:
        order = (Contact.started_at.desc(), Contact.id.desc())  # type: ignore[assignment]
    return list(session.scalars(select(Contact).where(*where).order_by(*order).limit(100)))


def _threads(session: Session, messages: list[Contact]) -> list[Thread]:
    ids = [m.id for m in messages]
    replies: dict[int, list[Contact]] = {i: [] for i in ids}
    if ids:
        for reply in session.scalars(
            select(Contact)
            .where(Contact.in_reply_to_id.in_(ids))
            .order_by(Contact.started_at, Contact.id)
        ):
            replies[reply.in_reply_to_id or 0].append(reply)
    return [Thread(m, replies[m.id]) for m in messages]


def member_threads(
    session: Session, ctx: AuditContext, member: Member, *, awaiting: bool, path: str
) -> list[Thread]:
    """A member's portal messages (only those awaiting a reply, or all) with their answers,
    the read of subjects and texts audited."""
    threads = _threads(session, _portal_messages(session, member.id, awaiting=awaiting))
    audit.record(
        session,
        ctx,
        AuditAction.CONTACT_LISTED,
        object_type="member",
        object_id=member.id,
        member_ids=[member.id],
        detail={"path": path[:120], "shown": len(threads), "kind": "portal_messages"},
    )
    return threads


def awaiting_count(session: Session, member_id: int) -> int:
    """How many of the member's portal messages await a reply (a count: no PHI)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Contact)
            .where(
                Contact.member_id == member_id,
                Contact.channel == Channel.PORTAL,
                Contact.direction == Direction.INBOUND,
                Contact.answered_at.is_(None),
            )
        )
        or 0
    )


def own_threads(session: Session, member_id: int, *, limit: int = 50) -> list[Thread]:
    """The member's own messages, newest first, with the answers they were sent."""
    rows, _ = service.my_messages(session, member_id, limit=limit, offset=0)
    return _threads(session, rows)


def reply(
    session: Session,
    ctx: AuditContext,
    member: Member,
    message_id: int,
    *,
    text: str,
    agent_id: int,
    at: datetime,
) -> Contact:
    """Answer a member's portal message: an outbound portal contact ``in_reply_to`` it."""
    message = session.get(Contact, message_id)
    reasons = message.reason_codes if message and message.member_id == member.id else []
    body = ContactIn(
        member_id=member.id,
        channel=Channel.PORTAL,
        direction=Direction.OUTBOUND,
        reasons=reasons or [Reason.OTHER],
        started_at=at,
        ended_at=at,
        disposition=Disposition.INFO_SENT,
        notes=text,
        in_reply_to=message_id,
    )
    return access.log_contact(session, ctx, body, agent_id=agent_id)


# --- callbacks and letters -------------------------------------------------------------------


def callback_tz(cb: Callback) -> tzinfo:
    """The zone of the calendar that set the callback's deadline (its pack's)."""
    return get_calendar(get_target(cb.pack, callbacks.TARGET).calendar).tz


def names(session: Session, member_ids: Sequence[int | None]) -> dict[int, Member]:
    """Members by id, in one statement (for the names an agent calls them by)."""
    ids = {i for i in member_ids if i is not None}
    if not ids:
        return {}
    return {m.id: m for m in session.scalars(select(Member).where(Member.id.in_(ids)))}


def due_today(
    session: Session, ctx: AuditContext, *, at: datetime, limit: int
) -> tuple[list[Callback], int]:
    """Open callbacks due by the end of today (overdue ones first, by deadline), audited."""
    rows, total = callbacks.list_callbacks(
        session,
        state=CallbackState.OPEN,
        assigned_to=None,
        due_before=callbacks.end_of_local_day(at, pack_for(None)),
        limit=limit,
        offset=0,
    )
    audit.record(
        session,
        ctx,
        AuditAction.CALLBACK_LISTED,
        object_type="callback_list",
        member_ids=sorted({c.member_id for c in rows if c.member_id is not None}),
        detail={"shown": len(rows), "total": total, "page": "callbacks_due_today"},
    )
    return rows, total


def open_letters(session: Session, ctx: AuditContext, *, limit: int) -> list[LetterTask]:
    """Letters still to send after failed callbacks, oldest first, audited."""
    rows, total = callbacks.list_letters(session, state=LetterState.OPEN, limit=limit, offset=0)
    audit.record(
        session,
        ctx,
        AuditAction.LETTER_LISTED,
        object_type="letter_list",
        member_ids=sorted({r.member_id for r in rows if r.member_id is not None}),
        detail={"shown": len(rows), "total": total},
    )
    return rows


def letter_sent(
    session: Session, ctx: AuditContext, letter_id: int, *, user_id: int, at: datetime
) -> LetterTask:
    """Mark a letter sent (an outbound letter contact is recorded), audited as the API does."""
    letter = callbacks.complete_letter(session, letter_id, user_id=user_id, at=at)
    audit.record(
        session,
        ctx,
        AuditAction.LETTER_SENT,
        object_type="letter_task",
        object_id=letter.id,
        member_ids=[letter.member_id] if letter.member_id else [],
        detail={"contact_id": letter.contact_id},
    )
    return letter


def claim_next(
    session: Session, ctx: AuditContext, *, user_id: int, at: datetime
) -> Callback | None:
    """The next callback for this agent: one already held and still open, else the open one due
    first (claimed, audited)."""
    held = session.scalars(
        select(Callback)
        .where(Callback.assigned_to_id == user_id, Callback.state == CallbackState.OPEN)
        .order_by(Callback.due_at, Callback.id)
        .limit(1)
    ).first()
    if held is not None:
        return held
    cb = callbacks.claim_next(session, user_id, at)
    if cb is not None:
        access.record_claim(session, ctx, cb)
    return cb
