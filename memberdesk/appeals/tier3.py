"""Regulatory inquiries and legal referrals: each a Tier 3 case. An inquiry carries the response
deadline its regulator set as a fixed clock of the case (the SLA worker warns and breaches it);
a referral can place a legal hold on the member's records through the compliance legal-hold
mechanism. Never commits; audits every change without free text."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.appeals.enums import InquiryState, ReferralState
from memberdesk.appeals.models import (
    Appeal,
    InquiryDocument,
    LegalReferral,
    RegulatoryInquiry,
)
from memberdesk.appeals.rules import received_problem
from memberdesk.appeals.service import resolve_case
from memberdesk.appeals.tier3_schemas import (
    InquiryDocumentIn,
    InquiryIn,
    ReferralIn,
    ResponseIn,
)
from memberdesk.cases import clocks, routing
from memberdesk.cases import service as cases
from memberdesk.cases.enums import CaseType, Priority
from memberdesk.cases.models import Case
from memberdesk.cases.states import TOP_TIER
from memberdesk.compliance import audit, retention
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction
from memberdesk.compliance.models import LegalHold
from memberdesk.errors import Conflict, InvalidInput, NotFound
from memberdesk.members.models import Member

RESPONSE_TARGET = "regulator_response"
CLOSED_NOTE = "Legal referral closed"


def _record(
    session: Session, ctx: AuditContext, action: AuditAction, kind: str, obj: Any, **kw: Any
) -> None:
    audit.record(
        session, ctx, action, object_type=kind, object_id=obj.id, member_ids=[obj.member_id], **kw
    )


def _member(session: Session, member_id: int) -> Member:
    member = session.get(Member, member_id)
    if member is None:
        raise InvalidInput("no member with this id", field="body.member_id")
    return member


def _appeal_of(session: Session, appeal_id: int | None, member_id: int) -> None:
    if appeal_id is None:
        return
    appeal = session.get(Appeal, appeal_id)
    if appeal is None or appeal.member_id != member_id:
        raise InvalidInput("no appeal of this member has this id", field="body.appeal_id")


def _case(
    session: Session,
    ctx: AuditContext,
    member: Member,
    case_type: CaseType,
    summary: str,
    at: datetime,
) -> Case:
    return cases.create_case(
        session,
        ctx,
        member_id=member.id,
        case_type=case_type,
        summary=summary,
        priority=Priority.HIGH,
        contact_id=None,
        at=at,
        tier=TOP_TIER,
    )


# -- regulatory inquiries ---------------------------------------------------------------------
def get_inquiry(session: Session, inquiry_id: int, *, lock: bool = False) -> RegulatoryInquiry:
    """An inquiry by id (locked for update when ``lock``)."""
    stmt = select(RegulatoryInquiry).where(RegulatoryInquiry.id == inquiry_id)
    if lock:
        stmt = stmt.with_for_update(of=RegulatoryInquiry)
    found = session.scalars(stmt).first()
    if found is None:
        raise NotFound("no regulatory inquiry with this id", field="path.inquiry_id")
    return found


def receive_inquiry(
    session: Session, ctx: AuditContext, body: InquiryIn, at: datetime
) -> RegulatoryInquiry:
    """Record a forwarded complaint on a Tier 3 case with the regulator's deadline as its clock."""
    member = _member(session, body.member_id)
    problem = received_problem(body.received_at, at)
    if problem:
        raise InvalidInput(problem, field="body.received_at")
    if body.response_due_at <= body.received_at:
        raise InvalidInput("must be after the time it was received", field="body.response_due_at")
    if body.liaison_id is not None:
        routing.get_staff(session, body.liaison_id, "body.liaison_id")
    _appeal_of(session, body.appeal_id, member.id)
    case = _case(session, ctx, member, CaseType.REGULATORY_INQUIRY, "Regulatory inquiry", at)
    inquiry = RegulatoryInquiry(
        case_id=case.id,
        member_id=member.id,
        regulator=body.regulator,
        reference=body.reference,
        received_at=body.received_at,
        response_due_at=body.response_due_at,
        summary=body.summary,
        liaison_id=body.liaison_id,
        appeal_id=body.appeal_id,
        state=InquiryState.OPEN,
        created_by_id=ctx.actor_id,
        created_at=at,
        updated_at=at,
    )
    session.add(inquiry)
    session.flush()
    case.summary = f"Regulatory inquiry {inquiry.id} ({body.regulator.value.upper()}): see it"
    clocks.start_fixed(case, RESPONSE_TARGET, body.received_at, body.response_due_at)
    session.flush()
    _record(
        session,
        ctx,
        AuditAction.INQUIRY_RECEIVED,
        "regulatory_inquiry",
        inquiry,
        changes={
            "new": {
                "regulator": body.regulator.value,
                "reference": body.reference,
                "response_due_at": body.response_due_at.isoformat(),
            }
        },
        detail={"case_id": case.id},
    )
    return inquiry


