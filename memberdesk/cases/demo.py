"""Demo work for ``memberdesk demo`` and ``memberdesk seed-work``: a few hundred open cases
across tiers, queues, states and priorities, contacts on every channel over the last 30 days,
voicemail callbacks due today (some overdue), portal messages, warm transfers waiting for an
answer, and members with a navigator, so that every page shows real-looking work.

Everything is created through the services, dated relative to ``at`` (deadlines come from the
policy packs as for real work) and audited as ``memberdesk-demo``; the same seed and the same
moment give the same work. Staff are the demo logins plus a few teammates; each gets skills
so that get-next hands them work. Never commits.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from memberdesk.cases import records, routing, service, work
from memberdesk.cases.demo_data import log_contacts, pick, portal_messages, voicemails
from memberdesk.cases.enums import CaseState, CaseType, EscalationReason, Priority
from memberdesk.cases.models import Case
from memberdesk.compliance import accounts, audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction, Role
from memberdesk.compliance.models import User
from memberdesk.compliance.passwords import generate_password
from memberdesk.config import Settings
from memberdesk.contacts.models import Callback
from memberdesk.members.enums import LineOfBusiness
from memberdesk.members.models import CoverageSpan, Member
from memberdesk.navigators import auto
from memberdesk.navigators import service as navigators
from memberdesk.navigators.rules import RuleConfig

CTX = AuditContext(actor_id=None, actor="memberdesk-demo", role="system")
# The Oregon Health Plan book's share of the demo work: enough to meet its members at work.
OREGON_CASES, OREGON_VOICEMAILS = 12, 4
# Teammates of the demo logins (no password is printed: they fill the team and console views).
TEAMMATES: list[tuple[str, Role, str, str, list[str]]] = [
    ("ana.reyes", Role.TIER1_AGENT, "Ana Reyes", "Tier 1 — Team A", ["en", "es"]),
    ("ben.okafor", Role.TIER1_AGENT, "Ben Okafor", "Tier 1 — Team A", ["en"]),
    ("chen.li", Role.TIER2_SPECIALIST, "Chen Li", "Tier 2", ["en", "zh"]),
    ("dana.kim", Role.TIER3_APPEALS, "Dana Kim", "Tier 3", ["en"]),
    ("eli.navarro", Role.NAVIGATOR, "Eli Navarro", "Navigators", ["en", "es"]),
]
DEMO_TIERS = {
    Role.TIER1_AGENT: [1],
    Role.TIER2_SPECIALIST: [2],
    Role.TIER3_APPEALS: [3],
    Role.NAVIGATOR: [1, 2],
    Role.SUPERVISOR: [1, 2, 3],
}
TIER1_TYPES = [
    (CaseType.ELIGIBILITY, 16),
    (CaseType.BILLING, 18),
    (CaseType.ID_CARD, 14),
    (CaseType.BENEFITS, 14),
    (CaseType.CLAIMS, 18),
    (CaseType.PLAN_COMPARISON, 6),
    (CaseType.ENROLLMENT, 8),
    (CaseType.OTHER, 6),
]
TIER3_TYPES = [
    (CaseType.APPEAL, 5),
    (CaseType.GRIEVANCE, 4),
    (CaseType.REGULATORY_INQUIRY, 1),
    (CaseType.LEGAL_REFERRAL, 1),
]
PRIORITIES = [(Priority.LOW, 15), (Priority.NORMAL, 60), (Priority.HIGH, 20), (Priority.URGENT, 5)]
SUMMARIES = {
    CaseType.ELIGIBILITY: "Coverage shows terminated at the pharmacy; member says it is active.",
    CaseType.BILLING: "Premium charged twice for the month; member asks for a correction.",
    CaseType.ID_CARD: "Replacement ID card requested; the first one never arrived.",
    CaseType.BENEFITS: "Needs the physical-therapy visit limit explained and checked.",
    CaseType.CLAIMS: "Emergency-room claim processed out of network; member disputes it.",
    CaseType.PLAN_COMPARISON: "Comparing plans for renewal; needs network and cost detail.",
    CaseType.ENROLLMENT: "Adding a newborn; birth within the special-enrolment window.",
    CaseType.APPEAL: "Formal appeal of a denied MRI prior authorization.",
    CaseType.GRIEVANCE: "Grievance about a long wait for a specialist appointment.",
    CaseType.REGULATORY_INQUIRY: "DMHC inquiry forwarded about a billing complaint.",
    CaseType.LEGAL_REFERRAL: "Attorney letter received about a disputed claim.",
    CaseType.OTHER: "Member asks for a copy of the plan's privacy notice.",
}
HAND_FLAGS = [
    "Several chronic conditions and frequent specialist visits; needs one point of contact.",
    "Recently discharged; coordinating home health and pharmacy.",
    "Caregiver for a disabled child; many appointments across providers.",
    "Limited English and hearing loss; prefers one person who knows the history.",
    "Housing change mid-treatment; transport and provider changes to arrange.",
    "Cancer treatment across two networks; claims and authorizations to follow.",
]


@dataclass
class WorkSeed:
    """What the seeder made (counts only)."""

    counts: dict[str, int] = field(default_factory=dict)


def _user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def staff(session: Session, settings: Settings) -> dict[str, User]:
    """The demo logins that work cases and their teammates, with skills (capacity 25)."""
    found: dict[str, User] = {}
    for username in ("agent", "specialist", "appeals", "navigator", "supervisor"):
        user = _user(session, username)
        if user is not None and not user.disabled:
            found[username] = user
    for username, role, name, team, _ in TEAMMATES:
        user = _user(session, username)
        if user is None:
            accounts.ensure_team(session, team)
            user = accounts.create_user(
                session,
                settings,
                CTX,
                username=username,
                display_name=name,
                role=role,
                password=generate_password(username),
                team=team,
            )
        found[username] = user
    languages = {t[0]: t[4] for t in TEAMMATES}
    for username, user in found.items():
        tiers = DEMO_TIERS[user.role]
        langs = languages.get(username, ["en", "es"])
        routing.set_skills(session, user, tiers, langs, None, 25)
        audit.record(
            session,
            CTX,
            AuditAction.AGENT_SKILLS_SET,
            object_type="user",
            object_id=user.id,
            changes={"new": {"tiers": tiers, "languages": langs, "capacity": 25}},
        )
    return found


def covered_members(
    session: Session, at: datetime, limit: int, line: LineOfBusiness | None = None
) -> list[Member]:
    """Members (of ``line``, or any) covered on ``at``'s date, in id order (deterministic)."""
    open_span = select(CoverageSpan.member_id).where(
        CoverageSpan.effective_date <= at.date(),
        or_(CoverageSpan.termination_date.is_(None), CoverageSpan.termination_date >= at.date()),
    )
    query = select(Member).where(Member.id.in_(open_span), Member.purged_at.is_(None))
    if line is not None:
        query = query.where(Member.line_of_business == line)
    return list(session.scalars(query.order_by(Member.id).limit(limit)))


