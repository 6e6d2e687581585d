"""Training records' reads and changes: the catalogue, start dates, completions, and each
person's standing (computed by the pure ``core`` from the records and a day).

Takes a session and never commits (the route or command does, once). Every change is audited.
A completion and a change of start date lock the person's account row first, so a completion
can never slip in before a start date being moved past it (PostgreSQL; SQLite writes one at a
time anyway). One completion per person, course and day: a second at once is a 409.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.enums import AuditAction, Role
from memberdesk.compliance.models import User
from memberdesk.errors import Conflict, InvalidInput, NotFound
from memberdesk.sla.packs import get_pack
from memberdesk.training import core
from memberdesk.training.enums import CourseKind
from memberdesk.training.models import Completion, Course, Profile
from memberdesk.training.schemas import CompletionIn, CourseIn, StartIn

PACK = "compliance"  # training days are read on the plan's own (California) calendar
NOT_STAFF = (Role.MEMBER, Role.TELEPHONY)


def local_day(at: datetime) -> date:
    """``at``'s date on the compliance pack calendar's clock."""
    return at.astimezone(get_pack(PACK).get_calendar().tz).date()


# ----------------------------------------------------------------------------- catalogue


def courses(session: Session, *, active_only: bool = True) -> list[Course]:
    """The catalogue in the order a new hire meets it (programme, HIPAA, privacy modules,
    de-escalation, regulatory topics, continuing training), then by title."""
    stmt = select(Course)
    if active_only:
        stmt = stmt.where(Course.active.is_(True))
    order = list(CourseKind)
    return sorted(session.scalars(stmt), key=lambda c: (order.index(c.kind), c.title, c.id))


def course_by_code(session: Session, code: str) -> Course:
    """A course by its code (404 naming ``course``)."""
    found = session.scalar(select(Course).where(Course.code == code))
    if found is None:
        raise NotFound("no course with this code", field="course")
    return found


def create_course(session: Session, ctx: AuditContext, body: CourseIn, at: datetime) -> Course:
    """Add a course; required from today (a 409 naming ``code`` if the code is taken)."""
    if session.scalar(select(Course.id).where(Course.code == body.code)) is not None:
        raise Conflict("a course with this code exists already", field="body.code")
    if body.kind.value == "hipaa_annual" and body.renew_months is None:
        raise InvalidInput(
            "the annual HIPAA course must renew (12 months is the rule)", field="body.renew_months"
        )
    course = Course(
        code=body.code,
        title=body.title,
        kind=body.kind,
        hours=body.hours,
        required_roles=[r.value for r in dict.fromkeys(body.required_roles)],
        renew_months=body.renew_months,
        pass_mark=body.pass_mark,
        description=body.description,
        required_since=local_day(at),
        created_at=at,
        created_by_id=ctx.actor_id,
    )
    session.add(course)
    session.flush()
    audit.record(
        session,
        ctx,
        AuditAction.TRAINING_COURSE_CREATED,
        object_type="training_course",
        object_id=course.id,
        detail={"code": course.code, "kind": course.kind.value},
    )
    return course


def rule_course(c: Course) -> core.Course:
    """A stored course as the rules read it."""
    return core.Course(
        id=c.id,
        title=c.title,
        kind=c.kind,
        roles=frozenset(c.required_roles),
        renew_months=c.renew_months,
        required_since=c.required_since,
    )


# ----------------------------------------------------------------------------- people


def team_scope(principal: Principal) -> int | None:
    """The one team a supervisor's training views cover (-1: none); None for everyone
    (trainers and compliance officers)."""
    if principal.role is Role.SUPERVISOR:
        return principal.team_id if principal.team_id is not None else -1
    return None


def person(session: Session, user_id: int, scope: int | None = None, *, lock: bool = False) -> User:
    """A staff account within ``scope`` (404 otherwise: another team's people are not shown)."""
    stmt = select(User).where(User.id == user_id)
    if lock:
        stmt = stmt.with_for_update()
    user = session.scalar(stmt)
    if user is None or user.role in NOT_STAFF or (scope is not None and user.team_id != scope):
        raise NotFound("no staff member with this id", field="path.user_id")
    return user


def by_username(session: Session, username: str) -> User:
    """A staff account by its sign-in name (404 naming ``username``)."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None or user.role in NOT_STAFF:
        raise NotFound("no staff member with this sign-in name", field="username")
    return user


def people(session: Session, scope: int | None) -> list[User]:
    """Enabled staff accounts within ``scope``, by name."""
    stmt = (
        select(User)
        .where(User.role.not_in(NOT_STAFF), User.disabled.is_(False))
        .order_by(User.display_name, User.id)
    )
    if scope is not None:
        stmt = stmt.where(User.team_id == scope)
    return list(session.scalars(stmt))


def rule_person(user: User, profile: Profile | None) -> core.Person:
    """A person as the rules read them: without a profile, from the day the account was made."""
    if profile is None:
        return core.Person(role=user.role.value, started_on=local_day(user.created_at))
    return core.Person(
        role=user.role.value,
        started_on=profile.started_on,
        initial_on_file=profile.initial_on_file,
    )


def set_start(
    session: Session,
    ctx: AuditContext,
    user_id: int,
    body: StartIn,
    at: datetime,
    scope: int | None = None,
) -> Profile:
    """Set when a person started (422 naming ``started_on`` if a completion comes before it)."""
    user = person(session, user_id, scope, lock=True)
    today = local_day(at)
    if body.started_on > today:
        raise InvalidInput("the start date cannot be after today", field="body.started_on")
    if body.initial_on_file is not None and not (body.started_on <= body.initial_on_file <= today):
        raise InvalidInput("must be between the start date and today", field="body.initial_on_file")
    earliest = session.scalar(
        select(Completion.completed_on)
        .where(Completion.user_id == user.id)
        .order_by(Completion.completed_on)
        .limit(1)
    )
    if earliest is not None and earliest < body.started_on:
        raise InvalidInput(
            "a recorded completion is dated before this start date", field="body.started_on"
        )
    profile = session.get(Profile, user.id)
    if profile is None:
        profile = Profile(user_id=user.id, started_on=body.started_on)
        session.add(profile)
    profile.started_on = body.started_on
    profile.initial_on_file = body.initial_on_file
    profile.updated_at = at
    profile.updated_by_id = ctx.actor_id
    session.flush()
    audit.record(
        session,
        ctx,
        AuditAction.TRAINING_PROFILE_SET,
        object_type="user",
        object_id=user.id,
        detail={"started_on": body.started_on.isoformat()},
    )
    return profile


def record_completion(
    session: Session,
    ctx: AuditContext,
    user_id: int,
    body: CompletionIn,
    at: datetime,
    scope: int | None = None,
) -> Completion:
    """Record that a person finished a course: not before their start date, not after today,
    with a knowledge-check score when the course has one (each a 422 naming its field)."""
    user = person(session, user_id, scope, lock=True)
    course = session.get(Course, body.course_id)
    if course is None or not course.active:
        raise InvalidInput("no course with this id in the catalogue", field="body.course_id")
    started = rule_person(user, session.get(Profile, user.id)).started_on
    if body.completed_on < started:
        raise InvalidInput(
            f"is before the person's start date ({started.isoformat()})",
            field="body.completed_on",
        )
    if body.completed_on > local_day(at):
        raise InvalidInput("cannot be after today", field="body.completed_on")
    if course.pass_mark is None and body.quiz_score is not None:
        raise InvalidInput("this course has no knowledge check", field="body.quiz_score")
    if course.pass_mark is not None and body.quiz_score is None:
        raise InvalidInput(
            "this course has a knowledge check: give the score (0-100)", field="body.quiz_score"
        )
    done = Completion(
        user_id=user.id,
        course_id=course.id,
        completed_on=body.completed_on,
        hours=body.hours if body.hours is not None else course.hours,
        quiz_score=body.quiz_score,
        passed=core.quiz_passed(body.quiz_score, course.pass_mark),
        recorded_at=at,
        recorded_by_id=ctx.actor_id,
    )
    try:
        with session.begin_nested():
            session.add(done)
            session.flush()
    except IntegrityError:
        raise Conflict(
            "this course is already recorded for this person on this day",
            field="body.completed_on",
        ) from None
    audit.record(
        session,
        ctx,
        AuditAction.TRAINING_COMPLETION_RECORDED,
        object_type="user",
        object_id=user.id,
        detail={"course": course.code, "passed": done.passed, "hours": done.hours},
    )
    return done


def completions(session: Session, user_ids: Iterable[int]) -> dict[int, list[Completion]]:
    """Completions of these people, newest first."""
    ids = list(user_ids)
    found: dict[int, list[Completion]] = defaultdict(list)
    if not ids:
        return found
    for c in session.scalars(
        select(Completion)
        .where(Completion.user_id.in_(ids))
        .order_by(Completion.completed_on.desc(), Completion.id.desc())
    ):
        found[c.user_id].append(c)
    return found


def profiles(session: Session, user_ids: Iterable[int]) -> dict[int, Profile]:
    """Training profiles of these people."""
    ids = list(user_ids)
    if not ids:
        return {}
    return {p.user_id: p for p in session.scalars(select(Profile).where(Profile.user_id.in_(ids)))}


def rule_done(rows: Iterable[Completion]) -> list[core.Done]:
    """Stored completions as the rules read them."""
    return [core.Done(c.course_id, c.completed_on, c.hours, c.passed) for c in rows]


@dataclass(frozen=True, slots=True)
class Read:
    """A person's records read on a day."""

    user: User
    person: core.Person
    standing: core.Standing
    done: list[Completion]


def standings(session: Session, users: list[User], on: date) -> list[Read]:
    """Each person's standing on day ``on`` (three queries whatever the team's size)."""
    catalogue = [rule_course(c) for c in courses(session)]
    done = completions(session, [u.id for u in users])
    profs = profiles(session, [u.id for u in users])
    out = []
    for u in users:
        p = rule_person(u, profs.get(u.id))
        out.append(Read(u, p, core.standing(p, catalogue, rule_done(done[u.id]), on), done[u.id]))
    return out


def titles(session: Session) -> dict[int, str]:
    """Every course's title by id."""
    return {cid: title for cid, title in session.execute(select(Course.id, Course.title))}


def recorded_monthly_hours(session: Session, on: date, months: int = 3) -> tuple[float, int]:
    """Mean training hours per person-month over the ``months`` calendar months before ``on``'s
    month (the new-hire programme aside), and how many person-months that mean is of."""
    first = on.replace(day=1)
    window = [core.add_months(first, -k) for k in range(months, 0, -1)]
    users = people(session, None)
    done = completions(session, [u.id for u in users])
    profs = profiles(session, [u.id for u in users])
    catalogue = [rule_course(c) for c in courses(session, active_only=False)]
    return core.monthly_mean(
        [(rule_person(u, profs.get(u.id)), rule_done(done[u.id])) for u in users],
        catalogue,
        window,
    )