def assign_liaison(
    session: Session, ctx: AuditContext, inquiry: RegulatoryInquiry, user_id: int, at: datetime
) -> RegulatoryInquiry:
    """Make a staff member the liaison who answers the regulator."""
    routing.get_staff(session, user_id, "body.user_id")
    before = inquiry.liaison_id
    inquiry.liaison_id, inquiry.updated_at = user_id, at
    _record(
        session,
        ctx,
        AuditAction.INQUIRY_UPDATED,
        "regulatory_inquiry",
        inquiry,
        changes={"old": {"liaison_id": before}, "new": {"liaison_id": user_id}},
    )
    return inquiry


def add_inquiry_document(
    session: Session,
    ctx: AuditContext,
    inquiry: RegulatoryInquiry,
    body: InquiryDocumentIn,
    at: datetime,
) -> InquiryDocument:
    """Record a document received from or sent to the regulator."""
    when = body.exchanged_at or at
    if when > at:
        raise InvalidInput("is in the future", field="body.exchanged_at")
    doc = InquiryDocument(
        inquiry_id=inquiry.id,
        direction=body.direction,
        title=body.title,
        description=body.description,
        exchanged_at=when,
        added_by_id=ctx.actor_id,
        added_at=at,
    )
    session.add(doc)
    inquiry.updated_at = at
    session.flush()
    _record(
        session,
        ctx,
        AuditAction.INQUIRY_UPDATED,
        "regulatory_inquiry",
        inquiry,
        detail={"document_id": doc.id, "direction": body.direction.value},
    )
    return doc


def respond(
    session: Session, ctx: AuditContext, inquiry: RegulatoryInquiry, body: ResponseIn, at: datetime
) -> RegulatoryInquiry:
    """Record the plan's response: the regulator's deadline is met (late ones stay late)."""
    if inquiry.state is not InquiryState.OPEN:
        raise Conflict(f"the inquiry is {inquiry.state}", field="path.inquiry_id")
    when = body.responded_at or at
    if when > at or when < inquiry.received_at:
        raise InvalidInput("must be between the receipt and now", field="body.responded_at")
    case = cases.get_case(session, inquiry.case_id, lock=True)
    clocks.close(case, [RESPONSE_TARGET], when, met=True)
    inquiry.state, inquiry.responded_at = InquiryState.RESPONDED, when
    inquiry.response_summary, inquiry.updated_at = body.summary, at
    _record(
        session,
        ctx,
        AuditAction.INQUIRY_UPDATED,
        "regulatory_inquiry",
        inquiry,
        changes={"old": {"state": "open"}, "new": {"state": "responded"}},
    )
    return inquiry


def close_inquiry(
    session: Session, ctx: AuditContext, inquiry: RegulatoryInquiry, at: datetime
) -> RegulatoryInquiry:
    """Close an inquiry the plan has answered (the regulator closed its file)."""
    if inquiry.state is not InquiryState.RESPONDED:
        why = "answer it first" if inquiry.state is InquiryState.OPEN else "it is closed already"
        raise Conflict(f"the inquiry cannot be closed: {why}", field="path.inquiry_id")
    inquiry.state, inquiry.closed_at, inquiry.updated_at = InquiryState.CLOSED, at, at
    case = cases.get_case(session, inquiry.case_id, lock=True)
    resolve_case(session, ctx, case, "Regulatory inquiry answered and closed", at, close=True)
    _record(
        session,
        ctx,
        AuditAction.INQUIRY_UPDATED,
        "regulatory_inquiry",
        inquiry,
        changes={"old": {"state": "responded"}, "new": {"state": "closed"}},
    )
    return inquiry


