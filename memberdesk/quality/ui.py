"""The QA pages: the workspace (draw the month's sample, pick a contact, evaluate it beside its
details on the scorecard), evaluations (an agent's own, a supervisor's team, everyone for QA)
with acknowledge, dispute and the dispute's decision, and corrective training to complete.

Forms work without JavaScript (Post/Redirect/Get) and carry the CSRF token; a refusal is said in
words beside its field, nothing saved."""

from __future__ import annotations

from datetime import timedelta
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
from memberdesk.compliance.models import User
from memberdesk.contacts import access
from memberdesk.contacts.models import Contact
from memberdesk.db import DbRoute, ReadingSessionDep, SessionDep, begin_writing
from memberdesk.errors import MemberdeskError
from memberdesk.quality import sample, service, words
from memberdesk.quality.enums import (
    CorrectiveState,
    DisputeOutcome,
    EvaluationKind,
    EvaluationState,
)
from memberdesk.quality.models import CorrectiveAssignment, Evaluation, QaScorecard
from memberdesk.quality.schemas import DisputeIn, SampleIn
from memberdesk.quality.ui_forms import form_errors, items_view, read_scores
from memberdesk.schemas import id_path
from memberdesk.web.pages import render

router = APIRouter(include_in_schema=False, route_class=DbRoute)
Reader = Annotated[Principal, requires(Permission.QA_READ)]
Evaluator = Annotated[Principal, requires(Permission.QA_EVALUATE)]
Responder = Annotated[Principal, requires(Permission.QA_RESPOND)]
Resolver = Annotated[Principal, requires(Permission.QA_RESOLVE)]
ContactId = Annotated[int, id_path("contact")]
EvaluationId = Annotated[int, id_path("evaluation")]
AssignmentId = Annotated[int, id_path("corrective assignment")]
DONE = {
    "scored": "Evaluation saved. The agent sees it on their evaluations page.",
    "sampled": "The month's sample is drawn: the contacts wait below to be scored.",
    "acknowledged": "Acknowledged. Thank you.",
    "disputed": "Dispute sent. A supervisor or QA analyst will decide it.",
    "resolved": "Dispute decided.",
    "completed": "Corrective training recorded as completed.",
}
RECENT_DAYS = 30


def _done(done: str | None) -> str | None:
    return DONE.get(done or "")


def _agent_rows(session: Session, evs: list[Evaluation], at: Any) -> list[dict[str, Any]]:
    who = service.names(session, [e.agent_id for e in evs])
    contacts = {
        c.id: c
        for c in session.scalars(select(Contact).where(Contact.id.in_([e.contact_id for e in evs])))
    } if evs else {}  # fmt: skip
    rows = []
    for e in evs:
        text, badge = words.standing(e.score)
        c = contacts.get(e.contact_id)
        rows.append({
            "e": e, "agent": who.get(e.agent_id, ""), "kind": words.KINDS[e.kind],
            "state": words.STATES[e.state], "score": words.percent(e.score), "standing": text,
            "badge": badge, "when": words.when(c.started_at, at) if c else "—",
            "channel": words.CHANNELS.get(c.channel.value, c.channel.value) if c else "",
        })  # fmt: skip
    return rows


