"""Contacts: logging, wrap-up, identity verification, history, one-contact resolution, portal
messages. Functions take a session and never commit: the route or command owns the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import Integer, Select, bindparam, func, select
from sqlalchemy.orm import Session, aliased

from memberdesk.calendars import get_calendar
from memberdesk.compliance.models import User
from memberdesk.contacts import fcr
from memberdesk.contacts.enums import Channel, Direction, MessageStatus, Reason, VerificationFact
from memberdesk.contacts.models import Contact, ContactReason
from memberdesk.contacts.schemas import (
    ContactIn,
    ContactOut,
    ContactPatch,
    ContactSummary,
    MessageOut,
)
from memberdesk.errors import Conflict, InvalidInput, NotFound
from memberdesk.members.models import Member
from memberdesk.members.packs import pack_for
from memberdesk.sla.clocks import Clock
from memberdesk.sla.packs import UnknownTargetError, get_pack, get_target

NOTE_SEPARATOR = "\n\n"
# Channels on which the caller is not in front of a verified portal session: the agent must
# check identity before disclosing member details.
VERIFY_CHANNELS = frozenset({Channel.PHONE, Channel.CHAT, Channel.SMS, Channel.VOICEMAIL})


class VerificationRequired(Conflict):
    """Member details were asked for on a contact whose caller is not yet verified."""

    type = "identity_not_verified"


def member_for_body(session: Session, member_id: int | None, field: str) -> Member | None:
    """The member a request body names, or None for null; 422 naming ``field`` if unknown."""
    if member_id is None:
        return None
    member = session.get(Member, member_id)
    if member is None or member.purged_at is not None:
        raise InvalidInput("no member with this id", field=field)
    return member


def pack_tz(member: Member | None) -> tzinfo:
    """Time zone of the calendar of the member's pack (calendar days are counted in it)."""
    return get_calendar(get_pack(pack_for(member)).calendar).tz


def _set_reasons(contact: Contact, reasons: Sequence[Reason]) -> None:
    contact.reasons = [
        ContactReason(reason=r, member_id=contact.member_id, started_at=contact.started_at)
        for r in dict.fromkeys(reasons)
    ]


def log_contact(
    session: Session, body: ContactIn, *, agent_id: int | None, member: Member | None
) -> Contact:
    """Record a contact; a reply to a portal message (``in_reply_to``) marks it answered."""
    contact = Contact(
        member_id=member.id if member else None,
        agent_id=agent_id,
        channel=body.channel,
        direction=body.direction,
        started_at=body.started_at,
        ended_at=body.ended_at,
        resolved=body.resolved,
        language=body.language,
        interpreter_used=body.interpreter_used,
        talk_seconds=body.talk_seconds,
        hold_seconds=body.hold_seconds,
        wrap_seconds=body.wrap_seconds,
        disposition=body.disposition,
        notes=body.notes,
    )
    _set_reasons(contact, body.reasons)
    if body.in_reply_to is not None:
        _answer(session, contact, body.in_reply_to)
    session.add(contact)
    session.flush()
    return contact


def _answer(session: Session, reply: Contact, message_id: int) -> None:
    field = "body.in_reply_to"
    if reply.channel != Channel.PORTAL or reply.direction != Direction.OUTBOUND:
        raise InvalidInput("only an outbound portal contact answers a portal message", field=field)
    message = session.get(Contact, message_id)
    if (
        message is None
        or message.channel != Channel.PORTAL
        or message.direction != Direction.INBOUND
        or message.member_id != reply.member_id
    ):
        raise InvalidInput("no portal message of this member with this id", field=field)
    reply.in_reply_to_id = message.id
    if message.answered_at is None:
        message.answered_at = reply.started_at


def get_contact(session: Session, contact_id: int) -> Contact:
    """The contact with internal id ``contact_id`` (404 naming the path parameter)."""
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFound("no contact with this id", field="path.contact_id")
    return contact


