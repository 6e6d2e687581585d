"""What a Tier 3 analyst does to an appeal after intake: extend it once where the rule allows,
record notices sent, add documents, tick the packet, decide, withdraw, close.

Never commits; audits every change (no free text in the log). Each action takes the appeal
locked for update, so two people acting on one appeal at once take turns.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.appeals import rules
from memberdesk.appeals.enums import (
    WRITTEN_METHODS,
    AppealState,
    NoticeKind,
    Outcome,
    Requester,
)
from memberdesk.appeals.models import Appeal, AppealDocument, AppealExtension, AppealNotice
from memberdesk.appeals.schemas import DecisionIn, DocumentIn, ExtensionIn, NoticeIn, WithdrawalIn
from memberdesk.appeals.service import appeal_clocks, case_of, record, resolve_case, targets_of
from memberdesk.cases import clocks, records
from memberdesk.cases import service as cases
from memberdesk.cases.models import CaseDocument, ChecklistStep
from memberdesk.cases.states import missing_steps
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction
from memberdesk.errors import Conflict, InvalidInput
from memberdesk.sla import ClockError

# Packet steps a notice ticks when it is sent.
NOTICE_STEPS = {
    NoticeKind.ACKNOWLEDGEMENT: "send_acknowledgement",
    NoticeKind.RESOLUTION: "decision_letter",
}
OUTCOME_WORDS = {
    Outcome.UPHELD: "upheld",
    Outcome.OVERTURNED: "overturned",
    Outcome.PARTLY_OVERTURNED: "partly overturned",
}


def _past(value: datetime | None, at: datetime, field: str, appeal: Appeal) -> datetime:
    """A time that has happened (default ``at``), not before the appeal was received."""
    when = value or at
    if when > at:
        raise InvalidInput("is in the future", field=field)
    if when < appeal.received_at:
        raise InvalidInput("is before the appeal was received", field=field)
    return when


def extension_of(session: Session, appeal_id: int) -> AppealExtension | None:
    """The appeal's extension, if one was taken."""
    return session.scalar(select(AppealExtension).where(AppealExtension.appeal_id == appeal_id))


def extend(
    session: Session, ctx: AuditContext, appeal: Appeal, body: ExtensionIn, at: datetime
) -> AppealExtension:
    """Take the one extension the pack's rule allows; 409 where it gives none, for a second one,
    once the deadline has passed, or for an appeal no longer open."""
    before = extension_of(session, appeal.id)
    try:
        target, rule = rules.check_extension(
            appeal.pack, targets_of(appeal), appeal.state, before.extended_at if before else None
        )
    except rules.RuleError as exc:
        raise Conflict(str(exc), field=exc.field) from None
    noticed = _past(body.notice_sent_at, at, "body.notice_sent_at", appeal)
    case = case_of(session, appeal, lock=True)
    row = next((c for c in clocks.open_clocks(case, [target]) if c.pack == appeal.pack), None)
    if row is None or row.due_at is None:
        raise Conflict("the clock to extend is no longer running", field="path.appeal_id")
    due_before = row.due_at
    try:
        clocks.extend(row, rule.amount, body.reason, at)
    except ClockError as exc:
        raise Conflict(str(exc), field="path.appeal_id") from None
    assert row.due_at is not None
    ext = AppealExtension(
        appeal_id=appeal.id,
        target=target,
        amount=rule.amount,
        unit="hours" if row.kind.endswith("hours") else "days",
        requested_by=body.requested_by,
        reason=body.reason,
        notice_method=body.notice_method,
        notice_sent_at=noticed,
        due_before=due_before,
        due_after=row.due_at,
        extended_at=at,
        extended_by_id=ctx.actor_id,
    )
    session.add(ext)
    session.add(
        AppealNotice(
            appeal_id=appeal.id,
            kind=NoticeKind.EXTENSION,
            method=body.notice_method,
            sent_at=noticed,
            recorded_by_id=ctx.actor_id,
            recorded_at=at,
        )
    )
    appeal.updated_at = at
    session.flush()
    record(
        session,
        ctx,
        AuditAction.APPEAL_EXTENDED,
        appeal,
        changes={
            "old": {"due_at": due_before.isoformat()},
            "new": {"due_at": row.due_at.isoformat()},
        },
        detail={
            "target": target,
            "amount": rule.amount,
            "requested_by": body.requested_by.value,
            "notice_method": body.notice_method.value,
        },
    )
    return ext


