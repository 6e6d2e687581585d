"""Records kept on a case: append-only notes, linked contacts, checklist ticks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.cases.models import Case, CaseContact, CaseNote, ChecklistStep
from memberdesk.cases.service import append_note, member_contact, record_change
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction
from memberdesk.contacts.models import Contact
from memberdesk.errors import Conflict, InvalidInput, NotFound


def add_note(
    session: Session,
    ctx: AuditContext,
    case: Case,
    text: str,
    corrects_id: int | None,
    at: datetime,
) -> CaseNote:
    """Append a note; a correction is an addendum pointing at the note it corrects."""
    if corrects_id is not None:
        target = session.get(CaseNote, corrects_id)
        if target is None or target.case_id != case.id:
            raise InvalidInput("no note of this case has this id", field="body.corrects")
    note = append_note(session, case, ctx, "correction" if corrects_id else "note", text, at)
    note.corrects_id = corrects_id
    session.flush()
    record_change(
        session,
        ctx,
        AuditAction.CASE_NOTE_ADDED,
        case,
        detail={"note_id": note.id, "corrects": corrects_id},
    )
    return note


def link_contact(
    session: Session, ctx: AuditContext, case: Case, contact_id: int, at: datetime
) -> Contact:
    """Link a contact of the case's member to the case (linking twice is a 409)."""
    contact = member_contact(session, contact_id, case.member_id, "body.contact_id")
    if session.get(CaseContact, (case.id, contact.id)) is not None:
        raise Conflict("the contact is already linked to this case", field="body.contact_id")
    session.add(
        CaseContact(case_id=case.id, contact_id=contact.id, linked_by_id=ctx.actor_id, linked_at=at)
    )
    session.flush()
    record_change(
        session, ctx, AuditAction.CASE_CONTACT_LINKED, case, detail={"contact_id": contact.id}
    )
    return contact


def tick_step(
    session: Session, ctx: AuditContext, case: Case, step_id: str, at: datetime
) -> ChecklistStep:
    """Mark a checklist step done (once; ticking it again changes nothing)."""
    step = session.scalars(
        select(ChecklistStep).where(
            ChecklistStep.case_id == case.id, ChecklistStep.step_id == step_id
        )
    ).first()
    if step is None:
        raise NotFound("this case's checklist has no such step", field="path.step_id")
    if step.done_at is None:
        step.done_at, step.done_by_id = at, ctx.actor_id
        session.flush()
        record_change(
            session, ctx, AuditAction.CASE_STEP_DONE, case, detail={"step_id": step.step_id}
        )
    return step
