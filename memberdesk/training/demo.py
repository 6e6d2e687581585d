"""The demo's training: the catalogue from the operational guide (a 40-hour new-hire programme,
annual HIPAA training, role-based privacy modules, de-escalation, regulatory topics and monthly
continuing training, most with a knowledge check) and thirteen months of plausible history for
the demo staff: most meet the 8-12 hours a month, one new hire is part-way through the programme,
one agent's HIPAA renewal falls due this month and one fell short last month."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction, Role
from memberdesk.compliance.models import User
from memberdesk.training import core
from memberdesk.training.enums import CourseKind as K
from memberdesk.training.models import Completion, Course, Profile
from memberdesk.training.service import local_day

CTX = AuditContext(actor_id=None, actor="memberdesk-demo", role="system")
FRONT = ["tier1_agent", "tier2_specialist", "tier3_appeals", "navigator", "supervisor"]
STAFF = [r.value for r in Role if r not in (Role.MEMBER, Role.TELEPHONY)]
# code, title, kind, hours, required roles, renew months, pass mark, what it covers
CATALOGUE: list[tuple[str, str, K, float, list[str], int | None, float | None, str]] = [
    (
        "new-hire-benefits",
        "New-hire programme: benefits, eligibility and billing",
        K.INITIAL,
        16,
        FRONT,
        None,
        80,
        "Plans, networks, eligibility, premiums and billing corrections.",
    ),
    (
        "new-hire-systems",
        "New-hire programme: memberdesk, phones and the knowledge base",
        K.INITIAL,
        12,
        FRONT,
        None,
        80,
        "Finding a member, logging contacts, cases, callbacks.",
    ),
    (
        "new-hire-privacy",
        "New-hire programme: HIPAA, CMIA and member privacy",
        K.INITIAL,
        6,
        FRONT,
        None,
        80,
        "Verifying identity, minimum necessary, confidential communications.",
    ),
    (
        "new-hire-calls",
        "New-hire programme: call handling and warm transfers",
        K.INITIAL,
        6,
        FRONT,
        None,
        80,
        "Greeting, warm transfers, escalation paths and case notes.",
    ),
    (
        "hipaa-annual",
        "Annual HIPAA privacy and security training",
        K.HIPAA_ANNUAL,
        2,
        STAFF,
        12,
        80,
        "The Privacy and Security Rules, breaches and reporting, every year.",
    ),
    (
        "privacy-front-line",
        "Privacy for front-line staff: identity and minimum necessary",
        K.PRIVACY_MODULE,
        1.5,
        ["tier1_agent", "tier2_specialist", "navigator", "supervisor"],
        None,
        80,
        "Who may be told what, authorised representatives, sensitive services.",
    ),
    (
        "privacy-appeals",
        "Privacy for appeals: clinical records and regulators",
        K.PRIVACY_MODULE,
        2,
        ["tier3_appeals", "compliance_officer"],
        None,
        80,
        "Clinical records in appeal files, disclosures to DMHC and the state.",
    ),
    (
        "privacy-monitoring",
        "Privacy for call monitoring and recordings",
        K.PRIVACY_MODULE,
        1,
        ["qa_analyst", "supervisor"],
        None,
        80,
        "Listening to calls, storing scores and notes.",
    ),
    (
        "privacy-systems",
        "Privacy for system and workforce staff",
        K.PRIVACY_MODULE,
        1,
        ["admin", "wfm_analyst"],
        None,
        80,
        "Working on accounts and volumes without member data.",
    ),
    (
        "de-escalation",
        "De-escalation techniques",
        K.DE_ESCALATION,
        3,
        ["tier1_agent", "tier2_specialist", "navigator"],
        None,
        75,
        "Calming an upset caller, setting limits, when to hand over.",
    ),
    (
        "de-escalation-refresher",
        "De-escalation refresher",
        K.DE_ESCALATION,
        1.5,
        [],
        None,
        None,
        "Practice calls with a coach.",
    ),
    (
        "reg-dmhc",
        "DMHC grievance and appeal timelines",
        K.REGULATORY,
        2,
        [],
        None,
        80,
        "Acknowledgement, resolution, urgent grievances and Independent Medical Review.",
    ),
    (
        "reg-oregon",
        "Oregon Medicaid grievances and appeals (OAR 410-141)",
        K.REGULATORY,
        2,
        [],
        None,
        80,
        "Decision or notice of delay, resolution, contested-case hearings.",
    ),
    (
        "reg-special-enrolment",
        "Qualifying events and special enrolment",
        K.REGULATORY,
        1.5,
        [],
        None,
        80,
        "Windows, documents and effective dates.",
    ),
    (
        "plan-changes",
        "Plan changes for the coming year",
        K.CONTINUING,
        3,
        [],
        None,
        80,
        "What changes at renewal: benefits, networks, costs.",
    ),
    (
        "benefits-deep-dive",
        "Benefits deep dive: pharmacy and behavioural health",
        K.CONTINUING,
        2,
        [],
        None,
        80,
        "Formularies, prior authorisation, parity.",
    ),
    (
        "systems-update",
        "System update: what changed this month",
        K.CONTINUING,
        1,
        [],
        None,
        None,
        "New screens and shortcuts.",
    ),
    (
        "language-access",
        "Language access and interpreters",
        K.CONTINUING,
        1.5,
        [],
        None,
        None,
        "Taglines, interpreters on every call, translated letters.",
    ),
    (
        "call-review",
        "Monitored-call review with a coach",
        K.CONTINUING,
        1,
        [],
        None,
        None,
        "One recorded call reviewed against the QA form.",
    ),
    (
        "kb-changes",
        "Knowledge-base changes of the month",
        K.CONTINUING,
        1,
        [],
        None,
        None,
        "New and changed articles, read and discussed.",
    ),
]
# username: (months since start, target hours a month, HIPAA months ago, short last month)
HISTORY: dict[str, tuple[int, float, int, bool]] = {
    "agent": (26, 10, 12, False),  # HIPAA renewal due this month
    "ana.reyes": (40, 12, 5, False),
    "ben.okafor": (0, 0, 0, False),  # a new hire, part-way through the programme
    "supervisor": (60, 9, 8, True),  # fell short last month
    "specialist": (30, 11, 3, False),
    "chen.li": (18, 10, 9, False),
    "appeals": (48, 9, 2, False),
    "dana.kim": (22, 12, 6, False),
    "navigator": (15, 10, 10, False),
    "eli.navarro": (36, 8, 13, False),  # HIPAA renewal overdue
    "qa": (50, 0, 4, False),
    "wfm": (20, 0, 7, False),
    "compliance": (70, 0, 1, False),
    "admin": (44, 0, 11, False),
}
RECORDS_FROM_MONTHS = 13  # the history kept in the demo


@dataclass
class Made:
    """What the demo seeder made (counts only)."""

    courses: int = 0
    people: int = 0
    completions: int = 0


def seed_demo_catalogue(session: Session, at: datetime) -> int:
    """The catalogue, unless courses exist already; the number made."""
    if session.scalar(select(func.count()).select_from(Course)):
        return 0
    since = local_day(at) - timedelta(days=3 * 365)
    for code, title, kind, hours, roles, renew, mark, what in CATALOGUE:
        session.add(
            Course(
                code=code,
                title=title,
                kind=kind,
                hours=float(hours),
                required_roles=roles,
                renew_months=renew,
                pass_mark=mark,
                description=what,
                required_since=since,
                created_at=at,
            )
        )
    session.flush()
    return len(CATALOGUE)


def _add(
    session: Session, made: Made, user: User, course: Course, on: date, rng: random.Random
) -> None:
    score = None if course.pass_mark is None else float(rng.randint(82, 100))
    session.add(
        Completion(
            user_id=user.id,
            course_id=course.id,
            completed_on=on,
            hours=course.hours,
            quiz_score=score,
            passed=core.quiz_passed(score, course.pass_mark),
            recorded_by_id=None,
        )
    )
    made.completions += 1


def _workday(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _history(
    session: Session,
    made: Made,
    user: User,
    plan: tuple[int, float, int, bool],
    by_code: dict[str, Course],
    today: date,
    rng: random.Random,
) -> None:
    months_in, per_month, hipaa_ago, short = plan
    if months_in == 0:
        started = _workday(today - timedelta(days=17))
    else:
        started = _workday(core.add_months(today, -months_in))
    records_from = core.add_months(today.replace(day=1), -RECORDS_FROM_MONTHS)
    on_file = None
    if started < records_from:
        on_file = started + timedelta(days=5)
    else:
        day = started
        # A recent hire is part-way: 28 of the 40 hours so far.
        programme = (
            ["new-hire-benefits", "new-hire-systems"]
            if months_in == 0
            else ["new-hire-benefits", "new-hire-systems", "new-hire-privacy", "new-hire-calls"]
        )
        for code in programme:
            day = _workday(day + timedelta(days=2))
            _add(session, made, user, by_code[code], min(day, today), rng)
    session.add(Profile(user_id=user.id, started_on=started, initial_on_file=on_file))
    first_done = max(started, records_from) + timedelta(days=7)
    for c in by_code.values():
        if c.kind is K.PRIVACY_MODULE and user.role.value in c.required_roles:
            _add(session, made, user, c, _workday(min(first_done, today)), rng)
        if c.code == "de-escalation" and user.role.value in c.required_roles and months_in:
            _add(session, made, user, c, _workday(min(first_done + timedelta(days=3), today)), rng)
    if months_in:
        hipaa = _workday(core.add_months(today, -hipaa_ago) + timedelta(days=12))
        if hipaa >= started and hipaa <= today:
            _add(session, made, user, by_code["hipaa-annual"], hipaa, rng)
    if not per_month:
        return
    person = core.Person(user.role.value, started, on_file)
    month = max(records_from, core.monthly_from(person))
    fillers = [c for c in by_code.values() if c.kind in (K.CONTINUING, K.REGULATORY)]
    fillers.append(by_code["de-escalation-refresher"])
    last_month = core.add_months(today.replace(day=1), -1)
    while month <= today:
        _, end = core.month_of(month)
        goal = per_month + rng.choice((-1, 0, 0, 1))
        if short and month == last_month:
            goal = 5
        if month == today.replace(day=1):
            goal = goal * min(1.0, today.day / end.day)  # this month so far
        hours, used = 0.0, set[tuple[int, date]]()
        while hours < goal:
            c = rng.choice(fillers)
            day = _workday(month + timedelta(days=rng.randint(0, end.day - 1)))
            if day < month or day > min(end, today) or (c.id, day) in used:
                if len(used) > 40:
                    break
                used.add((c.id, day))
                continue
            used.add((c.id, day))
            _add(session, made, user, c, day, rng)
            hours += c.hours
        month = end + timedelta(days=1)


def seed_demo_training(session: Session, at: datetime, seed: int = 7) -> Made | None:
    """The catalogue and the demo staff's history, unless completions exist already."""
    if session.scalar(select(func.count()).select_from(Completion)):
        return None
    made = Made(courses=seed_demo_catalogue(session, at))
    by_code = {c.code: c for c in session.scalars(select(Course))}
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    today = local_day(at)
    for username, plan in HISTORY.items():
        user = session.scalar(select(User).where(User.username == username))
        if user is None or session.get(Profile, user.id) is not None:
            continue
        _history(session, made, user, plan, by_code, today, rng)
        made.people += 1
    session.flush()
    audit.record(
        session,
        CTX,
        AuditAction.TRAINING_COMPLETION_RECORDED,
        object_type="training_course",
        detail={"demo_completions": made.completions, "people": made.people},
    )
    return made