def wrap_up(session: Session, contact: Contact, patch: ContactPatch) -> dict[str, Any]:
    """Apply a wrap-up; notes are appended, never replaced. Returns the old values changed."""
    fields = patch.model_dump(exclude_unset=True, exclude_none=True)
    ended = fields.get("ended_at", contact.ended_at)
    if ended is not None and ended < contact.started_at:
        raise InvalidInput("ended_at must not be before started_at", field="body.ended_at")
    old: dict[str, Any] = {}
    member_id = fields.pop("member_id", None)
    if member_id is not None and member_id != contact.member_id:
        member_for_body(session, member_id, "body.member_id")  # unknown: 422 before anything
        if contact.member_id is not None:
            raise Conflict(
                "this contact already names a member; log a new contact instead",
                field="body.member_id",
            )
        old["member_id"] = None
        contact.member_id = member_id
        for r in contact.reasons:  # FCR finds repeats through the reasons' copy
            r.member_id = member_id
    for name, value in fields.items():
        if name == "notes":
            old["notes"] = "(appended)"
            contact.notes = f"{contact.notes}{NOTE_SEPARATOR}{value}" if contact.notes else value
            continue
        before = getattr(contact, name)
        if before != value:
            old[name] = before
            setattr(contact, name, value)
    session.flush()
    return old


def verify_identity(
    contact: Contact,
    facts: Sequence[VerificationFact],
    *,
    user_id: int,
    at: datetime,
    min_facts: int,
) -> None:
    """Record which identity facts were checked; at least ``min_facts`` distinct ones."""
    distinct = list(dict.fromkeys(facts))
    if contact.member_id is None:
        raise Conflict("identify the caller first: this contact has no member", field="body.facts")
    if len(distinct) < min_facts:
        raise InvalidInput(
            f"check at least {min_facts} different identity facts", field="body.facts"
        )
    merged = list(dict.fromkeys([*(contact.verified_facts or []), *(f.value for f in distinct)]))
    contact.verified_facts = merged
    contact.verified_at = at
    contact.verified_by_id = user_id


def is_verified(contact: Contact) -> bool:
    """True when the caller's identity was verified on the contact."""
    return contact.verified_at is not None


def require_verified(contact: Contact) -> None:
    """Refuse (409) to disclose member details on a contact whose caller is not verified.

    Pages call this before showing a member's details during a phone (chat, SMS) contact.
    Contacts on other channels (portal, letter, e-mail) are not verified this way.
    """
    if contact.channel in VERIFY_CHANNELS and not is_verified(contact):
        raise VerificationRequired(
            "verify the caller's identity on this contact before disclosing member details",
            field="path.contact_id",
        )


def _facts(
    rows: Sequence[tuple[int, int | None, datetime, bool, Direction, Reason]],
) -> list[fcr.ContactFact]:
    by_id: dict[int, dict[str, Any]] = {}
    for cid, member_id, started, resolved, direction, reason in rows:
        entry = by_id.setdefault(
            cid,
            {
                "id": cid,
                "member_id": member_id,
                "started_at": started,
                "resolved": resolved,
                "inbound": direction == Direction.INBOUND,
                "reasons": set(),
            },
        )
        entry["reasons"].add(reason.value)
    return [fcr.ContactFact(**{**e, "reasons": frozenset(e["reasons"])}) for e in by_id.values()]


_FACT_COLUMNS = (
    Contact.id,
    Contact.member_id,
    Contact.started_at,
    Contact.resolved,
    Contact.direction,
    ContactReason.reason,
)


def contact_fcr(
    session: Session, contact: Contact, *, window_days: int, now: datetime
) -> bool | None:
    """One-contact resolution of one contact (true, false, or None while the window is open)."""
    if not contact.resolved:
        return False
    member = session.get(Member, contact.member_id) if contact.member_id else None
    tz = pack_tz(member)
    me = fcr.ContactFact(
        contact.id,
        contact.member_id,
        contact.started_at,
        frozenset(r.value for r in contact.reason_codes),
        contact.resolved,
        contact.direction == Direction.INBOUND,
    )
    others: list[fcr.ContactFact] = []
    if contact.member_id is not None:
        # The window ends on a local date; a day's slack in UTC covers any offset.
        until = contact.started_at + timedelta(days=window_days + 2)
        rows = session.execute(
            select(*_FACT_COLUMNS)
            .join(ContactReason, ContactReason.contact_id == Contact.id)
            .where(
                ContactReason.member_id == contact.member_id,
                ContactReason.reason.in_(contact.reason_codes),
                ContactReason.started_at >= contact.started_at,
                ContactReason.started_at <= until,
                ContactReason.contact_id != contact.id,
            )
        ).all()
        others = _facts(rows)  # type: ignore[arg-type]
    return fcr.outcome(me, others, window_days=window_days, now=now, tz=tz)


