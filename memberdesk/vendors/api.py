"""JSON routes of the vendor register: vendors, status (active only with a current BAA), BAAs
(upload, download, audited), contacts and their verification, monthly scorecards. Reading
needs ``audit.read``; changing, ``vendor.write``."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Request, Response

from memberdesk.clock import now
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import Permission
from memberdesk.db import DbRoute, ReadingSessionDep, SessionDep
from memberdesk.schemas import id_path
from memberdesk.vendors import clocks, service, views
from memberdesk.vendors.schemas import (
    BaaIn,
    BaaOut,
    ContactIn,
    ContactOut,
    ScorecardIn,
    ScorecardOut,
    StatusIn,
    VendorIn,
    VendorOut,
    VerifiedIn,
)

router = APIRouter(prefix="/api", route_class=DbRoute)
TAGS: list[str | Enum] = ["vendors"]
VendorId = Annotated[int, id_path("vendor")]
BaaId = Annotated[int, id_path("BAA")]
PersonId = Annotated[int, id_path("vendor contact")]
Reader = Annotated[Principal, requires(Permission.AUDIT_READ)]
Writer = Annotated[Principal, requires(Permission.VENDOR_WRITE)]


@router.post(
    "/vendors", response_model=VendorOut, status_code=201, summary="Record a vendor", tags=TAGS
)
def create(body: VendorIn, session: SessionDep, request: Request, principal: Writer) -> VendorOut:
    """A vendor, onboarding until its BAA is on file (422 naming ``status`` for active)."""
    at = now()
    vendor = service.create(session, audit_ctx(request, principal), body, at)
    out = views.vendor_out(session, vendor, at)
    session.commit()
    return out


@router.get("/vendors", response_model=list[VendorOut], summary="The vendor register", tags=TAGS)
def list_vendors(session: ReadingSessionDep, principal: Reader) -> list[VendorOut]:
    """Every vendor with its BAA standing, contacts and warnings."""
    at = now()
    return [views.vendor_out(session, v, at) for v in service.list_vendors(session)]


@router.get("/vendors/{vendor_id}", response_model=VendorOut, summary="A vendor", tags=TAGS)
def read(vendor_id: VendorId, session: ReadingSessionDep, principal: Reader) -> VendorOut:
    """The vendor in full."""
    return views.vendor_out(session, service.get(session, vendor_id), now())


@router.post(
    "/vendors/{vendor_id}/status", response_model=VendorOut, summary="Change status", tags=TAGS
)
def set_status(
    vendor_id: VendorId, body: StatusIn, session: SessionDep, request: Request, principal: Writer
) -> VendorOut:
    """Active only with a current BAA: else 422 naming ``status``, nothing changed."""
    at = now()
    vendor = service.set_status(session, audit_ctx(request, principal), vendor_id, body.status, at)
    out = views.vendor_out(session, vendor, at)
    session.commit()
    return out


@router.post(
    "/vendors/{vendor_id}/baas",
    response_model=BaaOut,
    status_code=201,
    summary="Upload a signed BAA",
    tags=TAGS,
)
def add_baa(
    vendor_id: VendorId, body: BaaIn, session: SessionDep, request: Request, principal: Writer
) -> BaaOut:
    """The signed agreement (PDF or plain text, stored encrypted) with its dates."""
    at = now()
    baa = service.add_baa(session, audit_ctx(request, principal), vendor_id, body, at)
    out = views.baa_out(
        baa, clocks.baa_clock(baa.signed_on, baa.expires_on, baa.renewal_notice_days, at)
    )
    session.commit()
    return out


@router.get("/vendors/{vendor_id}/baas/{baa_id}/document", summary="Download a BAA", tags=TAGS)
def baa_document(
    vendor_id: VendorId,
    baa_id: BaaId,
    session: ReadingSessionDep,
    request: Request,
    principal: Reader,
) -> Response:
    """The signed agreement; the download is audited."""
    baa, data = service.baa_document(session, audit_ctx(request, principal), vendor_id, baa_id)
    session.commit()
    return Response(
        data,
        media_type=baa.content_type,
        headers={"Content-Disposition": f'attachment; filename="baa-{baa.id}"'},
    )


def _contact_out(c, at):  # type: ignore[no-untyped-def]
    return ContactOut(
        id=c.id,
        role=c.role,
        name=c.name,
        phone=c.phone,
        email=c.email,
        verified_on=c.verified_on,
        verification_due_at=clocks.verification_due(c.verified_on),
        stale=clocks.verification_stale(c.verified_on, at),
    )


@router.post(
    "/vendors/{vendor_id}/contacts",
    response_model=ContactOut,
    status_code=201,
    summary="Add a contact",
    tags=TAGS,
)
def add_contact(
    vendor_id: VendorId, body: ContactIn, session: SessionDep, request: Request, principal: Writer
) -> ContactOut:
    """An escalation, compliance or account contact, with the date it was confirmed."""
    at = now()
    c = service.add_contact(session, audit_ctx(request, principal), vendor_id, body, at)
    out = _contact_out(c, at)
    session.commit()
    return out


@router.post(
    "/vendors/{vendor_id}/contacts/{person_id}/verified",
    response_model=ContactOut,
    summary="Confirm a contact again",
    tags=TAGS,
)
def verify_contact(
    vendor_id: VendorId,
    person_id: PersonId,
    body: VerifiedIn,
    session: SessionDep,
    request: Request,
    principal: Writer,
) -> ContactOut:
    """The details were confirmed on a date (a year later they are due again)."""
    at = now()
    c = service.verify_contact(
        session, audit_ctx(request, principal), vendor_id, person_id, body.verified_on, at
    )
    out = _contact_out(c, at)
    session.commit()
    return out


@router.post(
    "/vendors/{vendor_id}/scorecards",
    response_model=ScorecardOut,
    summary="Enter a month's scorecard",
    tags=TAGS,
)
def record_scorecard(
    vendor_id: VendorId,
    body: ScorecardIn,
    session: SessionDep,
    request: Request,
    principal: Writer,
) -> ScorecardOut:
    """An outsourced contact centre's month against the plan's targets (409 for other kinds)."""
    at = now()
    vendor = service.get(session, vendor_id)
    card = service.record_scorecard(session, audit_ctx(request, principal), vendor_id, body, at)
    out = views.scorecard_out(card, vendor.pack)
    session.commit()
    return out
