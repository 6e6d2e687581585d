"""Training pages: the supervisor's dashboard (the team: who is due or overdue, hours this
month against 8-12 h), a person's record (one's own, or a team member's with the form to record
a completion), and the course catalogue. The same services as the JSON routes; problems are
said beside their field, nothing saved."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from memberdesk.breaches.forms import errors_of
from memberdesk.clock import now
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import Permission
from memberdesk.compliance.models import User
from memberdesk.db import DbRoute, ReadingSessionDep, SessionDep
from memberdesk.errors import MemberdeskError
from memberdesk.schemas import Day, id_path
from memberdesk.training import core, service, words
from memberdesk.training.enums import DueStatus
from memberdesk.training.schemas import CompletionIn, CourseIn, StartIn
from memberdesk.training.service import Read
from memberdesk.web.pages import render

router = APIRouter(include_in_schema=False, route_class=DbRoute)
Own = Annotated[Principal, requires(Permission.TRAINING_OWN)]
Reader = Annotated[Principal, requires(Permission.TRAINING_READ)]
Writer = Annotated[Principal, requires(Permission.TRAINING_WRITE)]
UserId = Annotated[int, id_path("staff member")]
HELP = {
    "course_id": "Choose a course from the catalogue.",
    "completed_on": "Enter the day the course was finished: not before the person started, "
    "not after today.",
    "hours": "Enter the hours spent, more than 0 and at most 24 (leave empty for the course's).",
    "quiz_score": "Enter the knowledge-check score from 0 to 100 (only for a course with one).",
    "started_on": "Enter the day they started, not after today and not after a course they "
    "have finished.",
    "code": "Use lower-case letters, digits and dashes (2 to 64), not used by another course.",
    "title": "Give the course a title.",
    "course_hours": "Enter the course's hours, more than 0 and at most 40.",
    "pass_mark": "Enter a pass mark from 0 to 100, or leave it empty for no knowledge check.",
    "renew_months": "Enter how many months until it is due again (1 to 60), or leave it empty.",
}
DONE = {"recorded": "Completion recorded.", "start": "Start date saved.", "course": "Course added."}


def _status_class(status: DueStatus) -> str:
    return {"overdue": "late", "due": "notice"}.get(status.value, "")


def _dues(r: Read) -> list[dict[str, Any]]:
    on = r.standing.on
    return [
        {
            "title": d.title,
            "status": words.STATUSES[d.status],
            "cls": _status_class(d.status),
            "due_on": words.day(d.due_on),
            "until": words.until(d.due_on, on),
            "last": words.day(d.last_done),
            "hours": (
                f"{words.hours(d.hours_done)} of {words.hours(d.hours_needed)}"
                if d.hours_needed is not None
                else ""
            ),
            "open": d.status is not DueStatus.CURRENT,
        }
        for d in r.standing.dues
    ]


def _month(r: Read) -> dict[str, Any]:
    h = r.standing.month_hours
    if not r.standing.monthly_applies:
        verdict = "The monthly minimum starts after the new-hire weeks."
    elif h >= core.MONTHLY_TARGET:
        verdict = "Target met."
    elif h >= core.MONTHLY_MINIMUM:
        verdict = "Minimum met; the target is 12 hours."
    else:
        verdict = f"{words.hours(core.MONTHLY_MINIMUM - h)} more needed by the end of the month."
    return {
        "hours": words.hours(h) if h else "0 h",
        "value": min(h, 16.0),
        "verdict": verdict,
        "short": r.standing.monthly_applies and h < core.MONTHLY_MINIMUM,
    }


def _row(r: Read) -> dict[str, Any]:
    return {
        "id": r.user.id,
        "name": r.user.display_name,
        "role": words.ROLES.get(r.user.role.value, r.user.role.value),
        "overdue": [d.title for d in r.standing.overdue],
        "due": [{"title": d.title, "by": words.day(d.due_on)} for d in r.standing.due],
        "month": _month(r),
    }


@router.get("/training")
def dashboard(
    request: Request,
    session: ReadingSessionDep,
    principal: Reader,
    on: Annotated[Day | None, Query()] = None,
) -> HTMLResponse:
    """The team's training: who is overdue or due, and hours this month."""
    day = on or service.local_day(now())
    reads = service.standings(session, service.people(session, service.team_scope(principal)), day)
    reads.sort(key=lambda r: (-len(r.standing.overdue), -len(r.standing.due), r.user.display_name))
    rows = [_row(r) for r in reads]
    front = [r for r in reads if r.standing.monthly_applies]
    return render(
        request,
        "training/dashboard.html",
        principal,
        rows=rows,
        month=f"{day:%B %Y}",
        today=words.day(day),
        overdue=sum(1 for r in rows if r["overdue"]),
        due=sum(1 for r in rows if r["due"] and not r["overdue"]),
        short=sum(1 for r in front if r.standing.month_hours < core.MONTHLY_MINIMUM),
        front=len(front),
        scoped=service.team_scope(principal) is not None,
    )


