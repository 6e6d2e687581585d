"""API shapes of appeals and grievances; every field is described for /docs.

Free text is PHI: stored encrypted, and shown as ``[masked]`` to roles without the
``appeal.clinical.read`` permission.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from memberdesk.appeals.enums import (
    AppealKind,
    AppealState,
    ClaimType,
    DocumentKind,
    ExpeditedBy,
    ExtensionRequestedBy,
    IntakeChannel,
    NoticeKind,
    NoticeMethod,
    Outcome,
    ReceivedVia,
    RepRelationship,
    Requester,
    Urgency,
)
from memberdesk.appeals.enums import Direction as DocDirection
from memberdesk.cases.enums import ClockState
from memberdesk.schemas import Day, DbId, Instant

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AuthorizationIn(_In):
    """The member's authorisation of the representative, as kept on file."""

    document: Short = Field(
        description="Which document: e.g. an appointment-of-representative form, a power of "
        "attorney, a guardianship order (PHI, encrypted)"
    )
    signed_on: Day = Field(description="The date the member (or a court) signed it")


class RepresentativeIn(_In):
    """Who filed for the member, and their authorisation (required)."""

    name: Short = Field(description="The representative's name (PHI, encrypted)")
    relationship: RepRelationship = Field(description="How they are related to the member")
    authorization: AuthorizationIn | None = Field(
        default=None,
        description="The member's authorisation; a representative without one is refused",
    )


class AppealIn(_In):
    """A grievance or appeal received from the member or their authorised representative."""

    member_id: DbId = Field(description="Internal id of the member")
    kind: AppealKind = Field(description="grievance or appeal")
    urgency: Urgency = Field(default=Urgency.STANDARD, description="standard or expedited")
    channel: IntakeChannel = Field(description="oral (a call, a visit) or written")
    received_at: Instant = Field(
        description="When the plan received it, ISO 8601 with an offset; never in the future. "
        "The regulatory clocks start here"
    )
    summary: Text = Field(description="What the member disputes or complains of (PHI)")
    received_via: ReceivedVia | None = Field(
        default=None, description="The channel it arrived on (phone, letter, fax, portal, ...)"
    )
    claim_type: ClaimType | None = Field(
        default=None, description="ERISA plans: pre_service or post_service (their clocks differ)"
    )
    filed_by: Requester = Field(
        default=Requester.MEMBER, description="member, or representative (then give one)"
    )
    representative: RepresentativeIn | None = Field(
        default=None, description="The authorised representative, when filed_by is representative"
    )
    expedited_by: ExpeditedBy | None = Field(
        default=None,
        description="Who asked for the expedited track: member, representative or provider "
        "(default: whoever filed)",
    )
    clinical_urgency: Text | None = Field(
        default=None,
        description="Why waiting would seriously jeopardise the member's life, health or "
        "ability to regain maximum function (clinical PHI)",
    )
    case_id: DbId | None = Field(
        default=None,
        description="An open appeal or grievance case of the member to work it on (moved up to "
        "Tier 3); by default a new Tier 3 case is opened",
    )


class ExtensionIn(_In):
    """The one extension the rule allows, with its reason and the notice to the member."""

    reason: Text = Field(
        description="Why more time is in the member's interest (e.g. records still awaited); PHI"
    )
    requested_by: ExtensionRequestedBy = Field(
        description="member (the member asked) or plan (the plan takes it, 42 CFR 438.408(c))"
    )
    notice_method: NoticeMethod = Field(description="How the member was told")
    notice_sent_at: Instant | None = Field(
        default=None, description="When the member was told (default: now); never in the future"
    )


class WithdrawalIn(_In):
    """The member (or representative) withdraws the appeal or grievance."""

    withdrawn_by: Requester = Field(description="member or representative")
    reason: Text | None = Field(default=None, description="What they said (PHI)")


class DecisionIn(_In):
    """The plan's decision."""

    outcome: Outcome = Field(description="upheld, overturned or partly_overturned")
    rationale: Text = Field(description="Why: the criteria applied and the facts (clinical PHI)")


