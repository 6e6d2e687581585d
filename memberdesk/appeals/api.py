"""JSON routes of appeals and grievances: intake (DESIGN's ``POST /api/appeals`` contract), read,
list, extend, notices, documents, checklist, decision, withdrawal, closing, and the letters owed.
Reads are audited here; changes by the services."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from sqlalchemy.orm import Session

from memberdesk.appeals import actions, letters, queries, service, views
from memberdesk.appeals.enums import AppealKind, AppealState
from memberdesk.appeals.models import Appeal
from memberdesk.appeals.schemas import (
    AppealDetail,
    AppealIn,
    AppealOut,
    DecisionIn,
    DocumentIn,
    DocumentOut,
    ExtensionIn,
    ExtensionOut,
    LetterDueOut,
    NoticeIn,
    NoticeOut,
    StepOut,
    WithdrawalIn,
)
from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import AuditAction, Permission
from memberdesk.compliance.permissions import policy
from memberdesk.db import DbRoute, ReadingSessionDep, SessionDep
from memberdesk.schemas import LimitQ, OffsetQ, Page, id_path, id_query

router = APIRouter(prefix="/api", route_class=DbRoute)
TAGS: list[str | Enum] = ["appeals"]
AppealId = Annotated[int, id_path("appeal")]
StepId = Annotated[
    str, Path(pattern=r"^[a-z0-9_]{1,48}$", description="Packet step id (e.g. gather_records)")
]
Reader = Annotated[Principal, requires(Permission.APPEAL_READ)]
Writer = Annotated[Principal, requires(Permission.APPEAL_WRITE)]


def clinical(principal: Principal) -> bool:
    """Whether the caller sees free text and clinical detail (``appeal.clinical.read``)."""
    return policy(principal.role).allows(Permission.APPEAL_CLINICAL_READ)


def audit_read(
    session: Session,
    request: Request,
    principal: Principal,
    appeals: list[Appeal],
    action: AuditAction,
) -> None:
    """Record a read of appeals (whose members, which appeals, clinical detail shown or not)."""
    audit.record(
        session,
        audit_ctx(request, principal),
        action,
        object_type="appeal",
        object_id=appeals[0].id if action is AuditAction.APPEAL_READ else None,
        member_ids=sorted({a.member_id for a in appeals}),
        detail={
            "path": request.url.path[:120],
            "appeals": [a.id for a in appeals][:200],
            "clinical": clinical(principal),
        },
    )


def _detail(session: Session, appeal: Appeal, principal: Principal) -> AppealDetail:
    return views.appeal_detail(session, appeal, now(), clinical(principal))


@router.post(
    "/appeals", response_model=AppealOut, status_code=201, summary="Receive an appeal", tags=TAGS
)
def receive(body: AppealIn, session: SessionDep, request: Request, principal: Writer) -> AppealOut:
    """A grievance or appeal from the member or their authorised representative, oral or
    written. The governing pack is the member's; its clocks start at ``received_at`` (for
    ``calchoice``: ``appeal_ack`` and ``appeal_resolution``, or ``appeal_expedited``; for
    ``oregon-medicaid``: ``grievance_decision`` and ``grievance_resolution`` for a grievance,
    ``appeal_resolution`` or ``appeal_expedited`` for an appeal). It is worked as a Tier 3 case.
    422 naming the field for an unknown member, a receipt time without an offset or in the
    future, or a representative without an authorisation."""
    at = now()
    appeal = service.intake(session, audit_ctx(request, principal), body, at)
    out = views.appeal_out(session, appeal, at, clinical(principal))
    session.commit()
    return out


@router.get("/appeals", response_model=Page[AppealOut], summary="List appeals", tags=TAGS)
def list_appeals(
    session: ReadingSessionDep,
    request: Request,
    principal: Reader,
    state: Annotated[AppealState | None, Query(description="Only this state")] = None,
    open_only: Annotated[
        bool, Query(description="Only appeals still being worked (open or decided)")
    ] = False,
    pack: Annotated[str | None, Query(max_length=32, description="Only this policy pack")] = None,
    kind: Annotated[AppealKind | None, Query(description="Only grievances or appeals")] = None,
    member_id: Annotated[int | None, id_query("member")] = None,
    limit: LimitQ = 50,
    offset: OffsetQ = 0,
) -> Page[AppealOut]:
    """Nearest open deadline first (the Tier 3 worklist); every member shown is audited."""
    states = [state] if state else [AppealState.OPEN, AppealState.DECIDED] if open_only else None
    rows, total = queries.list_appeals(
        session,
        states=states,
        pack=pack,
        kind=kind,
        member_id=member_id,
        limit=limit,
        offset=offset,
    )
    page = Page[AppealOut](
        items=views.appeal_outs(session, rows, now(), clinical(principal)),
        total=total,
        limit=limit,
        offset=offset,
    )
    if rows:
        audit_read(session, request, principal, rows, AuditAction.APPEAL_LISTED)
    session.commit()
    return page


@router.get(
    "/appeals/{appeal_id}", response_model=AppealDetail, summary="An appeal in full", tags=TAGS
)
def get_appeal(
    appeal_id: AppealId, session: ReadingSessionDep, request: Request, principal: Reader
) -> AppealDetail:
    """The appeal with its pack, clocks, extension, decision, rights (fair hearing or IMR),
    packet checklist, notices, documents and the letters it owes."""
    appeal = service.get_appeal(session, appeal_id)
    out = _detail(session, appeal, principal)
    audit_read(session, request, principal, [appeal], AuditAction.APPEAL_READ)
    session.commit()
    return out


@router.post(
    "/appeals/{appeal_id}/extension",
    response_model=ExtensionOut,
    status_code=201,
    summary="Extend an appeal's deadline",
    tags=TAGS,
)
def extend(
    appeal_id: AppealId, body: ExtensionIn, session: SessionDep, request: Request, principal: Writer
) -> ExtensionOut:
    """The one extension the pack's rule allows (Oregon Medicaid: 14 days), with the reason and
    the notice to the member. 409 where the rule gives none (California, ERISA, Oregon
    grievances), for a second extension, after the deadline, or once decided or withdrawn."""
    at = now()
    appeal = service.get_appeal(session, appeal_id, lock=True)
    ext = actions.extend(session, audit_ctx(request, principal), appeal, body, at)
    out = views.extension_out(ext, clinical(principal))
    assert out is not None
    session.commit()
    return out


@router.post(
    "/appeals/{appeal_id}/withdrawal",
    response_model=AppealOut,
    summary="Withdraw an appeal",
    tags=TAGS,
)
def withdraw(
    appeal_id: AppealId,
    body: WithdrawalIn,
    session: SessionDep,
    request: Request,
    principal: Writer,
) -> AppealOut:
    """The member (or their representative) withdraws it: clocks stop, the case is closed."""
    at = now()
    appeal = service.get_appeal(session, appeal_id, lock=True)
    actions.withdraw(session, audit_ctx(request, principal), appeal, body, at)
    out = views.appeal_out(session, appeal, at, clinical(principal))
    session.commit()
    return out


@router.post(
    "/appeals/{appeal_id}/decision", response_model=AppealOut, summary="Decide an appeal", tags=TAGS
)
def decide(
    appeal_id: AppealId, body: DecisionIn, session: SessionDep, request: Request, principal: Writer
) -> AppealOut:
    """Upheld, overturned or partly overturned, with the rationale: the appeal's clocks are met
    and the member's rights after the plan's process start to run. 409 unless open."""
    at = now()
    appeal = service.get_appeal(session, appeal_id, lock=True)
    actions.decide(session, audit_ctx(request, principal), appeal, body, at)
    out = views.appeal_out(session, appeal, at, clinical(principal))
    session.commit()
    return out


@router.post(
    "/appeals/{appeal_id}/close", response_model=AppealOut, summary="Close an appeal", tags=TAGS
)
def close(
    appeal_id: AppealId, session: SessionDep, request: Request, principal: Writer
) -> AppealOut:
    """Close a decided appeal: every required step of the appeal packet must be ticked (409
    naming the step, ``loc`` ``checklist.<step_id>``). Its case is resolved and closed."""
    at = now()
    appeal = service.get_appeal(session, appeal_id, lock=True)
    actions.close(session, audit_ctx(request, principal), appeal, at)
    out = views.appeal_out(session, appeal, at, clinical(principal))
    session.commit()
    return out


@router.post(
    "/appeals/{appeal_id}/checklist/{step_id}",
    response_model=list[StepOut],
    summary="Tick a packet step",
    tags=TAGS,
)
def tick(
    appeal_id: AppealId, step_id: StepId, session: SessionDep, request: Request, principal: Writer
) -> list[StepOut]:
    """Mark a step of the appeal packet done (404 naming ``step_id`` for one it lacks); answers
    the whole packet."""
    at = now()
    appeal = service.get_appeal(session, appeal_id, lock=True)
    actions.tick(session, audit_ctx(request, principal), appeal, step_id, at)
    steps = _detail(session, appeal, principal).checklist
    session.commit()
    return steps


@router.post(
    "/appeals/{appeal_id}/notices",
    response_model=NoticeOut,
    status_code=201,
    summary="Record a notice sent",
    tags=TAGS,
)
def record_notice(
    appeal_id: AppealId, body: NoticeIn, session: SessionDep, request: Request, principal: Writer
) -> NoticeOut:
    """A notice sent to the member. A written acknowledgement meets ``appeal_ack``; a written
    notice of delay meets Oregon's ``grievance_decision``; each ticks its packet step."""
    at = now()
    appeal = service.get_appeal(session, appeal_id, lock=True)
    n = actions.record_notice(session, audit_ctx(request, principal), appeal, body, at)
    session.commit()
    return NoticeOut(id=n.id, kind=n.kind, method=n.method, sent_at=n.sent_at)


