"""Demo survey history: thirteen months of served contacts, the invitations they earned under
the same rules as real ones (throttle, opt-outs, minors, addresses), and the answers members gave,
so that the survey results have something real-looking to show. Deterministic for a seed.

Each business day on the California calendar has a Poisson number of contacts that end with a
survey decision, more from October to January (open enrollment), handled by the demo's agents
on the seeds' channel mix (60-70% voice, 20-25% web and portal, 5-10% chat and e-mail). A
member's satisfaction leans on the agent (each has a steady touch), on whether the contact
resolved what they asked, and dips in the surge months, when waits are long; its CSAT, NPS and
CAHPS answers follow from it, so the breakdowns differ as they would in life.

Assumptions, not seed figures: 0.10 surveyed contacts per member a month, 20% of invitations
answered, 30% of answers with a comment, one in ten CAHPS items left blank, one member in two
hundred opted out, 93% of contacts about adults. The calibration puts
CSAT near the seeds' 85% target (under it in the surge months) and NPS inside +25 to +50.
"""

from __future__ import annotations

import math
import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert, or_, select
from sqlalchemy.orm import Session

from memberdesk.calendars.loader import get_calendar
from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction, Role
from memberdesk.compliance.models import User
from memberdesk.contacts.enums import Channel, Direction, Disposition, Reason
from memberdesk.contacts.models import Contact, ContactReason
from memberdesk.db import insert_on_conflict, table_of
from memberdesk.members.dates import add_months
from memberdesk.members.models import CoverageSpan, Member
from memberdesk.members.packs import pack_for
from memberdesk.surveys import service
from memberdesk.surveys.enums import (
    AnswerSource,
    CahpsAnswer,
    InvitationState,
    Language,
    SendChannel,
    SkipReason,
)
from memberdesk.surveys.models import SurveyAnswer, SurveyInvitation, SurveyMember

SURVEYED_PER_MEMBER_MONTH = 0.10  # assumption
RESPONSE_RATE = 0.20  # assumption
COMMENT_SHARE = 0.30  # assumption
CAHPS_BLANK = 0.10  # assumption
OPTED_OUT_SHARE = 0.005  # assumption
ADULT_CONTACTS = 0.93  # assumption: the rest are about anyone in the book, children included
BUSINESS_DAYS_PER_MONTH = 21
SURGE = {10: 1.35, 11: 1.5, 12: 1.4, 1: 1.3}  # the seeds: +30-50% October to January
BASE_MOOD = 0.35  # calibration: CSAT about 87% and NPS about +40 outside the surge
SURGE_MOOD = -0.3  # long waits in the surge months: CSAT about 81%, NPS about +25
CHANNELS: list[tuple[tuple[Channel, Direction], int]] = [
    ((Channel.PHONE, Direction.INBOUND), 64),
    ((Channel.PORTAL, Direction.OUTBOUND), 14),  # an agent's reply to a portal message
    ((Channel.CHAT, Direction.INBOUND), 10),
    ((Channel.EMAIL, Direction.INBOUND), 8),
    ((Channel.SMS, Direction.OUTBOUND), 4),
]
CHANNEL_MOOD = {Channel.CHAT: 0.1, Channel.EMAIL: -0.15, Channel.PORTAL: -0.1}
REASONS = [r for r in Reason if r is not Reason.OTHER]
AGENT_ROLES = (
    Role.TIER1_AGENT,
    Role.TIER2_SPECIALIST,
    Role.TIER3_APPEALS,
    Role.NAVIGATOR,
    Role.SUPERVISOR,
)
CTX = AuditContext(actor_id=None, actor="memberdesk-demo", role="system")
COMMENTS = {
    Language.EN: {
        "good": [
            "Ana was patient and explained my deductible clearly.",
            "Quick answer, and she followed up the same day. Thank you!",
            "Finally someone who understood the billing problem.",
            "Friendly and knew the plan well.",
            "Got my new ID card sorted in one call.",
        ],
        "mixed": [
            "Helpful once I got through, but the wait was long.",
            "The answer was right but I had to explain everything twice.",
            "OK, though I am still waiting for the letter you promised.",
        ],
        "bad": [
            "I was transferred three times and nobody could answer.",
            "Still no fix for the double premium charge.",
            "Please call me back at 415-555-0134, the claim is still denied.",
            "The website said one thing and the agent said another.",
        ],
    },
    Language.ES: {
        "good": [
            "Muy amable y me explicó todo en español. ¡Gracias!",
            "Resolvieron lo de mi tarjeta en una sola llamada.",
        ],
        "mixed": [
            "Me ayudaron, pero esperé mucho tiempo en la línea.",
            "Bien, aunque todavía espero la carta.",
        ],
        "bad": [
            "Me transfirieron varias veces y nadie sabía.",
            "Sigo con el cobro doble en mi prima.",
        ],
    },
}