class NoticeIn(_In):
    """A notice sent to the member (meets the acknowledgement clock, Oregon's notice of delay)."""

    kind: NoticeKind = Field(description="acknowledgement, delay_notice, extension, ...")
    method: NoticeMethod = Field(description="oral, letter, email, portal or fax")
    sent_at: Instant | None = Field(
        default=None, description="When it was sent (default: now); never in the future"
    )


class DocumentIn(_In):
    """A document exchanged on the appeal (its metadata; upload the file to the case)."""

    kind: DocumentKind = Field(description="request, authorization, medical_records, ...")
    direction: DocDirection = Field(description="received or sent")
    title: Short = Field(description="What it is (PHI, encrypted)")
    description: Text | None = Field(default=None, description="Notes on it (PHI, encrypted)")
    clinical: bool = Field(
        default=False, description="Holds clinical detail: shown only with appeal.clinical.read"
    )
    exchanged_at: Instant | None = Field(
        default=None, description="When it was received or sent (default: now)"
    )
    case_document_id: DbId | None = Field(
        default=None, description="The file, uploaded as a document of the appeal's case"
    )


# -- answers -------------------------------------------------------------------------------
class AppealClockOut(BaseModel):
    """A regulatory clock of the appeal (a target of its pack)."""

    target: str = Field(description="The pack's target ID, e.g. appeal_resolution")
    due_at: datetime | None = Field(description="Deadline in the pack calendar's zone")
    state: ClockState = Field(description="running, met, breached or stopped")
    started_at: datetime = Field(description="When the clock started (the receipt)")
    warn_at: datetime | None = Field(description="When the warning fires")
    kind: str = Field(description="Clock kind: clock_hours, calendar_days, business_days")
    amount: int = Field(description="Hours or days the rule gives")
    extended: bool = Field(description="The deadline includes the rule's extension")
    closed_at: datetime | None = Field(description="When it was met or stopped")


class RepresentativeOut(BaseModel):
    name: str = Field(description="The representative's name")
    relationship: RepRelationship = Field(description="How they are related to the member")
    authorization_document: str = Field(description="The authorisation on file")
    authorization_signed_on: str = Field(description="When it was signed (YYYY-MM-DD)")


class ExtensionOut(BaseModel):
    target: str = Field(description="The clock extended")
    amount: int = Field(description="By how much")
    unit: str = Field(description="days or hours")
    requested_by: ExtensionRequestedBy = Field(description="member or plan")
    reason: str = Field(description="Why (masked without appeal.clinical.read)")
    notice_method: NoticeMethod = Field(description="How the member was told")
    notice_sent_at: datetime = Field(description="When the member was told")
    due_before: datetime = Field(description="The deadline before the extension")
    due_after: datetime = Field(description="The deadline after it")
    extended_at: datetime = Field(description="When it was taken")
    written_notice_due: datetime | None = Field(
        description="The plan's own extension: written notice owed by then (2 days)"
    )


class DecisionOut(BaseModel):
    outcome: Outcome = Field(description="upheld, overturned or partly_overturned")
    rationale: str = Field(description="Why (masked without appeal.clinical.read)")
    decided_at: datetime = Field(description="When")


class WithdrawalOut(BaseModel):
    withdrawn_by: Requester = Field(description="member or representative")
    reason: str | None = Field(description="What they said (masked without clinical read)")
    withdrawn_at: datetime = Field(description="When")


class RightOut(BaseModel):
    """A right the member has after the plan's process (fair hearing, IMR, external review)."""

    key: str = Field(description="state_fair_hearing, dmhc_imr, oha_grievance_review, ...")
    title: str = Field(description="The right's name")
    text: str = Field(description="In plain words, as the member's letters say it")
    request_within_days: int | None = Field(description="Days the member has to ask")
    citation: str = Field(description="Where the rule comes from")
    verify: bool = Field(description="A number not confirmed against the primary text")
    available: bool = Field(description="The member may use it now")
    available_from: datetime | None = Field(description="From when (null: not yet)")
    request_by: datetime | None = Field(description="The last day to ask, once it is known")


