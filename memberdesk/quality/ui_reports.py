"""The QA figures' pages: results (agent and team averages against the 90% goal), the
semi-annual audit, and calibration sessions (every evaluator's score and the spread)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import Permission
from memberdesk.contacts.models import Contact
from memberdesk.db import DbRoute, ReadingSessionDep, SessionDep
from memberdesk.errors import MemberdeskError, NotFound
from memberdesk.quality import calibration, reports, scoring, service, views, words
from memberdesk.quality.models import Calibration, QaScorecard
from memberdesk.quality.schemas import CalibrationIn
from memberdesk.quality.ui_forms import form_errors, items_view, read_scores
from memberdesk.schemas import id_path
from memberdesk.web.pages import render

router = APIRouter(include_in_schema=False, route_class=DbRoute)
Reader = Annotated[Principal, requires(Permission.QA_READ)]
Evaluator = Annotated[Principal, requires(Permission.QA_EVALUATE)]
CalibrationId = Annotated[int, id_path("calibration session")]
MONTH = r"^(20|21)\d\d-(0[1-9]|1[0-2])$"


def _month_back(period: str, back: int) -> str:
    y, m = int(period[:4]), int(period[5:7]) - back
    while m < 1:
        y, m = y - 1, m + 12
    return f"{y:04d}-{m:02d}"


@router.get("/qa/results")
def results(
    request: Request,
    session: ReadingSessionDep,
    principal: Reader,
    start: Annotated[str | None, Query(pattern=MONTH)] = None,
    end: Annotated[str | None, Query(pattern=MONTH)] = None,
) -> HTMLResponse:
    """Averages of the chosen months against the 90% goal (default: the last three months)."""
    this = service.period_of(now())
    end = end or this
    start = start or _month_back(end, 2)
    if start > end:
        start, end = end, start
    out = reports.results(session, principal, start, end)
    agents = [
        {"r": a, "avg": words.percent(a.average), "standing": words.standing(a.average)}
        for a in out.agents
    ]
    teams = [
        {"t": t, "avg": words.percent(t.average), "standing": words.standing(t.average)}
        for t in out.teams
    ]
    return render(
        request, "quality/results.html", principal,
        out=out, agents=agents, teams=teams, overall=words.percent(out.overall),
        overall_standing=words.standing(out.overall), goal=scoring.GOAL,
    )  # fmt: skip


@router.get("/qa/audit")
def audit_report(
    request: Request,
    session: ReadingSessionDep,
    principal: Reader,
    year: Annotated[int | None, Query(ge=2000, le=2199)] = None,
    half: Annotated[int | None, Query(ge=1, le=2)] = None,
) -> HTMLResponse:
    """The semi-annual audit: per agent, evaluations, average, under 80%, corrective training."""
    at = now()
    today = at.date()
    # Default: the last complete half-year (the one an audit is held on).
    if year is None or half is None:
        year, half = (today.year - 1, 2) if today.month <= 6 else (today.year, 1)
    out = reports.audit_report(session, principal, year, half, at)
    rows = [
        {"r": r, "avg": words.percent(r.average), "standing": words.standing(r.average)}
        for r in out.rows
    ]
    first, last = reports.half_bounds(year, half)
    return render(
        request, "quality/audit.html", principal,
        out=out, rows=rows, first=date.fromisoformat(first + "-01"),
        last=date.fromisoformat(last + "-01"), years=list(range(today.year, today.year - 5, -1)),
    )  # fmt: skip


def _calibrations_page(
    request: Request, session: Session, principal: Principal, status: int = 200, **ctx: Any
) -> HTMLResponse:
    at = now()
    cals = list(session.scalars(select(Calibration).order_by(Calibration.id.desc()).limit(50)))
    rows = []
    for c in cals:
        out = views.calibration_out(session, c)
        rows.append({"c": c, "s": out.spread, "when": words.when(c.created_at, at)})
    return render(
        request, "quality/calibrations.html", principal, status=status,
        rows=rows, errors=ctx.pop("errors", {}), typed=ctx.pop("typed", {}), **ctx,
    )  # fmt: skip


@router.get("/qa/calibrations")
def calibrations(
    request: Request, session: ReadingSessionDep, principal: Evaluator
) -> HTMLResponse:
    """Calibration sessions with their spread, and a form to open one."""
    return _calibrations_page(request, session, principal)


@router.post("/qa/calibrations")
def open_calibration(
    request: Request,
    session: SessionDep,
    principal: Evaluator,
    title: Annotated[str, Form()] = "",
    contact_id: Annotated[str, Form()] = "",
) -> Response:
    """Open a session on a contact."""
    typed = {"title": title, "contact_id": contact_id}
    try:
        body = CalibrationIn.model_validate({"title": title, "contact_id": contact_id or None})
        cal = calibration.create_calibration(
            session,
            audit_ctx(request, principal),
            principal.user_id,
            body.title,
            body.contact_id,
            None,
        )
    except (ValidationError, MemberdeskError) as exc:
        session.rollback()
        errors = form_errors(exc)
        if "contact_id" in errors and isinstance(exc, ValidationError):
            errors["contact_id"] = "Enter the contact's number."
        if "title" in errors and isinstance(exc, ValidationError):
            errors["title"] = "Give the session a name."
        return _calibrations_page(request, session, principal, 422, errors=errors, typed=typed)
    session.commit()
    return RedirectResponse(f"/qa/calibrations/{cal.id}", status_code=303)


def _session_page(
    request: Request,
    session: Session,
    principal: Principal,
    cal: Calibration,
    status: int = 200,
    **ctx: Any,
) -> HTMLResponse:
    at = now()
    out = views.calibration_out(session, cal)
    card = session.get(QaScorecard, cal.scorecard_id)
    contact = session.get(Contact, cal.contact_id)
    assert card is not None and contact is not None
    mine = any(s.evaluator_id == principal.user_id for s in out.scores)
    return render(
        request, "quality/calibration.html", principal, status=status,
        cal=cal, out=out, card=card, mine=mine, items=items_view(card, ctx.pop("given", None)),
        agent=service.names(session, [contact.agent_id]).get(contact.agent_id or 0, ""),
        contact_when=words.when(contact.started_at, at), errors=ctx.pop("errors", {}),
        scores=[{"s": s, "score": words.percent(s.score)} for s in out.scores], **ctx,
    )  # fmt: skip


@router.get("/qa/calibrations/{calibration_id}")
def calibration_page(
    request: Request,
    session: ReadingSessionDep,
    principal: Evaluator,
    calibration_id: CalibrationId,
) -> HTMLResponse:
    """A session: each evaluator's score, the spread, and the caller's own score form."""
    cal = session.get(Calibration, calibration_id)
    if cal is None:
        raise NotFound("no such calibration")
    return _session_page(request, session, principal, cal)


@router.post("/qa/calibrations/{calibration_id}")
async def score_calibration(
    request: Request, session: SessionDep, principal: Evaluator, calibration_id: CalibrationId
) -> Response:
    """Save the caller's scores in the session."""
    cal = session.get(Calibration, calibration_id)
    if cal is None:
        raise NotFound("no such calibration")
    card = session.get(QaScorecard, cal.scorecard_id)
    assert card is not None
    form = await request.form()
    scores, errors = read_scores(card, form)
    if not errors:
        try:
            calibration.score_calibration(
                session, audit_ctx(request, principal), principal.user_id, cal.id, scores,
                str(form.get("comments", ""))[:2000], now(),
            )  # fmt: skip
        except MemberdeskError as exc:
            session.rollback()
            errors = form_errors(exc)
    if errors:
        return _session_page(request, session, principal, cal, 422, errors=errors, given=scores)
    session.commit()
    return RedirectResponse(f"/qa/calibrations/{cal.id}", status_code=303)
