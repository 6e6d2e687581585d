"""JSON routes of cases: open, read, move, escalate, note, link, tick. Reads and changes are
audited (the service records changes; reads are recorded here)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from sqlalchemy.orm import Session

from memberdesk.cases import queries, records, service, views
from memberdesk.cases.enums import CaseState, CaseType
from memberdesk.cases.schemas import (
    CaseDetail,
    CaseIn,
    CaseOut,
    DeescalateIn,
    EscalateIn,
    LinkContactIn,
    LinkedContactOut,
    NoteIn,
    NoteOut,
    StateIn,
    StepOut,
)
from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import AuditAction, Permission
from memberdesk.db import DbRoute, ReadingSessionDep, SessionDep
from memberdesk.errors import NotFound
from memberdesk.members.models import Member
from memberdesk.schemas import LimitQ, OffsetQ, Page, id_path, id_query

router = APIRouter(prefix="/api", route_class=DbRoute)
CASES: list[str | Enum] = ["cases"]
CaseId = Annotated[int, id_path("case")]
MemberId = Annotated[int, id_path("member")]
StepId = Annotated[
    str, Path(pattern=r"^[a-z0-9_]{1,48}$", description="Checklist step id (e.g. verify_identity)")
]
Reader = Annotated[Principal, requires(Permission.CASE_READ)]
Writer = Annotated[Principal, requires(Permission.CASE_WRITE)]


def _read(
    session: Session, request: Request, principal: Principal, cases: list[Any], action: AuditAction
) -> None:
    audit.record(
        session,
        audit_ctx(request, principal),
        action,
        object_type="case",
        object_id=cases[0].id if action is AuditAction.CASE_READ else None,
        member_ids=sorted({c.member_id for c in cases}),
        detail={"path": request.url.path[:120], "cases": [c.id for c in cases][:200]},
    )


@router.post("/cases", response_model=CaseOut, status_code=201, summary="Open a case", tags=CASES)
def open_case(body: CaseIn, session: SessionDep, request: Request, principal: Writer) -> CaseOut:
    """A Tier 1 case in the first queue that fits its type and the member's language, with its
    checklist and the clocks of the member's pack (Tier 1 hand-off; claim research for claims
    and billing; an e-mail reply when opened from a written contact). 422 for an unknown member
    or contact."""
    at = now()
    case = service.create_case(
        session,
        audit_ctx(request, principal),
        member_id=body.member_id,
        case_type=body.case_type,
        summary=body.summary,
        priority=body.priority,
        contact_id=body.contact_id,
        at=at,
    )
    out = views.case_out(case, at)
    session.commit()
    return out


@router.get("/cases", response_model=Page[CaseOut], summary="List cases", tags=CASES)
def list_cases(
    session: ReadingSessionDep,
    request: Request,
    principal: Reader,
    state: Annotated[CaseState | None, Query(description="Only cases in this state")] = None,
    queue_id: Annotated[int | None, id_query("queue")] = None,
    tier: Annotated[int | None, Query(ge=1, le=3, description="Only this tier")] = None,
    assignee: Annotated[
        Literal["me"] | None, Query(description="me: only the caller's cases")
    ] = None,
    assignee_id: Annotated[int | None, id_query("assignee")] = None,
    member_id: Annotated[int | None, id_query("member")] = None,
    case_type: Annotated[CaseType | None, Query(description="Only this case type")] = None,
    limit: LimitQ = 50,
    offset: OffsetQ = 0,
) -> Page[CaseOut]:
    """Cases newest first, filtered; every member shown is audited."""
    rows, total = queries.list_cases(
        session,
        state=state,
        queue_id=queue_id,
        tier=tier,
        assignee_id=principal.user_id if assignee == "me" else assignee_id,
        member_id=member_id,
        case_type=case_type,
        limit=limit,
        offset=offset,
    )
    at = now()
    page = Page[CaseOut](
        items=[views.case_out(c, at) for c in rows], total=total, limit=limit, offset=offset
    )
    if rows:
        _read(session, request, principal, list(rows), AuditAction.CASE_LISTED)
    session.commit()
    return page


@router.get("/cases/{case_id}", response_model=CaseDetail, summary="A case in full", tags=CASES)
def get_case(
    case_id: CaseId, session: ReadingSessionDep, request: Request, principal: Reader
) -> CaseDetail:
    """The case with its clocks, notes, checklist, hand-offs and linked contacts."""
    case = service.get_case(session, case_id)
    detail = views.case_detail(session, case, now())
    _read(session, request, principal, [case], AuditAction.CASE_READ)
    session.commit()
    return detail


@router.get(
    "/members/{member_id}/cases",
    response_model=list[CaseOut],
    summary="A member's open cases",
    tags=CASES,
)
def member_cases(
    member_id: MemberId, session: ReadingSessionDep, request: Request, principal: Reader
) -> list[CaseOut]:
    """Open cases with their clocks, oldest first (the member 360's case panel)."""
    if session.get(Member, member_id) is None:
        raise NotFound("no member with this id", field="path.member_id")
    rows = queries.member_open_cases(session, member_id)
    at = now()
    out = [views.case_out(c, at) for c in rows]
    audit.record(
        session,
        audit_ctx(request, principal),
        AuditAction.CASE_LISTED,
        object_type="member",
        object_id=member_id,
        member_ids=[member_id],
        detail={"path": request.url.path[:120], "cases": [c.id for c in rows][:200]},
    )
    session.commit()
    return out


def _change_state(
    case_id: int, body: StateIn, session: Session, request: Request, principal: Principal
) -> CaseOut:
    at = now()
    case = service.get_case(session, case_id, lock=True)
    service.change_state(
        session, audit_ctx(request, principal), case, body.state, body.rationale, at
    )
    out = views.case_out(case, at)
    session.commit()
    return out


@router.post("/cases/{case_id}/state", response_model=CaseOut, summary="Move a case on", tags=CASES)
def post_state(
    case_id: CaseId, body: StateIn, session: SessionDep, request: Request, principal: Writer
) -> CaseOut:
    """Moves allowed by the life cycle only (409 naming both states otherwise). Resolving needs
    a rationale (422) and every required checklist step done (409 naming the missing steps);
    waiting on the member pauses clocks whose target allows it."""
    return _change_state(case_id, body, session, request, principal)


@router.patch(
    "/cases/{case_id}/state", response_model=CaseOut, summary="Move a case on", tags=CASES
)
def patch_state(
    case_id: CaseId, body: StateIn, session: SessionDep, request: Request, principal: Writer
) -> CaseOut:
    """The same as ``POST /api/cases/{case_id}/state``."""
    return _change_state(case_id, body, session, request, principal)


@router.patch("/cases/{case_id}", response_model=CaseOut, summary="Move a case on", tags=CASES)
def patch_case(
    case_id: CaseId, body: StateIn, session: SessionDep, request: Request, principal: Writer
) -> CaseOut:
    """The same as ``POST /api/cases/{case_id}/state``."""
    return _change_state(case_id, body, session, request, principal)


@router.post(
    "/cases/{case_id}/escalate", response_model=CaseOut, summary="Escalate a case", tags=CASES
)
def escalate(
    case_id: CaseId, body: EscalateIn, session: SessionDep, request: Request, principal: Writer
) -> CaseOut:
    """One tier up, unassigned, into the next tier's queue, with that tier's clock started and
    the Tier 1 hand-off clock met. Tier 2 -> 3 only for formal appeals, regulatory and legal
    matters; Tier 3 is the top (409)."""
    at = now()
    case = service.get_case(session, case_id, lock=True)
    service.escalate(session, audit_ctx(request, principal), case, body.reason, body.rationale, at)
    out = views.case_out(case, at)
    session.commit()
    return out


@router.post(
    "/cases/{case_id}/deescalate",
    response_model=CaseOut,
    summary="De-escalate a case",
    tags=CASES,
)
def deescalate(
    case_id: CaseId, body: DeescalateIn, session: SessionDep, request: Request, principal: Writer
) -> CaseOut:
    """One tier down, unassigned, into that tier's queue (with its clock started again)."""
    at = now()
    case = service.get_case(session, case_id, lock=True)
    service.deescalate(session, audit_ctx(request, principal), case, body.rationale, at)
    out = views.case_out(case, at)
    session.commit()
    return out


@router.post(
    "/cases/{case_id}/notes",
    response_model=NoteOut,
    status_code=201,
    summary="Add a note",
    tags=CASES,
)
def add_note(
    case_id: CaseId, body: NoteIn, session: SessionDep, request: Request, principal: Writer
) -> NoteOut:
    """Notes are never edited or deleted; a correction is a new note naming the one it
    corrects (``corrects``)."""
    at = now()
    case = service.get_case(session, case_id)
    note = records.add_note(
        session, audit_ctx(request, principal), case, body.text, body.corrects, at
    )
    session.commit()
    return NoteOut(
        id=note.id,
        kind=note.kind,
        text=note.text,
        corrects=note.corrects_id,
        author_id=note.author_id,
        created_at=note.created_at,
    )


@router.post(
    "/cases/{case_id}/contacts",
    response_model=LinkedContactOut,
    status_code=201,
    summary="Link a contact",
    tags=CASES,
)
def link_contact(
    case_id: CaseId, body: LinkContactIn, session: SessionDep, request: Request, principal: Writer
) -> LinkedContactOut:
    """Link a contact of the case's member (422 for another member's or an unknown one)."""
    at = now()
    case = service.get_case(session, case_id)
    contact = records.link_contact(
        session, audit_ctx(request, principal), case, body.contact_id, at
    )
    session.commit()
    return LinkedContactOut(
        contact_id=contact.id,
        channel=str(contact.channel),
        started_at=contact.started_at,
        linked_at=at,
    )


@router.post(
    "/cases/{case_id}/checklist/{step_id}",
    response_model=StepOut,
    summary="Tick a checklist step",
    tags=CASES,
)
def tick_step(
    case_id: CaseId, step_id: StepId, session: SessionDep, request: Request, principal: Writer
) -> StepOut:
    """Mark a step of the case's checklist done (404 for a step the checklist lacks)."""
    at = now()
    case = service.get_case(session, case_id)
    step = records.tick_step(session, audit_ctx(request, principal), case, step_id, at)
    session.commit()
    return StepOut(
        id=step.step_id,
        label=step.label,
        required=step.required,
        done=step.done_at is not None,
        done_at=step.done_at,
    )
