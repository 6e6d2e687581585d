"""Tables of the members domain. PHI columns are encrypted; searchable ones have blind indexes."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    orm,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from memberdesk.clock import now
from memberdesk.compliance.crypto import EncryptedDate, EncryptedString, bidx_phone, keyring
from memberdesk.db import Base, UTCDateTime
from memberdesk.members.enums import (
    Benefit,
    ConfidentialScope,
    CoverageSource,
    IdCardReason,
    IdCardStatus,
    LifeEventType,
    LineOfBusiness,
    MetalTier,
    PlanType,
    Relationship,
    TerminationReason,
)


def str_enum(enum_cls: type[StrEnum]) -> Enum:
    """A portable (VARCHAR + CHECK-free) column for a StrEnum, storing its values."""
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
        length=32,
    )


class Carrier(Base):
    __tablename__ = "carriers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(120))

    plans: Mapped[list[Plan]] = relationship(back_populates="carrier")


class Plan(Base):
    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    carrier_id: Mapped[int] = mapped_column(ForeignKey("carriers.id"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    # Server defaults (not Python ones): rows written by code that predates lines of business,
    # the CalChoice seed's bulk inserts among them, stay CalChoice medical plans.
    line_of_business: Mapped[LineOfBusiness] = mapped_column(
        str_enum(LineOfBusiness), server_default=LineOfBusiness.CALCHOICE.value
    )
    benefit: Mapped[Benefit] = mapped_column(
        str_enum(Benefit), server_default=Benefit.MEDICAL.value
    )
    # Marketplace plans only: a Medicaid plan has no plan type, metal tier or premium.
    plan_type: Mapped[PlanType | None] = mapped_column(str_enum(PlanType))
    metal_tier: Mapped[MetalTier | None] = mapped_column(str_enum(MetalTier))
    network: Mapped[str] = mapped_column(String(80))
    deductible_cents: Mapped[int] = mapped_column(Integer)
    oop_max_cents: Mapped[int] = mapped_column(Integer)
    # Composite monthly premium per coverage tier, as small-group carriers quote them.
    rate_employee_cents: Mapped[int | None] = mapped_column(Integer)
    rate_employee_spouse_cents: Mapped[int | None] = mapped_column(Integer)
    rate_employee_children_cents: Mapped[int | None] = mapped_column(Integer)
    rate_family_cents: Mapped[int | None] = mapped_column(Integer)

    carrier: Mapped[Carrier] = relationship(back_populates="plans", lazy="joined")


class EmployerGroup(Base):
    __tablename__ = "employer_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_number: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    county: Mapped[str] = mapped_column(String(40))
    effective_date: Mapped[date] = mapped_column(Date)
    termination_date: Mapped[date | None] = mapped_column(Date)
    renewal_month: Mapped[int] = mapped_column(Integer)
    # CalChoice: the employer fixes a monthly contribution; employees pay the rest by payroll.
    contribution_employee_cents: Mapped[int] = mapped_column(Integer)
    contribution_dependents_cents: Mapped[int] = mapped_column(Integer, default=0)


class Member(Base):
    __tablename__ = "members"
    __table_args__ = (
        Index("ix_members_name_dob_bidx", "name_dob_bidx"),
        Index("ix_members_phone_bidx", "phone_bidx"),
        Index("ix_members_confidential_phone_bidx", "confidential_phone_bidx"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_number: Mapped[str] = mapped_column(EncryptedString("members.member_number"))
    member_number_bidx: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    subscriber_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    # Null for a member who is not enrolled through an employer (Medicaid).
    group_id: Mapped[int | None] = mapped_column(ForeignKey("employer_groups.id"), index=True)
    # Set from the member's plan when they are enrolled; decides their policy pack (packs.py)
    # without loading their coverage. A server default, like the plan's.
    line_of_business: Mapped[LineOfBusiness] = mapped_column(
        str_enum(LineOfBusiness), server_default=LineOfBusiness.CALCHOICE.value, index=True
    )
    relationship: Mapped[Relationship] = mapped_column(str_enum(Relationship))
    first_name: Mapped[str] = mapped_column(EncryptedString("members.first_name"))
    last_name: Mapped[str] = mapped_column(EncryptedString("members.last_name"))
    date_of_birth: Mapped[date] = mapped_column(EncryptedDate("members.date_of_birth"))
    name_dob_bidx: Mapped[bytes] = mapped_column(LargeBinary(32))
    sex: Mapped[str] = mapped_column(String(1))
    address_line1: Mapped[str] = mapped_column(EncryptedString("members.address_line1"))
    address_line2: Mapped[str | None] = mapped_column(EncryptedString("members.address_line2"))
    city: Mapped[str] = mapped_column(EncryptedString("members.city"))
    state: Mapped[str] = mapped_column(String(2))
    postal_code: Mapped[str] = mapped_column(EncryptedString("members.postal_code"))
    phone: Mapped[str | None] = mapped_column(EncryptedString("members.phone"))
    phone_bidx: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    email: Mapped[str | None] = mapped_column(EncryptedString("members.email"))
    spoken_language: Mapped[str] = mapped_column(String(8), default="en")
    written_language: Mapped[str] = mapped_column(String(8), default="en")
    interpreter_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    accessibility_needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Dependants incapable of self-support stay covered past the age limit.
    disabled_dependent: Mapped[bool] = mapped_column(Boolean, default=False)
    # Civil Code 56.107: a confidential address or phone overrides the default contact.
    confidential_address: Mapped[str | None] = mapped_column(
        EncryptedString("members.confidential_address")
    )
    confidential_phone: Mapped[str | None] = mapped_column(
        EncryptedString("members.confidential_phone")
    )
    # Phone search matches it like ``phone_bidx`` (same "phone" domain, so one hash finds both).
    confidential_phone_bidx: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    confidential_scope: Mapped[ConfidentialScope | None] = mapped_column(
        str_enum(ConfidentialScope)
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)
    # Set when retention de-identified the record; identifiers are gone from then on.
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    group: Mapped[EmployerGroup | None] = orm.relationship(lazy="joined")
    subscriber: Mapped[Member | None] = orm.relationship(remote_side=[id])
    # Oldest first; spans starting the same day (an Oregon member's eligibility and partner
    # plans) in the order they were keyed, the same on every database.
    coverage: Mapped[list[CoverageSpan]] = orm.relationship(
        back_populates="member", order_by=lambda: (CoverageSpan.effective_date, CoverageSpan.id)
    )

    @orm.validates("confidential_phone")
    def _index_confidential_phone(self, _key: str, value: str | None) -> str | None:
        # Whoever sets the confidential phone (a route, a test, retention clearing it) keeps its
        # blind index in step; Core bulk inserts (the seed) bypass this and set both columns.
        self.confidential_phone_bidx = bidx_phone(value) if value else None
        return value


class CoverageSpan(Base):
    __tablename__ = "coverage_spans"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    effective_date: Mapped[date] = mapped_column(Date)
    # Inclusive: coverage runs through the end of this day.
    termination_date: Mapped[date | None] = mapped_column(Date)
    # Medicaid eligibility: the day the state's renewal of it is due (none for marketplace plans).
    renewal_date: Mapped[date | None] = mapped_column(Date)
    source: Mapped[CoverageSource] = mapped_column(str_enum(CoverageSource))
    termination_reason: Mapped[TerminationReason | None] = mapped_column(
        str_enum(TerminationReason)
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    # When the termination was keyed; later than the termination date means retroactive.
    termination_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    member: Mapped[Member] = relationship(back_populates="coverage")
    plan: Mapped[Plan] = relationship(lazy="joined")


LIFE_EVENT_DEDUP = "uq_life_events_member_id_dedup_bidx"


def bidx_life_event(kind: LifeEventType | str, when: date) -> bytes:
    """Blind index of an event's type and date: what makes two events on an enrolment the same.

    Migration 0005 backfills with this formula; keep the two in step."""
    return keyring().blind_index("life_event", f"{LifeEventType(kind).value}|{when.isoformat()}")


class LifeEvent(Base):
    __tablename__ = "life_events"
    # The event date is encrypted, so the database compares the blind index instead: the same
    # event twice on one enrolment is refused by the database, not by a read-then-insert race.
    __table_args__ = (UniqueConstraint("member_id", "dedup_bidx", name=LIFE_EVENT_DEDUP),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    event_type: Mapped[LifeEventType] = mapped_column(str_enum(LifeEventType))
    # A birth event's date is the child's date of birth: encrypted like one.
    event_date: Mapped[date] = mapped_column(EncryptedDate("life_events.event_date"))
    window_days: Mapped[int] = mapped_column(Integer)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    notes: Mapped[str | None] = mapped_column(EncryptedString("life_events.notes"))
    dedup_bidx: Mapped[bytes] = mapped_column(LargeBinary(32))

    @orm.validates("event_type", "event_date")
    def _index_dedup(self, key: str, value: Any) -> Any:
        # Kept in step with the two columns it covers, however the event is built (either may
        # be set first; a pending event reads the other as None until it is).
        kind = value if key == "event_type" else self.event_type
        when = value if key == "event_date" else self.event_date
        if kind is not None and when is not None:
            self.dedup_bidx = bidx_life_event(kind, when)
        return value


class IdCardRequest(Base):
    __tablename__ = "id_card_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    reason: Mapped[IdCardReason] = mapped_column(str_enum(IdCardReason))
    status: Mapped[IdCardStatus] = mapped_column(
        str_enum(IdCardStatus), default=IdCardStatus.REQUESTED
    )
    # Mailed to the confidential address when the member has asked for one.
    ship_to_confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)