def _notice_allowed(session: Session, appeal: Appeal, kind: NoticeKind) -> None:
    if kind is NoticeKind.DELAY_NOTICE and not rules.delay_notice_allowed(appeal.pack, appeal.kind):
        raise InvalidInput(
            "a notice of delay answers Oregon Medicaid grievances only", field="body.kind"
        )
    # A notice about something that has not happened is refused.
    missing = {
        NoticeKind.RESOLUTION: appeal.decided_at is None and "the appeal is not decided yet",
        NoticeKind.WITHDRAWAL: appeal.withdrawn_at is None and "the appeal was not withdrawn",
        NoticeKind.DEEMED_EXHAUSTION: appeal.deemed_exhausted_at is None
        and "the appeal's process is not deemed exhausted",
        NoticeKind.EXTENSION: kind is NoticeKind.EXTENSION
        and extension_of(session, appeal.id) is None
        and "the appeal was not extended",
    }.get(kind)
    if missing:
        raise Conflict(missing, field="body.kind")


def record_notice(
    session: Session, ctx: AuditContext, appeal: Appeal, body: NoticeIn, at: datetime
) -> AppealNotice:
    """Record a notice sent to the member; a written acknowledgement meets the acknowledgement
    clock and a written notice of delay Oregon's 5-day grievance clock. The letters module calls
    this too, after a letter has gone out."""
    _notice_allowed(session, appeal, body.kind)
    sent = _past(body.sent_at, at, "body.sent_at", appeal)
    case = case_of(session, appeal, lock=True)
    # The rules ask for written notice: a call is recorded but meets no clock.
    met = rules.NOTICE_MEETS.get(body.kind, frozenset()) if body.method in WRITTEN_METHODS else ()
    if met and appeal.state is AppealState.OPEN:
        clocks.close(
            case, [c.target for c in appeal_clocks(appeal, case) if c.target in met], sent, met=True
        )
    step = NOTICE_STEPS.get(body.kind)
    if step and _has_step(session, case.id, step):
        records.tick_step(session, ctx, case, step, at)
    notice = AppealNotice(
        appeal_id=appeal.id,
        kind=body.kind,
        method=body.method,
        sent_at=sent,
        recorded_by_id=ctx.actor_id,
        recorded_at=at,
    )
    session.add(notice)
    appeal.updated_at = at
    session.flush()
    record(
        session,
        ctx,
        AuditAction.APPEAL_NOTICE_RECORDED,
        appeal,
        detail={"notice_id": notice.id, "kind": body.kind.value, "method": body.method.value},
    )
    return notice


def _has_step(session: Session, case_id: int, step_id: str) -> bool:
    return (
        session.scalar(
            select(ChecklistStep.id).where(
                ChecklistStep.case_id == case_id, ChecklistStep.step_id == step_id
            )
        )
        is not None
    )


def add_document(
    session: Session, ctx: AuditContext, appeal: Appeal, body: DocumentIn, at: datetime
) -> AppealDocument:
    """Record a document exchanged (metadata; a file is a document of the appeal's case)."""
    if appeal.state is AppealState.CLOSED:
        raise Conflict("the appeal is closed", field="path.appeal_id")
    when = _past(body.exchanged_at, at, "body.exchanged_at", appeal)
    if body.case_document_id is not None:
        file = session.get(CaseDocument, body.case_document_id)
        if file is None or file.case_id != appeal.case_id:
            raise InvalidInput(
                "no document of the appeal's case has this id", field="body.case_document_id"
            )
    doc = AppealDocument(
        appeal_id=appeal.id,
        kind=body.kind,
        direction=body.direction,
        title=body.title,
        description=body.description,
        clinical=body.clinical,
        exchanged_at=when,
        case_document_id=body.case_document_id,
        added_by_id=ctx.actor_id,
        added_at=at,
    )
    session.add(doc)
    appeal.updated_at = at
    session.flush()
    record(
        session,
        ctx,
        AuditAction.APPEAL_DOCUMENT_ADDED,
        appeal,
        detail={
            "document_id": doc.id,
            "kind": body.kind.value,
            "direction": body.direction.value,
            "clinical": body.clinical,
        },
    )
    return doc


