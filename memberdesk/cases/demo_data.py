"""Words and the contact-centre side of the demo work: contacts on every channel over the
last 30 days, voicemail callbacks, portal messages. Plain, invented text; no real person."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction
from memberdesk.contacts import access, callbacks
from memberdesk.contacts import service as contacts
from memberdesk.contacts.enums import AttemptOutcome, Channel, Direction, Disposition, Reason
from memberdesk.contacts.models import Callback, Contact
from memberdesk.contacts.schemas import AttemptIn, ContactIn, VoicemailIn
from memberdesk.members.models import Member

T = TypeVar("T")
ZONE = ZoneInfo("America/Los_Angeles")  # the calchoice pack's calendar

# ((channel, direction), weight): phones dominate, as in any member-services centre.
CHANNELS: list[tuple[tuple[Channel, Direction], int]] = [
    ((Channel.PHONE, Direction.INBOUND), 50),
    ((Channel.PHONE, Direction.OUTBOUND), 10),
    ((Channel.EMAIL, Direction.INBOUND), 8),
    ((Channel.CHAT, Direction.INBOUND), 12),
    ((Channel.PORTAL, Direction.OUTBOUND), 5),
    ((Channel.VOICEMAIL, Direction.INBOUND), 6),
    ((Channel.LETTER, Direction.OUTBOUND), 4),
    ((Channel.SMS, Direction.OUTBOUND), 5),
]
REASONS: list[tuple[Reason, int]] = [
    (Reason.ELIGIBILITY, 14),
    (Reason.BILLING, 16),
    (Reason.ID_CARD, 12),
    (Reason.BENEFITS, 14),
    (Reason.CLAIMS, 14),
    (Reason.PLAN_COMPARISON, 5),
    (Reason.ENROLLMENT, 6),
    (Reason.APPEAL_GRIEVANCE, 3),
    (Reason.PHARMACY, 6),
    (Reason.TRANSPORTATION, 2),
    (Reason.DENTAL, 3),
    (Reason.BEHAVIORAL_HEALTH, 2),
    (Reason.PROVIDER, 4),
    (Reason.OTHER, 2),
]
NOTES = {
    Reason.ELIGIBILITY: "Confirmed coverage is active; explained the effective date.",
    Reason.BILLING: "Premium shows a second charge this month; reviewed the invoice together.",
    Reason.ID_CARD: "Card never arrived; confirmed the mailing address and ordered a new one.",
    Reason.BENEFITS: "Explained the specialist copay and the deductible for imaging.",
    Reason.CLAIMS: "Claim for an urgent-care visit shows as denied; asked for the EOB.",
    Reason.PLAN_COMPARISON: "Compared the HMO and PPO networks for the renewal.",
    Reason.ENROLLMENT: "New baby: explained the 30-day window to add a dependant.",
    Reason.APPEAL_GRIEVANCE: "Member wants to appeal a denial; explained the process.",
    Reason.PHARMACY: "Prescription not on the formulary; explained the exception request.",
    Reason.TRANSPORTATION: "Asked about rides to appointments; shared the benefit rules.",
    Reason.DENTAL: "Dental cleaning coverage questions.",
    Reason.BEHAVIORAL_HEALTH: "Looking for an in-network therapist; sent the directory link.",
    Reason.PROVIDER: "Doctor left the network; helped choose a new primary care doctor.",
    Reason.OTHER: "General question answered.",
}
SUBJECTS = [
    ("Question about my bill", "I was charged twice this month. Can you check?"),
    ("ID card", "My new card has my name spelled wrong."),
    ("Is my doctor covered?", "Can you tell me if my cardiologist is in network?"),
    ("Claim denied", "The lab claim from last month was denied. Why?"),
    ("Adding my newborn", "Our daughter was born last week. What do I send you?"),
    ("Pharmacy", "The pharmacy says my inhaler needs prior authorization."),
    ("Address change", "We moved. Where do I update my address?"),
    ("Premium went up", "Why did my payroll deduction change this month?"),
]


def pick(rng: random.Random, weighted: Sequence[tuple[T, int]]) -> T:
    """One item of (item, weight) pairs."""
    return rng.choices([w[0] for w in weighted], weights=[w[1] for w in weighted])[0]


def working_moment(rng: random.Random, at: datetime, days_ago: int) -> datetime:
    """A moment in office hours ``days_ago`` days before ``at`` (weekends move to Friday),
    never after ``at``."""
    day = at.astimezone(ZONE).date() - timedelta(days=days_ago)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    start = datetime.combine(day, time(8, 0), tzinfo=ZONE) + timedelta(
        minutes=rng.randrange(0, 9 * 60 - 20)
    )
    return min(start, at - timedelta(minutes=rng.randrange(5, 90)))


def log_contacts(
    session: Session,
    ctx: AuditContext,
    rng: random.Random,
    plan: list[tuple[Member, int]],
    agents: list[int],
    at: datetime,
) -> list[Contact]:
    """One contact per (member, days ago) of ``plan``, logged (and audited) by the desk's
    own path; every channel appears, each with realistic times and outcomes."""
    out = []
    for i, (member, days) in enumerate(plan):
        # The first eight cover every channel once; the rest follow the weights.
        channel, direction = CHANNELS[i][0] if i < len(CHANNELS) else pick(rng, CHANNELS)
        reason = pick(rng, REASONS)
        reasons = [reason]
        if rng.random() < 0.15:
            reasons.append(pick(rng, REASONS))
        start = working_moment(rng, at, days)
        phone = channel is Channel.PHONE
        talk = rng.randrange(180, 900) if phone else None
        resolved = direction is Direction.INBOUND and rng.random() < 0.7
        body = ContactIn(
            member_id=member.id,
            channel=channel,
            direction=direction,
            reasons=reasons,
            started_at=start,
            ended_at=start + timedelta(seconds=talk or rng.randrange(60, 600)),
            resolved=resolved,
            language=member.spoken_language,
            interpreter_used=member.interpreter_needed and phone,
            talk_seconds=talk,
            hold_seconds=rng.randrange(0, 150) if phone else None,
            wrap_seconds=rng.randrange(30, 200) if phone else None,
            disposition=Disposition.RESOLVED if resolved else rng.choice(list(Disposition)),
            notes=NOTES[reason],
        )
        out.append(access.log_contact(session, ctx, body, agent_id=rng.choice(agents)))
    return out


def voicemails(
    session: Session,
    ctx: AuditContext,
    rng: random.Random,
    members: list[Member],
    agent_id: int,
    at: datetime,
    *,
    overdue: int,
    max_attempts: int,
    min_business_days: int,
) -> list[Callback]:
    """A voicemail per member: the first ``overdue`` left on an earlier working day (past
    due), the rest this morning (due by the pack's voicemail_return). Some already tried."""
    out = []
    for i, member in enumerate(members):
        received = (
            working_moment(rng, at, rng.randrange(1, 3))
            if i < overdue
            else max(at - timedelta(minutes=rng.randrange(10, 240)), working_moment(rng, at, 0))
        )
        body = VoicemailIn(
            member_id=member.id, phone=f"415555{100 + i % 100:04d}", received_at=received
        )
        cb = access.record_voicemail(session, ctx, body, user_id=agent_id)
        if i % 4 == 1:
            callbacks.record_attempt(
                session,
                cb,
                AttemptIn(outcome=AttemptOutcome.NO_ANSWER, note="Rang out, no voicemail box."),
                user_id=agent_id,
                at=min(at, received + timedelta(minutes=30)),
                max_attempts=max_attempts,
                min_business_days=min_business_days,
            )
        out.append(cb)
    return out


def portal_messages(
    session: Session, ctx: AuditContext, rng: random.Random, members: list[Member], at: datetime
) -> list[Contact]:
    """Secure messages from members, some past their reply deadline."""
    out = []
    for i, member in enumerate(members):
        subject, text = SUBJECTS[i % len(SUBJECTS)]
        sent = working_moment(rng, at, rng.randrange(0, 4))
        msg = contacts.send_message(session, member, subject=subject, body=text, at=sent)
        audit.record(
            session,
            ctx,
            AuditAction.PORTAL_MESSAGE_SENT,
            object_type="contact",
            object_id=msg.id,
            member_ids=[member.id],
        )
        out.append(msg)
    return out
