"""Demo incidents for ``memberdesk demo``: one being assessed with its clocks running, one a
breach with notices part sent, one found not to be a breach; and the response plan. Added only
when the register is empty."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.breaches import plan, service
from memberdesk.breaches.enums import Basis, Outcome, PhiKind, Recipient, Risk
from memberdesk.breaches.models import Incident
from memberdesk.breaches.schemas import (
    AssessmentIn,
    DecisionIn,
    FactorIn,
    IncidentIn,
    NoticeIn,
    PlanIn,
)
from memberdesk.compliance.audit import SYSTEM
from memberdesk.members.models import Member

PLAN_TEXT = """Incident-response plan (demo)

1. Whoever finds a possible incident tells the compliance officer the same day.
2. The compliance officer records it in memberdesk: the discovery starts the notice clocks.
3. Contain it, then assess the four factors of 45 CFR 164.402 within five business days.
4. Decide, with the rationale; send the notices the register lists, and record each one.
"""


def seed_demo_breaches(session: Session, *, at: datetime) -> int:
    """Add the demo incidents and plan unless the register holds any; returns how many."""
    if session.scalar(select(func.count()).select_from(Incident)):
        return 0
    members = list(session.scalars(select(Member.id).order_by(Member.id).limit(3)))
    letters = service.record_incident(
        session,
        SYSTEM,
        IncidentIn(
            discovered_at=at - timedelta(days=20, hours=3),
            discovered_by="Print vendor's quality check",
            summary="Explanation-of-benefits letters were put in other members' envelopes",
            phi_kinds=[PhiKind.NAMES, PhiKind.ADDRESSES, PhiKind.CLAIMS],
            affected_count=40,
            residents_by_state={"CA": 38, "NV": 2},
            member_ids=members[:2],
        ),
        at,
    )
    factor = FactorIn.model_validate
    service.assess(
        session,
        SYSTEM,
        letters.id,
        AssessmentIn(
            nature_extent=factor(
                {"finding": "Names, addresses, claim lines", "risk": Risk.MODERATE}
            ),
            unauthorized_person=factor({"finding": "Other members of the plan", "risk": Risk.LOW}),
            acquired_viewed=factor(
                {"finding": "Several recipients opened them", "risk": Risk.HIGH}
            ),
            mitigation=factor({"finding": "Most letters returned unopened", "risk": Risk.MODERATE}),
        ),
        at,
    )
    service.decide(
        session,
        SYSTEM,
        letters.id,
        DecisionIn(outcome=Outcome.BREACH, rationale="Claim details were seen by other members"),
        at,
    )
    service.add_notice(
        session,
        SYSTEM,
        letters.id,
        NoticeIn(
            recipient=Recipient.INDIVIDUALS,
            sent_at=at - timedelta(days=6),
            method="mail",  # type: ignore[arg-type]
            people=30,
        ),
        at,
    )
    service.record_incident(
        session,
        SYSTEM,
        IncidentIn(
            discovered_at=at - timedelta(days=4, hours=6),
            discovered_by="IT security",
            summary="A laptop holding a call-list export was stolen from a car",
            phi_kinds=[PhiKind.NAMES, PhiKind.PHONE_NUMBERS, PhiKind.MEMBER_IDS],
            affected_count=1200,
            residents_by_state={"CA": 900, "OR": 300},
        ),
        at,
    )
    fax = service.record_incident(
        session,
        SYSTEM,
        IncidentIn(
            discovered_at=at - timedelta(days=70),
            discovered_by="Tier 2 specialist",
            summary="A fax went to a provider's office that returned it the same hour",
            phi_kinds=[PhiKind.NAMES, PhiKind.DIAGNOSES],
            affected_count=1,
            residents_by_state={"CA": 1},
            member_ids=members[2:3],
        ),
        at,
    )
    service.decide(
        session,
        SYSTEM,
        fax.id,
        DecisionIn(
            outcome=Outcome.NOT_A_BREACH,
            basis=Basis.UNABLE_TO_RETAIN,
            rationale="Returned unread within the hour; the office attested it kept no copy",
        ),
        at,
    )
    today = at.date()
    plan.add(
        session,
        SYSTEM,
        PlanIn(
            title="Incident-response plan",
            version="2026.1",
            adopted_on=today - timedelta(days=300),
            review_due=today + timedelta(days=65),
            filename="incident-response-plan.txt",
            content_base64=base64.b64encode(PLAN_TEXT.encode()).decode(),
        ),
        at,
    )
    return 3
