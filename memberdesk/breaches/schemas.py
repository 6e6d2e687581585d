"""API shapes of the breach register; every field is described for /docs.

Free text (what happened, who found it, findings, rationale) may describe members: it is stored
encrypted and shown only to roles holding ``audit.read``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from memberdesk.breaches.enums import (
    STATES,
    Basis,
    ClockStatus,
    IncidentState,
    NoticeMethod,
    Outcome,
    PhiKind,
    Recipient,
    Risk,
)
from memberdesk.schemas import Day, DbId, Instant

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
MAX_PEOPLE = 400_000_000


def _state(code: str) -> str:
    if code not in STATES:
        raise ValueError("must be a two-letter US state code, e.g. CA")
    return code


State = Annotated[
    str, StringConstraints(to_upper=True, strip_whitespace=True), AfterValidator(_state)
]
People = Annotated[int, Field(ge=0, le=MAX_PEOPLE)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IncidentIn(_In):
    """An incident as first recorded."""

    discovered_at: Instant = Field(
        description="When it was discovered (known, or would have been with reasonable "
        "diligence), ISO 8601 with an offset; never in the future. The notice clocks start here"
    )
    discovered_by: Short = Field(description="Who discovered it (encrypted)")
    summary: Text = Field(description="What happened (encrypted)")
    phi_kinds: list[PhiKind] = Field(
        min_length=1, max_length=len(PhiKind), description="The kinds of PHI involved"
    )
    affected_count: People = Field(description="How many people are affected (0 or more)")
    residents_by_state: dict[State, People] = Field(
        default_factory=dict,
        description="Affected people by state of residence (two-letter codes); the California "
        "notice and the media threshold read it. Its total may not exceed affected_count",
    )
    member_ids: list[DbId] = Field(
        default_factory=list, max_length=1000, description="Members known to be affected"
    )


class FactorIn(_In):
    """One factor's finding and the assessor's judgement of its risk."""

    finding: Text = Field(description="What was found (encrypted)")
    risk: Risk = Field(description="low, moderate or high")


class AssessmentIn(_In):
    """The four-factor risk assessment of 45 CFR 164.402(2); factors not given are kept."""

    nature_extent: FactorIn | None = Field(
        default=None, description="(i) The nature and extent of the PHI, identifiers, re-use risk"
    )
    unauthorized_person: FactorIn | None = Field(
        default=None, description="(ii) The unauthorised person who used it or received it"
    )
    acquired_viewed: FactorIn | None = Field(
        default=None, description="(iii) Whether the PHI was actually acquired or viewed"
    )
    mitigation: FactorIn | None = Field(
        default=None, description="(iv) The extent to which the risk has been mitigated"
    )


class DecisionIn(_In):
    """Breach or not, with the rationale."""

    outcome: Outcome = Field(description="breach or not_a_breach")
    basis: Basis | None = Field(
        default=None,
        description="For not_a_breach: low_probability (needs the assessment done) or one of "
        "the three exclusions of 164.402(1)",
    )
    rationale: Text = Field(description="Why (encrypted)")


class NoticeIn(_In):
    """A notice sent."""

    recipient: Recipient = Field(description="individuals, california, hhs or media")
    sent_at: Instant = Field(
        description="When it was sent, ISO 8601 with an offset; not before discovery, not in "
        "the future"
    )
    method: NoticeMethod = Field(description="How it was sent")
    people: People | None = Field(
        default=None,
        description="How many people it reached (required for individuals and california)",
    )
    state: State | None = Field(
        default=None, description="For the media: the state whose outlets were told"
    )


class PlanIn(_In):
    """A new version of the incident-response plan."""

    title: Short = Field(description="The plan's title")
    version: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)
    ] = Field(description="Its version label, e.g. 2026.2")
    adopted_on: Day = Field(description="The date it was adopted")
    review_due: Day = Field(description="The date it must be reviewed by (after adoption)")
    filename: Short = Field(description="File name")
    content_base64: str = Field(
        min_length=1, description="The document (PDF or plain text), base64-encoded"
    )


class FactorOut(BaseModel):
    finding: str | None = Field(description="What was found")
    risk: Risk | None = Field(description="The judgement: low, moderate, high")


class ClockOut(BaseModel):
    recipient: Recipient = Field(description="Who the notice goes to")
    state: str | None = Field(description="For the media: the state")
    target: str = Field(description="The compliance pack target the clock runs on")
    due_at: datetime = Field(description="When the notice is due (pack calendar's zone)")
    rule: str = Field(description="The rule, in words")
    citation: str = Field(description="Where the rule is written")
    annual_log: bool = Field(description="HHS: in the annual log (fewer than 500 affected)")
    owed: int | None = Field(description="People to reach, where counted")
    reached: int = Field(description="People the notices recorded reached")
    status: ClockStatus = Field(description="running, overdue, met, met_late or not_required")
    met_at: datetime | None = Field(description="When the notice was complete")


class NoticeOut(BaseModel):
    id: int = Field(description="Notice id")
    recipient: Recipient = Field(description="Who it went to")
    state: str | None = Field(description="For the media: the state")
    sent_at: datetime = Field(description="When it was sent")
    method: NoticeMethod = Field(description="How")
    people: int | None = Field(description="How many people it reached")


class IncidentOut(BaseModel):
    id: int = Field(description="Incident id")
    discovered_at: datetime = Field(description="When it was discovered")
    discovered_by: str = Field(description="Who discovered it")
    summary: str = Field(description="What happened")
    phi_kinds: list[PhiKind] = Field(description="The kinds of PHI involved")
    affected_count: int = Field(description="People affected")
    residents_by_state: dict[str, int] = Field(description="Affected people by state")
    member_ids: list[int] = Field(description="Members known to be affected")
    state: IncidentState = Field(description="assessing, notifying, complete or not_a_breach")
    policy_version: str = Field(description="The compliance pack version of the clocks")
    assessment: dict[str, FactorOut] = Field(description="The four factors, by name")
    assessment_complete: bool = Field(description="All four factors have a finding")
    outcome: Outcome | None = Field(description="The decision, once made")
    basis: Basis | None = Field(description="Why it is not a breach")
    rationale: str | None = Field(description="The decision's rationale")
    decided_at: datetime | None = Field(description="When it was decided")
    clocks: list[ClockOut] = Field(description="The notice clocks")
    notices: list[NoticeOut] = Field(description="Notices sent")
    created_at: datetime = Field(description="When it was recorded")


class PlanOut(BaseModel):
    id: int = Field(description="Plan version id")
    title: str = Field(description="Title")
    version: str = Field(description="Version label")
    adopted_on: date = Field(description="Adopted on")
    review_due: date = Field(description="Review due by")
    review_overdue: bool = Field(description="The review date has passed")
    filename: str = Field(description="File name")
    content_type: str = Field(description="Media type, as read from the content")
    size_bytes: int = Field(description="Size")
    sha256: str = Field(description="SHA-256 of the document")
    uploaded_at: datetime = Field(description="When it was uploaded")


class LogRow(BaseModel):
    incident_id: int = Field(description="Incident id")
    discovered_on: date = Field(description="Date of discovery (pack calendar's zone)")
    affected_count: int = Field(description="People affected")
    states: str = Field(description="States of residence, e.g. CA 120; OR 3")
    phi_kinds: str = Field(description="Kinds of PHI, separated by semicolons")
    hhs_route: str = Field(description="with_individuals (500 or more) or annual_log")
    hhs_due: datetime = Field(description="When HHS must be told")
    individuals_notified_on: date | None = Field(description="When notice to individuals completed")
    hhs_notified_on: date | None = Field(description="When HHS was told")
    media_states: str = Field(description="States whose media had to be told")
