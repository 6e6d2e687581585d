"""API shapes of the cases domain; every field is described for /docs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from memberdesk.cases.enums import (
    CaseState,
    CaseType,
    ClockState,
    EscalationReason,
    HandoffKind,
    Priority,
    TransferStatus,
)
from memberdesk.schemas import DbId

# Free text (PHI): surrounding blanks dropped, an empty or blank text refused.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CaseIn(_In):
    """A new case: Tier 1, in the first queue that fits its type and the member's language."""

    member_id: DbId = Field(description="Internal id of the member")
    case_type: CaseType = Field(description="What the case is about")
    summary: Text = Field(description="What the member needs (PHI, stored encrypted)")
    priority: Priority = Field(default=Priority.NORMAL, description="Default normal")
    contact_id: DbId | None = Field(
        default=None, description="The contact the case was opened from (linked to it)"
    )


class StateIn(_In):
    """A move in the case's life cycle."""

    state: CaseState = Field(description="The state to move to")
    rationale: Text | None = Field(
        default=None, description="Why (required to resolve: the decision rationale)"
    )


class EscalateIn(_In):
    """One tier up, with the reason and the decision rationale."""

    reason: EscalationReason = Field(description="Why the case needs the next tier")
    rationale: Text = Field(description="The decision rationale (PHI, stored encrypted)")


class DeescalateIn(_In):
    """One tier down, with the decision rationale."""

    rationale: Text = Field(description="The decision rationale (PHI, stored encrypted)")


class NoteIn(_In):
    """A note; never edited. A correction is a new note pointing at the one it corrects."""

    text: Text = Field(description="The note (PHI, stored encrypted)")
    corrects: DbId | None = Field(default=None, description="Id of the note this corrects")


class LinkContactIn(_In):
    contact_id: DbId = Field(description="A contact of the case's member")


class AssignIn(_In):
    user_id: DbId = Field(description="The staff member to give the case to")


class SkillsIn(_In):
    """What an agent may work and how much at once."""

    tiers: list[Annotated[int, Field(ge=1, le=3)]] = Field(
        min_length=1, max_length=3, description="Tiers worked (1–3)"
    )
    languages: list[Language] = Field(
        min_length=1, max_length=20, description="Languages spoken (ISO 639 codes, e.g. en, es)"
    )
    case_types: list[CaseType] | None = Field(
        default=None, max_length=20, description="Case types worked; null for any"
    )
    capacity: int = Field(ge=1, le=200, description="Most open cases held at once")


class TransferIn(_In):
    """Hand the case to a person or a queue; a warm transfer coaches the member."""

    to_user_id: DbId | None = Field(default=None, description="The receiving staff member")
    to_queue_id: DbId | None = Field(default=None, description="Or the receiving queue")
    context_summary: Text = Field(description="What the receiver needs to know (PHI)")
    member_question: Text | None = Field(
        default=None, description="The question the member should ask (required when warm)"
    )
    warm: bool = Field(default=True, description="A warm (introduced) transfer")

    @model_validator(mode="after")
    def _one_receiver(self) -> TransferIn:
        if (self.to_user_id is None) == (self.to_queue_id is None):
            raise ValueError("give exactly one of to_user_id and to_queue_id")
        if self.warm and self.member_question is None:
            raise ValueError("a warm transfer needs the member_question to coach the member")
        return self


class DeclineIn(_In):
    reason: Text = Field(description="Why the transfer is declined")


class QueueRef(BaseModel):
    id: int = Field(description="Queue id")
    name: str = Field(description="Queue name")
    tier: int = Field(description="Tier the queue serves")


class UserRef(BaseModel):
    id: int = Field(description="User id")
    username: str = Field(description="Username")


class ClockOut(BaseModel):
    """An SLA or regulatory clock of the case."""

    target: str = Field(description="The pack's target ID, e.g. tier1_handoff")
    pack: str = Field(description="Policy pack the target comes from")
    due_at: datetime | None = Field(
        description="Deadline in the pack calendar's zone (null while paused)"
    )
    warn_at: datetime | None = Field(description="When the warning fires (null while paused)")
    started_at: datetime = Field(description="When the clock started")
    state: ClockState = Field(description="running, paused, met, breached or stopped")
    kind: str = Field(description="Clock kind (clock_hours, business_days, ...)")
    amount: int = Field(description="Hours or days")


class CaseOut(BaseModel):
    """A case with its owner, queue and clocks."""

    id: int = Field(description="Case id")
    member_id: int = Field(description="Internal id of the member")
    case_type: CaseType = Field(description="What the case is about")
    priority: Priority = Field(description="low, normal, high or urgent")
    state: CaseState = Field(description="Where the case is in its life cycle")
    tier: int = Field(description="Owning tier (1–3)")
    queue_id: int = Field(description="Id of the queue the case waits in")
    queue: QueueRef = Field(description="The queue the case waits in")
    assignee_id: int | None = Field(description="Id of the staff member working it")
    assignee: UserRef | None = Field(description="The staff member working it, if any")
    summary: str = Field(description="What the member needs")
    pack: str = Field(description="Policy pack governing the case's clocks")
    language: str = Field(description="The member's spoken language when opened")
    created_at: datetime = Field(description="Opened")
    updated_at: datetime = Field(description="Last change")
    resolved_at: datetime | None = Field(description="Resolved, if it is")
    clocks: list[ClockOut] = Field(description="SLA and regulatory clocks")