# -- legal referrals ------------------------------------------------------------------------
def get_referral(session: Session, referral_id: int, *, lock: bool = False) -> LegalReferral:
    """A referral by id (locked for update when ``lock``)."""
    stmt = select(LegalReferral).where(LegalReferral.id == referral_id)
    if lock:
        stmt = stmt.with_for_update(of=LegalReferral)
    found = session.scalars(stmt).first()
    if found is None:
        raise NotFound("no legal referral with this id", field="path.referral_id")
    return found


def refer(session: Session, ctx: AuditContext, body: ReferralIn, at: datetime) -> LegalReferral:
    """Refer a matter to counsel, on a Tier 3 case (a matter number is used once)."""
    member = _member(session, body.member_id)
    _appeal_of(session, body.appeal_id, member.id)
    if body.inquiry_id is not None:
        inquiry = session.get(RegulatoryInquiry, body.inquiry_id)
        if inquiry is None or inquiry.member_id != member.id:
            raise InvalidInput("no inquiry of this member has this id", field="body.inquiry_id")
    taken = session.scalar(
        select(LegalReferral.id).where(LegalReferral.matter_number == body.matter_number)
    )
    if taken is not None:
        raise Conflict("a referral with this matter number exists", field="body.matter_number")
    case = _case(session, ctx, member, CaseType.LEGAL_REFERRAL, "Legal referral", at)
    referral = LegalReferral(
        case_id=case.id,
        member_id=member.id,
        matter_number=body.matter_number,
        counsel=body.counsel,
        reason=body.reason,
        appeal_id=body.appeal_id,
        inquiry_id=body.inquiry_id,
        state=ReferralState.OPEN,
        referred_at=at,
        referred_by_id=ctx.actor_id,
        updated_at=at,
    )
    session.add(referral)
    session.flush()
    case.summary = f"Legal referral {referral.id} (matter {body.matter_number}): see it"
    _record(
        session,
        ctx,
        AuditAction.REFERRAL_CREATED,
        "legal_referral",
        referral,
        changes={"new": {"matter_number": body.matter_number, "counsel": body.counsel}},
        detail={"case_id": case.id},
    )
    return referral


def place_hold(
    session: Session, ctx: AuditContext, referral: LegalReferral, reason: str | None, at: datetime
) -> LegalHold:
    """Place a legal hold on the member's records for the referral's matter (the compliance
    mechanism: held records are never purged until the hold is released)."""
    if referral.legal_hold_id is not None:
        hold = session.get(LegalHold, referral.legal_hold_id)
        if hold is not None and hold.released_at is None:
            raise Conflict("the matter's legal hold is already in force", field="path.referral_id")
    hold = retention.place_hold(
        session,
        ctx,
        matter=referral.matter_number,
        member_id=referral.member_id,
        record_type=None,
        reason=reason,
    )
    referral.legal_hold_id, referral.updated_at = hold.id, at
    _record(
        session,
        ctx,
        AuditAction.REFERRAL_UPDATED,
        "legal_referral",
        referral,
        detail={"legal_hold_id": hold.id},
    )
    return hold


def close_referral(
    session: Session,
    ctx: AuditContext,
    referral: LegalReferral,
    at: datetime,
    outcome: str | None = None,
) -> LegalReferral:
    """Close the matter, its outcome (if given) kept as the case's resolution note, encrypted
    like every note (its legal hold stays until compliance releases it)."""
    if referral.state is ReferralState.CLOSED:
        raise Conflict("the referral is closed already", field="path.referral_id")
    referral.state, referral.closed_at, referral.updated_at = ReferralState.CLOSED, at, at
    case = cases.get_case(session, referral.case_id, lock=True)
    note = f"{CLOSED_NOTE}. Outcome: {outcome}" if outcome else CLOSED_NOTE
    resolve_case(session, ctx, case, note, at, close=True)
    _record(
        session,
        ctx,
        AuditAction.REFERRAL_UPDATED,
        "legal_referral",
        referral,
        changes={"old": {"state": "open"}, "new": {"state": "closed"}},
    )
    return referral
