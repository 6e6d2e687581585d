"""Tables of the breach register: incidents (with their four-factor assessment and decision),
the members they touched, the notices sent, and the incident-response plan's versions.

What happened, who found it, the findings and the rationale may name members or describe their
information: that free text is stored encrypted, like every PHI column.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from memberdesk.breaches.enums import (
    Basis,
    IncidentState,
    NoticeMethod,
    Outcome,
    Recipient,
    Risk,
)
from memberdesk.clock import now
from memberdesk.compliance.crypto import EncryptedString
from memberdesk.db import Base, UTCDateTime
from memberdesk.members.models import str_enum


class Incident(Base):
    """A privacy or security incident, from discovery to its last notice."""

    __tablename__ = "breach_incidents"
    __table_args__ = (Index("ix_breach_incidents_discovered_at", "discovered_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # 45 CFR 164.404(a)(2): the day it was known, or by reasonable diligence would have been.
    discovered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    discovered_by: Mapped[str] = mapped_column(EncryptedString("breach_incidents.discovered_by"))
    summary: Mapped[str] = mapped_column(EncryptedString("breach_incidents.summary"))
    phi_kinds: Mapped[list[str]] = mapped_column(JSON)
    affected_count: Mapped[int] = mapped_column(Integer)
    # Residents by two-letter state: the California notice and the media threshold read it.
    residents_by_state: Mapped[dict[str, int]] = mapped_column(JSON)
    state: Mapped[IncidentState] = mapped_column(
        str_enum(IncidentState), default=IncidentState.ASSESSING
    )
    # The compliance pack version the notice clocks were computed on.
    policy_version: Mapped[str] = mapped_column(String(64))
    nature_extent: Mapped[str | None] = mapped_column(
        EncryptedString("breach_incidents.nature_extent")
    )
    nature_extent_risk: Mapped[Risk | None] = mapped_column(str_enum(Risk))
    unauthorized_person: Mapped[str | None] = mapped_column(
        EncryptedString("breach_incidents.unauthorized_person")
    )
    unauthorized_person_risk: Mapped[Risk | None] = mapped_column(str_enum(Risk))
    acquired_viewed: Mapped[str | None] = mapped_column(
        EncryptedString("breach_incidents.acquired_viewed")
    )
    acquired_viewed_risk: Mapped[Risk | None] = mapped_column(str_enum(Risk))
    mitigation: Mapped[str | None] = mapped_column(EncryptedString("breach_incidents.mitigation"))
    mitigation_risk: Mapped[Risk | None] = mapped_column(str_enum(Risk))
    assessed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assessed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[Outcome | None] = mapped_column(str_enum(Outcome))
    basis: Mapped[Basis | None] = mapped_column(str_enum(Basis))
    rationale: Mapped[str | None] = mapped_column(EncryptedString("breach_incidents.rationale"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)


class IncidentMember(Base):
    """A member known to be affected (the count may be larger than the members linked)."""

    __tablename__ = "breach_incident_members"
    __table_args__ = (UniqueConstraint("incident_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("breach_incidents.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)


class BreachNotice(Base):
    """A notice sent: to whom, when, how, and to how many people."""

    __tablename__ = "breach_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("breach_incidents.id"), index=True)
    recipient: Mapped[Recipient] = mapped_column(str_enum(Recipient))
    # The state whose media were told (164.406: one notice per state over 500 residents).
    state: Mapped[str | None] = mapped_column(String(2))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    method: Mapped[NoticeMethod] = mapped_column(str_enum(NoticeMethod))
    people: Mapped[int | None] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ResponsePlan(Base):
    """One version of the incident-response plan, the document stored encrypted."""

    __tablename__ = "breach_response_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    version: Mapped[str] = mapped_column(String(40))
    adopted_on: Mapped[date] = mapped_column(Date)
    review_due: Mapped[date] = mapped_column(Date)
    filename: Mapped[str] = mapped_column(EncryptedString("breach_response_plans.filename"))
    content: Mapped[str] = mapped_column(EncryptedString("breach_response_plans.content"))
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