@dataclass(frozen=True)
class Person:
    """What the rules need to know about a member (from the book, decrypted once)."""

    id: int
    language: Language
    adult_on: date  # the day they turn 18
    route: SendChannel | None  # how a phone contact would reach them (SMS first)
    route_written: SendChannel | None  # how a written contact would (e-mail first)
    pack: str


@dataclass
class DemoSurveys:
    """What was made (counts only)."""

    contacts: int = 0
    invitations: int = 0
    answers: int = 0


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _pick(rng: random.Random, weighted: Sequence[tuple[Any, int]]) -> Any:
    return rng.choices([w[0] for w in weighted], weights=[w[1] for w in weighted])[0]


def _people(session: Session, on: date) -> list[Person]:
    """Members covered on ``on``, in id order."""
    covered = select(CoverageSpan.member_id).where(
        CoverageSpan.effective_date <= on,
        or_(CoverageSpan.termination_date.is_(None), CoverageSpan.termination_date >= on),
    )
    out = []
    for m in session.scalars(
        select(Member).where(Member.id.in_(covered), Member.purged_at.is_(None)).order_by(Member.id)
    ):
        born = m.date_of_birth
        out.append(
            Person(
                id=m.id,
                language=service.language_of(m),
                adult_on=add_months(born, 12 * service.ADULT_AGE),
                route=service.route(m, Channel.PHONE, sms=True),
                route_written=service.route(m, Channel.EMAIL, sms=True),
                pack=pack_for(m),
            )
        )
    return out


def _agents(session: Session) -> list[int]:
    return list(
        session.scalars(
            select(User.id)
            .where(User.role.in_(AGENT_ROLES), User.disabled.is_(False))
            .order_by(User.id)
        )
    )


def _scores(rng: random.Random, mood: float) -> dict[str, Any]:
    """CSAT, NPS and the two CAHPS items of one member whose satisfaction is ``mood``."""
    q = mood + rng.gauss(0, 1)
    csat = 1 if q < -1.9 else 2 if q < -1.35 else 3 if q < -0.95 else 4 if q < 0.35 else 5
    lean = q + rng.gauss(0, 0.6)
    nps = max(0, min(10, round(8.1 + 1.5 * lean)))

    def cahps(shift: float) -> CahpsAnswer | None:
        if rng.random() < CAHPS_BLANK:
            return None
        x = q + shift + rng.gauss(0, 0.5)
        if x > -0.1:
            return CahpsAnswer.ALWAYS
        if x > -1.3:
            return CahpsAnswer.USUALLY
        return CahpsAnswer.SOMETIMES if x > -2.2 else CahpsAnswer.NEVER

    return {
        "csat": csat,
        "nps": nps,
        "cahps_help": cahps(0.0),
        "cahps_courtesy": cahps(0.45),
    }


def _comment(rng: random.Random, language: Language, csat: int) -> str | None:
    if rng.random() >= COMMENT_SHARE:
        return None
    kind = "good" if csat >= 4 else "mixed" if csat == 3 else "bad"
    return rng.choice(COMMENTS[language][kind])


