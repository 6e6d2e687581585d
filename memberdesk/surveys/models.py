"""Tables of the surveys domain.

One invitation row per completed contact that could be surveyed (``skipped`` ones say why not),
one throttle-and-preference row per member, answers linked to their contact, agent, channel and
pack, and the outbox the demo's sender writes to. Comments, links and addresses are PHI and
stored encrypted; the link's token is kept only until the invitation is sent, and found again by
its blind index (an HMAC), never by its text.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from memberdesk.clock import now
from memberdesk.compliance.crypto import EncryptedString
from memberdesk.contacts.enums import Channel
from memberdesk.db import Base, UTCDateTime
from memberdesk.members.models import str_enum
from memberdesk.surveys.enums import (
    AnswerSource,
    CahpsAnswer,
    InvitationState,
    SendChannel,
    SkipReason,
)


class SurveyMember(Base):
    """A member's last invitation and opt-out: the row the throttle claims with one conditional
    UPDATE, so two contacts ending at once never both invite (see ``service.invite``)."""

    __tablename__ = "survey_members"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    last_invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opted_out_via: Mapped[str | None] = mapped_column(String(16))  # link or staff


class SurveyInvitation(Base):
    """The survey offered after one contact (or the reason none was)."""

    __tablename__ = "survey_invitations"
    __table_args__ = (
        # The sender: what is due to go, oldest first.
        Index("ix_survey_invitations_state_next_attempt_at", "state", "next_attempt_at"),
        # Response rates over a period, by pack.
        Index("ix_survey_invitations_pack_created_at", "pack", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # One decision per contact: a second wrap-up of the same contact finds this row.
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    contact_channel: Mapped[Channel] = mapped_column(str_enum(Channel))
    pack: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    state: Mapped[InvitationState] = mapped_column(str_enum(InvitationState))
    skip_reason: Mapped[SkipReason | None] = mapped_column(str_enum(SkipReason))
    send_channel: Mapped[SendChannel | None] = mapped_column(str_enum(SendChannel))
    # The link's secret until it is sent (then cleared); looked up by its blind index.
    token: Mapped[str | None] = mapped_column(EncryptedString("survey_invitations.token"))
    token_bidx: Mapped[bytes | None] = mapped_column(LargeBinary(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # A short code (smtp_refused, sms_not_configured, ...), never an address or a message.
    last_error: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SurveyAnswer(Base):
    """One member's answers about one contact; agent, channel and pack are copied from the
    contact and invitation so that reports read this table alone."""

    __tablename__ = "survey_answers"
    __table_args__ = (
        Index("ix_survey_answers_pack_answered_at", "pack", "answered_at"),
        # The database refuses what the API and import refuse, should a bug let one through.
        CheckConstraint("csat BETWEEN 1 AND 5", name="csat_scale"),
        CheckConstraint("nps BETWEEN 0 AND 10", name="nps_scale"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_invitations.id"), unique=True
    )
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel))
    pack: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    source: Mapped[AnswerSource] = mapped_column(str_enum(AnswerSource))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    csat: Mapped[int] = mapped_column(Integer)
    nps: Mapped[int] = mapped_column(Integer)
    cahps_help: Mapped[CahpsAnswer | None] = mapped_column(str_enum(CahpsAnswer))
    cahps_courtesy: Mapped[CahpsAnswer | None] = mapped_column(str_enum(CahpsAnswer))
    comment: Mapped[str | None] = mapped_column(EncryptedString("survey_answers.comment"))


class OutboxMessage(Base):
    """A message the outbox sender "sent": the demo's and the tests' stand-in for e-mail and
    text messages, kept encrypted (it holds the address and the link)."""

    __tablename__ = "survey_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("survey_invitations.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    channel: Mapped[SendChannel] = mapped_column(str_enum(SendChannel))
    language: Mapped[str] = mapped_column(String(8))
    recipient: Mapped[str] = mapped_column(EncryptedString("survey_outbox.recipient"))
    subject: Mapped[str | None] = mapped_column(EncryptedString("survey_outbox.subject"))
    body: Mapped[str] = mapped_column(EncryptedString("survey_outbox.body"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
