"""Demo appeals for ``memberdesk demo`` and ``memberdesk seed-work``: grievances and appeals
received over the last six weeks on every channel, some filed by a representative, a few
expedited; acknowledged, decided, closed or withdrawn as their age suggests (so the worklist
has deadlines coming and some missed, and the reports have figures); two regulatory inquiries
and a legal referral.

Made through the services, dated relative to ``at`` (deadlines come from the packs) and audited
as ``memberdesk-demo``; the same seed and moment give the same appeals. Never commits.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from memberdesk.appeals import actions, service, tier3
from memberdesk.appeals.enums import (
    AppealKind,
    AppealState,
    IntakeChannel,
    NoticeKind,
    NoticeMethod,
    Outcome,
    ReceivedVia,
    Regulator,
    RepRelationship,
    Requester,
    Urgency,
)
from memberdesk.appeals.schemas import (
    AppealIn,
    AuthorizationIn,
    DecisionIn,
    NoticeIn,
    RepresentativeIn,
    WithdrawalIn,
)
from memberdesk.appeals.tier3_schemas import InquiryIn, ReferralIn
from memberdesk.cases.demo import covered_members
from memberdesk.compliance.audit import AuditContext

CTX = AuditContext(actor_id=None, actor="memberdesk-demo", role="system")
APPEALS = 36
SUMMARIES = [
    (AppealKind.APPEAL, "Prior authorisation for an MRI of the lower back was denied."),
    (AppealKind.APPEAL, "Claim for an emergency room visit was denied as not an emergency."),
    (AppealKind.APPEAL, "Physical therapy after surgery stopped after 12 visits."),
    (AppealKind.APPEAL, "A brand-name drug was denied; the generic caused side effects."),
    (AppealKind.GRIEVANCE, "Waited five weeks for a specialist appointment."),
    (AppealKind.GRIEVANCE, "Charged a copay for a preventive visit."),
    (AppealKind.GRIEVANCE, "No interpreter was offered at the clinic."),
    (AppealKind.GRIEVANCE, "Rude treatment by the pharmacy help line."),
]
VIA = {
    IntakeChannel.ORAL: [ReceivedVia.PHONE, ReceivedVia.VOICEMAIL, ReceivedVia.IN_PERSON],
    IntakeChannel.WRITTEN: [ReceivedVia.LETTER, ReceivedVia.PORTAL, ReceivedVia.FAX],
}


def seed_demo_appeals(session: Session, *, at: datetime, seed: int) -> dict[str, int]:
    """Create the demo appeals, inquiries and referral; returns counts by what was made."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    pool = covered_members(session, at, 3000)[-200:]
    if len(pool) < APPEALS:
        return {}
    counts = {"appeals": 0, "decided": 0, "closed": 0, "withdrawn": 0}
    for i in range(APPEALS):
        member = pool[i * 5 % len(pool)]
        kind, summary = SUMMARIES[i % len(SUMMARIES)]
        channel = IntakeChannel.ORAL if i % 3 == 0 else IntakeChannel.WRITTEN
        expedited = kind is AppealKind.APPEAL and i % 9 == 1
        # Most arrive recently; the oldest are six weeks back.
        age = timedelta(hours=2 + 24 * (i * 41 % 43) + rng.randrange(0, 8))
        received = (at - age).replace(second=0, microsecond=0)
        by_rep = i % 7 == 3
        appeal = service.intake(
            session,
            CTX,
            AppealIn(
                member_id=member.id,
                kind=kind,
                urgency=Urgency.EXPEDITED if expedited else Urgency.STANDARD,
                channel=channel,
                received_at=received,
                summary=summary,
                received_via=rng.choice(VIA[channel]),
                filed_by=Requester.REPRESENTATIVE if by_rep else Requester.MEMBER,
                representative=RepresentativeIn(
                    name="Sam Rivera",
                    relationship=RepRelationship.SPOUSE,
                    authorization=AuthorizationIn(
                        document="Appointment of representative form",
                        signed_on=(received - timedelta(days=3)).date(),
                    ),
                )
                if by_rep
                else None,
                clinical_urgency="Symptoms worsening; treating doctor asks for a fast review"
                if expedited
                else None,
            ),
            received + timedelta(minutes=20),
        )
        counts["appeals"] += 1
        days = age / timedelta(days=1)
        if days > 1.5 and not expedited and i % 5:
            when = received + timedelta(hours=20)
            actions.record_notice(
                session,
                CTX,
                appeal,
                NoticeIn(kind=NoticeKind.ACKNOWLEDGEMENT, method=NoticeMethod.LETTER, sent_at=when),
                when,
            )
        if days > 25 and i % 4 == 0:
            actions.withdraw(
                session,
                CTX,
                appeal,
                WithdrawalIn(withdrawn_by=Requester.MEMBER, reason="Sorted out with the provider"),
                received + timedelta(days=6),
            )
            counts["withdrawn"] += 1
        elif days > 12 and i % 3:
            decided = received + timedelta(days=rng.randrange(8, 12))
            actions.decide(
                session,
                CTX,
                appeal,
                DecisionIn(
                    outcome=rng.choice(list(Outcome)),
                    rationale="Reviewed against the plan's criteria and the records received.",
                ),
                decided,
            )
            counts["decided"] += 1
            if days > 20:
                finish(session, appeal, decided + timedelta(days=1))
                counts["closed"] += 1
    counts.update(inquiries_and_referral(session, pool, at))
    return counts


def finish(session: Session, appeal, at: datetime) -> None:  # type: ignore[no-untyped-def]
    """Send the decision letter, complete the packet and close the appeal."""
    actions.tick(session, CTX, appeal, "gather_records", at)
    actions.tick(session, CTX, appeal, "send_acknowledgement", at)
    actions.record_notice(
        session,
        CTX,
        appeal,
        NoticeIn(kind=NoticeKind.RESOLUTION, method=NoticeMethod.LETTER, sent_at=at),
        at,
    )
    if appeal.state is AppealState.DECIDED:
        actions.close(session, CTX, appeal, at)


def inquiries_and_referral(session: Session, pool: list, at: datetime) -> dict[str, int]:  # type: ignore[type-arg]
    """Two DMHC inquiries (answer due in 4 and 11 days) and a referral to counsel."""
    for n, (days_ago, due_in) in enumerate(((3, 4), (6, 11))):
        tier3.receive_inquiry(
            session,
            CTX,
            InquiryIn(
                member_id=pool[n].id,
                regulator=Regulator.DMHC,
                reference=f"DMHC-{at.year}-{40210 + n}",
                received_at=at - timedelta(days=days_ago),
                response_due_at=at + timedelta(days=due_in),
                summary="Enrollee complained to the DMHC Help Center about a denied referral.",
            ),
            at - timedelta(days=days_ago),
        )
    tier3.refer(
        session,
        CTX,
        ReferralIn(
            member_id=pool[2].id,
            matter_number=f"LIT-{at.year}-0007",
            counsel="Outside counsel (demo)",
            reason="Member's attorney wrote about a denied surgery.",
        ),
        at - timedelta(days=2),
    )
    return {"inquiries": 2, "referrals": 1}