class StepOut(BaseModel):
    id: str = Field(description="Step id (tick with POST .../checklist/{step_id})")
    label: str = Field(description="What to do")
    required: bool = Field(description="Must be done before the appeal is closed")
    done: bool = Field(description="Ticked")
    done_at: datetime | None = Field(description="When it was ticked")


class NoticeOut(BaseModel):
    id: int = Field(description="Notice id")
    kind: NoticeKind = Field(description="Which notice")
    method: NoticeMethod = Field(description="How it was sent")
    sent_at: datetime = Field(description="When")


class DocumentOut(BaseModel):
    id: int = Field(description="Document id")
    kind: DocumentKind = Field(description="What sort of document")
    direction: DocDirection = Field(description="received or sent")
    title: str = Field(description="What it is (masked for a clinical one without clinical read)")
    description: str | None = Field(description="Notes (masked without appeal.clinical.read)")
    clinical: bool = Field(description="Holds clinical detail")
    exchanged_at: datetime = Field(description="When it was received or sent")
    case_document_id: int | None = Field(description="The file, a document of the case")


class LetterDueOut(BaseModel):
    """A letter the member is owed (the letters module renders and sends it)."""

    kind: str = Field(description="acknowledgement, delay_notice, extension, resolution, ...")
    due_by: datetime | None = Field(description="When it must go out (null: promptly)")
    why: str = Field(description="Which rule owes it")


class AppealOut(BaseModel):
    """An appeal or grievance with its pack and clocks (DESIGN's contract) and its record."""

    id: int = Field(description="Appeal id")
    member_id: int = Field(description="Internal id of the member")
    case_id: int = Field(description="The Tier 3 case it is worked on")
    kind: AppealKind = Field(description="grievance or appeal")
    urgency: Urgency = Field(description="standard or expedited")
    channel: IntakeChannel = Field(description="oral or written")
    received_via: ReceivedVia | None = Field(description="The channel it arrived on")
    received_at: datetime = Field(description="When the plan received it")
    pack: str = Field(description="Policy pack governing it: calchoice, oregon-medicaid, ...")
    claim_type: ClaimType | None = Field(description="ERISA: pre_service or post_service")
    state: AppealState = Field(description="open, decided, withdrawn or closed")
    summary: str = Field(description="What is disputed (masked without appeal.clinical.read)")
    filed_by: Requester = Field(description="member or representative")
    representative: RepresentativeOut | None = Field(description="The representative, if any")
    expedited_by: ExpeditedBy | None = Field(description="Who asked for the expedited track")
    clinical_urgency: str | None = Field(
        description="Why it is urgent (masked without appeal.clinical.read)"
    )
    clocks: list[AppealClockOut] = Field(description="The regulatory clocks, one per target")
    deemed_exhausted: bool = Field(
        description="A Medicaid deadline passed undecided: the member is deemed to have "
        "exhausted the plan's appeal process (42 CFR 438.408(c)(3))"
    )
    deemed_exhausted_at: datetime | None = Field(description="When the worker flagged it")
    extension: ExtensionOut | None = Field(description="The extension taken, if any")
    decision: DecisionOut | None = Field(description="The decision, once made")
    withdrawal: WithdrawalOut | None = Field(description="The withdrawal, if any")
    rights: list[RightOut] = Field(description="Fair hearing / IMR / external review")
    created_at: datetime = Field(description="Recorded")
    updated_at: datetime = Field(description="Last change")
    closed_at: datetime | None = Field(description="Closed, if it is")


class AppealDetail(AppealOut):
    """An appeal with its packet checklist, notices, documents and the letters owed."""

    checklist: list[StepOut] = Field(description="The appeal packet, in order")
    notices: list[NoticeOut] = Field(description="Notices sent to the member")
    documents: list[DocumentOut] = Field(description="Documents exchanged")
    letters_due: list[LetterDueOut] = Field(description="Letters owed and not yet sent")