def oregon_work(
    session: Session, settings: Settings, team: dict[str, User], at: datetime, seed: int
) -> tuple[list[Case], list[Callback]]:
    """A little work for the Oregon Health Plan book, so agents meet its members in the queues
    and on the callbacks list: Tier 1 cases (on the oregon-medicaid pack, which has no Tier 1
    hand-off clock) and voicemails due by the Oregon calendar. Its own random stream, so the
    California work is the same with or without it."""
    pool = covered_members(session, at, 400, LineOfBusiness.OREGON_MEDICAID)
    if len(pool) < OREGON_CASES + OREGON_VOICEMAILS:
        return [], []
    rng = random.Random(seed + 1)  # noqa: S311 - reproducible demo data, not secrets
    rng.shuffle(pool)
    agents = _by_role(team, Role.TIER1_AGENT)
    cases = tier1_cases(session, rng, pool[:OREGON_CASES], agents, at)
    vms = voicemails(
        session,
        CTX,
        rng,
        pool[OREGON_CASES : OREGON_CASES + OREGON_VOICEMAILS],
        agents[0].id if agents else next(iter(team.values())).id,
        at,
        overdue=1,
        max_attempts=settings.callback_max_attempts,
        min_business_days=settings.callback_min_business_days,
    )
    return cases, vms


def _by_role(team: dict[str, User], role: Role) -> list[User]:
    return [u for u in team.values() if u.role is role]


def _open(
    session: Session, rng: random.Random, member: Member, case_type: CaseType, at: datetime
) -> Case:
    return service.create_case(
        session,
        CTX,
        member_id=member.id,
        case_type=case_type,
        summary=SUMMARIES[case_type],
        priority=pick(rng, PRIORITIES),
        contact_id=None,
        at=at,
    )


