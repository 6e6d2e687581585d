"""API shapes of regulatory inquiries and legal referrals; every field is described."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from memberdesk.appeals.enums import Direction as DocDirection
from memberdesk.appeals.enums import InquiryState, ReferralState, Regulator
from memberdesk.appeals.schemas import Short, Text
from memberdesk.cases.enums import ClockState
from memberdesk.schemas import DbId, Instant

Reference = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[\w./#-]+$"),
]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InquiryIn(_In):
    """A complaint a regulator forwarded, with the response deadline the regulator set."""

    member_id: DbId = Field(description="Internal id of the member the complaint is about")
    regulator: Regulator = Field(description="dmhc, oha or dol")
    reference: Reference = Field(
        description="The regulator's complaint number (letters, digits, ./#-)"
    )
    received_at: Instant = Field(description="When the plan received it; never in the future")
    response_due_at: Instant = Field(
        description="The response deadline the regulator set, with an offset; after receipt"
    )
    summary: Text = Field(description="What the regulator forwarded (PHI, encrypted)")
    liaison_id: DbId | None = Field(default=None, description="The staff liaison assigned")
    appeal_id: DbId | None = Field(default=None, description="The member's appeal it concerns")


class LiaisonIn(_In):
    user_id: DbId = Field(description="The staff member who answers the regulator")


class InquiryDocumentIn(_In):
    """A document exchanged with the regulator (metadata)."""

    direction: DocDirection = Field(description="received or sent")
    title: Short = Field(description="What it is (PHI, encrypted)")
    description: Text | None = Field(default=None, description="Notes (PHI, encrypted)")
    exchanged_at: Instant | None = Field(default=None, description="When (default: now)")


class ResponseIn(_In):
    """The plan's response to the regulator."""

    summary: Text = Field(description="What was answered (PHI, encrypted)")
    responded_at: Instant | None = Field(
        default=None, description="When it was sent (default: now); never in the future"
    )


class InquiryDocumentOut(BaseModel):
    id: int = Field(description="Document id")
    direction: DocDirection = Field(description="received or sent")
    title: str = Field(description="What it is")
    description: str | None = Field(description="Notes")
    exchanged_at: datetime = Field(description="When")


class InquiryOut(BaseModel):
    """A regulatory inquiry with its deadline, liaison and documents."""

    id: int = Field(description="Inquiry id")
    case_id: int = Field(description="The Tier 3 case it is worked on")
    member_id: int = Field(description="Internal id of the member")
    regulator: Regulator = Field(description="dmhc, oha or dol")
    reference: str = Field(description="The regulator's complaint number")
    received_at: datetime = Field(description="When the plan received it")
    response_due_at: datetime = Field(description="The regulator's deadline")
    deadline_state: ClockState = Field(description="running, met or breached")
    summary: str = Field(description="What was forwarded (masked without clinical read)")
    liaison_id: int | None = Field(description="The staff liaison")
    liaison: str | None = Field(description="The liaison's username")
    appeal_id: int | None = Field(description="The appeal it concerns")
    state: InquiryState = Field(description="open, responded or closed")
    responded_at: datetime | None = Field(description="When the plan answered")
    response_summary: str | None = Field(description="What was answered (masked likewise)")
    documents: list[InquiryDocumentOut] = Field(description="Documents exchanged")


class ReferralIn(_In):
    """A matter referred to counsel."""

    member_id: DbId = Field(description="Internal id of the member")
    matter_number: Reference = Field(description="Counsel's matter number (unique)")
    counsel: Short = Field(description="Counsel or firm the matter went to")
    reason: Text = Field(description="Why it was referred (PHI, encrypted)")
    appeal_id: DbId | None = Field(default=None, description="The appeal it arose from")
    inquiry_id: DbId | None = Field(default=None, description="The inquiry it arose from")


class HoldIn(_In):
    reason: Text | None = Field(default=None, description="Why the records are held (encrypted)")


class ReferralCloseIn(_In):
    outcome: Text | None = Field(
        default=None, description="How the matter ended (kept encrypted as the case's note)"
    )


class ReferralOut(BaseModel):
    """A legal referral and its legal hold."""

    id: int = Field(description="Referral id")
    case_id: int = Field(description="The Tier 3 case it is worked on")
    member_id: int = Field(description="Internal id of the member")
    matter_number: str = Field(description="Counsel's matter number")
    counsel: str = Field(description="Counsel or firm")
    reason: str = Field(description="Why (masked without appeal.clinical.read)")
    appeal_id: int | None = Field(description="The appeal it arose from")
    inquiry_id: int | None = Field(description="The inquiry it arose from")
    state: ReferralState = Field(description="open or closed")
    legal_hold_id: int | None = Field(description="The legal hold placed for the matter")
    legal_hold_active: bool = Field(description="The hold is in force (not released)")
    referred_at: datetime = Field(description="When")
    closed_at: datetime | None = Field(description="When closed")
