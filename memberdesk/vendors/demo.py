"""Demo vendors for ``memberdesk demo``: one of each kind the operations guide names (an
outsourced call centre with three months of scorecards, a print and mail house whose agreement
is due for renewal, a phone system, an interpreter service still being set up, a cloud host
with a contact not confirmed this year). Added only when the register is empty."""

from __future__ import annotations

import base64
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.breaches.enums import PhiKind
from memberdesk.compliance.audit import SYSTEM
from memberdesk.vendors import service
from memberdesk.vendors.enums import ContactRole, VendorKind, VendorStatus
from memberdesk.vendors.models import Vendor
from memberdesk.vendors.schemas import BaaIn, ContactIn, ScorecardIn, VendorIn

P = PhiKind
VENDORS = [
    ("Harbor Contact Services", VendorKind.OUTSOURCED_CALL_CENTRE,
     "Overflow and after-hours member calls", [P.NAMES, P.MEMBER_IDS, P.CLAIMS], 700),
    ("Pacific Print and Mail", VendorKind.PRINT_MAIL_HOUSE,
     "ID cards, explanation-of-benefits letters and notices", [P.NAMES, P.ADDRESSES, P.CLAIMS], 45),
    ("Bayline Voice", VendorKind.IVR_TELEPHONY,
     "The phone menu, call routing and recordings", [P.PHONE_NUMBERS, P.CALL_RECORDINGS], 400),
    ("Lingua Bridge Interpreters", VendorKind.INTERPRETER_SERVICE,
     "Telephone interpreters in 200 languages", [P.NAMES, P.TREATMENT], None),
    ("Sierra Cloud Hosting", VendorKind.CLOUD_HOST,
     "Hosting for the member portal and its database", list(P)[:12], 900),
]  # fmt: skip
# An outsourced centre's months: (service level, ASA s, abandon, QA, FCR, CSAT, AHT s).
MONTHS = [
    (0.82, 18, 0.04, 0.92, 0.78, 0.87, 410),
    (0.77, 26, 0.06, 0.91, 0.74, 0.84, 450),
    (0.84, 15, 0.03, 0.94, 0.81, 0.88, 400),
]
DEMO_BAA = b"Business Associate Agreement (demo): the vendor safeguards PHI per 45 CFR 164.504(e)."


def _month(d: date, back: int) -> str:
    y, m = d.year, d.month - back
    while m < 1:
        y, m = y - 1, m + 12
    return f"{y:04d}-{m:02d}"


def seed_demo_vendors(session: Session, *, at: datetime) -> int:
    """Add the demo vendors unless the register holds any; returns how many."""
    if session.scalar(select(func.count()).select_from(Vendor)):
        return 0
    today = at.date()
    for name, kind, services, phi, days_left in VENDORS:
        v = service.create(
            session, SYSTEM, VendorIn(name=name, kind=kind, services=services, phi_kinds=phi), at
        )
        if days_left is not None:
            service.add_baa(
                session,
                SYSTEM,
                v.id,
                BaaIn(
                    signed_on=today - timedelta(days=400),
                    expires_on=today + timedelta(days=days_left),
                    filename=f"{name.lower().replace(' ', '-')}-baa.txt",
                    content_base64=base64.b64encode(DEMO_BAA).decode(),
                ),
                at,
            )
            service.set_status(session, SYSTEM, v.id, VendorStatus.ACTIVE, at)
        checked = today - timedelta(days=420 if kind is VendorKind.CLOUD_HOST else 60)
        for role, who in (
            (ContactRole.ESCALATION, "Operations lead"),
            (ContactRole.COMPLIANCE, "Privacy officer"),
        ):
            service.add_contact(
                session,
                SYSTEM,
                v.id,
                ContactIn(role=role, name=f"{who}, {name.split()[0]}",
                          email=f"{role.value}@{name.split()[0].lower()}.example",
                          verified_on=checked),
                at,
            )  # fmt: skip
        if kind is VendorKind.OUTSOURCED_CALL_CENTRE:
            for back, (sl, asa, ab, qa, fcr, csat, aht) in enumerate(MONTHS, start=1):
                service.record_scorecard(
                    session,
                    SYSTEM,
                    v.id,
                    ScorecardIn(month=_month(today, back), calls_offered=11000 + 500 * back,
                                service_level=sl, asa_seconds=asa, abandon_rate=ab, qa_score=qa,
                                first_contact_resolution=fcr, csat=csat, aht_seconds=aht),
                    at,
                )  # fmt: skip
    return len(VENDORS)
