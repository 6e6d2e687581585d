"""JSON routes of regulatory inquiries and legal referrals. Reads are audited here; changes by
``tier3``. Placing a legal hold takes the compliance permission ``legal_hold.manage``."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.appeals import tier3
from memberdesk.appeals.api import clinical
from memberdesk.appeals.enums import InquiryState
from memberdesk.appeals.models import InquiryDocument, LegalReferral, RegulatoryInquiry
from memberdesk.appeals.tier3_schemas import (
    HoldIn,
    InquiryDocumentIn,
    InquiryDocumentOut,
    InquiryIn,
    InquiryOut,
    LiaisonIn,
    ReferralCloseIn,
    ReferralIn,
    ReferralOut,
    ResponseIn,
)
from memberdesk.cases import clocks
from memberdesk.cases.enums import ClockState
from memberdesk.cases.models import CaseClock
from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import AuditAction, Permission
from memberdesk.compliance.masking import MASKED
from memberdesk.compliance.models import LegalHold, User
from memberdesk.compliance.schemas import LegalHoldOut
from memberdesk.db import DbRoute, ReadingSessionDep, SessionDep
from memberdesk.schemas import LimitQ, OffsetQ, id_path
from memberdesk.sla.packs import zone_of

router = APIRouter(prefix="/api", route_class=DbRoute)
INQUIRIES: list[str | Enum] = ["regulatory inquiries"]
REFERRALS: list[str | Enum] = ["legal referrals"]
InquiryId = Annotated[int, id_path("regulatory inquiry")]
ReferralId = Annotated[int, id_path("legal referral")]
Reader = Annotated[Principal, requires(Permission.APPEAL_READ)]
Writer = Annotated[Principal, requires(Permission.APPEAL_WRITE)]
HoldManager = Annotated[Principal, requires(Permission.LEGAL_HOLD_MANAGE)]


def _shown(text: str | None, principal: Principal) -> str | None:
    return text if text is None or clinical(principal) else MASKED


def inquiry_out(
    session: Session, inquiry: RegulatoryInquiry, principal: Principal, at: datetime
) -> InquiryOut:
    """An inquiry as the API shows it (free text masked without clinical read), its times in
    the zone of its case's pack."""
    row = session.scalar(
        select(CaseClock).where(
            CaseClock.case_id == inquiry.case_id, CaseClock.target == tier3.RESPONSE_TARGET
        )
    )
    state = clocks.shown_state(row, at) if row is not None else ClockState.STOPPED
    tz = zone_of(row.pack) if row is not None else UTC
    docs = session.scalars(
        select(InquiryDocument)
        .where(InquiryDocument.inquiry_id == inquiry.id)
        .order_by(InquiryDocument.id)
    )
    liaison = session.get(User, inquiry.liaison_id) if inquiry.liaison_id else None
    return InquiryOut(
        id=inquiry.id,
        case_id=inquiry.case_id,
        member_id=inquiry.member_id,
        regulator=inquiry.regulator,
        reference=inquiry.reference,
        received_at=inquiry.received_at.astimezone(tz),
        response_due_at=inquiry.response_due_at.astimezone(tz),
        deadline_state=state,
        summary=_shown(inquiry.summary, principal) or "",
        liaison_id=inquiry.liaison_id,
        liaison=liaison.username if liaison else None,
        appeal_id=inquiry.appeal_id,
        state=inquiry.state,
        responded_at=inquiry.responded_at,
        response_summary=_shown(inquiry.response_summary, principal),
        documents=[
            InquiryDocumentOut(
                id=d.id,
                direction=d.direction,
                title=_shown(d.title, principal) or "",
                description=_shown(d.description, principal),
                exchanged_at=d.exchanged_at,
            )
            for d in docs
        ],
    )


def referral_out(session: Session, referral: LegalReferral, principal: Principal) -> ReferralOut:
    """A referral as the API shows it."""
    hold = session.get(LegalHold, referral.legal_hold_id) if referral.legal_hold_id else None
    return ReferralOut(
        id=referral.id,
        case_id=referral.case_id,
        member_id=referral.member_id,
        matter_number=referral.matter_number,
        counsel=referral.counsel,
        reason=_shown(referral.reason, principal) or "",
        appeal_id=referral.appeal_id,
        inquiry_id=referral.inquiry_id,
        state=referral.state,
        legal_hold_id=referral.legal_hold_id,
        legal_hold_active=hold is not None and hold.released_at is None,
        referred_at=referral.referred_at,
        closed_at=referral.closed_at,
    )


