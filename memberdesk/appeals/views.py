"""Appeals as the API shows them: deadlines in the pack calendar's zone, clocks' shown state,
free text masked for roles without ``appeal.clinical.read``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.appeals import letters, rules
from memberdesk.appeals.actions import extension_of
from memberdesk.appeals.models import Appeal, AppealDocument, AppealExtension, AppealNotice
from memberdesk.appeals.schemas import (
    AppealClockOut,
    AppealDetail,
    AppealOut,
    DecisionOut,
    DocumentOut,
    ExtensionOut,
    LetterDueOut,
    NoticeOut,
    RepresentativeOut,
    RightOut,
    StepOut,
    WithdrawalOut,
)
from memberdesk.appeals.service import appeal_clocks
from memberdesk.cases import clocks
from memberdesk.cases.models import Case, CaseClock
from memberdesk.cases.service import steps_of
from memberdesk.compliance.masking import MASKED
from memberdesk.sla.packs import zone_of


def _shown(text: str | None, clinical: bool) -> str | None:
    return text if clinical or text is None else MASKED


def clock_out(row: CaseClock, at: datetime, extended: bool) -> AppealClockOut:
    """One regulatory clock, its times in the pack calendar's zone."""
    tz = zone_of(row.pack)
    return AppealClockOut(
        target=row.target,
        due_at=row.due_at.astimezone(tz) if row.due_at else None,
        state=clocks.shown_state(row, at),
        started_at=row.started_at.astimezone(tz),
        warn_at=row.warn_at.astimezone(tz) if row.warn_at else None,
        kind=row.kind,
        amount=row.amount,
        extended=extended,
        closed_at=row.closed_at.astimezone(tz) if row.closed_at else None,
    )


def extension_out(ext: AppealExtension | None, clinical: bool) -> ExtensionOut | None:
    if ext is None:
        return None
    return ExtensionOut(
        target=ext.target,
        amount=ext.amount,
        unit=ext.unit,
        requested_by=ext.requested_by,
        reason=_shown(ext.reason, clinical) or "",
        notice_method=ext.notice_method,
        notice_sent_at=ext.notice_sent_at,
        due_before=ext.due_before,
        due_after=ext.due_after,
        extended_at=ext.extended_at,
        written_notice_due=rules.extension_notice_due(ext.extended_at, ext.requested_by),
    )


def _fields(
    appeal: Appeal, case: Case, ext: AppealExtension | None, at: datetime, clinical: bool
) -> dict[str, Any]:
    return {
        "id": appeal.id,
        "member_id": appeal.member_id,
        "case_id": appeal.case_id,
        "kind": appeal.kind,
        "urgency": appeal.urgency,
        "channel": appeal.channel,
        "received_via": appeal.received_via,
        "received_at": appeal.received_at.astimezone(zone_of(appeal.pack)),
        "pack": appeal.pack,
        "claim_type": appeal.claim_type,
        "state": appeal.state,
        "summary": _shown(appeal.summary, clinical),
        "filed_by": appeal.filed_by,
        "representative": RepresentativeOut(
            name=appeal.rep_name,
            relationship=appeal.rep_relationship,
            authorization_document=appeal.rep_authorization or "",
            authorization_signed_on=appeal.rep_authorized_on.isoformat()
            if appeal.rep_authorized_on
            else "",
        )
        if appeal.rep_name and appeal.rep_relationship
        else None,
        "expedited_by": appeal.expedited_by,
        "clinical_urgency": _shown(appeal.clinical_urgency, clinical),
        "clocks": [
            clock_out(r, at, ext is not None and ext.target == r.target)
            for r in appeal_clocks(appeal, case)
        ],
        "deemed_exhausted": appeal.deemed_exhausted_at is not None,
        "deemed_exhausted_at": appeal.deemed_exhausted_at,
        "extension": extension_out(ext, clinical),
        "decision": DecisionOut(
            outcome=appeal.outcome,
            rationale=_shown(appeal.decision_rationale, clinical) or "",
            decided_at=appeal.decided_at,
        )
        if appeal.outcome and appeal.decided_at
        else None,
        "withdrawal": WithdrawalOut(
            withdrawn_by=appeal.withdrawn_by,
            reason=_shown(appeal.withdrawal_reason, clinical),
            withdrawn_at=appeal.withdrawn_at,
        )
        if appeal.withdrawn_by and appeal.withdrawn_at
        else None,
        "rights": [
            RightOut(
                key=r.right.key,
                title=r.right.title,
                text=r.right.text,
                request_within_days=r.right.request_within_days,
                citation=r.right.citation,
                verify=r.right.verify,
                available=r.available,
                available_from=r.available_from,
                request_by=r.request_by,
            )
            for r in letters.rights_now(appeal, at)
        ],
        "created_at": appeal.created_at,
        "updated_at": appeal.updated_at,
        "closed_at": appeal.closed_at,
    }


def appeal_outs(
    session: Session, appeals: Sequence[Appeal], at: datetime, clinical: bool
) -> list[AppealOut]:
    """Several appeals with their clocks (cases and extensions loaded in two queries)."""
    if not appeals:
        return []
    ids = [a.id for a in appeals]
    cases = {
        c.id: c
        for c in session.scalars(select(Case).where(Case.id.in_([a.case_id for a in appeals])))
    }
    exts = {
        e.appeal_id: e
        for e in session.scalars(select(AppealExtension).where(AppealExtension.appeal_id.in_(ids)))
    }
    return [
        AppealOut.model_validate(_fields(a, cases[a.case_id], exts.get(a.id), at, clinical))
        for a in appeals
    ]


def appeal_out(session: Session, appeal: Appeal, at: datetime, clinical: bool) -> AppealOut:
    """One appeal with its pack and clocks (the ``POST /api/appeals`` answer)."""
    return appeal_outs(session, [appeal], at, clinical)[0]


def document_out(d: AppealDocument, clinical: bool) -> DocumentOut:
    """A document's metadata; a clinical one's title is masked without clinical read."""
    return DocumentOut(
        id=d.id,
        kind=d.kind,
        direction=d.direction,
        title=d.title if clinical or not d.clinical else MASKED,
        description=_shown(d.description, clinical),
        clinical=d.clinical,
        exchanged_at=d.exchanged_at,
        case_document_id=d.case_document_id,
    )


def appeal_detail(session: Session, appeal: Appeal, at: datetime, clinical: bool) -> AppealDetail:
    """An appeal with its packet, notices, documents and the letters it owes."""
    case = session.get(Case, appeal.case_id)
    assert case is not None
    notices = session.scalars(
        select(AppealNotice).where(AppealNotice.appeal_id == appeal.id).order_by(AppealNotice.id)
    )
    docs = session.scalars(
        select(AppealDocument)
        .where(AppealDocument.appeal_id == appeal.id)
        .order_by(AppealDocument.id)
    )
    return AppealDetail.model_validate(
        {
            **_fields(appeal, case, extension_of(session, appeal.id), at, clinical),
            "checklist": [
                StepOut(
                    id=s.step_id,
                    label=s.label,
                    required=s.required,
                    done=s.done_at is not None,
                    done_at=s.done_at,
                )
                for s in steps_of(session, case.id)
            ],
            "notices": [
                NoticeOut(id=n.id, kind=n.kind, method=n.method, sent_at=n.sent_at) for n in notices
            ],
            "documents": [document_out(d, clinical) for d in docs],
            "letters_due": [
                LetterDueOut(kind=d.kind.value, due_by=d.due_by, why=d.why)
                for d in letters.due_letters(letters.facts(session, appeal))
            ],
        }
    )