@router.post(
    "/appeals/{appeal_id}/documents",
    response_model=DocumentOut,
    status_code=201,
    summary="Record a document exchanged",
    tags=TAGS,
)
def add_document(
    appeal_id: AppealId, body: DocumentIn, session: SessionDep, request: Request, principal: Writer
) -> DocumentOut:
    """Metadata of a document received or sent (its file, if any, is a document of the case:
    ``POST /api/cases/{case_id}/documents``). Titles and notes are PHI, stored encrypted."""
    at = now()
    appeal = service.get_appeal(session, appeal_id, lock=True)
    doc = actions.add_document(session, audit_ctx(request, principal), appeal, body, at)
    out = views.document_out(doc, clinical(principal))
    session.commit()
    return out


@router.get(
    "/appeals/{appeal_id}/documents",
    response_model=list[DocumentOut],
    summary="An appeal's documents",
    tags=TAGS,
)
def list_documents(
    appeal_id: AppealId, session: ReadingSessionDep, request: Request, principal: Reader
) -> list[DocumentOut]:
    """Documents exchanged, oldest first (audited as a read of the appeal)."""
    appeal = service.get_appeal(session, appeal_id)
    out = _detail(session, appeal, principal).documents
    audit_read(session, request, principal, [appeal], AuditAction.APPEAL_READ)
    session.commit()
    return out


@router.get(
    "/appeals/{appeal_id}/letters",
    response_model=list[LetterDueOut],
    summary="Letters an appeal owes",
    tags=TAGS,
)
def letters_due(
    appeal_id: AppealId, session: ReadingSessionDep, request: Request, principal: Reader
) -> list[LetterDueOut]:
    """Acknowledgement, notice of delay, extension, resolution and deemed-exhaustion letters
    owed and not yet sent in writing, each with the date it is due by."""
    appeal = service.get_appeal(session, appeal_id)
    owed: list[Any] = letters.due_letters(letters.facts(session, appeal))
    audit_read(session, request, principal, [appeal], AuditAction.APPEAL_READ)
    session.commit()
    return [LetterDueOut(kind=d.kind.value, due_by=d.due_by, why=d.why) for d in owed]