def _work_on(session: Session, rng: random.Random, case: Case, user: User, at: datetime) -> None:
    """Assign the case and move it into a working state, as an agent would."""
    service.assign(session, CTX, case, user.id, at, via="demo")
    state = pick(
        rng,
        [
            (CaseState.IN_PROGRESS, 6),
            (CaseState.WAITING_ON_MEMBER, 2),
            (CaseState.WAITING_ON_THIRD_PARTY, 2),
        ],
    )
    service.change_state(session, CTX, case, state, None, at + timedelta(minutes=5))


def tier1_cases(
    session: Session,
    rng: random.Random,
    members: list[Member],
    agents: list[User],
    at: datetime,
) -> list[Case]:
    """Tier 1 cases opened over the last 60 hours: fresh, at risk (past the 24-hour warning)
    and a few past the 48-hour hand-off (the SLA worker moves those to Tier 2)."""
    out = []
    for i, member in enumerate(members):
        hours = 60 * (i / max(len(members) - 1, 1)) ** 1.3  # more new work than old
        opened = at - timedelta(hours=hours, minutes=rng.randrange(0, 50))
        case = _open(session, rng, member, pick(rng, TIER1_TYPES), opened)
        if i % 3 == 0 and agents:
            _work_on(session, rng, case, agents[i % len(agents)], opened + timedelta(minutes=20))
        out.append(case)
    return out


def escalated_cases(
    session: Session,
    rng: random.Random,
    members: list[Member],
    team: dict[str, User],
    at: datetime,
    *,
    tier: int,
) -> list[Case]:
    """Cases opened 2–25 days ago and escalated to ``tier`` with a rationale; some taken by a
    specialist or a case manager, some still waiting (claim research and Tier 3 assignment
    clocks run, and some have run out)."""
    out = []
    people = _by_role(team, Role.TIER2_SPECIALIST if tier == 2 else Role.TIER3_APPEALS)
    for i, member in enumerate(members):
        opened = at - timedelta(days=2 + 23 * i / max(len(members) - 1, 1), hours=rng.randrange(8))
        types = TIER1_TYPES if tier == 2 else TIER3_TYPES
        case = _open(session, rng, member, pick(rng, types), opened)
        up = opened + timedelta(hours=rng.randrange(2, 30))
        reason = {
            CaseType.CLAIMS: EscalationReason.CLAIM_DISPUTE,
            CaseType.BILLING: EscalationReason.BILLING_DISPUTE,
        }.get(case.case_type, EscalationReason.NEEDS_SPECIALIST)
        if tier == 3:
            reason = EscalationReason.FORMAL_APPEAL
        service.escalate(
            session, CTX, case, reason, "Needs a specialist's review of the records.", up
        )
        if tier == 3:
            up += timedelta(hours=rng.randrange(4, 40))
            service.escalate(
                session, CTX, case, reason, "Formal appeal filed; regulatory clock applies.", up
            )
        if i % 2 == 0 and people:
            _work_on(session, rng, case, people[i % len(people)], up + timedelta(hours=3))
        out.append(case)
    return out


def resolved_cases(
    session: Session, rng: random.Random, members: list[Member], at: datetime
) -> list[Case]:
    """Cases resolved (checklists ticked, with a rationale) and some closed, over 30 days."""
    out = []
    for i, member in enumerate(members):
        opened = at - timedelta(days=3 + 27 * i / max(len(members) - 1, 1))
        case = _open(session, rng, member, pick(rng, TIER1_TYPES), opened)
        done = opened + timedelta(hours=rng.randrange(1, 40))
        for step in service.steps_of(session, case.id):
            records.tick_step(session, CTX, case, step.step_id, done)
        service.change_state(
            session, CTX, case, CaseState.RESOLVED, "Explained and corrected; member agreed.", done
        )
        if i % 2:
            service.change_state(
                session, CTX, case, CaseState.CLOSED, None, done + timedelta(days=2)
            )
        out.append(case)
    return out


