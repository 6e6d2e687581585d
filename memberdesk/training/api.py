"""JSON routes of training records. Everyone on staff reads their own record and the catalogue
(``training.own``); supervisors read their team's records and trainers and compliance officers
everyone's (``training.read``); supervisors (their team) and trainers record completions and
start dates, and keep the catalogue (``training.write``)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Query, Request

from memberdesk.clock import now
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import Permission
from memberdesk.db import DbRoute, ReadingSessionDep, SessionDep
from memberdesk.schemas import Day, id_path
from memberdesk.training import service, views
from memberdesk.training.schemas import (
    CompletionIn,
    CompletionOut,
    CourseIn,
    CourseOut,
    RecordOut,
    ShrinkageOut,
    StartIn,
)

router = APIRouter(prefix="/api/training", route_class=DbRoute)
TAGS: list[str | Enum] = ["training"]
UserId = Annotated[int, id_path("staff member")]
Own = Annotated[Principal, requires(Permission.TRAINING_OWN)]
Reader = Annotated[Principal, requires(Permission.TRAINING_READ)]
Writer = Annotated[Principal, requires(Permission.TRAINING_WRITE)]
Planner = Annotated[Principal, requires(Permission.WFM_USE)]
OnQ = Annotated[Day | None, Query(description="Read the records on this day (default: today)")]


@router.get("/courses", response_model=list[CourseOut], summary="The course catalogue", tags=TAGS)
def list_courses(session: ReadingSessionDep, principal: Own) -> list[CourseOut]:
    """Every course in use, with its hours, kind, who must take it and its pass mark."""
    return [views.course_out(c) for c in service.courses(session)]


@router.post(
    "/courses", response_model=CourseOut, status_code=201, summary="Add a course", tags=TAGS
)
def create_course(
    body: CourseIn, session: SessionDep, request: Request, principal: Writer
) -> CourseOut:
    """A course for the catalogue, required of its roles from today (409 if the code is taken)."""
    course = service.create_course(session, audit_ctx(request, principal), body, now())
    out = views.course_out(course)
    session.commit()
    return out


@router.get("/me", response_model=RecordOut, summary="My training record", tags=TAGS)
def my_record(session: ReadingSessionDep, principal: Own, on: OnQ = None) -> RecordOut:
    """Your courses done, hours this month against 8-12 h, and what is due next."""
    user = service.person(session, principal.user_id)
    return _record(session, user, on)


def _record(session, user, on):  # type: ignore[no-untyped-def]
    day = on or service.local_day(now())
    (read,) = service.standings(session, [user], day)
    return views.record_out(read, service.titles(session))


@router.get("/team", response_model=list[RecordOut], summary="The team's training", tags=TAGS)
def team(session: ReadingSessionDep, principal: Reader, on: OnQ = None) -> list[RecordOut]:
    """Everyone a supervisor leads (or, for trainers and compliance officers, all staff): who
    is due or overdue, and hours this month; most overdue first. Completions left out."""
    day = on or service.local_day(now())
    reads = service.standings(session, service.people(session, service.team_scope(principal)), day)
    reads.sort(key=lambda r: (-len(r.standing.overdue), -len(r.standing.due), r.user.display_name))
    titles = service.titles(session)
    return [views.record_out(r, titles, with_completions=False) for r in reads]


@router.get("/people/{user_id}", response_model=RecordOut, summary="A person's training", tags=TAGS)
def read_person(
    user_id: UserId, session: ReadingSessionDep, principal: Reader, on: OnQ = None
) -> RecordOut:
    """A staff member's record (a supervisor's: their team's only, else 404)."""
    user = service.person(session, user_id, service.team_scope(principal))
    return _record(session, user, on)


@router.put(
    "/people/{user_id}/start",
    response_model=RecordOut,
    summary="Set a person's start date",
    tags=TAGS,
)
def set_start(
    user_id: UserId, body: StartIn, session: SessionDep, request: Request, principal: Writer
) -> RecordOut:
    """When they started in member services (the new-hire window runs from it); 422 naming
    ``started_on`` if a recorded completion comes before it."""
    at = now()
    scope = service.team_scope(principal)
    service.set_start(session, audit_ctx(request, principal), user_id, body, at, scope)
    out = _record(session, service.person(session, user_id, scope), None)
    session.commit()
    return out


@router.post(
    "/people/{user_id}/completions",
    response_model=CompletionOut,
    status_code=201,
    summary="Record a completion",
    tags=TAGS,
)
def record_completion(
    user_id: UserId, body: CompletionIn, session: SessionDep, request: Request, principal: Writer
) -> CompletionOut:
    """A course finished on a day, with its hours and knowledge-check score: 422 naming
    ``completed_on`` before the start date or after today, ``quiz_score`` missing or out of
    range; 409 if the course is already recorded for that person and day."""
    at = now()
    done = service.record_completion(
        session, audit_ctx(request, principal), user_id, body, at, service.team_scope(principal)
    )
    out = views.completion_out(done, service.titles(session))
    session.commit()
    return out


@router.get(
    "/shrinkage",
    response_model=ShrinkageOut,
    summary="Training's share of shrinkage",
    tags=TAGS,
)
def shrinkage(
    session: ReadingSessionDep,
    principal: Planner,
    months: Annotated[
        int, Query(ge=1, le=24, description="Complete calendar months to average")
    ] = 3,
) -> ShrinkageOut:
    """For WFM analysts: the mean training hours front-line staff recorded per person-month over
    the last complete months (new hires in their first weeks and the new-hire programme left
    out), as a share of paid time: what ``memberdesk wfm plan --training-from records`` adds to
    shrinkage. Counts only, no one's record."""
    from memberdesk.wfm.plan import PlanInputs, training_share

    paid = PlanInputs().paid_hours_per_fte
    mean, count = service.recorded_monthly_hours(session, service.local_day(now()), months)
    return ShrinkageOut(
        months=months,
        person_months=count,
        hours_per_month=mean,
        paid_hours_per_year=paid,
        share=training_share(mean, paid),
    )