class NoteOut(BaseModel):
    id: int = Field(description="Note id")
    kind: str = Field(description="note, correction, resolution or state_change")
    text: str = Field(description="The note")
    corrects: int | None = Field(description="The note this one corrects")
    author_id: int | None = Field(description="Who wrote it")
    created_at: datetime = Field(description="When")


class StepOut(BaseModel):
    id: str = Field(description="Step id (tick it with POST .../checklist/{step_id})")
    label: str = Field(description="What to do")
    required: bool = Field(description="Must be done before the case is resolved")
    done: bool = Field(description="Ticked")
    done_at: datetime | None = Field(description="When it was ticked")


class ChecklistOut(BaseModel):
    template: str | None = Field(description="Template the case got from its type")
    steps: list[StepOut] = Field(description="Steps in order")


class HandoffOut(BaseModel):
    kind: HandoffKind = Field(description="escalated, auto_escalated, deescalated, ...")
    actor_id: int | None = Field(description="Who moved it (null: the system)")
    from_tier: int = Field(description="Tier before")
    to_tier: int = Field(description="Tier after")
    from_queue_id: int | None = Field(description="Queue before")
    to_queue_id: int | None = Field(description="Queue after")
    from_user_id: int | None = Field(description="Assignee before")
    to_user_id: int | None = Field(description="Assignee after")
    reason: str | None = Field(description="Reason code")
    rationale: str | None = Field(description="The decision rationale")
    at: datetime = Field(description="When")


class LinkedContactOut(BaseModel):
    contact_id: int = Field(description="Contact id")
    channel: str = Field(description="Channel of the contact")
    started_at: datetime = Field(description="When the contact started")
    linked_at: datetime = Field(description="When it was linked")


class CaseDetail(CaseOut):
    """A case with its notes, checklist, hand-offs and linked contacts."""

    notes: list[NoteOut] = Field(description="Notes, oldest first (never edited)")
    checklist: ChecklistOut = Field(description="The case's checklist")
    handoffs: list[HandoffOut] = Field(description="Every move between tiers, queues, people")
    contacts: list[LinkedContactOut] = Field(description="Linked contacts")


class WorkItemOut(BaseModel):
    """The item get-next assigned to the caller."""

    kind: str = Field(description="case or callback")
    id: int = Field(description="Id of the case or callback")
    case: CaseOut | None = Field(default=None, description="The case, when kind is case")
    callback: dict[str, Any] | None = Field(
        default=None, description="The callback, when kind is callback"
    )


class QueueOut(BaseModel):
    """A queue and its load (counts only)."""

    id: int = Field(description="Queue id")
    name: str = Field(description="Queue name")
    tier: int = Field(description="Tier")
    language: str | None = Field(description="Language served (null: any)")
    case_types: list[str] | None = Field(description="Case types served (null: any)")
    active: bool = Field(description="Takes new cases")
    waiting: int = Field(description="Open cases waiting unassigned")
    assigned: int = Field(description="Open cases being worked")
    oldest_waiting_seconds: int | None = Field(description="Age of the longest wait in the queue")
    at_risk: int = Field(description="Open cases past a clock's warning time, not yet due")
    breached: int = Field(description="Open cases past a clock's deadline")


class SkillsOut(BaseModel):
    user_id: int = Field(description="The agent")
    tiers: list[int] = Field(description="Tiers worked")
    languages: list[str] = Field(description="Languages spoken")
    case_types: list[str] | None = Field(description="Case types worked (null: any)")
    capacity: int = Field(description="Most open cases held at once")


class TransferOut(BaseModel):
    id: int = Field(description="Transfer id")
    case_id: int = Field(description="The case")
    from_user_id: int = Field(description="Who transferred it")
    to_user_id: int | None = Field(description="Receiving staff member")
    to_queue_id: int | None = Field(description="Receiving queue")
    warm: bool = Field(description="Warm (introduced) or cold")
    context_summary: str = Field(description="What the receiver needs to know")
    member_question: str | None = Field(description="The question the member was coached to ask")
    status: TransferStatus = Field(description="pending, accepted or declined")
    decline_reason: str | None = Field(description="Why it was declined")
    created_at: datetime = Field(description="When")
    decided_at: datetime | None = Field(description="When it was accepted or declined")


class TransferStats(BaseModel):
    start: AwareDatetime = Field(description="Period start")
    end: AwareDatetime = Field(description="Period end")
    total: int = Field(description="Transfers requested in the period")
    warm: int = Field(description="Warm transfers")
    cold: int = Field(description="Cold transfers")
    accepted: int = Field(description="Accepted")
    declined: int = Field(description="Declined")
    pending: int = Field(description="Not yet decided")
