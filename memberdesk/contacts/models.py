"""Tables of the contacts domain. Free text and phone numbers are PHI and stored encrypted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql import text

from memberdesk.clock import now
from memberdesk.compliance.crypto import EncryptedString
from memberdesk.contacts.enums import (
    AttemptOutcome,
    CallbackState,
    Channel,
    Direction,
    Disposition,
    LetterState,
    Reason,
)
from memberdesk.db import Base, UTCDateTime
from memberdesk.members.models import str_enum

# Conditions of the SLA sweeper's partial indexes; its queries repeat them word for word so
# both databases use the indexes (a bound parameter would not match them).
UNWARNED_REPLY = "answered_at IS NULL AND reply_warned_at IS NULL AND reply_warn_at IS NOT NULL"
UNBREACHED_REPLY = "answered_at IS NULL AND reply_breached_at IS NULL AND reply_due_at IS NOT NULL"
UNWARNED_CALLBACK = "state = 'open' AND warned_at IS NULL"
UNBREACHED_CALLBACK = "state = 'open' AND breached_at IS NULL"


class Contact(Base):
    """One interaction with a member (or an unidentified caller) on any channel."""

    __tablename__ = "contacts"
    __table_args__ = (
        # Member history, newest first, and the 360's latest ten.
        Index("ix_contacts_member_id_started_at", "member_id", "started_at"),
        # Portal messages still awaiting a reply, found by deadline (a sweeper reads these).
        Index("ix_contacts_reply_due_at", "reply_due_at"),
        # The SLA sweeper: unanswered messages not yet warned / breached (partial indexes, so
        # answered messages and every call never cost it a look).
        Index(
            "ix_contacts_reply_unwarned",
            "reply_warn_at",
            postgresql_where=text(UNWARNED_REPLY),
            sqlite_where=text(UNWARNED_REPLY),
        ),
        Index(
            "ix_contacts_reply_unbreached",
            "reply_due_at",
            postgresql_where=text(UNBREACHED_REPLY),
            sqlite_where=text(UNBREACHED_REPLY),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    # The signed-in user who logged it (a member, for the portal messages they send).
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel))
    direction: Mapped[Direction] = mapped_column(str_enum(Direction))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str | None] = mapped_column(String(8))
    interpreter_used: Mapped[bool] = mapped_column(Boolean, default=False)
    talk_seconds: Mapped[int | None] = mapped_column(Integer)
    hold_seconds: Mapped[int | None] = mapped_column(Integer)
    wrap_seconds: Mapped[int | None] = mapped_column(Integer)
    disposition: Mapped[Disposition | None] = mapped_column(str_enum(Disposition))
    notes: Mapped[str | None] = mapped_column(EncryptedString("contacts.notes"))
    # Identity verification: which facts were checked, when and by whom (never their values).
    verified_facts: Mapped[list[str] | None] = mapped_column(JSON)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Portal secure messages: subject, the reply deadline from the member's pack, answered.
    subject: Mapped[str | None] = mapped_column(EncryptedString("contacts.subject"))
    reply_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reply_warn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set once by the SLA sweeper (conditional updates), so each fires exactly once.
    reply_warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reply_breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    in_reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    # The telephony platform's call ID, on a call logged from the live feed (kpi.contacts_link):
    # unique, so a call becomes one contact however often and in whatever order its events come.
    call_ref: Mapped[str | None] = mapped_column(String(64), index=True, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)

    reasons: Mapped[list[ContactReason]] = relationship(
        back_populates="contact",
        lazy="selectin",
        cascade="all, delete-orphan",
        order_by="ContactReason.id",
    )

    @property
    def reason_codes(self) -> list[Reason]:
        """The contact's reasons in the order they were given."""
        return [r.reason for r in self.reasons]


class ContactReason(Base):
    """One reason of a contact; member and start are copied here so FCR look-ups use one index."""

    __tablename__ = "contact_reasons"
    __table_args__ = (
        UniqueConstraint("contact_id", "reason", name="uq_contact_reasons_contact_id_reason"),
        Index("ix_contact_reasons_member_reason_started", "member_id", "reason", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    reason: Mapped[Reason] = mapped_column(str_enum(Reason))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)

    contact: Mapped[Contact] = relationship(back_populates="reasons")


class Callback(Base):
    """A voicemail to return: due by the pack's ``voicemail_return``, worked by attempts."""

    __tablename__ = "callbacks"
    __table_args__ = (
        # Get-next and the sweeper: open callbacks by deadline.
        Index("ix_callbacks_state_due_at", "state", "due_at"),
        Index("ix_callbacks_assigned_to_id_state", "assigned_to_id", "state"),
        Index(
            "ix_callbacks_unwarned",
            "warn_at",
            postgresql_where=text(UNWARNED_CALLBACK),
            sqlite_where=text(UNWARNED_CALLBACK),
        ),
        Index(
            "ix_callbacks_unbreached",
            "due_at",
            postgresql_where=text(UNBREACHED_CALLBACK),
            sqlite_where=text(UNBREACHED_CALLBACK),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    phone: Mapped[str] = mapped_column(EncryptedString("callbacks.phone"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    pack: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    warn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    state: Mapped[CallbackState] = mapped_column(
        str_enum(CallbackState), default=CallbackState.OPEN
    )
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempt_count: Mapped[int] = mapped_column(Integer, default=0)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The outbound phone contact that reached the member.
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    # Set once by the SLA sweeper (conditional updates), so each fires exactly once.
    warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)

    attempts: Mapped[list[CallbackAttempt]] = relationship(
        back_populates="callback", order_by="CallbackAttempt.id", lazy="selectin"
    )
    letter: Mapped[LetterTask | None] = relationship(back_populates="callback", uselist=False)


class CallbackAttempt(Base):
    __tablename__ = "callback_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    callback_id: Mapped[int] = mapped_column(ForeignKey("callbacks.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    outcome: Mapped[AttemptOutcome] = mapped_column(str_enum(AttemptOutcome))
    note: Mapped[str | None] = mapped_column(EncryptedString("callback_attempts.note"))

    callback: Mapped[Callback] = relationship(back_populates="attempts")


class LetterTask(Base):
    """A letter to send when phone attempts on a callback are exhausted."""

    __tablename__ = "letter_tasks"
    __table_args__ = (Index("ix_letter_tasks_state_created_at", "state", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    callback_id: Mapped[int | None] = mapped_column(ForeignKey("callbacks.id"), unique=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    state: Mapped[LetterState] = mapped_column(str_enum(LetterState), default=LetterState.OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The outbound letter contact recorded when it was sent.
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))

    callback: Mapped[Callback | None] = relationship(back_populates="letter")
