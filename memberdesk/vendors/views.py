"""API views of vendors: BAA standing, contacts with their verification, judged scorecards,
and the warnings the register shows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from memberdesk.vendors import clocks, scorecard, service
from memberdesk.vendors.enums import BaaStanding, ContactRole, VendorKind, VendorStatus
from memberdesk.vendors.models import Baa, Scorecard, Vendor
from memberdesk.vendors.schemas import BaaOut, ContactOut, MeasureOut, ScorecardOut, VendorOut

BAA_WARNINGS = {
    BaaStanding.NONE: "no_baa",
    BaaStanding.NOT_YET_EFFECTIVE: "baa_not_yet_effective",
    BaaStanding.RENEWAL_DUE: "baa_renewal_due",
    BaaStanding.EXPIRED: "baa_expired",
}


def baa_out(baa: Baa, clock: clocks.BaaClock) -> BaaOut:
    """A BAA's facts and clock (never its content)."""
    return BaaOut(
        id=baa.id,
        signed_on=baa.signed_on,
        expires_on=baa.expires_on,
        renewal_notice_days=baa.renewal_notice_days,
        renewal_due_on=clock.renewal_due_on,
        expires_at=clock.expires_at,
        standing=clock.standing,
        filename=baa.filename,
        content_type=baa.content_type,
        size_bytes=baa.size_bytes,
        sha256=baa.sha256,
        uploaded_at=baa.uploaded_at,
    )


def scorecard_out(card: Scorecard, pack: str) -> ScorecardOut:
    """A month with each measure judged against its target."""
    values = {m: getattr(card, m) for m in scorecard.MEASURES}
    return ScorecardOut(
        id=card.id,
        month=card.month.strftime("%Y-%m"),
        calls_offered=card.calls_offered,
        aht_seconds=card.aht_seconds,
        measures=[
            MeasureOut(
                measure=j.measure,
                value=j.value,
                goal=j.goal.to_dict() if j.goal else None,
                status=j.status.value if j.status else None,
            )
            for j in scorecard.judge(values, pack)
        ],
    )


def vendor_out(session: Session, vendor: Vendor, at: datetime) -> VendorOut:
    """The vendor in full, with what needs attention."""
    baa, clock = service.baa_in_force(service.baas(session, vendor.id), at)
    standing = clock.standing if clock else BaaStanding.NONE
    people = [
        ContactOut(
            id=c.id,
            role=c.role,
            name=c.name,
            phone=c.phone,
            email=c.email,
            verified_on=c.verified_on,
            verification_due_at=clocks.verification_due(c.verified_on),
            stale=clocks.verification_stale(c.verified_on, at),
        )
        for c in service.contacts(session, vendor.id)
    ]
    warnings = [BAA_WARNINGS[standing]] if standing in BAA_WARNINGS else []
    if vendor.status is VendorStatus.ACTIVE and standing not in clocks.CURRENT:
        warnings.append("active_without_current_baa")
    roles = {p.role for p in people}
    for role in (ContactRole.ESCALATION, ContactRole.COMPLIANCE):
        if role not in roles:
            warnings.append(f"no_{role.value}_contact")
    if any(p.stale for p in people):
        warnings.append("contact_unverified")
    cards = (
        [scorecard_out(c, vendor.pack) for c in service.scorecards(session, vendor.id)]
        if vendor.kind is VendorKind.OUTSOURCED_CALL_CENTRE
        else []
    )
    return VendorOut(
        id=vendor.id,
        name=vendor.name,
        kind=vendor.kind,
        status=vendor.status,
        services=vendor.services,
        phi_kinds=vendor.phi_kinds,  # type: ignore[arg-type]
        pack=vendor.pack,
        baa=baa_out(baa, clock) if baa and clock else None,
        baa_standing=standing,
        contacts=people,
        warnings=warnings,
        scorecards=cards,
    )