def fcr_period(
    session: Session, start: datetime, end: datetime, *, window_days: int, now: datetime
) -> fcr.FcrTally:
    """FCR over contacts started in [start, end), judged with contacts up to the window after."""
    return fcr.tally_of(fcr_judged(session, start, end, window_days=window_days, now=now))


def fcr_judged(
    session: Session, start: datetime, end: datetime, *, window_days: int, now: datetime
) -> list[tuple[fcr.ContactFact, bool | None]]:
    """Each member's own (inbound) contact started in [start, end) with its one-contact
    outcome (None: pending). The plan's own letters, replies and callbacks are not judged: they
    answer a contact, and counting them unresolved would pull the rate down for nothing."""
    if end <= start:
        raise InvalidInput("end must be after start", field="query.end")
    rows = session.execute(
        select(*_FACT_COLUMNS)
        .join(ContactReason, ContactReason.contact_id == Contact.id)
        .where(
            Contact.started_at >= start,
            Contact.started_at < end,
            Contact.direction == Direction.INBOUND,
        )
    ).all()
    contacts = _facts(rows)  # type: ignore[arg-type]
    members = {c.member_id for c in contacts if c.member_id is not None}
    later: list[fcr.ContactFact] = []
    if members:
        until = end + timedelta(days=window_days + 2)
        later_rows = session.execute(
            select(*_FACT_COLUMNS)
            .join(ContactReason, ContactReason.contact_id == Contact.id)
            .where(
                ContactReason.member_id.in_(members),
                ContactReason.started_at >= start,
                ContactReason.started_at < until,
            )
        ).all()
        later = _facts(later_rows)  # type: ignore[arg-type]
    # Every seeded line of business runs on one calendar today; a second one would group here.
    return fcr.outcomes(contacts, later, window_days=window_days, now=now, tz=pack_tz(None))


def contact_out(
    session: Session, contact: Contact, *, window_days: int, now: datetime
) -> ContactOut:
    """The API view of a contact, with its one-contact resolution."""
    agent = session.get(User, contact.agent_id) if contact.agent_id else None
    return ContactOut(
        id=contact.id,
        member_id=contact.member_id,
        agent_id=contact.agent_id,
        agent=agent.username if agent else None,
        channel=contact.channel,
        direction=contact.direction,
        reasons=contact.reason_codes,
        started_at=contact.started_at,
        ended_at=contact.ended_at,
        resolved=contact.resolved,
        first_contact_resolution=contact_fcr(session, contact, window_days=window_days, now=now),
        language=contact.language,
        interpreter_used=contact.interpreter_used,
        talk_seconds=contact.talk_seconds,
        hold_seconds=contact.hold_seconds,
        wrap_seconds=contact.wrap_seconds,
        disposition=contact.disposition,
        notes=contact.notes,
        identity_verified=is_verified(contact),
        verified_facts=[VerificationFact(f) for f in contact.verified_facts or []],
        verified_at=contact.verified_at,
        in_reply_to=contact.in_reply_to_id,
        reply_due_at=contact.reply_due_at,
        answered_at=contact.answered_at,
        created_at=contact.created_at,
    )


