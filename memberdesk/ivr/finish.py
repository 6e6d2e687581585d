"""A call leaving the phone menu: it becomes one inbound phone contact (with its path in words
and whether the menu contained it), and a voicemail becomes the callback task, due by the
member's pack's ``voicemail_return`` as ``POST /api/voicemails`` makes it. Never commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction
from memberdesk.contacts import callbacks, service
from memberdesk.contacts.enums import Channel, Direction, Disposition, Reason
from memberdesk.contacts.models import Callback
from memberdesk.contacts.schemas import MAX_SECONDS, ContactIn
from memberdesk.ivr.enums import SERVED, Choice, Outcome, Step
from memberdesk.ivr.models import IvrCall
from memberdesk.ivr.words import path_words
from memberdesk.members.models import Member

SOURCE = "ivr"  # named in audit entries: recorded by the phone menu, not by a person
CALL_REF = "ivr:"  # the contact's call_ref; the agent's part of the call keeps the platform's
DISPOSITION = {
    Outcome.CONTAINED: Disposition.RESOLVED,
    Outcome.TRANSFERRED: Disposition.TRANSFERRED,
    Outcome.VOICEMAIL: Disposition.VOICEMAIL_LEFT,
    Outcome.ABANDONED: Disposition.OTHER,
}
REASONS = {
    Choice.CARD_STATUS: Reason.ID_CARD,
    Choice.NEW_CARD: Reason.ID_CARD,
    Choice.NEW_CARD_REFUSED: Reason.ID_CARD,
    Choice.ELIGIBILITY: Reason.ELIGIBILITY,
}


def served(call: IvrCall) -> bool:
    """Whether the menu answered something for the caller."""
    return any(Choice(s) in SERVED for s in call.path)


def hung_up(session: Session, ctx: AuditContext, call: IvrCall, *, at: datetime) -> None:
    """The caller hung up while in the menu: contained when it answered something."""
    if call.outcome != Outcome.IN_MENU:
        return  # already left the menu (transfer, voicemail): the status changes nothing
    if call.step == Step.VOICEMAIL:
        # Hanging up is how many callers end a message: Twilio posts the recording after (or
        # before) this status, and the recording decides how the call ends.
        call.ended_at = at
        return
    finish(session, ctx, call, left_as(call), at=at)


def left_as(call: IvrCall) -> Outcome:
    """How a call that ended in the menu left it."""
    return Outcome.CONTAINED if served(call) else Outcome.ABANDONED


def finish(
    session: Session, ctx: AuditContext, call: IvrCall, outcome: Outcome, *, at: datetime
) -> None:
    """The call leaves the menu with ``outcome``, logged once as a contact."""
    if call.outcome != Outcome.IN_MENU:
        return
    call.outcome = outcome
    call.step = Step.DONE
    call.ended_at = max(at, call.started_at)
    call.pending_member_id = None
    member = session.get(Member, call.member_id) if call.member_id else None
    reasons = list(dict.fromkeys(r for s in call.path if (r := REASONS.get(Choice(s)))))
    seconds = int((call.ended_at - call.started_at).total_seconds())
    body = ContactIn(
        member_id=member.id if member else None,
        channel=Channel.PHONE,
        direction=Direction.INBOUND,
        reasons=reasons or [call.reason or Reason.OTHER],
        started_at=call.started_at,
        ended_at=call.ended_at,
        resolved=outcome == Outcome.CONTAINED,
        language=call.language,
        talk_seconds=min(MAX_SECONDS, max(0, seconds)),
        disposition=DISPOSITION[outcome],
        notes="Phone menu: " + "; ".join(path_words(call.path)) + ".",
    )
    contact = service.log_contact(session, body, agent_id=None, member=member)
    contact.call_ref = CALL_REF + call.call_sid
    session.flush()
    call.contact_id = contact.id
    audit.record(
        session,
        ctx,
        AuditAction.CONTACT_LOGGED,
        object_type="contact",
        object_id=contact.id,
        member_ids=[member.id] if member else [],
        detail={"source": SOURCE, "outcome": outcome.value, "steps": len(call.path)},
    )


def record_voicemail(
    session: Session, ctx: AuditContext, call: IvrCall, *, at: datetime
) -> Callback:
    """The caller's message becomes the voicemail callback task (to the number they called
    from), and the call leaves the menu as a voicemail."""
    member = session.get(Member, call.member_id) if call.member_id else None
    cb = callbacks.record_voicemail(
        session, member=member, phone=call.from_phone or "", received_at=at, created_by_id=None
    )
    call.callback_id = cb.id
    audit.record(
        session,
        ctx,
        AuditAction.VOICEMAIL_RECORDED,
        object_type="callback",
        object_id=cb.id,
        member_ids=[member.id] if member else [],
        changes={"new": {"phone": "(text)", "received_at": cb.received_at.isoformat()}},
        detail={"source": SOURCE},
    )
    finish(session, ctx, call, Outcome.VOICEMAIL, at=at)
    return cb