def tick(session: Session, ctx: AuditContext, appeal: Appeal, step_id: str, at: datetime) -> None:
    """Tick a step of the appeal packet (404 naming ``step_id`` for one it lacks)."""
    if appeal.state in (AppealState.CLOSED, AppealState.WITHDRAWN):
        raise Conflict(f"the appeal is {appeal.state}", field="path.appeal_id")
    records.tick_step(session, ctx, case_of(session, appeal), step_id, at)
    appeal.updated_at = at


def decide(
    session: Session, ctx: AuditContext, appeal: Appeal, body: DecisionIn, at: datetime
) -> Appeal:
    """Record the decision: every open clock of the appeal is met now (late ones stay late on
    record), and the member's rights after the plan's process start to run."""
    if appeal.state is not AppealState.OPEN:
        raise Conflict(f"a {appeal.state} appeal cannot be decided", field="path.appeal_id")
    case = case_of(session, appeal, lock=True)
    clocks.close(case, [c.target for c in appeal_clocks(appeal, case)], at, met=True)
    appeal.state, appeal.outcome = AppealState.DECIDED, body.outcome
    appeal.decision_rationale = body.rationale
    appeal.decided_at = appeal.resolved_at = appeal.updated_at = at
    appeal.decided_by_id = ctx.actor_id
    # The case note says what happened, not why: the rationale is clinical.
    cases.append_note(
        session, case, ctx, "state_change", f"Decided: {OUTCOME_WORDS[body.outcome]}", at
    )
    session.flush()
    record(
        session,
        ctx,
        AuditAction.APPEAL_DECIDED,
        appeal,
        changes={"old": {"state": "open"}, "new": {"state": "decided", "outcome": body.outcome}},
    )
    return appeal


def withdraw(
    session: Session, ctx: AuditContext, appeal: Appeal, body: WithdrawalIn, at: datetime
) -> Appeal:
    """The member (or representative) withdraws: the clocks stop and the case is closed."""
    if appeal.state is not AppealState.OPEN:
        raise Conflict(f"a {appeal.state} appeal cannot be withdrawn", field="path.appeal_id")
    if (
        body.withdrawn_by is Requester.REPRESENTATIVE
        and appeal.filed_by is not Requester.REPRESENTATIVE
    ):
        raise InvalidInput(
            "no representative is on file for this appeal", field="body.withdrawn_by"
        )
    case = case_of(session, appeal, lock=True)
    clocks.close(case, [c.target for c in appeal_clocks(appeal, case)], at, met=False)
    appeal.state, appeal.withdrawn_by = AppealState.WITHDRAWN, body.withdrawn_by
    appeal.withdrawal_reason = body.reason
    appeal.withdrawn_at = appeal.resolved_at = appeal.updated_at = at
    resolve_case(session, ctx, case, f"Withdrawn by the {body.withdrawn_by.value}", at, close=True)
    record(
        session,
        ctx,
        AuditAction.APPEAL_WITHDRAWN,
        appeal,
        changes={"old": {"state": "open"}, "new": {"state": "withdrawn"}},
        detail={"withdrawn_by": body.withdrawn_by.value},
    )
    return appeal


def close(session: Session, ctx: AuditContext, appeal: Appeal, at: datetime) -> Appeal:
    """Close a decided appeal once every required step of its packet is ticked (409 naming the
    first step missing, and listing them all)."""
    if appeal.state is not AppealState.DECIDED:
        why = "decide it first" if appeal.state is AppealState.OPEN else "it is final already"
        raise Conflict(f"a {appeal.state} appeal cannot be closed: {why}", field="path.appeal_id")
    case = case_of(session, appeal, lock=True)
    steps = cases.steps_of(session, case.id)
    missing = missing_steps((s.step_id, s.required, s.done_at is not None) for s in steps)
    if missing:
        labels = {s.step_id: s.label for s in steps}
        raise Conflict(
            "the appeal packet is not complete; tick first: "
            + "; ".join(f"{m} ({labels[m]})" for m in missing),
            field=f"checklist.{missing[0]}",
        )
    assert appeal.outcome is not None  # decided
    resolve_case(
        session, ctx, case, f"Appeal closed: {OUTCOME_WORDS[appeal.outcome]}", at, close=True
    )
    appeal.state, appeal.closed_at, appeal.closed_by_id = AppealState.CLOSED, at, ctx.actor_id
    appeal.updated_at = at
    session.flush()
    record(
        session,
        ctx,
        AuditAction.APPEAL_CLOSED,
        appeal,
        changes={"old": {"state": "decided"}, "new": {"state": "closed"}},
    )
    return appeal
