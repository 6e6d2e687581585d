"""Cases as the API shows them: deadlines in the pack calendar's zone, clocks' shown state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.cases import clocks
from memberdesk.cases.checklists import templates
from memberdesk.cases.models import Case, CaseClock, CaseContact, CaseHandoff, CaseNote, Transfer
from memberdesk.cases.schemas import (
    CaseDetail,
    CaseOut,
    ChecklistOut,
    ClockOut,
    HandoffOut,
    LinkedContactOut,
    NoteOut,
    QueueRef,
    StepOut,
    TransferOut,
    UserRef,
)
from memberdesk.cases.service import steps_of
from memberdesk.contacts.models import Contact
from memberdesk.sla.packs import zone_of


def clock_out(row: CaseClock, at: datetime) -> ClockOut:
    """One clock, its times in the pack calendar's zone."""
    tz = zone_of(row.pack)
    return ClockOut(
        target=row.target,
        pack=row.pack,
        due_at=row.due_at.astimezone(tz) if row.due_at else None,
        warn_at=row.warn_at.astimezone(tz) if row.warn_at else None,
        started_at=row.started_at.astimezone(tz),
        state=clocks.shown_state(row, at),
        kind=row.kind,
        amount=row.amount,
    )


def case_fields(case: Case, at: datetime) -> dict[str, object]:
    """The fields of ``CaseOut``."""
    return {
        "id": case.id,
        "member_id": case.member_id,
        "case_type": case.case_type,
        "priority": case.priority,
        "state": case.state,
        "tier": case.tier,
        "queue_id": case.queue_id,
        "queue": QueueRef(id=case.queue.id, name=case.queue.name, tier=case.queue.tier),
        "assignee_id": case.assignee_id,
        "assignee": UserRef(id=case.assignee.id, username=case.assignee.username)
        if case.assignee
        else None,
        "summary": case.summary,
        "pack": case.pack,
        "language": case.language,
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "resolved_at": case.resolved_at,
        "clocks": [clock_out(c, at) for c in case.clocks],
    }


def case_out(case: Case, at: datetime) -> CaseOut:
    """A case with its clocks."""
    return CaseOut.model_validate(case_fields(case, at))


def case_detail(session: Session, case: Case, at: datetime) -> CaseDetail:
    """A case with notes, checklist, hand-offs and linked contacts."""
    notes = session.scalars(
        select(CaseNote).where(CaseNote.case_id == case.id).order_by(CaseNote.id)
    )
    handoffs = session.scalars(
        select(CaseHandoff).where(CaseHandoff.case_id == case.id).order_by(CaseHandoff.id)
    )
    linked = session.execute(
        select(CaseContact, Contact)
        .join(Contact, Contact.id == CaseContact.contact_id)
        .where(CaseContact.case_id == case.id)
        .order_by(Contact.started_at)
    )
    steps = steps_of(session, case.id)
    template = templates().get(case.checklist) if case.checklist else None
    return CaseDetail.model_validate(
        {
            **case_fields(case, at),
            "notes": [
                NoteOut(
                    id=n.id,
                    kind=n.kind,
                    text=n.text,
                    corrects=n.corrects_id,
                    author_id=n.author_id,
                    created_at=n.created_at,
                )
                for n in notes
            ],
            "checklist": ChecklistOut(
                template=template.name if template else None,
                steps=[
                    StepOut(
                        id=s.step_id,
                        label=s.label,
                        required=s.required,
                        done=s.done_at is not None,
                        done_at=s.done_at,
                    )
                    for s in steps
                ],
            ),
            "handoffs": [
                HandoffOut(
                    kind=h.kind,
                    actor_id=h.actor_id,
                    from_tier=h.from_tier,
                    to_tier=h.to_tier,
                    from_queue_id=h.from_queue_id,
                    to_queue_id=h.to_queue_id,
                    from_user_id=h.from_user_id,
                    to_user_id=h.to_user_id,
                    reason=h.reason,
                    rationale=h.rationale,
                    at=h.at,
                )
                for h in handoffs
            ],
            "contacts": [
                LinkedContactOut(
                    contact_id=c.id,
                    channel=str(c.channel),
                    started_at=c.started_at,
                    linked_at=link.linked_at,
                )
                for link, c in linked
            ],
        }
    )


def transfer_out(t: Transfer) -> TransferOut:
    """A transfer as the API shows it."""
    return TransferOut(
        id=t.id,
        case_id=t.case_id,
        from_user_id=t.from_user_id,
        to_user_id=t.to_user_id,
        to_queue_id=t.to_queue_id,
        warm=t.warm,
        context_summary=t.context_summary,
        member_question=t.member_question,
        status=t.status,
        decline_reason=t.decline_reason,
        created_at=t.created_at,
        decided_at=t.decided_at,
    )