def _record_page(
    request: Request,
    session: Any,
    principal: Principal,
    user: User,
    own: bool,
    status: int = 200,
    **ctx: Any,
) -> HTMLResponse:
    day = service.local_day(now())
    (r,) = service.standings(session, [user], day)
    titles = service.titles(session)
    catalogue = service.courses(session)
    nxt = r.standing.next_due
    return render(
        request,
        "training/record.html",
        principal,
        status,
        own=own,
        person=user,
        role=words.ROLES.get(user.role.value, user.role.value),
        started=words.day(r.person.started_on),
        started_iso=r.person.started_on.isoformat(),
        month=_month(r),
        month_name=f"{day:%B %Y}",
        dues=_dues(r),
        next_due=(
            {
                "title": nxt.title,
                "by": words.day(nxt.due_on),
                "until": words.until(nxt.due_on, day),
                "late": nxt.status is DueStatus.OVERDUE,
            }
            if nxt is not None and nxt.due_on is not None
            else None
        ),
        done=[
            {
                "title": titles.get(c.course_id, ""),
                "on": words.day(c.completed_on),
                "hours": words.hours(c.hours),
                "score": f"{c.quiz_score:g}%" if c.quiz_score is not None else "No quiz",
                "passed": c.passed,
            }
            for c in r.done
        ],
        total=words.hours(sum(c.hours for c in r.done)),
        courses={str(c.id): f"{c.title} ({words.hours(c.hours)})" for c in catalogue},
        today=day.isoformat(),
        **{"errors": {}, "typed": {}, "done_msg": None, **ctx},
    )


@router.get("/training/me")
def my_record(
    request: Request,
    session: ReadingSessionDep,
    principal: Own,
) -> HTMLResponse:
    """My training: courses done, hours this month, what is due next."""
    user = service.person(session, principal.user_id)
    return _record_page(request, session, principal, user, own=True)


