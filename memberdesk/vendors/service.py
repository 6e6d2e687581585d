"""The vendor register's changes: vendors, their BAAs, contacts and scorecards.

Takes a session and never commits (the route or command does, once). Every change is audited.
No vendor is active without a current BAA: activation reads the BAAs under the vendor's row
lock, so it cannot race a change of them.
"""

from __future__ import annotations

import base64
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.cases import documents
from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction
from memberdesk.errors import Conflict, InvalidInput, NotFound
from memberdesk.sla.packs import UnknownPackError, get_pack
from memberdesk.vendors import clocks
from memberdesk.vendors.enums import BaaStanding, VendorKind, VendorStatus
from memberdesk.vendors.models import Baa, Scorecard, Vendor, VendorContact
from memberdesk.vendors.schemas import BaaIn, ContactIn, ScorecardIn, VendorIn

MAX_BYTES = 5 * 1024 * 1024
NO_BAA = (
    "a vendor is marked active only with a current Business Associate Agreement on file "
    "(signed, in force and not expired)"
)


def _audit(
    session: Session, ctx: AuditContext, action: AuditAction, vendor: Vendor, **detail: Any
) -> None:
    audit.record(
        session, ctx, action, object_type="vendor", object_id=vendor.id, detail=detail or None
    )


def get(session: Session, vendor_id: int, *, lock: bool = False) -> Vendor:
    """A vendor by id (locked for update when ``lock``)."""
    stmt = select(Vendor).where(Vendor.id == vendor_id)
    if lock:
        stmt = stmt.with_for_update()
    found = session.scalars(stmt).first()
    if found is None:
        raise NotFound("no vendor with this id", field="path.vendor_id")
    return found


def baas(session: Session, vendor_id: int) -> list[Baa]:
    """The vendor's BAAs, newest signed first."""
    return list(
        session.scalars(
            select(Baa)
            .where(Baa.vendor_id == vendor_id)
            .order_by(Baa.signed_on.desc(), Baa.id.desc())
        )
    )


def baa_in_force(found: list[Baa], at: datetime) -> tuple[Baa | None, clocks.BaaClock | None]:
    """The BAA in force at ``at`` (else the newest one) and its clock."""
    judged = [
        (b, clocks.baa_clock(b.signed_on, b.expires_on, b.renewal_notice_days, at)) for b in found
    ]
    for b, c in judged:
        if c.standing in clocks.CURRENT:
            return b, c
    return judged[0] if judged else (None, None)


def has_current_baa(session: Session, vendor_id: int, at: datetime) -> bool:
    """A BAA is in force (current or with its renewal due)."""
    _, c = baa_in_force(baas(session, vendor_id), at)
    return c is not None and c.standing in clocks.CURRENT


def _check_pack(pack: str) -> None:
    try:
        get_pack(pack)
    except UnknownPackError:
        raise InvalidInput("unknown policy pack", field="body.pack") from None


def create(session: Session, ctx: AuditContext, body: VendorIn, at: datetime) -> Vendor:
    """Record a vendor (never active: it has no BAA yet)."""
    if body.status is VendorStatus.ACTIVE:
        raise InvalidInput(NO_BAA, field="body.status")
    _check_pack(body.pack)
    if session.scalar(select(Vendor.id).where(Vendor.name == body.name)) is not None:
        raise Conflict("a vendor of this name is already recorded", field="body.name")
    vendor = Vendor(
        name=body.name,
        kind=body.kind,
        status=body.status,
        services=body.services,
        phi_kinds=[k.value for k in dict.fromkeys(body.phi_kinds)],
        pack=body.pack,
        created_at=at,
        created_by_id=ctx.actor_id,
    )
    session.add(vendor)
    session.flush()
    _audit(session, ctx, AuditAction.VENDOR_CREATED, vendor, kind=vendor.kind.value)
    return vendor


def set_status(
    session: Session, ctx: AuditContext, vendor_id: int, status: VendorStatus, at: datetime
) -> Vendor:
    """Change the status; active only with a current BAA (422 naming ``status``)."""
    vendor = get(session, vendor_id, lock=True)
    if status is VendorStatus.ACTIVE and not has_current_baa(session, vendor.id, at):
        raise InvalidInput(NO_BAA, field="body.status")
    before = vendor.status
    vendor.status = status
    session.flush()
    _audit(
        session,
        ctx,
        AuditAction.VENDOR_STATUS_CHANGED,
        vendor,
        before=before.value,
        after=status.value,
    )
    return vendor


def _not_future(day: date, at: datetime, field: str) -> None:
    if day > clocks.local_day(at):
        raise InvalidInput("is in the future", field=field)