def member_contacts(
    session: Session, member_id: int, *, limit: int, offset: int
) -> tuple[list[Contact], int]:
    """A member's contacts, newest first, and how many there are."""
    total = (
        session.scalar(
            select(func.count()).select_from(Contact).where(Contact.member_id == member_id)
        )
        or 0
    )
    rows = session.scalars(
        select(Contact)
        .where(Contact.member_id == member_id)
        .order_by(Contact.started_at.desc(), Contact.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


def _recent_statement() -> Select[Any]:
    latest = (
        select(
            Contact.id,
            Contact.started_at,
            Contact.channel,
            Contact.direction,
            Contact.resolved,
            Contact.agent_id,
            Contact.call_ref,
        )
        .where(Contact.member_id == bindparam("member_id", type_=Integer))
        .order_by(Contact.started_at.desc(), Contact.id.desc())
        .limit(bindparam("limit", type_=Integer))
        .subquery()
    )
    agent = aliased(User)
    return (
        select(
            latest.c.id,
            latest.c.started_at,
            latest.c.channel,
            latest.c.direction,
            latest.c.resolved,
            agent.username,
            ContactReason.reason,
            latest.c.call_ref,
        )
        .outerjoin(agent, agent.id == latest.c.agent_id)
        .outerjoin(ContactReason, ContactReason.contact_id == latest.c.id)
        .order_by(latest.c.started_at.desc(), latest.c.id.desc(), ContactReason.id)
    )


# Built once: every member 360 runs it, and building it cost more than running it.
_RECENT = _recent_statement()


def recent_contacts(session: Session, member_id: int, limit: int = 10) -> list[ContactSummary]:
    """The member's latest contacts with their reasons and agents: one statement."""
    rows = session.execute(_RECENT, {"member_id": member_id, "limit": limit}).all()
    out: dict[int, ContactSummary] = {}
    for cid, started, channel, direction, resolved, username, reason, call_ref in rows:
        item = out.get(cid)
        if item is None:
            item = out[cid] = ContactSummary(
                id=cid,
                started_at=started,
                channel=channel,
                direction=direction,
                reasons=[],
                agent=username,
                resolved=resolved,
                phone_menu=_from_menu(call_ref),
            )
        if reason is not None:
            item.reasons.append(Reason(reason))
    return list(out.values())


def _utc(at: datetime | None) -> datetime | None:
    # Clocks answer in the calendar's zone; rows and API answers are in UTC either way.
    return at.astimezone(UTC) if at is not None else None


def send_message(
    session: Session, member: Member, *, subject: str, body: str, at: datetime
) -> Contact:
    """A member's secure message: an inbound portal contact due for a reply by ``email_reply``
    (with no deadline where the member's pack sets none: the Oregon Medicaid pack has no
    written-reply target)."""
    pack = pack_for(member)
    on = at.astimezone(pack_tz(member)).date()  # the pack version in effect that local day
    try:
        clock: Clock | None = Clock.for_target(get_target(pack, "email_reply", on), at)
    except UnknownTargetError:
        clock = None
    contact = Contact(
        member_id=member.id,
        agent_id=None,  # the member wrote it; the audit log names their account
        channel=Channel.PORTAL,
        direction=Direction.INBOUND,
        started_at=at,
        ended_at=at,
        resolved=False,
        subject=subject,
        notes=body,
        reply_due_at=_utc(clock.due) if clock else None,
        reply_warn_at=_utc(clock.warning_at) if clock else None,
    )
    _set_reasons(contact, [Reason.OTHER])
    session.add(contact)
    session.flush()
    return contact


def message_out(contact: Contact) -> MessageOut:
    """A portal message as its sender sees it."""
    return MessageOut(
        id=contact.id,
        subject=contact.subject or "",
        sent_at=contact.started_at,
        status=MessageStatus.ANSWERED if contact.answered_at else MessageStatus.AWAITING_REPLY,
        reply_due_at=contact.reply_due_at,
        answered_at=contact.answered_at,
    )


def my_messages(
    session: Session, member_id: int, *, limit: int, offset: int
) -> tuple[list[Contact], int]:
    """A member's own portal messages, newest first."""
    where = (
        Contact.member_id == member_id,
        Contact.channel == Channel.PORTAL,
        Contact.direction == Direction.INBOUND,
    )
    total = session.scalar(select(func.count()).select_from(Contact).where(*where)) or 0
    rows = session.scalars(
        select(Contact)
        .where(*where)
        .order_by(Contact.started_at.desc(), Contact.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


def usernames(session: Session, user_ids: Sequence[int | None]) -> dict[int, str]:
    """Usernames of the given users, in one statement."""
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.username).where(User.id.in_(ids)))
    return {user_id: name for user_id, name in rows}


def summary(contact: Contact, users: dict[int, str]) -> ContactSummary:
    """A history line for a contact whose reasons are loaded."""
    return ContactSummary(
        id=contact.id,
        started_at=contact.started_at,
        channel=contact.channel,
        direction=contact.direction,
        reasons=contact.reason_codes,
        agent=users.get(contact.agent_id) if contact.agent_id else None,
        resolved=contact.resolved,
        phone_menu=_from_menu(contact.call_ref),
    )


def _from_menu(call_ref: str | None) -> bool:
    """Whether the phone menu logged the contact (ivr/finish.py marks its calls so)."""
    return bool(call_ref and call_ref.startswith("ivr:"))