@router.get("/training/people/{user_id}")
def person_record(
    user_id: UserId,
    request: Request,
    session: ReadingSessionDep,
    principal: Reader,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    """A team member's training, with the form to record a completion."""
    user = service.person(session, user_id, service.team_scope(principal))
    return _record_page(request, session, principal, user, own=False, done_msg=DONE.get(done or ""))


def _number(text: str) -> str | None:
    return text.strip() or None


@router.post("/training/people/{user_id}/completions")
def record_completion(
    user_id: UserId,
    request: Request,
    session: SessionDep,
    principal: Writer,
    course_id: Annotated[str, Form()] = "",
    completed_on: Annotated[str, Form()] = "",
    hours: Annotated[str, Form()] = "",
    quiz_score: Annotated[str, Form()] = "",
) -> Response:
    """Record a completion; on a problem the record again with it beside its field."""
    scope = service.team_scope(principal)
    typed = {
        "course_id": course_id,
        "completed_on": completed_on,
        "hours": hours,
        "quiz_score": quiz_score,
    }
    try:
        body = CompletionIn.model_validate(
            {
                "course_id": course_id or None,
                "completed_on": completed_on,
                "hours": _number(hours),
                "quiz_score": _number(quiz_score),
            }
        )
        service.record_completion(
            session, audit_ctx(request, principal), user_id, body, now(), scope
        )
    except (ValidationError, MemberdeskError) as exc:
        session.rollback()
        user = service.person(session, user_id, scope)
        status = getattr(exc, "status_code", 422)
        return _record_page(
            request,
            session,
            principal,
            user,
            False,
            status,
            errors=errors_of(exc, HELP),
            typed=typed,
        )
    session.commit()
    return RedirectResponse(f"/training/people/{user_id}?done=recorded", status_code=303)


@router.post("/training/people/{user_id}/start")
def set_start(
    user_id: UserId,
    request: Request,
    session: SessionDep,
    principal: Writer,
    started_on: Annotated[str, Form()] = "",
) -> Response:
    """Set the start date; on a problem the record again with it beside the field."""
    scope = service.team_scope(principal)
    try:
        body = StartIn.model_validate({"started_on": started_on})
        service.set_start(session, audit_ctx(request, principal), user_id, body, now(), scope)
    except (ValidationError, MemberdeskError) as exc:
        session.rollback()
        user = service.person(session, user_id, scope)
        return _record_page(
            request,
            session,
            principal,
            user,
            False,
            getattr(exc, "status_code", 422),
            errors=errors_of(exc, HELP),
            typed={"started_on": started_on},
        )
    session.commit()
    return RedirectResponse(f"/training/people/{user_id}?done=start", status_code=303)


def _catalogue(
    request: Request, session: Any, principal: Principal, status: int = 200, **ctx: Any
) -> HTMLResponse:
    rows = [
        {
            "title": c.title,
            "code": c.code,
            "kind": words.KINDS[c.kind],
            "hours": words.hours(c.hours),
            "roles": words.roles(list(c.required_roles)),
            "renews": words.renews(c.renew_months, bool(c.required_roles)),
            "quiz": f"Pass mark {c.pass_mark:g}%" if c.pass_mark is not None else "No quiz",
            "description": c.description,
        }
        for c in service.courses(session)
    ]
    return render(
        request,
        "training/courses.html",
        principal,
        status,
        courses=rows,
        kinds={k.value: w for k, w in words.KINDS.items()},
        roles=words.ROLES,
        **{"errors": {}, "typed": {}, "chosen": [], "done_msg": None, **ctx},
    )


@router.get("/training/courses")
def courses(
    request: Request,
    session: ReadingSessionDep,
    principal: Own,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    """The course catalogue (and, for trainers, adding a course)."""
    return _catalogue(request, session, principal, done_msg=DONE.get(done or ""))


@router.post("/training/courses")
async def create_course(
    request: Request,
    session: SessionDep,
    principal: Writer,
    code: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "",
    course_hours: Annotated[str, Form()] = "",
    pass_mark: Annotated[str, Form()] = "",
    renew_months: Annotated[str, Form()] = "",
) -> Response:
    """Add a course to the catalogue."""
    form = await request.form()
    chosen = [str(v) for v in form.getlist("required_roles")]
    typed = {
        "code": code,
        "title": title,
        "kind": kind,
        "course_hours": course_hours,
        "pass_mark": pass_mark,
        "renew_months": renew_months,
    }
    try:
        body = CourseIn.model_validate(
            {
                "code": code,
                "title": title,
                "kind": kind,
                "hours": _number(course_hours),
                "pass_mark": _number(pass_mark),
                "renew_months": _number(renew_months),
                "required_roles": chosen,
            }
        )
        service.create_course(session, audit_ctx(request, principal), body, now())
    except (ValidationError, MemberdeskError) as exc:
        session.rollback()
        errors = errors_of(exc, HELP | {"hours": HELP["course_hours"]})
        if "hours" in errors:
            errors["course_hours"] = errors.pop("hours")
        status = getattr(exc, "status_code", 422)
        return _catalogue(
            request, session, principal, status, errors=errors, typed=typed, chosen=chosen
        )
    session.commit()
    return RedirectResponse("/training/courses?done=course", status_code=303)