@router.get("/qa")
def workspace(
    request: Request,
    session: ReadingSessionDep,
    principal: Evaluator,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    """The QA workspace: the sample waiting to be scored, recent contacts to pick from."""
    return _workspace(request, session, principal, 200, done=_done(done))


def _workspace(
    request: Request, session: Session, principal: Principal, status: int, **ctx: Any
) -> HTMLResponse:
    at = now()
    pending = list(
        session.scalars(
            select(Evaluation)
            .where(Evaluation.state == EvaluationState.PENDING)
            .order_by(Evaluation.period.desc(), Evaluation.agent_id, Evaluation.id)
            .limit(100)
        )
    )
    evaluated = select(Evaluation.contact_id).where(Evaluation.calibration_id.is_(None))
    recent = list(
        session.scalars(
            select(Contact)
            .join(User, User.id == Contact.agent_id)
            .where(
                Contact.started_at >= at - timedelta(days=RECENT_DAYS),
                User.role.in_(service.AGENT_ROLES),
                Contact.id.not_in(evaluated),
            )
            .order_by(Contact.started_at.desc())
            .limit(25)
        )
    )
    who = service.names(session, [c.agent_id for c in recent])
    return render(
        request, "quality/workspace.html", principal, status=status,
        pending=_agent_rows(session, pending, at),
        recent=[
            {"c": c, "agent": who.get(c.agent_id or 0, ""), "when": words.when(c.started_at, at),
             "channel": words.CHANNELS.get(c.channel.value, c.channel.value)}
            for c in recent
        ],
        period=service.period_of(at), errors=ctx.pop("errors", {}), typed=ctx.pop("typed", {}),
        **ctx,
    )  # fmt: skip


@router.post("/qa/sample")
def draw_sample(
    request: Request,
    session: SessionDep,
    principal: Evaluator,
    period: Annotated[str, Form()] = "",
    per_agent: Annotated[str, Form()] = "5",
    seed: Annotated[str, Form()] = "1",
) -> Response:
    """Draw the month's random sample (the same seed draws the same contacts)."""
    typed = {"period": period, "per_agent": per_agent, "seed": seed}
    try:
        body = SampleIn.model_validate(
            {"period": period.strip(), "per_agent": per_agent or "5", "seed": seed or "1"}
        )
        sample.draw_sample(
            session, audit_ctx(request, principal), body.period, body.per_agent, body.seed, now()
        )
    except (ValidationError, MemberdeskError) as exc:
        session.rollback()
        errors = form_errors(exc)
        if "period" in errors:
            errors["period"] = "Enter a month written like 2026-06."
        return _workspace(request, session, principal, 422, errors=errors, typed=typed)
    session.commit()
    return RedirectResponse("/qa?done=sampled", status_code=303)


@router.get("/qa/contact")
def pick_contact(
    principal: Evaluator, contact: Annotated[int, Query(ge=1, le=2**31 - 1)]
) -> Response:
    """The "pick a contact by its number" form."""
    return RedirectResponse(f"/qa/contacts/{contact}", status_code=303)


def _evaluate_page(
    request: Request,
    session: Session,
    principal: Principal,
    contact_id: int,
    status: int = 200,
    **ctx: Any,
) -> HTMLResponse:
    at = now()
    contact = access.read_contact(
        session, audit_ctx(request, principal), contact_id, request.url.path
    )
    existing = session.scalar(
        select(Evaluation).where(
            Evaluation.contact_id == contact.id, Evaluation.calibration_id.is_(None)
        )
    )
    card = (
        session.get(QaScorecard, existing.scorecard_id)
        if existing
        else service.get_scorecard(session, None, "scorecard")
    )
    assert card is not None
    agent = service.names(session, [contact.agent_id]).get(contact.agent_id or 0, "")
    return render(
        request, "quality/evaluate.html", principal, status=status,
        c=contact, agent=agent, card=card, existing=existing,
        scored=existing is not None and existing.state != EvaluationState.PENDING,
        items=items_view(card, ctx.pop("given", None)),
        when=words.when(contact.started_at, at),
        ended=words.when(contact.ended_at, at) if contact.ended_at else None,
        channel=words.CHANNELS.get(contact.channel.value, contact.channel.value),
        verified=words.when(contact.verified_at, at) if contact.verified_at else None,
        errors=ctx.pop("errors", {}), comments=ctx.pop("comments", ""), **ctx,
    )  # fmt: skip


@router.get("/qa/contacts/{contact_id}")
def evaluate_page(
    request: Request, session: ReadingSessionDep, principal: Evaluator, contact_id: ContactId
) -> HTMLResponse:
    """A contact's details beside the scorecard form (the read of the contact is audited)."""
    begin_writing(session)  # the contact read is audited
    page = _evaluate_page(request, session, principal, contact_id)
    session.commit()
    return page


@router.post("/qa/contacts/{contact_id}")
async def evaluate(
    request: Request, session: SessionDep, principal: Evaluator, contact_id: ContactId
) -> Response:
    """Save the scores (a sampled evaluation of this contact, or a new targeted one)."""
    form = await request.form()
    comments = str(form.get("comments", ""))[:2000].strip()
    at = now()
    ctx = audit_ctx(request, principal)
    existing = session.scalar(
        select(Evaluation).where(
            Evaluation.contact_id == contact_id, Evaluation.calibration_id.is_(None)
        )
    )
    card = (
        session.get(QaScorecard, existing.scorecard_id) if existing
        else service.get_scorecard(session, None, "scorecard")
    )  # fmt: skip
    assert card is not None
    scores, errors = read_scores(card, form)
    if not errors:
        try:
            if existing is not None:
                ev = service.score_pending(
                    session, ctx, principal.user_id, existing.id, scores, comments, at
                )
            else:
                ev = service.evaluate_contact(
                    session, ctx, principal.user_id, contact_id, card.id, scores, comments, at
                )
        except MemberdeskError as exc:
            session.rollback()
            errors = form_errors(exc)
    if errors:
        page = _evaluate_page(
            request,
            session,
            principal,
            contact_id,
            422,
            errors=errors,
            given=scores,
            comments=comments,
        )
        session.commit()  # only the audited read of the contact
        return page
    session.commit()
    return RedirectResponse(f"/qa/evaluations/{ev.id}?done=scored", status_code=303)


@router.get("/qa/evaluations")
def evaluations(
    request: Request,
    session: ReadingSessionDep,
    principal: Reader,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    """Evaluations the caller may see (agents: their own) and corrective training."""
    at = now()
    stmt = select(Evaluation).where(
        Evaluation.kind != EvaluationKind.CALIBRATION, Evaluation.state != EvaluationState.PENDING
    )
    evs = list(
        session.scalars(
            service.scoped(stmt, principal, Evaluation.agent_id)
            .order_by(Evaluation.id.desc())
            .limit(200)
        )
    )
    assignments = list(
        session.scalars(
            service.scoped(
                select(CorrectiveAssignment).order_by(
                    (CorrectiveAssignment.state != CorrectiveState.OPEN),
                    CorrectiveAssignment.due_at,
                ),
                principal,
                CorrectiveAssignment.agent_id,
            ).limit(200)
        )
    )
    who = service.names(session, [a.agent_id for a in assignments])
    training = []
    for a in assignments:
        text, late = words.corrective_words(a.state, a.due_at, a.completed_at, at)
        training.append({
            "a": a, "agent": who.get(a.agent_id, ""), "state": words.CORRECTIVE[a.state],
            "due": words.when(a.due_at, at), "standing": text, "late": late,
            "mine": a.agent_id == principal.user_id and a.state == CorrectiveState.OPEN,
        })  # fmt: skip
    return render(
        request, "quality/evaluations.html", principal,
        rows=_agent_rows(session, evs, at), training=training, done=_done(done),
        own_only=principal.role not in (*service.SEE_ALL, *service.SUPERVISORS),
    )  # fmt: skip


def _detail(
    request: Request,
    session: Session,
    principal: Principal,
    ev: Evaluation,
    status: int = 200,
    **ctx: Any,
) -> HTMLResponse:
    at = now()
    card = session.get(QaScorecard, ev.scorecard_id)
    assert card is not None
    points = {s.item_id: s.points for s in ev.scores}
    contact = session.get(Contact, ev.contact_id)
    corrective = service.corrective_of(session, ev.id)
    who = service.names(session, [ev.agent_id, ev.evaluator_id, ev.resolved_by_id])
    text, badge = words.standing(ev.score)
    own = ev.agent_id == principal.user_id
    given = {i.key: points.get(i.id) for i in card.items}
    standing = (
        words.corrective_words(corrective.state, corrective.due_at, corrective.completed_at, at)
        if corrective
        else None
    )
    lines = [
        {"i": i, "points": points.get(i.id), "na": i.id in points and points[i.id] is None}
        for i in card.items
    ]
    return render(
        request,
        "quality/evaluation.html",
        principal,
        status=status,
        e=ev,
        card=card,
        agent=who.get(ev.agent_id, ""),
        evaluator=who.get(ev.evaluator_id or 0, ""),
        resolver=who.get(ev.resolved_by_id or 0, ""),
        kind=words.KINDS[ev.kind],
        state=words.STATES[ev.state],
        score=words.percent(ev.score),
        standing=text,
        badge=badge,
        lines=lines,
        contact_when=words.when(contact.started_at, at) if contact else "—",
        channel=words.CHANNELS.get(contact.channel.value, "") if contact else "",
        scored_at=words.when(ev.scored_at, at),
        outcome=words.OUTCOMES.get(ev.outcome) if ev.outcome else None,
        corrective=corrective,
        corrective_state=words.CORRECTIVE[corrective.state] if corrective else None,
        corrective_due=words.when(corrective.due_at, at) if corrective else None,
        corrective_standing=standing,
        may_respond=own and ev.state == EvaluationState.SCORED,
        may_complete=own and corrective is not None and corrective.state == CorrectiveState.OPEN,
        may_resolve=not own and ev.state == EvaluationState.DISPUTED,
        items=items_view(card, ctx.pop("given", None) or given),
        errors=ctx.pop("errors", {}),
        typed=ctx.pop("typed", {}),
        done=_done(ctx.pop("done", None)),
        **ctx,
    )


@router.get("/qa/evaluations/{evaluation_id}")
def evaluation(
    request: Request,
    session: ReadingSessionDep,
    principal: Reader,
    evaluation_id: EvaluationId,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    """One evaluation: points per item, the score against the goal, what follows."""
    ev = service.visible_evaluation(session, principal, evaluation_id)
    return _detail(request, session, principal, ev, done=done)


@router.post("/qa/evaluations/{evaluation_id}/acknowledge")
def acknowledge(
    request: Request, session: SessionDep, principal: Responder, evaluation_id: EvaluationId
) -> Response:
    """The agent acknowledges their evaluation."""
    service.acknowledge(session, audit_ctx(request, principal), principal, evaluation_id, now())
    session.commit()
    return RedirectResponse(f"/qa/evaluations/{evaluation_id}?done=acknowledged", status_code=303)


@router.post("/qa/evaluations/{evaluation_id}/dispute")
def dispute(
    request: Request,
    session: SessionDep,
    principal: Responder,
    evaluation_id: EvaluationId,
    reason: Annotated[str, Form()] = "",
) -> Response:
    """The agent disputes their evaluation, saying why."""
    try:
        body = DisputeIn.model_validate({"reason": reason})
        service.dispute(
            session, audit_ctx(request, principal), principal, evaluation_id, body.reason, now()
        )
    except ValidationError:
        session.rollback()
        ev = service.visible_evaluation(session, principal, evaluation_id)
        errors = {"reason": "Say why you disagree, in at least 10 characters."}
        return _detail(
            request, session, principal, ev, 422, errors=errors, typed={"reason": reason}
        )
    session.commit()
    return RedirectResponse(f"/qa/evaluations/{evaluation_id}?done=disputed", status_code=303)


@router.post("/qa/evaluations/{evaluation_id}/resolve")
async def resolve(
    request: Request, session: SessionDep, principal: Resolver, evaluation_id: EvaluationId
) -> Response:
    """Decide a dispute: the score stands, or rescore it."""
    form = await request.form()
    note = str(form.get("note", ""))[:2000].strip()
    try:
        outcome = DisputeOutcome(str(form.get("outcome", "")))
    except ValueError:
        outcome = None
    ev = service.visible_evaluation(session, principal, evaluation_id)
    card = session.get(QaScorecard, ev.scorecard_id)
    assert card is not None
    scores, errors = read_scores(card, form) if outcome == DisputeOutcome.RESCORED else ({}, {})
    if outcome is None:
        errors = {"outcome": "Choose whether the score stands or is corrected."}
    if not errors and outcome is not None:
        try:
            service.resolve(
                session, audit_ctx(request, principal), principal, evaluation_id, outcome, note,
                scores if outcome == DisputeOutcome.RESCORED else None, now(),
            )  # fmt: skip
        except MemberdeskError as exc:
            session.rollback()
            errors = form_errors(exc)
    if errors:
        return _detail(
            request,
            session,
            principal,
            ev,
            422,
            errors=errors,
            given=scores or None,
            typed={"note": note},
        )
    session.commit()
    return RedirectResponse(f"/qa/evaluations/{evaluation_id}?done=resolved", status_code=303)


@router.post("/qa/corrective/{assignment_id}/complete")
def complete(
    request: Request,
    session: SessionDep,
    principal: Responder,
    assignment_id: AssignmentId,
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """The agent records their corrective training done."""
    service.complete_corrective(
        session, audit_ctx(request, principal), principal, assignment_id, note, now()
    )
    session.commit()
    return RedirectResponse("/qa/evaluations?done=completed", status_code=303)