def record_read(
    session: Session,
    request: Request,
    principal: Principal,
    action: AuditAction,
    kind: str,
    rows: list[RegulatoryInquiry] | list[LegalReferral],
) -> None:
    """Audit a read of inquiries or referrals (their members, the ids shown); pages use it too."""
    audit.record(
        session,
        audit_ctx(request, principal),
        action,
        object_type=kind,
        object_id=rows[0].id if len(rows) == 1 else None,
        member_ids=sorted({r.member_id for r in rows}),
        detail={"path": request.url.path[:120], "ids": [r.id for r in rows][:200]},
    )


# -- regulatory inquiries ---------------------------------------------------------------------
@router.post(
    "/regulatory-inquiries",
    response_model=InquiryOut,
    status_code=201,
    summary="Record a regulatory inquiry",
    tags=INQUIRIES,
)
def receive_inquiry(
    body: InquiryIn, session: SessionDep, request: Request, principal: Writer
) -> InquiryOut:
    """A complaint DMHC, the Oregon Health Authority or the Department of Labor forwarded, with
    the response deadline it set (a clock of the inquiry's Tier 3 case, warned and breached by
    the SLA worker)."""
    at = now()
    inquiry = tier3.receive_inquiry(session, audit_ctx(request, principal), body, at)
    out = inquiry_out(session, inquiry, principal, at)
    session.commit()
    return out


@router.get(
    "/regulatory-inquiries",
    response_model=list[InquiryOut],
    summary="Regulatory inquiries",
    tags=INQUIRIES,
)
def list_inquiries(
    session: ReadingSessionDep,
    request: Request,
    principal: Reader,
    state: Annotated[InquiryState | None, Query(description="Only this state")] = None,
    limit: LimitQ = 50,
    offset: OffsetQ = 0,
) -> list[InquiryOut]:
    """Nearest response deadline first; every member shown is audited."""
    stmt = select(RegulatoryInquiry)
    if state:
        stmt = stmt.where(RegulatoryInquiry.state == state)
    rows = list(
        session.scalars(
            stmt.order_by(RegulatoryInquiry.response_due_at, RegulatoryInquiry.id)
            .limit(limit)
            .offset(offset)
        )
    )
    at = now()
    out = [inquiry_out(session, r, principal, at) for r in rows]
    if rows:
        record_read(
            session, request, principal, AuditAction.INQUIRY_READ, "regulatory_inquiry", rows
        )
    session.commit()
    return out


@router.get(
    "/regulatory-inquiries/{inquiry_id}",
    response_model=InquiryOut,
    summary="A regulatory inquiry",
    tags=INQUIRIES,
)
def get_inquiry(
    inquiry_id: InquiryId, session: ReadingSessionDep, request: Request, principal: Reader
) -> InquiryOut:
    """The inquiry with its deadline, liaison and documents exchanged."""
    inquiry = tier3.get_inquiry(session, inquiry_id)
    out = inquiry_out(session, inquiry, principal, now())
    record_read(
        session, request, principal, AuditAction.INQUIRY_READ, "regulatory_inquiry", [inquiry]
    )
    session.commit()
    return out


@router.post(
    "/regulatory-inquiries/{inquiry_id}/liaison",
    response_model=InquiryOut,
    summary="Assign the liaison",
    tags=INQUIRIES,
)
def assign_liaison(
    inquiry_id: InquiryId, body: LiaisonIn, session: SessionDep, request: Request, principal: Writer
) -> InquiryOut:
    """The staff member who answers the regulator (422 naming ``user_id`` for someone else)."""
    at = now()
    inquiry = tier3.get_inquiry(session, inquiry_id, lock=True)
    tier3.assign_liaison(session, audit_ctx(request, principal), inquiry, body.user_id, at)
    out = inquiry_out(session, inquiry, principal, at)
    session.commit()
    return out


@router.post(
    "/regulatory-inquiries/{inquiry_id}/documents",
    response_model=InquiryDocumentOut,
    status_code=201,
    summary="Record a document exchanged",
    tags=INQUIRIES,
)
def add_inquiry_document(
    inquiry_id: InquiryId,
    body: InquiryDocumentIn,
    session: SessionDep,
    request: Request,
    principal: Writer,
) -> InquiryDocumentOut:
    """A document received from or sent to the regulator (metadata, encrypted)."""
    at = now()
    inquiry = tier3.get_inquiry(session, inquiry_id, lock=True)
    doc = tier3.add_inquiry_document(session, audit_ctx(request, principal), inquiry, body, at)
    session.commit()
    return InquiryDocumentOut(
        id=doc.id,
        direction=doc.direction,
        title=_shown(doc.title, principal) or "",
        description=_shown(doc.description, principal),
        exchanged_at=doc.exchanged_at,
    )


