"""Tables of the vendor register: vendors, their Business Associate Agreements (the document
stored encrypted, as letters are), their contacts, and the monthly scorecards of an outsourced
contact centre."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from memberdesk.clock import now
from memberdesk.compliance.crypto import EncryptedString
from memberdesk.db import Base, UTCDateTime
from memberdesk.members.models import str_enum
from memberdesk.vendors.enums import ContactRole, VendorKind, VendorStatus

DEFAULT_RENEWAL_NOTICE_DAYS = 90


class Vendor(Base):
    """A business associate or other vendor."""

    __tablename__ = "vendors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[VendorKind] = mapped_column(str_enum(VendorKind))
    status: Mapped[VendorStatus] = mapped_column(
        str_enum(VendorStatus), default=VendorStatus.ONBOARDING
    )
    services: Mapped[str] = mapped_column(String(500))
    # PHI kinds the BAA lets it touch (the breach register's vocabulary).
    phi_kinds: Mapped[list[str]] = mapped_column(JSON)
    # Whose targets an outsourced centre's scorecard is read against.
    pack: Mapped[str] = mapped_column(String(32), default="calchoice")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)


class Baa(Base):
    """A signed Business Associate Agreement (45 CFR 164.504(e)), its document encrypted."""

    __tablename__ = "vendor_baas"

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), index=True)
    signed_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    renewal_notice_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_RENEWAL_NOTICE_DAYS)
    filename: Mapped[str] = mapped_column(EncryptedString("vendor_baas.filename"))
    content: Mapped[str] = mapped_column(EncryptedString("vendor_baas.content"))
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class VendorContact(Base):
    """One of the vendor's people, and when their details were last confirmed."""

    __tablename__ = "vendor_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), index=True)
    role: Mapped[ContactRole] = mapped_column(str_enum(ContactRole))
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    verified_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class Scorecard(Base):
    """An outsourced contact centre's month, as entered by the compliance officer."""

    __tablename__ = "vendor_scorecards"
    __table_args__ = (UniqueConstraint("vendor_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), index=True)
    month: Mapped[date] = mapped_column(Date)  # its first day
    calls_offered: Mapped[int | None] = mapped_column(Integer)
    service_level: Mapped[float] = mapped_column(Float)
    asa_seconds: Mapped[float] = mapped_column(Float)
    abandon_rate: Mapped[float] = mapped_column(Float)
    qa_score: Mapped[float | None] = mapped_column(Float)
    first_contact_resolution: Mapped[float | None] = mapped_column(Float)
    csat: Mapped[float | None] = mapped_column(Float)
    aht_seconds: Mapped[float | None] = mapped_column(Float)
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
