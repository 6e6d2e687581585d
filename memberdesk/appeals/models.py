"""Tables of appeals, grievances, regulatory inquiries and legal referrals.

Each is worked as a Tier 3 case (``case_id``): its regulatory clocks are that case's clock rows,
so the SLA worker warns and breaches them, and get-next orders Tier 3 work by them. Free text
(summaries, rationales, reasons, document titles and descriptions, a representative's name and
authorisation) is PHI and stored encrypted.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from memberdesk.appeals.enums import (
    AppealKind,
    AppealState,
    ClaimType,
    DocumentKind,
    ExpeditedBy,
    ExtensionRequestedBy,
    InquiryState,
    IntakeChannel,
    NoticeKind,
    NoticeMethod,
    Outcome,
    ReceivedVia,
    ReferralState,
    Regulator,
    RepRelationship,
    Requester,
    Urgency,
)
from memberdesk.appeals.enums import Direction as DocDirection
from memberdesk.clock import now
from memberdesk.compliance.crypto import EncryptedString
from memberdesk.db import Base, UTCDateTime
from memberdesk.members.models import str_enum


class Appeal(Base):
    """An appeal or grievance from receipt to closing."""

    __tablename__ = "appeals"
    __table_args__ = (
        # The quarterly aging report: a pack's grievances and appeals received before a date and
        # not resolved by another, counted from the index alone (it covers every column read).
        Index("ix_appeals_aging", "pack", "kind", "received_at", "resolved_at"),
        # The worklist and the deemed-exhaustion sweep: open appeals.
        Index("ix_appeals_state_received_at", "state", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    kind: Mapped[AppealKind] = mapped_column(str_enum(AppealKind))
    urgency: Mapped[Urgency] = mapped_column(str_enum(Urgency))
    channel: Mapped[IntakeChannel] = mapped_column(str_enum(IntakeChannel))
    received_via: Mapped[ReceivedVia | None] = mapped_column(str_enum(ReceivedVia))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    pack: Mapped[str] = mapped_column(String(32))
    claim_type: Mapped[ClaimType | None] = mapped_column(str_enum(ClaimType))
    summary: Mapped[str] = mapped_column(EncryptedString("appeals.summary"))
    filed_by: Mapped[Requester] = mapped_column(str_enum(Requester))
    rep_name: Mapped[str | None] = mapped_column(EncryptedString("appeals.rep_name"))
    rep_relationship: Mapped[RepRelationship | None] = mapped_column(str_enum(RepRelationship))
    # The authorisation on file: which document (an appointment-of-representative form, a power
    # of attorney, a guardianship order) and the date it was signed.
    rep_authorization: Mapped[str | None] = mapped_column(
        EncryptedString("appeals.rep_authorization")
    )
    rep_authorized_on: Mapped[date | None] = mapped_column(Date)
    expedited_by: Mapped[ExpeditedBy | None] = mapped_column(str_enum(ExpeditedBy))
    clinical_urgency: Mapped[str | None] = mapped_column(
        EncryptedString("appeals.clinical_urgency")
    )
    state: Mapped[AppealState] = mapped_column(str_enum(AppealState), default=AppealState.OPEN)
    outcome: Mapped[Outcome | None] = mapped_column(str_enum(Outcome))
    decision_rationale: Mapped[str | None] = mapped_column(
        EncryptedString("appeals.decision_rationale")
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by: Mapped[Requester | None] = mapped_column(str_enum(Requester))
    withdrawal_reason: Mapped[str | None] = mapped_column(
        EncryptedString("appeals.withdrawal_reason")
    )
    # When the plan's process ended (decision or withdrawal): what the aging report reads.
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # 42 CFR 438.408(c)(3): set once, by the worker, when a Medicaid deadline passed undecided.
    deemed_exhausted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deemed_target: Mapped[str | None] = mapped_column(String(48))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)


class AppealExtension(Base):
    """The one extension a rule allows (unique per appeal: a second is refused by the database
    too), with its reason and the notice given to the member."""

    __tablename__ = "appeal_extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id"), unique=True)
    target: Mapped[str] = mapped_column(String(48))
    amount: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(8))  # days or hours, the clock's own
    requested_by: Mapped[ExtensionRequestedBy] = mapped_column(str_enum(ExtensionRequestedBy))
    reason: Mapped[str] = mapped_column(EncryptedString("appeal_extensions.reason"))
    notice_method: Mapped[NoticeMethod] = mapped_column(str_enum(NoticeMethod))
    notice_sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_before: Mapped[datetime] = mapped_column(UTCDateTime)
    due_after: Mapped[datetime] = mapped_column(UTCDateTime)
    extended_at: Mapped[datetime] = mapped_column(UTCDateTime)
    extended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class AppealNotice(Base):
    """A notice sent to the member (acknowledgement, delay, extension, resolution, ...)."""

    __tablename__ = "appeal_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id"), index=True)
    kind: Mapped[NoticeKind] = mapped_column(str_enum(NoticeKind))
    method: Mapped[NoticeMethod] = mapped_column(str_enum(NoticeMethod))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class AppealDocument(Base):
    """A document exchanged on the appeal (metadata; the file itself, if uploaded, is a case
    document of the appeal's case)."""

    __tablename__ = "appeal_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id"), index=True)
    kind: Mapped[DocumentKind] = mapped_column(str_enum(DocumentKind))
    direction: Mapped[DocDirection] = mapped_column(str_enum(DocDirection))
    title: Mapped[str] = mapped_column(EncryptedString("appeal_documents.title"))
    description: Mapped[str | None] = mapped_column(EncryptedString("appeal_documents.description"))
    clinical: Mapped[bool] = mapped_column(Boolean, default=False)
    exchanged_at: Mapped[datetime] = mapped_column(UTCDateTime)
    case_document_id: Mapped[int | None] = mapped_column(ForeignKey("case_documents.id"))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class RegulatoryInquiry(Base):
    """A complaint a regulator forwarded, answered by the regulator's own deadline."""

    __tablename__ = "regulatory_inquiries"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    regulator: Mapped[Regulator] = mapped_column(str_enum(Regulator))
    reference: Mapped[str] = mapped_column(String(64))  # the regulator's complaint number
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    response_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    summary: Mapped[str] = mapped_column(EncryptedString("regulatory_inquiries.summary"))
    liaison_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    appeal_id: Mapped[int | None] = mapped_column(ForeignKey("appeals.id"))
    state: Mapped[InquiryState] = mapped_column(str_enum(InquiryState), default=InquiryState.OPEN)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    response_summary: Mapped[str | None] = mapped_column(
        EncryptedString("regulatory_inquiries.response_summary")
    )
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)


