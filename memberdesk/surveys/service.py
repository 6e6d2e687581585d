"""Surveys: the invitation a completed contact earns (or why it earns none), answering through
the link, members' opt-outs, and the lists staff read. Functions take a session and never
commit: the route, command or job owns the transaction.

The throttle (one invitation per member per ``survey_throttle_days``) is claimed with one
conditional UPDATE of the member's ``survey_members`` row, and an answer spends its invitation
the same way, so neither can happen twice however many requests race (house rule: conditional
updates for exactly-once transitions).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.crypto import keyring
from memberdesk.compliance.enums import AuditAction
from memberdesk.compliance.redaction import redact
from memberdesk.config import Settings
from memberdesk.contacts.enums import Channel
from memberdesk.contacts.models import Contact
from memberdesk.db import insert_on_conflict, table_of
from memberdesk.errors import Conflict, NotFound
from memberdesk.members.models import Member
from memberdesk.members.packs import pack_for
from memberdesk.surveys.enums import (
    AnswerSource,
    InvitationState,
    Language,
    SendChannel,
    SkipReason,
)
from memberdesk.surveys.models import SurveyAnswer, SurveyInvitation, SurveyMember
from memberdesk.surveys.schemas import AnswerIn

# How each channel's contact is best reached afterwards: a caller by text, a writer by e-mail.
# Voicemails and letters are not surveyed: nobody served the member on them.
PREFERRED = {
    Channel.PHONE: SendChannel.SMS,
    Channel.SMS: SendChannel.SMS,
    Channel.EMAIL: SendChannel.EMAIL,
    Channel.CHAT: SendChannel.EMAIL,
    Channel.PORTAL: SendChannel.EMAIL,
}
SURVEYED_CHANNELS = frozenset(PREFERRED)
# A contact keyed in long after it ended is not worth a survey ("how did we do three weeks ago?").
STALE_DAYS = 7
ADULT_AGE = 18
TOKEN_BYTES = 32  # 256 bits: unguessable, and 43 characters in a link
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")
TOKEN_INDEX = "survey_token"  # noqa: S105 - the blind index's domain, not a secret
OPEN_STATES = (InvitationState.SENT, InvitationState.SENDING)
# Cahps look-back by pack: Medicaid 6 months, commercial 12 (CAHPS Health Plan Survey 5.x).
LOOKBACK_MONTHS = {"oregon-medicaid": 6}
DEFAULT_LOOKBACK_MONTHS = 12


class SurveyClosed(Conflict):
    """The link was used already, or is past its closing time."""

    type = "survey_closed"


@dataclass(frozen=True)
class InvitePolicy:
    """What deciding an invitation needs from the settings."""

    throttle_days: int = 30
    sms: bool = True  # texts can be delivered (the outbox, or an SMTP SMS gateway)

    @classmethod
    def of(cls, settings: Settings) -> InvitePolicy:
        """The policy the settings give."""
        return cls(
            throttle_days=settings.survey_throttle_days,
            sms=settings.survey_sender == "outbox" or bool(settings.smtp_sms_gateway),
        )


def lookback_months(pack: str) -> int:
    """The CAHPS look-back of a pack: 6 months for Medicaid, 12 for commercial plans."""
    return LOOKBACK_MONTHS.get(pack, DEFAULT_LOOKBACK_MONTHS)


def language_of(member: Member) -> Language:
    """The language a member reads surveys in: their written language, else spoken, else
    English (the survey is written in English and Spanish)."""
    for code in (member.written_language, member.spoken_language):
        if code in (Language.EN.value, Language.ES.value):
            return Language(code)
    return Language.EN


def address(member: Member, channel: SendChannel) -> str | None:
    """Where ``channel`` reaches the member, or None.

    Civil Code 56.107: a member who asked for confidential communications is texted only at their
    confidential number, and never e-mailed (no confidential e-mail is on file)."""
    confidential = member.confidential_scope is not None
    if channel is SendChannel.SMS:
        return member.confidential_phone if confidential else member.phone
    return None if confidential else member.email


def route(member: Member, contact_channel: Channel, sms: bool) -> SendChannel | None:
    """The channel to invite on: the contact's preferred one if it reaches the member, else
    the other; None when neither does."""
    first = PREFERRED[contact_channel]
    other = SendChannel.EMAIL if first is SendChannel.SMS else SendChannel.SMS
    for channel in (first, other):
        if channel is SendChannel.SMS and not sms:
            continue
        if address(member, channel):
            return channel
    return None


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def new_token() -> str:
    """A fresh link token (43 URL-safe characters)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_index(token: str) -> bytes:
    """The token's blind index: how the database finds an invitation without holding it."""
    return keyring().blind_index(TOKEN_INDEX, token)


def surveyable(contact: Contact, at: datetime) -> bool:
    """A contact that earns a survey decision: finished, with a member, served by someone on
    a surveyed channel, and ended recently."""
    return (
        contact.ended_at is not None
        and contact.member_id is not None
        and contact.agent_id is not None
        and contact.channel in SURVEYED_CHANNELS
        and contact.ended_at >= at - timedelta(days=STALE_DAYS)
    )


