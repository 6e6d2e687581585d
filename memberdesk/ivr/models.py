"""Tables of the phone menu: each call's state and path, keyed by Twilio's CallSid, and the screen
pops waiting for an agent's desktop. The caller's number is PHI and stored encrypted; the digits
they key are never stored (a member ID becomes the member's row id once it matches)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from memberdesk.clock import now
from memberdesk.compliance.crypto import EncryptedString
from memberdesk.contacts.enums import Reason
from memberdesk.db import Base, UTCDateTime
from memberdesk.ivr.enums import Outcome, Step
from memberdesk.members.models import str_enum


class IvrCall(Base):
    """One call through the phone menu."""

    __tablename__ = "ivr_calls"
    __table_args__ = (Index("ix_ivr_calls_started_at", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64), unique=True)
    pack: Mapped[str] = mapped_column(String(32))
    from_phone: Mapped[str | None] = mapped_column(EncryptedString("ivr_calls.from_phone"))
    language: Mapped[str | None] = mapped_column(String(8))
    step: Mapped[Step] = mapped_column(str_enum(Step), default=Step.LANGUAGE)
    # The member the keyed ID matched, held until the date of birth is checked (the digits
    # themselves are never stored); cleared after every try.
    pending_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    failed_ids: Mapped[int] = mapped_column(Integer, default=0)
    retries: Mapped[int] = mapped_column(Integer, default=0)  # unexpected digits at this step
    path: Mapped[list[str]] = mapped_column(JSON, default=list)
    reason: Mapped[Reason | None] = mapped_column(str_enum(Reason))
    queue: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[Outcome] = mapped_column(str_enum(Outcome), default=Outcome.IN_MENU)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    callback_id: Mapped[int | None] = mapped_column(ForeignKey("callbacks.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)


class ScreenPop(Base):
    """A call that has reached an agent, to open on that agent's desktop."""

    __tablename__ = "screen_pops"
    # The desktops' one look: fresh pops not yet opened, across all agents.
    __table_args__ = (Index("ix_screen_pops_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    call_ref: Mapped[str] = mapped_column(String(64))
    ivr_call_id: Mapped[int | None] = mapped_column(ForeignKey("ivr_calls.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    phone: Mapped[str | None] = mapped_column(EncryptedString("screen_pops.phone"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    desk_contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))


class IvrMiss(Base):
    """A member ID keyed with a date of birth that did not match it: counted across calls, so
    that guessing a member's date of birth over many calls stops working (``service``)."""

    __tablename__ = "ivr_misses"
    __table_args__ = (Index("ix_ivr_misses_member_at", "member_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
