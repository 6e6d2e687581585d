"""API shapes of the vendor register; every field is described for /docs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from memberdesk.breaches.enums import PhiKind
from memberdesk.schemas import Day
from memberdesk.vendors.enums import BaaStanding, ContactRole, VendorKind, VendorStatus

Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Services = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Month = Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
Rate = Annotated[float, Field(ge=0, le=1)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class VendorIn(_In):
    """A vendor as first recorded (onboarding until its BAA is on file)."""

    name: Short = Field(description="The vendor's name (unique)")
    kind: VendorKind = Field(description="What it does for the plan")
    services: Services = Field(description="The services it provides, in a sentence")
    phi_kinds: list[PhiKind] = Field(
        default_factory=list, max_length=len(PhiKind), description="The PHI it may touch"
    )
    pack: str = Field(
        default="calchoice",
        max_length=32,
        description="Whose targets an outsourced centre's scorecard is read against",
    )
    status: VendorStatus = Field(
        default=VendorStatus.ONBOARDING,
        description="onboarding, active, suspended or ended; active needs a current BAA",
    )


class StatusIn(_In):
    """A change of status."""

    status: VendorStatus = Field(description="The new status; active needs a current BAA")


class BaaIn(_In):
    """A signed Business Associate Agreement and its document."""

    signed_on: Day = Field(description="The date it was signed (not in the future)")
    expires_on: Day | None = Field(
        default=None, description="The date it expires (none: until terminated)"
    )
    renewal_notice_days: int = Field(
        default=90, ge=1, le=730, description="Days before expiry the renewal falls due"
    )
    filename: Short = Field(description="File name (encrypted)")
    content_base64: str = Field(
        min_length=1, description="The signed agreement (PDF or plain text), base64-encoded"
    )


class ContactIn(_In):
    """One of the vendor's people."""

    role: ContactRole = Field(description="escalation, compliance or account")
    name: Short = Field(description="Their name")
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] | None = Field(
        default=None, description="Their phone number"
    )
    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = Field(
        default=None, description="Their e-mail address"
    )
    verified_on: Day = Field(description="The date the details were last confirmed")


class VerifiedIn(_In):
    """The details were confirmed again."""

    verified_on: Day = Field(description="The date they were confirmed (not in the future)")


class ScorecardIn(_In):
    """An outsourced contact centre's month (entering a month again replaces it)."""

    month: Month = Field(description="The month, YYYY-MM (not in the future)")
    calls_offered: int | None = Field(default=None, ge=0, le=100_000_000, description="Calls")
    service_level: Rate = Field(description="Share answered within the target time (0-1)")
    asa_seconds: float = Field(ge=0, le=86_400, description="Average speed of answer, seconds")
    abandon_rate: Rate = Field(description="Share abandoned (0-1)")
    qa_score: Rate | None = Field(default=None, description="Average QA score (0-1)")
    first_contact_resolution: Rate | None = Field(
        default=None, description="One-contact resolution (0-1)"
    )
    csat: Rate | None = Field(default=None, description="Customer satisfaction (0-1)")
    aht_seconds: float | None = Field(
        default=None, ge=0, le=86_400, description="Average handle time, seconds"
    )


class BaaOut(BaseModel):
    id: int = Field(description="BAA id")
    signed_on: date = Field(description="Signed on")
    expires_on: date | None = Field(description="Expires on (none: until terminated)")
    renewal_notice_days: int = Field(description="Days before expiry the renewal falls due")
    renewal_due_on: date | None = Field(description="From this date the renewal is due")
    expires_at: datetime | None = Field(description="The end of its last day")
    standing: BaaStanding = Field(
        description="none, not_yet_effective, current, renewal_due or expired"
    )
    filename: str = Field(description="File name")
    content_type: str = Field(description="Media type, as read from the content")
    size_bytes: int = Field(description="Size")
    sha256: str = Field(description="SHA-256 of the document")
    uploaded_at: datetime = Field(description="When it was uploaded")


class ContactOut(BaseModel):
    id: int = Field(description="Contact id")
    role: ContactRole = Field(description="escalation, compliance or account")
    name: str = Field(description="Name")
    phone: str | None = Field(description="Phone")
    email: str | None = Field(description="E-mail")
    verified_on: date = Field(description="Last confirmed on")
    verification_due_at: datetime = Field(description="When it must be confirmed again")
    stale: bool = Field(description="Not confirmed within the last year")


class MeasureOut(BaseModel):
    measure: str = Field(description="What is measured")
    value: float | None = Field(description="The month's value")
    goal: dict[str, float | bool | str] | None = Field(description="The target's thresholds")
    status: str | None = Field(description="ok, warning or breach (none: not judged)")


class ScorecardOut(BaseModel):
    id: int = Field(description="Scorecard id")
    month: str = Field(description="YYYY-MM")
    calls_offered: int | None = Field(description="Calls offered")
    aht_seconds: float | None = Field(description="Average handle time, seconds")
    measures: list[MeasureOut] = Field(description="Each measure against its target")


class VendorOut(BaseModel):
    id: int = Field(description="Vendor id")
    name: str = Field(description="Name")
    kind: VendorKind = Field(description="What it does")
    status: VendorStatus = Field(description="Status")
    services: str = Field(description="Services")
    phi_kinds: list[PhiKind] = Field(description="The PHI it may touch")
    pack: str = Field(description="Whose targets its scorecard is read against")
    baa: BaaOut | None = Field(description="The BAA in force (else the latest one)")
    baa_standing: BaaStanding = Field(description="The BAA's standing today")
    contacts: list[ContactOut] = Field(description="Its people")
    warnings: list[str] = Field(description="What needs attention, as codes")
    scorecards: list[ScorecardOut] = Field(description="Monthly scorecards, newest first")