def _insert_keyed(
    session: Session, model: Any, rows: list[dict[str, Any]], keys: tuple[str, ...], *columns: Any
) -> list[int]:
    """Insert ``rows`` in pages and return their ids in the rows' order, matched by ``keys``
    (unique among the rows)."""
    table = table_of(model)
    returned = [table.c.id, *(table.c[c.key] for c in columns)]
    # Core, not the ORM's bulk insert: that one keeps the order itself, one row at a time.
    found = session.execute(insert(table).returning(*returned), rows).all()
    by_key = {tuple(r[1:]): r[0] for r in found}
    return [by_key[tuple(_utc(row[k]) for k in keys)] for row in rows]


def _utc(value: Any) -> Any:
    # Times come back from the database in UTC; the rows hold them in the calendar's zone.
    return value.astimezone(UTC) if isinstance(value, datetime) else value


def seed_demo_surveys(
    session: Session, *, at: datetime, months: int = 13, seed: int = 1
) -> DemoSurveys:
    """Make the history from the first day of the month ``months`` before yesterday to
    yesterday, unless answers exist already; what was made (the caller commits)."""
    made = DemoSurveys()
    if session.scalar(select(SurveyAnswer.id).limit(1)) is not None:
        return made
    cal = get_calendar("california-state")
    zone = cal.tz
    last = at.astimezone(zone).date() - timedelta(days=1)
    people = _people(session, last)
    agents = _agents(session)
    if not people or not agents:
        return made
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    touch = {a: rng.gauss(0, 0.35) for a in agents}
    # Most contacts are made by adults about themselves; a few are about a child.
    adults = [p for p in people if p.adult_on <= last] or people
    # Members invited for real already (the seed-work contacts) keep their throttle.
    invited: dict[int, datetime] = {
        pref.member_id: pref.last_invited_at
        for pref in session.scalars(select(SurveyMember))
        if pref.last_invited_at is not None
    }
    first_real = dict(invited)
    # A few members asked for no surveys before the history starts.
    opted = {p.id for p in rng.sample(people, max(1, round(len(people) * OPTED_OUT_SHARE)))}
    opted -= set(first_real)
    opted_at = datetime.combine(add_months(last.replace(day=1), -months), time(0), zone)
    throttle = timedelta(days=30)
    per_day = len(people) * SURVEYED_PER_MEMBER_MONTH / BUSINESS_DAYS_PER_MONTH
    contacts: list[dict[str, Any]] = []
    started: set[tuple[int, datetime]] = set()
    decisions: list[dict[str, Any]] = []
    outcomes: list[dict[str, Any] | None] = []
    day = add_months(last.replace(day=1), -months)
    while day <= last:
        if cal.windows_on(day):
            for _ in range(_poisson(rng, per_day * SURGE.get(day.month, 1.0))):
                person = rng.choice(adults if rng.random() < ADULT_CONTACTS else people)
                (channel, direction) = _pick(rng, CHANNELS)
                agent = rng.choice(agents)
                start = datetime.combine(day, time(8), zone) + timedelta(
                    minutes=rng.randrange(0, 9 * 60 - 15)
                )
                while (person.id, start) in started:  # (member, start) finds the row's id
                    start += timedelta(seconds=1)
                started.add((person.id, start))
                talk = rng.randrange(180, 900) if channel is Channel.PHONE else None
                end = start + timedelta(seconds=talk or rng.randrange(60, 600))
                resolved = rng.random() < 0.72
                contacts.append(
                    {
                        "member_id": person.id,
                        "agent_id": agent,
                        "channel": channel,
                        "direction": direction,
                        "started_at": start,
                        "ended_at": end,
                        "resolved": resolved,
                        "language": person.language.value,
                        "interpreter_used": False,
                        "talk_seconds": talk,
                        "hold_seconds": rng.randrange(0, 120) if talk else None,
                        "wrap_seconds": rng.randrange(30, 180) if talk else None,
                        "disposition": Disposition.RESOLVED if resolved else Disposition.OTHER,
                        "created_at": end,
                        "updated_at": end,
                        "_reason": rng.choice(REASONS),
                    }
                )
                route = (
                    person.route
                    if service.PREFERRED[channel] is SendChannel.SMS
                    else person.route_written
                )
                # Every row has every key: bulk inserts run in pages only for alike rows.
                decision: dict[str, Any] = {
                    "member_id": person.id,
                    "agent_id": agent,
                    "contact_channel": channel,
                    "pack": person.pack,
                    "language": person.language.value,
                    "created_at": end,
                    "attempts": 0,
                    "skip_reason": None,
                    "send_channel": None,
                    "token_bidx": None,
                    "claimed_at": None,
                    "sent_at": None,
                    "expires_at": None,
                    "answered_at": None,
                }
                reason = None
                real = first_real.get(person.id)
                last_invite = invited.get(person.id)
                if person.id in opted:
                    reason = SkipReason.OPTED_OUT
                elif day < person.adult_on:
                    reason = SkipReason.MINOR
                elif route is None:
                    reason = SkipReason.NO_ADDRESS
                elif (last_invite is not None and abs(end - last_invite) < throttle) or (
                    real is not None and end > real - throttle
                ):
                    reason = SkipReason.THROTTLED
                outcome = None
                if reason is not None:
                    decision.update(state=InvitationState.SKIPPED, skip_reason=reason)
                else:
                    invited[person.id] = end
                    sent = end + timedelta(minutes=rng.randrange(1, 5))
                    decision.update(
                        state=InvitationState.SENT,
                        send_channel=route,
                        token_bidx=service.token_index(secrets.token_urlsafe(32)),
                        attempts=1,
                        claimed_at=sent,
                        sent_at=sent,
                        expires_at=sent + throttle,
                    )
                    answered = sent + timedelta(hours=rng.expovariate(1 / 20))
                    if rng.random() < RESPONSE_RATE and answered < at:
                        mood = (
                            BASE_MOOD
                            + touch[agent]
                            + (0.4 if resolved else -0.6)
                            + CHANNEL_MOOD.get(channel, 0.0)
                            + (SURGE_MOOD if day.month in SURGE else 0.0)
                        )
                        scores = _scores(rng, mood)
                        decision.update(state=InvitationState.ANSWERED, answered_at=answered)
                        outcome = {
                            "member_id": person.id,
                            "agent_id": agent,
                            "channel": channel,
                            "pack": person.pack,
                            "language": person.language.value,
                            "source": AnswerSource.LINK,
                            "answered_at": answered,
                            **scores,
                            "comment": _comment(rng, person.language, scores["csat"]),
                        }
                decisions.append(decision)
                outcomes.append(outcome)
        day += timedelta(days=1)
    if not contacts:
        return made
    reasons = [c.pop("_reason") for c in contacts]
    contact_ids = _insert_keyed(
        session,
        Contact,
        contacts,
        ("member_id", "started_at"),
        Contact.member_id,
        Contact.started_at,
    )
    session.execute(
        insert(ContactReason),
        [
            {
                "contact_id": cid,
                "reason": reason,
                "member_id": c["member_id"],
                "started_at": c["started_at"],
            }
            for cid, reason, c in zip(contact_ids, reasons, contacts, strict=True)
        ],
    )
    for cid, d in zip(contact_ids, decisions, strict=True):
        d["contact_id"] = cid
    invitation_ids = _insert_keyed(
        session, SurveyInvitation, decisions, ("contact_id",), SurveyInvitation.contact_id
    )
    answers = [
        {**o, "invitation_id": iid, "contact_id": cid}
        for o, iid, cid in zip(outcomes, invitation_ids, contact_ids, strict=True)
        if o is not None
    ]
    if answers:
        session.execute(insert(SurveyAnswer), answers)
    prefs = [
        {
            "member_id": m,
            "last_invited_at": invited.get(m),
            "opted_out_at": opted_at if m in opted else None,
            "opted_out_via": "link" if m in opted else None,
        }
        for m in sorted((set(invited) - set(first_real)) | opted)
    ]
    if prefs:
        session.execute(
            insert_on_conflict(session)(table_of(SurveyMember)).on_conflict_do_nothing(
                index_elements=["member_id"]
            ),
            prefs,
        )
    made = DemoSurveys(
        len(contacts), sum(1 for d in decisions if d["send_channel"] is not None), len(answers)
    )
    audit.record(
        session,
        CTX,
        AuditAction.SURVEY_ANSWERS_IMPORTED,
        object_type="survey_answers",
        detail={"demo": True, **vars(made)},
    )
    return made