def _claim(session: Session, member_id: int, at: datetime, days: int) -> SkipReason | None:
    """Take the member's throttle slot (None), or say why not: one conditional UPDATE, so two
    contacts ending at once cannot both invite."""
    table = table_of(SurveyMember)
    session.execute(
        insert_on_conflict(session)(table)
        .values(member_id=member_id)
        .on_conflict_do_nothing(index_elements=["member_id"])
    )
    claimed = session.execute(
        update(table)
        .where(
            table.c.member_id == member_id,
            table.c.opted_out_at.is_(None),
            or_(
                table.c.last_invited_at.is_(None),
                table.c.last_invited_at <= at - timedelta(days=days),
            ),
        )
        .values(last_invited_at=at)
    )
    if claimed.rowcount == 1:  # type: ignore[attr-defined]
        return None
    opted = session.scalar(select(table.c.opted_out_at).where(table.c.member_id == member_id))
    return SkipReason.OPTED_OUT if opted is not None else SkipReason.THROTTLED


def _opted_out(session: Session, member_id: int) -> bool:
    pref = session.get(SurveyMember, member_id)
    return pref is not None and pref.opted_out_at is not None


def invite(
    session: Session, contact: Contact, *, at: datetime, policy: InvitePolicy
) -> SurveyInvitation | None:
    """The invitation ``contact`` earns, created pending (the sender sends it later), or a
    ``skipped`` row saying why none goes out; None for a contact that is not surveyed.
    Idempotent: a contact decided before returns its earlier row."""
    if not surveyable(contact, at):
        return None
    earlier = session.scalar(
        select(SurveyInvitation).where(SurveyInvitation.contact_id == contact.id)
    )
    if earlier is not None:
        return earlier
    member = session.get(Member, contact.member_id)
    if member is None or member.purged_at is not None:
        return None
    invitation = SurveyInvitation(
        contact_id=contact.id,
        member_id=member.id,
        agent_id=contact.agent_id,
        contact_channel=contact.channel,
        pack=pack_for(member),
        language=language_of(member).value,
        created_at=at,
        attempts=0,
    )
    channel = route(member, contact.channel, policy.sms)
    reason: SkipReason | None
    if _opted_out(session, member.id):
        reason = SkipReason.OPTED_OUT
    elif _age(member.date_of_birth, at.date()) < ADULT_AGE:
        reason = SkipReason.MINOR
    elif channel is None:
        reason = SkipReason.NO_ADDRESS
    else:
        reason = _claim(session, member.id, at, policy.throttle_days)
    if reason is not None:
        invitation.state, invitation.skip_reason = InvitationState.SKIPPED, reason
    else:
        token = new_token()
        invitation.state = InvitationState.PENDING
        invitation.send_channel = channel
        invitation.token, invitation.token_bidx = token, token_index(token)
        invitation.next_attempt_at = at
    session.add(invitation)
    session.flush()
    return invitation


def find(session: Session, token: str, field: str) -> SurveyInvitation:
    """The invitation a link's token opens (404 naming ``field`` for any other text: a
    malformed token costs no database work)."""
    found = None
    if TOKEN_RE.match(token):
        found = session.scalar(
            select(SurveyInvitation).where(SurveyInvitation.token_bidx == token_index(token))
        )
    if found is None or found.state is InvitationState.SKIPPED:
        raise NotFound("no survey has this link", field=field)
    return found


def status(invitation: SurveyInvitation, at: datetime) -> str:
    """open, answered or closed (past its time, or never sent)."""
    if invitation.answered_at is not None:
        return "answered"
    if (
        invitation.state in OPEN_STATES
        and invitation.expires_at is not None
        and at < invitation.expires_at
    ):
        return "open"
    return "closed"


