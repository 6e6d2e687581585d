"""Sending invitations: a pluggable sender (the outbox table, or SMTP through the standard
library) and the job that feeds it.

The job claims a batch of due invitations and commits (state ``sending``), sends them with no
transaction open (an SMTP server may take seconds; house rule: slow work after the commit), then
records each outcome in a second short transaction. Several workers may run: on PostgreSQL the
claim takes rows ``FOR UPDATE SKIP LOCKED``, on SQLite the write lock orders them. A worker
killed between claim and record leaves rows ``sending``; they are claimed again once
``RECLAIM_AFTER`` has passed, so an invitation goes at least once (rarely twice), never zero
times. A failure is retried ``MAX_ATTEMPTS`` times, then the invitation shows as ``failed``.
Errors are short codes: never an address, a link or the server's reply (it may quote them).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr
from typing import Any, Protocol

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext, Event
from memberdesk.compliance.enums import AuditAction
from memberdesk.config import Settings
from memberdesk.contacts.models import Contact
from memberdesk.db import table_of
from memberdesk.members.models import Member
from memberdesk.sla.packs import zone_of
from memberdesk.surveys import words
from memberdesk.surveys.enums import InvitationState, Language, SendChannel
from memberdesk.surveys.models import OutboxMessage, SurveyInvitation, SurveyMember
from memberdesk.surveys.service import address

log = logging.getLogger("memberdesk.surveys")
SENDER = AuditContext(actor_id=None, actor="survey-sender", role="system")
BATCH = 100
MAX_ATTEMPTS = 3
RETRY_AFTER = (timedelta(minutes=5), timedelta(minutes=30))
RECLAIM_AFTER = timedelta(minutes=15)

WriteSession = Callable[[], AbstractContextManager[Session]]


@dataclass(frozen=True)
class Message:
    """One invitation as it goes out (holds PHI: the address and the link)."""

    invitation_id: int
    member_id: int
    channel: SendChannel
    language: str
    recipient: str
    subject: str | None
    body: str


class Sender(Protocol):
    """Delivers messages; for each, None when it went, else a short error code."""

    name: str

    def send(self, messages: Sequence[Message]) -> list[str | None]: ...


class OutboxSender:
    """Writes each message to ``survey_outbox`` (encrypted): the demo's and the tests' mailbox."""

    name = "outbox"

    def __init__(self, write: WriteSession) -> None:
        self.write = write

    def send(self, messages: Sequence[Message]) -> list[str | None]:
        """Store every message in one transaction."""
        with self.write() as session:
            session.add_all(
                OutboxMessage(
                    invitation_id=m.invitation_id,
                    member_id=m.member_id,
                    channel=m.channel,
                    language=m.language,
                    recipient=m.recipient,
                    subject=m.subject,
                    body=m.body,
                )
                for m in messages
            )
            session.commit()
        return [None] * len(messages)


class SmtpSender:
    """E-mail through an SMTP server (STARTTLS, implicit TLS, or a local relay), one connection
    per batch; texts go to an e-mail-to-SMS gateway (``10digits@gateway``) when one is set."""

    name = "smtp"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.smtp_security == "tls":
            return smtplib.SMTP_SSL(
                s.smtp_host,
                s.smtp_port,
                timeout=s.smtp_timeout_seconds,
                context=ssl.create_default_context(),
            )
        client = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds)
        if s.smtp_security == "starttls":
            client.starttls(context=ssl.create_default_context())
        return client

    def _email(self, m: Message) -> EmailMessage | None:
        to = m.recipient
        if m.channel is SendChannel.SMS:
            if not self.settings.smtp_sms_gateway:
                return None
            to = (
                f"{''.join(c for c in m.recipient if c.isdigit())}@{self.settings.smtp_sms_gateway}"
            )
        mail = EmailMessage()
        mail["From"] = self.settings.smtp_from
        mail["To"] = to
        if m.subject:
            mail["Subject"] = m.subject
        domain = parseaddr(self.settings.smtp_from)[1].rpartition("@")[2]
        mail["Message-ID"] = make_msgid(domain=domain or None)
        mail.set_content(m.body)
        mail["Content-Language"] = m.language  # after: set_content drops Content-* headers
        return mail

    def send(self, messages: Sequence[Message]) -> list[str | None]:
        """Send each message; a refused recipient fails alone, a lost server fails the rest."""
        results: list[str | None] = []
        try:
            client = self._connect()
        except (OSError, smtplib.SMTPException):
            return ["smtp_unavailable"] * len(messages)
        try:
            if self.settings.smtp_username:
                password = self.settings.smtp_password
                client.login(
                    self.settings.smtp_username, password.get_secret_value() if password else ""
                )
            for m in messages:
                mail = self._email(m)
                if mail is None:
                    results.append("sms_not_configured")
                    continue
                try:
                    client.send_message(mail)
                    results.append(None)
                except smtplib.SMTPRecipientsRefused:
                    results.append("smtp_refused")
                except smtplib.SMTPDataError:
                    results.append("smtp_rejected")
        except smtplib.SMTPAuthenticationError:
            results += ["smtp_login_refused"] * (len(messages) - len(results))
        except (OSError, smtplib.SMTPException):
            results += ["smtp_unavailable"] * (len(messages) - len(results))
        finally:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()
        return results


def make_sender(settings: Settings, write: WriteSession) -> Sender:
    """The sender the settings choose."""
    if settings.survey_sender == "smtp":
        return SmtpSender(settings)
    return OutboxSender(write)


LOCAL_URL = "http://127.0.0.1:8000"  # `memberdesk demo`'s address, for a server not yet public


def link(settings: Settings, token: str) -> str:
    """The invitation's link, on the server's public address."""
    return f"{(settings.public_url or LOCAL_URL).rstrip('/')}/survey/{token}"


def _due(session: Session, at: datetime, batch: int) -> list[SurveyInvitation]:
    pick = (
        select(SurveyInvitation)
        .where(
            or_(
                (SurveyInvitation.state == InvitationState.PENDING)
                & (SurveyInvitation.next_attempt_at <= at),
                (SurveyInvitation.state == InvitationState.SENDING)
                & (SurveyInvitation.claimed_at <= at - RECLAIM_AFTER),
            )
        )
        .order_by(SurveyInvitation.next_attempt_at, SurveyInvitation.id)
        .limit(batch)
    )
    if session.get_bind().dialect.name == "postgresql":
        # Workers split the due rows instead of queueing on them.
        pick = pick.with_for_update(skip_locked=True)
    return list(session.scalars(pick))


def claim(session: Session, settings: Settings, at: datetime, batch: int = BATCH) -> list[Message]:
    """Mark due invitations ``sending`` and build their messages (never commits). One whose
    member can no longer be reached on its channel fails at once (``no_address``)."""
    messages: list[Message] = []
    for inv in _due(session, at, batch):
        member = session.get(Member, inv.member_id)
        contact = session.get(Contact, inv.contact_id)
        to = address(member, inv.send_channel) if member and inv.send_channel else None
        if member is None or member.purged_at is not None or to is None or not inv.token:
            inv.state, inv.last_error, inv.next_attempt_at = (
                InvitationState.FAILED,
                "no_address",
                None,
            )
            give_back(session, inv.member_id, inv.created_at)
            continue
        assert inv.send_channel is not None and contact is not None
        closes = at + timedelta(days=settings.survey_expiry_days)
        zone = zone_of(inv.pack)
        subject, body = words.invitation(
            Language(inv.language),
            inv.send_channel,
            link(settings, inv.token),
            contact.started_at.astimezone(zone).date(),
            closes.astimezone(zone).date(),
        )
        inv.state, inv.claimed_at, inv.expires_at = InvitationState.SENDING, at, closes
        inv.attempts += 1
        messages.append(
            Message(inv.id, inv.member_id, inv.send_channel, inv.language, to, subject, body)
        )
    session.flush()
    return messages


def give_back(session: Session, member_id: int, invited_at: datetime) -> None:
    """Free the member's once-in-30-days slot taken by an invitation that failed: it never
    reached them, so the next contact may invite. Only if no later invitation took the slot
    since (the slot holds the time of the invitation that took it)."""
    table = table_of(SurveyMember)
    session.execute(
        update(table)
        .where(table.c.member_id == member_id, table.c.last_invited_at == invited_at)
        .values(last_invited_at=None)
    )


def record(
    session: Session,
    settings: Settings,
    sent: Sequence[tuple[Message, str | None]],
    at: datetime,
) -> dict[str, int]:
    """Record each message's outcome (never commits): sent, retried later, or failed. An
    invitation answered meanwhile stays answered (each update is conditional on ``sending``)."""
    table = table_of(SurveyInvitation)
    counts = {"sent": 0, "retry": 0, "failed": 0}
    events: list[Event] = []
    for message, error in sent:
        mine = (table.c.id == message.invitation_id, table.c.state == "sending")
        if error is None:
            session.execute(
                update(table)
                .where(*mine)
                .values(
                    state=InvitationState.SENT.value,
                    sent_at=at,
                    # The secret now lives in the member's message only.
                    token=None,
                    next_attempt_at=None,
                    last_error=None,
                )
            )
            counts["sent"] += 1
            events.append(
                Event(
                    AuditAction.SURVEY_SENT,
                    object_type="survey_invitation",
                    object_id=message.invitation_id,
                    member_ids=[message.member_id],
                    detail={"channel": message.channel.value, "sender": settings.survey_sender},
                )
            )
            continue
        attempts = session.scalar(
            select(table.c.attempts).where(table.c.id == message.invitation_id)
        )
        if (attempts or 0) >= MAX_ATTEMPTS:
            values: dict[str, Any] = {
                "state": InvitationState.FAILED.value,
                "next_attempt_at": None,
            }
            counts["failed"] += 1
            created = session.scalar(
                select(table.c.created_at).where(table.c.id == message.invitation_id)
            )
            if created is not None:
                give_back(session, message.member_id, created)
        else:
            wait = RETRY_AFTER[min((attempts or 1) - 1, len(RETRY_AFTER) - 1)]
            values = {"state": InvitationState.PENDING.value, "next_attempt_at": at + wait}
            counts["retry"] += 1
        session.execute(update(table).where(*mine).values(last_error=error, **values))
    if events:
        audit.record_many(session, SENDER, events)
    return counts


def send_due(
    write: WriteSession,
    settings: Settings,
    sender: Sender,
    *,
    at: datetime,
    batch: int = BATCH,
) -> dict[str, int]:
    """Claim, send and record one batch; the counts of what happened."""
    with write() as session:
        messages = claim(session, settings, at, batch)
        session.commit()
    if not messages:
        return {"sent": 0, "retry": 0, "failed": 0}
    results = sender.send(messages)
    with write() as session:
        counts = record(session, settings, list(zip(messages, results, strict=True)), at)
        session.commit()
    if counts["retry"] or counts["failed"]:
        codes = sorted({e for e in results if e})
        log.warning("survey invitations not sent: %s", ", ".join(codes))
    return counts


def outbox(session: Session, *, limit: int) -> Iterator[OutboxMessage]:
    """The outbox's latest messages, newest first."""
    yield from session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit))