@router.post(
    "/regulatory-inquiries/{inquiry_id}/response",
    response_model=InquiryOut,
    summary="Record the response",
    tags=INQUIRIES,
)
def respond(
    inquiry_id: InquiryId,
    body: ResponseIn,
    session: SessionDep,
    request: Request,
    principal: Writer,
) -> InquiryOut:
    """The plan answered the regulator: its deadline is met (or met late). 409 unless open."""
    at = now()
    inquiry = tier3.get_inquiry(session, inquiry_id, lock=True)
    tier3.respond(session, audit_ctx(request, principal), inquiry, body, at)
    out = inquiry_out(session, inquiry, principal, at)
    session.commit()
    return out


@router.post(
    "/regulatory-inquiries/{inquiry_id}/close",
    response_model=InquiryOut,
    summary="Close an inquiry",
    tags=INQUIRIES,
)
def close_inquiry(
    inquiry_id: InquiryId, session: SessionDep, request: Request, principal: Writer
) -> InquiryOut:
    """Close an answered inquiry; its case is resolved and closed (409 before the response)."""
    at = now()
    inquiry = tier3.get_inquiry(session, inquiry_id, lock=True)
    tier3.close_inquiry(session, audit_ctx(request, principal), inquiry, at)
    out = inquiry_out(session, inquiry, principal, at)
    session.commit()
    return out


# -- legal referrals ------------------------------------------------------------------------
@router.post(
    "/legal-referrals",
    response_model=ReferralOut,
    status_code=201,
    summary="Refer a matter to counsel",
    tags=REFERRALS,
)
def refer(
    body: ReferralIn, session: SessionDep, request: Request, principal: Writer
) -> ReferralOut:
    """A matter referred to counsel with its matter number (409 for a number already used),
    worked as a Tier 3 case."""
    referral = tier3.refer(session, audit_ctx(request, principal), body, now())
    out = referral_out(session, referral, principal)
    session.commit()
    return out


@router.get(
    "/legal-referrals", response_model=list[ReferralOut], summary="Legal referrals", tags=REFERRALS
)
def list_referrals(
    session: ReadingSessionDep,
    request: Request,
    principal: Reader,
    limit: LimitQ = 50,
    offset: OffsetQ = 0,
) -> list[ReferralOut]:
    """Newest first; every member shown is audited."""
    rows = list(
        session.scalars(
            select(LegalReferral).order_by(LegalReferral.id.desc()).limit(limit).offset(offset)
        )
    )
    out = [referral_out(session, r, principal) for r in rows]
    if rows:
        record_read(session, request, principal, AuditAction.REFERRAL_READ, "legal_referral", rows)
    session.commit()
    return out


@router.get(
    "/legal-referrals/{referral_id}",
    response_model=ReferralOut,
    summary="A legal referral",
    tags=REFERRALS,
)
def get_referral(
    referral_id: ReferralId, session: ReadingSessionDep, request: Request, principal: Reader
) -> ReferralOut:
    """The referral with its legal hold."""
    referral = tier3.get_referral(session, referral_id)
    out = referral_out(session, referral, principal)
    record_read(
        session, request, principal, AuditAction.REFERRAL_READ, "legal_referral", [referral]
    )
    session.commit()
    return out


@router.post(
    "/legal-referrals/{referral_id}/hold",
    response_model=LegalHoldOut,
    status_code=201,
    summary="Place the matter's legal hold",
    tags=REFERRALS,
)
def place_hold(
    referral_id: ReferralId,
    body: HoldIn,
    session: SessionDep,
    request: Request,
    principal: HoldManager,
) -> LegalHoldOut:
    """A legal hold on the member's records under the matter number (compliance officers;
    released with ``POST /api/compliance/legal-holds/{hold_id}/release``). 409 while one is in
    force."""
    at = now()
    referral = tier3.get_referral(session, referral_id, lock=True)
    hold = tier3.place_hold(session, audit_ctx(request, principal), referral, body.reason, at)
    session.commit()
    return LegalHoldOut.model_validate(hold)


@router.post(
    "/legal-referrals/{referral_id}/close",
    response_model=ReferralOut,
    summary="Close a legal referral",
    tags=REFERRALS,
)
def close_referral(
    referral_id: ReferralId,
    session: SessionDep,
    request: Request,
    principal: Writer,
    body: ReferralCloseIn | None = None,
) -> ReferralOut:
    """Close the matter, with its outcome if given; its case is resolved and closed (a legal
    hold stays until released)."""
    referral = tier3.get_referral(session, referral_id, lock=True)
    outcome = body.outcome if body else None
    tier3.close_referral(session, audit_ctx(request, principal), referral, now(), outcome)
    out = referral_out(session, referral, principal)
    session.commit()
    return out