class InquiryDocument(Base):
    """A document exchanged with the regulator (metadata)."""

    __tablename__ = "inquiry_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("regulatory_inquiries.id"), index=True)
    direction: Mapped[DocDirection] = mapped_column(str_enum(DocDirection))
    title: Mapped[str] = mapped_column(EncryptedString("inquiry_documents.title"))
    description: Mapped[str | None] = mapped_column(
        EncryptedString("inquiry_documents.description")
    )
    exchanged_at: Mapped[datetime] = mapped_column(UTCDateTime)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class LegalReferral(Base):
    """A matter referred to counsel; it may place a legal hold on the member's records."""

    __tablename__ = "legal_referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    matter_number: Mapped[str] = mapped_column(String(64), unique=True)
    counsel: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str] = mapped_column(EncryptedString("legal_referrals.reason"))
    appeal_id: Mapped[int | None] = mapped_column(ForeignKey("appeals.id"))
    inquiry_id: Mapped[int | None] = mapped_column(ForeignKey("regulatory_inquiries.id"))
    state: Mapped[ReferralState] = mapped_column(
        str_enum(ReferralState), default=ReferralState.OPEN
    )
    legal_hold_id: Mapped[int | None] = mapped_column(ForeignKey("legal_holds.id"))
    referred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    referred_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)