def answer(
    session: Session,
    ctx: AuditContext,
    invitation: SurveyInvitation,
    body: AnswerIn,
    *,
    at: datetime,
) -> SurveyAnswer:
    """Store the answers and spend the link: one conditional UPDATE, so a link answers once
    even when two tabs send at the same moment (409 for the second, or after closing)."""
    table = table_of(SurveyInvitation)
    spent = session.execute(
        update(table)
        .where(
            table.c.id == invitation.id,
            table.c.answered_at.is_(None),
            table.c.state.in_([s.value for s in OPEN_STATES]),
            table.c.expires_at > at,
        )
        .values(state=InvitationState.ANSWERED.value, answered_at=at, token=None)
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(invitation)
        if invitation.answered_at is not None:
            raise SurveyClosed("this survey was answered already", field="body.token")
        raise SurveyClosed("this survey has closed", field="body.token")
    session.expire(invitation)
    contact = session.get(Contact, invitation.contact_id)
    assert contact is not None  # a foreign key
    stored = SurveyAnswer(
        invitation_id=invitation.id,
        contact_id=invitation.contact_id,
        member_id=invitation.member_id,
        agent_id=invitation.agent_id,
        channel=invitation.contact_channel,
        pack=invitation.pack,
        language=invitation.language,
        source=AnswerSource.LINK,
        answered_at=at,
        csat=body.csat,
        nps=body.nps,
        cahps_help=body.cahps_help,
        cahps_courtesy=body.cahps_courtesy,
        comment=(body.comment or "").strip() or None,
    )
    session.add(stored)
    session.flush()
    audit.record(
        session,
        ctx,
        AuditAction.SURVEY_ANSWERED,
        object_type="survey_answer",
        object_id=stored.id,
        member_ids=[invitation.member_id],
        changes={"new": _safe(stored)},
    )
    if body.opt_out:
        set_preference(session, ctx, invitation.member_id, opted_out=True, via="link", at=at)
    return stored


def _safe(stored: SurveyAnswer) -> dict[str, Any]:
    """An answer for the audit log: the scores, the comment named but never copied."""
    return {
        "contact_id": stored.contact_id,
        "csat": stored.csat,
        "nps": stored.nps,
        "cahps_help": stored.cahps_help.value if stored.cahps_help else None,
        "cahps_courtesy": stored.cahps_courtesy.value if stored.cahps_courtesy else None,
        "comment": "(text)" if stored.comment else None,
    }


def set_preference(
    session: Session,
    ctx: AuditContext,
    member_id: int,
    *,
    opted_out: bool,
    via: str,
    at: datetime,
) -> SurveyMember:
    """Opt a member out of surveys (or back in), audited with the old and new value."""
    pref = session.get(SurveyMember, member_id)
    if pref is None:
        pref = SurveyMember(member_id=member_id)
        session.add(pref)
    before = pref.opted_out_at is not None
    if before != opted_out:
        pref.opted_out_at = at if opted_out else None
        pref.opted_out_via = via if opted_out else None
        session.flush()
        audit.record(
            session,
            ctx,
            AuditAction.SURVEY_PREFERENCE_CHANGED,
            object_type="member",
            object_id=member_id,
            member_ids=[member_id],
            changes={"old": {"opted_out": before}, "new": {"opted_out": opted_out, "via": via}},
        )
    return pref


def comment_for(text: str | None, mask: dict[str, str]) -> str:
    """A comment as a role may read it: roles that see member data reduced (QA) read it with
    member IDs, phone numbers, e-mail addresses and dates replaced."""
    if not text:
        return ""
    return redact(text) if mask else text


def comments(
    session: Session,
    pack: str,
    start: datetime,
    end: datetime,
    *,
    agent_id: int | None,
    limit: int,
    offset: int,
) -> tuple[list[SurveyAnswer], int]:
    """Answers with a comment in [start, end), newest first, and how many there are."""
    where = [
        SurveyAnswer.pack == pack,
        SurveyAnswer.answered_at >= start,
        SurveyAnswer.answered_at < end,
        SurveyAnswer.comment.is_not(None),
    ]
    if agent_id is not None:
        where.append(SurveyAnswer.agent_id == agent_id)
    total = session.scalar(select(func.count()).select_from(SurveyAnswer).where(*where)) or 0
    rows = session.scalars(
        select(SurveyAnswer)
        .where(*where)
        .order_by(SurveyAnswer.answered_at.desc(), SurveyAnswer.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


# States a supervisor looks at when asking "what did not go out?".
NOT_SENT = (
    InvitationState.PENDING,
    InvitationState.SENDING,
    InvitationState.FAILED,
    InvitationState.SKIPPED,
)


def invitations(
    session: Session,
    *,
    states: tuple[InvitationState, ...],
    pack: str | None,
    limit: int,
    offset: int,
) -> tuple[list[SurveyInvitation], int]:
    """Invitations in ``states``, newest first, and how many there are."""
    where: list[Any] = [SurveyInvitation.state.in_(states)]
    if pack is not None:
        where.append(SurveyInvitation.pack == pack)
    total = session.scalar(select(func.count()).select_from(SurveyInvitation).where(*where)) or 0
    rows = session.scalars(
        select(SurveyInvitation)
        .where(*where)
        .order_by(SurveyInvitation.created_at.desc(), SurveyInvitation.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


def expired(invitation: SurveyInvitation, at: datetime) -> bool:
    """Sent, unanswered, and past its closing time."""
    return (
        invitation.state in OPEN_STATES
        and invitation.expires_at is not None
        and invitation.expires_at <= at
    )


def after_contact(session: Session, contact: Contact) -> SurveyInvitation | None:
    """Decide the survey of a contact that was just logged, ended or reached (the contacts'
    write paths call this in their transaction), under the process's settings."""
    at = now()
    if not surveyable(contact, at):
        return None
    from memberdesk.config import get_settings  # the process's, as the worker reads them

    return invite(session, contact, at=at, policy=InvitePolicy.of(get_settings()))
