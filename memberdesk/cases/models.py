"""Tables of the cases domain. Summaries, notes, rationales and transfer context are PHI and
stored encrypted; clocks live on their own rows so a sweeper finds what is due by index."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql import text

from memberdesk.cases.enums import (
    CaseState,
    CaseType,
    ClockState,
    HandoffKind,
    Priority,
    TransferStatus,
)
from memberdesk.clock import now
from memberdesk.compliance.crypto import EncryptedString
from memberdesk.compliance.models import User
from memberdesk.db import Base, UTCDateTime
from memberdesk.members.models import str_enum

# The partial index's condition; the sweeper's query repeats it word for word so both
# databases use the index (a bound parameter would not match it).
UNWARNED_CLOCK = "state = 'running' AND warned_at IS NULL"


class Queue(Base):
    """A work queue of one tier, optionally for one language and some case types."""

    __tablename__ = "queues"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    tier: Mapped[int] = mapped_column(Integer)
    language: Mapped[str | None] = mapped_column(String(8))  # None: any language
    case_types: Mapped[list[str] | None] = mapped_column(JSON)  # None: any case type
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class AgentSkill(Base):
    """What an agent may work (tiers, languages, case types) and how much at once."""

    __tablename__ = "agent_skills"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    tiers: Mapped[list[int]] = mapped_column(JSON)
    languages: Mapped[list[str]] = mapped_column(JSON)
    case_types: Mapped[list[str] | None] = mapped_column(JSON)  # None: any case type
    capacity: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        # Get-next: unassigned open cases of a queue.
        Index("ix_cases_queue_id_assignee_id_state", "queue_id", "assignee_id", "state"),
        # "My work" and capacity: what an agent holds.
        Index("ix_cases_assignee_id_state", "assignee_id", "state"),
        # The member 360's open cases.
        Index("ix_cases_member_id_state", "member_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    case_type: Mapped[CaseType] = mapped_column(str_enum(CaseType))
    priority: Mapped[Priority] = mapped_column(str_enum(Priority), default=Priority.NORMAL)
    summary: Mapped[str] = mapped_column(EncryptedString("cases.summary"))
    state: Mapped[CaseState] = mapped_column(str_enum(CaseState), default=CaseState.NEW)
    tier: Mapped[int] = mapped_column(Integer, default=1)
    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # When the case arrived in its current queue (the queue's "oldest waiting" age).
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    # The member's spoken language when the case was opened (routes it to a language queue).
    language: Mapped[str] = mapped_column(String(8), default="en")
    pack: Mapped[str] = mapped_column(String(32))
    checklist: Mapped[str | None] = mapped_column(String(48))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    queue: Mapped[Queue] = relationship(lazy="joined")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id], lazy="joined")
    clocks: Mapped[list[CaseClock]] = relationship(
        back_populates="case", order_by="CaseClock.id", lazy="selectin"
    )


class CaseClock(Base):
    """An SLA or regulatory clock of a case, its deadline stored so a sweeper can find it."""

    __tablename__ = "case_clocks"
    __table_args__ = (
        # The sweeper: state = 'running' AND due_at <= now (and warn_at for warnings), by index.
        Index("ix_case_clocks_state_due_at", "state", "due_at"),
        Index("ix_case_clocks_state_warn_at", "state", "warn_at"),
        Index("ix_case_clocks_case_id_target", "case_id", "target"),
        # The sweeper's warnings: running clocks not yet warned, by warning time (partial, so
        # rows already warned and closed clocks never cost it a look).
        Index(
            "ix_case_clocks_unwarned",
            "warn_at",
            postgresql_where=text(UNWARNED_CLOCK),
            sqlite_where=text(UNWARNED_CLOCK),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    pack: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(48))
    kind: Mapped[str] = mapped_column(String(24))
    amount: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None while paused
    warn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    state: Mapped[ClockState] = mapped_column(str_enum(ClockState), default=ClockState.RUNNING)
    warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The pure clock's to_dict(): its pauses and policy version, to rebuild it exactly.
    data: Mapped[dict[str, Any]] = mapped_column(JSON)

    case: Mapped[Case] = relationship(back_populates="clocks")


class CaseContact(Base):
    """A contact (call, message, voicemail) that belongs to a case."""

    __tablename__ = "case_contacts"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), primary_key=True, index=True)
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class CaseNote(Base):
    """A note: never edited; a correction is a new note pointing at the one it corrects."""

    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # note, correction, or the rationale of a decision (resolution, escalation, ...).
    kind: Mapped[str] = mapped_column(String(24))
    text: Mapped[str] = mapped_column(EncryptedString("case_notes.text"))
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("case_notes.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class CaseHandoff(Base):
    """Every move of a case between tiers, queues or people: who, why and when."""

    __tablename__ = "case_handoffs"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[HandoffKind] = mapped_column(str_enum(HandoffKind))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the system
    from_tier: Mapped[int] = mapped_column(Integer)
    to_tier: Mapped[int] = mapped_column(Integer)
    from_queue_id: Mapped[int | None] = mapped_column(ForeignKey("queues.id"))
    to_queue_id: Mapped[int | None] = mapped_column(ForeignKey("queues.id"))
    from_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    to_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(String(32))
    rationale: Mapped[str | None] = mapped_column(EncryptedString("case_handoffs.rationale"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class ChecklistStep(Base):
    """A step of the checklist a case got from its type's template."""

    __tablename__ = "case_checklist_steps"
    __table_args__ = (
        UniqueConstraint("case_id", "step_id", name="uq_case_checklist_steps_case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    step_id: Mapped[str] = mapped_column(String(48))
    label: Mapped[str] = mapped_column(String(200))
    required: Mapped[bool] = mapped_column(Boolean)
    position: Mapped[int] = mapped_column(Integer)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Transfer(Base):
    """A hand-over of a case to a person or a queue; warm ones coach the member."""

    __tablename__ = "case_transfers"
    __table_args__ = (Index("ix_case_transfers_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    from_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    to_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    to_queue_id: Mapped[int | None] = mapped_column(ForeignKey("queues.id"))
    warm: Mapped[bool] = mapped_column(Boolean)
    context_summary: Mapped[str] = mapped_column(EncryptedString("case_transfers.context_summary"))
    member_question: Mapped[str | None] = mapped_column(
        EncryptedString("case_transfers.member_question")
    )
    status: Mapped[TransferStatus] = mapped_column(
        str_enum(TransferStatus), default=TransferStatus.PENDING
    )
    decline_reason: Mapped[str | None] = mapped_column(
        EncryptedString("case_transfers.decline_reason")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class CaseDocument(Base):
    """A document exchanged on a case; name and content stored encrypted like other PHI."""

    __tablename__ = "case_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    filename: Mapped[str] = mapped_column(EncryptedString("case_documents.filename"))
    content_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    # The file's bytes as base64, AES-GCM encrypted like every PHI column (key rotation included).
    content: Mapped[str] = mapped_column(EncryptedString("case_documents.content"))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