def add_baa(session: Session, ctx: AuditContext, vendor_id: int, body: BaaIn, at: datetime) -> Baa:
    """Store a signed BAA (its document encrypted)."""
    vendor = get(session, vendor_id, lock=True)
    _not_future(body.signed_on, at, "body.signed_on")
    if body.expires_on is not None and body.expires_on <= body.signed_on:
        raise InvalidInput("must be after the date it was signed", field="body.expires_on")
    baa = Baa(
        vendor_id=vendor.id,
        signed_on=body.signed_on,
        expires_on=body.expires_on,
        renewal_notice_days=body.renewal_notice_days,
        filename=body.filename,
        **documents.stored(body.content_base64, MAX_BYTES),
        uploaded_at=at,
        uploaded_by_id=ctx.actor_id,
    )
    session.add(baa)
    session.flush()
    _audit(
        session,
        ctx,
        AuditAction.VENDOR_BAA_ADDED,
        vendor,
        baa_id=baa.id,
        expires_on=body.expires_on.isoformat() if body.expires_on else None,
    )
    return baa


def baa_document(
    session: Session, ctx: AuditContext, vendor_id: int, baa_id: int
) -> tuple[Baa, bytes]:
    """A BAA's document, decrypted; the download is audited."""
    vendor = get(session, vendor_id)
    baa = session.get(Baa, baa_id)
    if baa is None or baa.vendor_id != vendor.id:
        raise NotFound("no BAA with this id for this vendor", field="path.baa_id")
    _audit(session, ctx, AuditAction.VENDOR_BAA_DOWNLOADED, vendor, baa_id=baa.id)
    return baa, base64.b64decode(baa.content)


def add_contact(
    session: Session, ctx: AuditContext, vendor_id: int, body: ContactIn, at: datetime
) -> VendorContact:
    """Add one of the vendor's people with the date their details were confirmed."""
    vendor = get(session, vendor_id)
    _not_future(body.verified_on, at, "body.verified_on")
    if not (body.phone or body.email):
        raise InvalidInput("give a phone number or an e-mail address", field="body.phone")
    contact = VendorContact(
        vendor_id=vendor.id,
        role=body.role,
        name=body.name,
        phone=body.phone or None,
        email=body.email or None,
        verified_on=body.verified_on,
        created_at=at,
    )
    session.add(contact)
    session.flush()
    _audit(session, ctx, AuditAction.VENDOR_CONTACT_ADDED, vendor, contact_id=contact.id)
    return contact


def contacts(session: Session, vendor_id: int) -> list[VendorContact]:
    """The vendor's people, by role then name."""
    return list(
        session.scalars(
            select(VendorContact)
            .where(VendorContact.vendor_id == vendor_id)
            .order_by(VendorContact.role, VendorContact.name, VendorContact.id)
        )
    )


def verify_contact(
    session: Session, ctx: AuditContext, vendor_id: int, person_id: int, on: date, at: datetime
) -> VendorContact:
    """Record that a contact's details were confirmed on ``on``."""
    vendor = get(session, vendor_id)
    contact = session.get(VendorContact, person_id)
    if contact is None or contact.vendor_id != vendor.id:
        raise NotFound("no contact with this id for this vendor", field="path.person_id")
    _not_future(on, at, "body.verified_on")
    if on < contact.verified_on:
        raise InvalidInput("is before the date already recorded", field="body.verified_on")
    contact.verified_on = on
    session.flush()
    _audit(session, ctx, AuditAction.VENDOR_CONTACT_VERIFIED, vendor, contact_id=contact.id)
    return contact


def record_scorecard(
    session: Session, ctx: AuditContext, vendor_id: int, body: ScorecardIn, at: datetime
) -> Scorecard:
    """Enter (or replace) an outsourced contact centre's month."""
    vendor = get(session, vendor_id, lock=True)
    if vendor.kind is not VendorKind.OUTSOURCED_CALL_CENTRE:
        raise Conflict(
            "scorecards are kept for outsourced contact centres only", field="path.vendor_id"
        )
    year, month = (int(p) for p in body.month.split("-"))
    first = date(year, month, 1)
    if first > clocks.local_day(at):
        raise InvalidInput("is in the future", field="body.month")
    card = session.scalars(
        select(Scorecard).where(Scorecard.vendor_id == vendor.id, Scorecard.month == first)
    ).first()
    if card is None:
        card = Scorecard(vendor_id=vendor.id, month=first)
        session.add(card)
    for name, value in body.model_dump(exclude={"month"}).items():
        setattr(card, name, value)
    card.entered_at, card.entered_by_id = at, ctx.actor_id
    session.flush()
    _audit(session, ctx, AuditAction.VENDOR_SCORECARD_RECORDED, vendor, month=body.month)
    return card


def scorecards(session: Session, vendor_id: int) -> list[Scorecard]:
    """The vendor's months, newest first."""
    return list(
        session.scalars(
            select(Scorecard)
            .where(Scorecard.vendor_id == vendor_id)
            .order_by(Scorecard.month.desc())
        )
    )


def list_vendors(session: Session) -> list[Vendor]:
    """Every vendor, by name."""
    return list(session.scalars(select(Vendor).order_by(Vendor.name)))


def standing(session: Session, vendor_id: int, at: datetime) -> BaaStanding:
    """The vendor's BAA standing at ``at``."""
    _, c = baa_in_force(baas(session, vendor_id), at)
    return c.standing if c else BaaStanding.NONE