def warm_transfers(session: Session, cases: list[Case], team: dict[str, User], at: datetime) -> int:
    """Pending warm transfers from the Tier 1 agent: to a teammate or to the member's
    language queue, each with the context and the question the member was coached to ask."""
    sender, receivers = team.get("agent"), _by_role(team, Role.TIER1_AGENT)
    if sender is None:
        return 0
    ctx = AuditContext(actor_id=sender.id, actor=CTX.actor, role=CTX.role)
    spanish = session.scalar(select(routing.Queue).where(routing.Queue.name == "Tier 1 Spanish"))
    made = 0
    for case in cases:
        if made >= 6 or case.state not in (CaseState.NEW, CaseState.IN_PROGRESS):
            continue
        to_queue = spanish.id if spanish is not None and case.language == "es" else None
        to_user = None
        if to_queue is None or case.queue_id == to_queue:
            others = [u for u in receivers if u.id != sender.id]
            if not others:
                continue
            to_user, to_queue = others[made % len(others)].id, None
        work.request_transfer(
            session,
            ctx,
            case,
            to_user_id=to_user,
            to_queue_id=to_queue,
            context_summary="Member called twice about this; identity verified on the call.",
            member_question="Ask for the date the correction will show on the next bill.",
            warm=True,
            at=at - timedelta(minutes=10 + made * 7),
        )
        made += 1
    return made


def navigated(
    session: Session,
    settings: Settings,
    members: list[Member],
    team: dict[str, User],
    at: datetime,
) -> int:
    """Members flagged by hand with a reason (given to the navigators in turn), then the
    complex-needs rules over the whole book."""
    navs = _by_role(team, Role.NAVIGATOR)
    supervisor = team.get("supervisor") or next(iter(team.values()))
    for i, member in enumerate(members):
        navigators.flag(
            session,
            CTX,
            member.id,
            reason=HAND_FLAGS[i % len(HAND_FLAGS)],
            navigator_id=navs[i % len(navs)].id if navs else None,
            actor=supervisor,
            at=at - timedelta(days=1 + i),
        )
    auto.flag_by_rules(session, at, config=RuleConfig.from_settings(settings), ctx=CTX)
    return len(members)


def seed_work(session: Session, settings: Settings, *, seed: int, at: datetime) -> WorkSeed:
    """Create the demo work (see the module's docstring); returns what was made."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    team = staff(session, settings)
    pool = covered_members(session, at, 2000)
    if len(pool) < 60:
        raise ValueError("seed members first: the demo work needs at least 60 covered members")
    rng.shuffle(pool)
    n = len(pool)
    # Slices of one shuffled pool: who calls often, who has several cases, and so on.
    frequent, multi = pool[:10], pool[10:20]
    rest = pool[20:]
    t1 = rest[: min(150, n // 4)] + multi
    t2 = rest[len(t1) : len(t1) + min(100, n // 6)] + multi[:5]
    t3 = rest[len(t1) + len(t2) : len(t1) + len(t2) + min(40, n // 12)]
    done = rest[-min(40, n // 12) :]
    agents = _by_role(team, Role.TIER1_AGENT)
    tier1 = tier1_cases(session, rng, t1, agents, at)
    tier2 = escalated_cases(session, rng, t2, team, at, tier=2)
    tier3 = escalated_cases(session, rng, t3, team, at, tier=3)
    closed = resolved_cases(session, rng, done, at)
    callers = [(m, rng.randrange(0, 30)) for m in rest[: min(500, len(rest))]]
    callers += [(m, d) for m in frequent for d in (1, 6, 13, 20)]
    contacts = log_contacts(session, CTX, rng, callers, [u.id for u in agents], at)
    settings_attempts = (settings.callback_max_attempts, settings.callback_min_business_days)
    vms = voicemails(
        session,
        CTX,
        rng,
        rest[200:230] if len(rest) >= 230 else rest[:30],
        agents[0].id if agents else next(iter(team.values())).id,
        at,
        overdue=6,
        max_attempts=settings_attempts[0],
        min_business_days=settings_attempts[1],
    )
    messages = portal_messages(
        session, CTX, rng, rest[240:248] if len(rest) >= 248 else rest[:8], at
    )
    transfers = warm_transfers(session, tier1, team, at)
    flagged = navigated(session, settings, pool[20:26], team, at)
    oregon_cases, oregon_callbacks = oregon_work(session, settings, team, at, seed)
    open_cases = session.scalar(
        select(func.count())
        .select_from(Case)
        .where(Case.state.notin_((CaseState.RESOLVED, CaseState.CLOSED)))
    )
    return WorkSeed(
        counts={
            "open_cases": int(open_cases or 0),
            "tier1": len(tier1),
            "tier2": len(tier2),
            "tier3": len(tier3),
            "resolved": len(closed),
            "contacts": len(contacts),
            "callbacks": len(vms),
            "portal_messages": len(messages),
            "warm_transfers": transfers,
            "hand_flags": flagged,
            "oregon_cases": len(oregon_cases),
            "oregon_callbacks": len(oregon_callbacks),
        }
    )
