"""JSON routes of quality assurance: scorecards, the monthly sample, evaluations and the
agent's acknowledgement or dispute, dispute decisions, corrective training, calibration
sessions, results against the 90% goal and the semi-annual audit.

Agents see only their own evaluations, supervisors their team's, QA analysts and compliance
officers everyone's; another agent's evaluation is a 404, never a hint that it exists."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy import func, select

from memberdesk.clock import now
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import Permission
from memberdesk.db import DbRoute, ReadingSessionDep, SessionDep
from memberdesk.errors import InvalidInput, NotFound
from memberdesk.quality import calibration, reports, sample, service, views
from memberdesk.quality.enums import CorrectiveState, EvaluationKind, EvaluationState
from memberdesk.quality.models import Calibration, CorrectiveAssignment, Evaluation, QaScorecard
from memberdesk.quality.schemas import (
    AuditOut,
    CalibrationIn,
    CalibrationOut,
    CalibrationScoreIn,
    CompleteIn,
    CorrectiveOut,
    DisputeIn,
    EvaluateIn,
    EvaluationOut,
    ResolveIn,
    ResultsOut,
    SampleIn,
    SampleOut,
    ScorecardIn,
    ScorecardOut,
)
from memberdesk.schemas import LimitQ, OffsetQ, Page, id_path, id_query

router = APIRouter(prefix="/api/qa", route_class=DbRoute)
TAGS: list[str | Enum] = ["quality assurance"]
Reader = Annotated[Principal, requires(Permission.QA_READ)]
Evaluator = Annotated[Principal, requires(Permission.QA_EVALUATE)]
Responder = Annotated[Principal, requires(Permission.QA_RESPOND)]
Resolver = Annotated[Principal, requires(Permission.QA_RESOLVE)]
ScorecardId = Annotated[int, id_path("scorecard")]
EvaluationId = Annotated[int, id_path("evaluation")]
AssignmentId = Annotated[int, id_path("corrective assignment")]
CalibrationId = Annotated[int, id_path("calibration session")]
MonthQ = Annotated[
    str, Query(pattern=r"^(20|21)\d\d-(0[1-9]|1[0-2])$", description="A month, YYYY-MM")
]


@router.get("/scorecards", response_model=list[ScorecardOut], summary="Scorecards", tags=TAGS)
def list_scorecards(session: ReadingSessionDep, principal: Reader) -> list[ScorecardOut]:
    """Every scorecard template with its weighted and auto-fail items."""
    return [views.scorecard_out(c) for c in service.scorecards(session)]


@router.post(
    "/scorecards",
    response_model=ScorecardOut,
    status_code=201,
    summary="Create a scorecard",
    tags=TAGS,
)
def create_scorecard(
    body: ScorecardIn, session: SessionDep, request: Request, principal: Evaluator
) -> ScorecardOut:
    """A scorecard template. 422 naming ``body.items`` unless the weights sum to 100 (or an
    item's field when it is out of range); 409 when the name is in use."""
    card = service.create_scorecard(session, audit_ctx(request, principal), body, principal.user_id)
    out = views.scorecard_out(card)
    session.commit()
    return out


@router.get(
    "/scorecards/{scorecard_id}", response_model=ScorecardOut, summary="A scorecard", tags=TAGS
)
def get_scorecard(
    scorecard_id: ScorecardId, session: ReadingSessionDep, principal: Reader
) -> ScorecardOut:
    """One scorecard template."""
    card = session.get(QaScorecard, scorecard_id)
    if card is None:
        raise NotFound("no such scorecard")
    return views.scorecard_out(card)


@router.post(
    "/samples", response_model=SampleOut, status_code=201, summary="Draw the sample", tags=TAGS
)
def draw_sample(
    body: SampleIn, session: SessionDep, request: Request, principal: Evaluator
) -> SampleOut:
    """Draw up to ``per_agent`` contacts of each agent's month to be scored; the same seed
    draws the same contacts, and drawing again only tops each agent up."""
    drawn = sample.draw_sample(
        session, audit_ctx(request, principal), body.period, body.per_agent, body.seed, now()
    )
    session.commit()
    return SampleOut(
        period=body.period,
        seed=body.seed,
        drawn=len(drawn.evaluation_ids),
        agents=drawn.agents,
        evaluation_ids=drawn.evaluation_ids,
    )


@router.get("/evaluations", response_model=Page[EvaluationOut], summary="Evaluations", tags=TAGS)
def list_evaluations(
    session: ReadingSessionDep,
    principal: Reader,
    agent_id: Annotated[int | None, id_query("agent")] = None,
    state: Annotated[EvaluationState | None, Query(description="Only this state")] = None,
    period: Annotated[
        str | None,
        Query(pattern=r"^(20|21)\d\d-(0[1-9]|1[0-2])$", description="Only this month, YYYY-MM"),
    ] = None,
    limit: LimitQ = 50,
    offset: OffsetQ = 0,
) -> Page[EvaluationOut]:
    """Evaluations the caller may see (agents: their own), newest first; calibration scores
    are in their sessions, not here."""
    stmt = select(Evaluation).where(Evaluation.kind != EvaluationKind.CALIBRATION)
    if agent_id is not None:
        stmt = stmt.where(Evaluation.agent_id == agent_id)
    if state is not None:
        stmt = stmt.where(Evaluation.state == state)
    if period is not None:
        stmt = stmt.where(Evaluation.period == period)
    stmt = service.scoped(stmt, principal, Evaluation.agent_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(Evaluation.id.desc()).limit(limit).offset(offset))
    at = now()
    return Page[EvaluationOut](
        items=[views.evaluation_out(session, e, at) for e in rows],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.post(
    "/evaluations",
    response_model=EvaluationOut,
    status_code=201,
    summary="Evaluate a contact",
    tags=TAGS,
)
def evaluate(
    body: EvaluateIn, session: SessionDep, request: Request, principal: Evaluator
) -> EvaluationOut:
    """Score a contact (a targeted evaluation). 422 naming the field for a score out of its
    item's range, an unknown item, a missing one; 409 when the contact is evaluated already.
    Under 80% opens corrective training due in 10 business days."""
    if body.contact_id is None:
        raise InvalidInput("name the contact to evaluate", field="body.contact_id")
    at = now()
    ev = service.evaluate_contact(
        session, audit_ctx(request, principal), principal.user_id, body.contact_id,
        body.scorecard_id, body.scores, body.comments, at,
    )  # fmt: skip
    out = views.evaluation_out(session, ev, at)
    session.commit()
    return out


@router.get(
    "/evaluations/{evaluation_id}",
    response_model=EvaluationOut,
    summary="An evaluation",
    tags=TAGS,
)
def get_evaluation(
    evaluation_id: EvaluationId, session: ReadingSessionDep, principal: Reader
) -> EvaluationOut:
    """One evaluation the caller may see (404 otherwise)."""
    ev = service.visible_evaluation(session, principal, evaluation_id)
    return views.evaluation_out(session, ev, now())


@router.post(
    "/evaluations/{evaluation_id}/score",
    response_model=EvaluationOut,
    summary="Score a sampled evaluation",
    tags=TAGS,
)
def score_sampled(
    evaluation_id: EvaluationId,
    body: EvaluateIn,
    session: SessionDep,
    request: Request,
    principal: Evaluator,
) -> EvaluationOut:
    """Score an evaluation the sample drew (409 when it is scored already)."""
    at = now()
    ev = service.score_pending(
        session, audit_ctx(request, principal), principal.user_id, evaluation_id,
        body.scores, body.comments, at,
    )  # fmt: skip
    out = views.evaluation_out(session, ev, at)
    session.commit()
    return out


@router.post(
    "/evaluations/{evaluation_id}/acknowledge",
    response_model=EvaluationOut,
    summary="Acknowledge my evaluation",
    tags=TAGS,
)
def acknowledge(
    evaluation_id: EvaluationId, session: SessionDep, request: Request, principal: Responder
) -> EvaluationOut:
    """The agent acknowledges an evaluation of theirs (409 unless scored and undisputed)."""
    at = now()
    ev = service.acknowledge(session, audit_ctx(request, principal), principal, evaluation_id, at)
    out = views.evaluation_out(session, ev, at)
    session.commit()
    return out


@router.post(
    "/evaluations/{evaluation_id}/dispute",
    response_model=EvaluationOut,
    summary="Dispute my evaluation",
    tags=TAGS,
)
def dispute(
    evaluation_id: EvaluationId,
    body: DisputeIn,
    session: SessionDep,
    request: Request,
    principal: Responder,
) -> EvaluationOut:
    """The agent disputes an evaluation of theirs, with a reason (409 unless scored)."""
    at = now()
    ev = service.dispute(
        session, audit_ctx(request, principal), principal, evaluation_id, body.reason, at
    )
    out = views.evaluation_out(session, ev, at)
    session.commit()
    return out


@router.post(
    "/evaluations/{evaluation_id}/resolve",
    response_model=EvaluationOut,
    summary="Decide a dispute",
    tags=TAGS,
)
def resolve(
    evaluation_id: EvaluationId,
    body: ResolveIn,
    session: SessionDep,
    request: Request,
    principal: Resolver,
) -> EvaluationOut:
    """Uphold the score or rescore it (supervisors: their team's agents). A corrected score of
    80% or more cancels open corrective training; under 80% opens it."""
    at = now()
    ev = service.resolve(
        session, audit_ctx(request, principal), principal, evaluation_id, body.outcome,
        body.note, body.scores, at,
    )  # fmt: skip
    out = views.evaluation_out(session, ev, at)
    session.commit()
    return out


@router.get(
    "/corrective", response_model=list[CorrectiveOut], summary="Corrective training", tags=TAGS
)
def list_corrective(
    session: ReadingSessionDep,
    principal: Reader,
    state: Annotated[CorrectiveState | None, Query(description="Only this state")] = None,
    overdue: Annotated[bool | None, Query(description="Only overdue (or only not)")] = None,
) -> list[CorrectiveOut]:
    """Corrective-training assignments the caller may see (agents: their own), by due time."""
    stmt = select(CorrectiveAssignment).order_by(CorrectiveAssignment.due_at)
    if state is not None:
        stmt = stmt.where(CorrectiveAssignment.state == state)
    rows = list(session.scalars(service.scoped(stmt, principal, CorrectiveAssignment.agent_id)))
    who = service.names(session, [a.agent_id for a in rows])
    at = now()
    out = [views.corrective_out(a, who.get(a.agent_id, ""), at) for a in rows]
    return [o for o in out if overdue is None or o.overdue == overdue]


@router.post(
    "/corrective/{assignment_id}/complete",
    response_model=CorrectiveOut,
    summary="Complete my corrective training",
    tags=TAGS,
)
def complete(
    assignment_id: AssignmentId,
    body: CompleteIn,
    session: SessionDep,
    request: Request,
    principal: Responder,
) -> CorrectiveOut:
    """The agent records the training done (409 unless open); late when past its due time."""
    at = now()
    a = service.complete_corrective(
        session, audit_ctx(request, principal), principal, assignment_id, body.note, at
    )
    out = views.corrective_out(a, service.names(session, [a.agent_id]).get(a.agent_id, ""), at)
    session.commit()
    return out


@router.post(
    "/calibrations",
    response_model=CalibrationOut,
    status_code=201,
    summary="Open a calibration session",
    tags=TAGS,
)
def create_calibration(
    body: CalibrationIn, session: SessionDep, request: Request, principal: Evaluator
) -> CalibrationOut:
    """A session in which several evaluators score the same contact."""
    cal = calibration.create_calibration(
        session, audit_ctx(request, principal), principal.user_id, body.title, body.contact_id,
        body.scorecard_id,
    )  # fmt: skip
    out = views.calibration_out(session, cal)
    session.commit()
    return out


@router.get(
    "/calibrations/{calibration_id}",
    response_model=CalibrationOut,
    summary="A calibration session and its spread",
    tags=TAGS,
)
def get_calibration(
    calibration_id: CalibrationId, session: ReadingSessionDep, principal: Evaluator
) -> CalibrationOut:
    """Every evaluator's score, the spread (max - min, standard deviation) and each item's."""
    cal = session.get(Calibration, calibration_id)
    if cal is None:
        raise NotFound("no such calibration")
    return views.calibration_out(session, cal)


@router.post(
    "/calibrations/{calibration_id}/scores",
    response_model=CalibrationOut,
    status_code=201,
    summary="Score a calibration session",
    tags=TAGS,
)
def score_calibration(
    calibration_id: CalibrationId,
    body: CalibrationScoreIn,
    session: SessionDep,
    request: Request,
    principal: Evaluator,
) -> CalibrationOut:
    """The caller's scores in the session (409 when they have scored it already)."""
    calibration.score_calibration(
        session, audit_ctx(request, principal), principal.user_id, calibration_id, body.scores,
        body.comments, now(),
    )  # fmt: skip
    cal = session.get(Calibration, calibration_id)
    assert cal is not None
    out = views.calibration_out(session, cal)
    session.commit()
    return out


@router.get("/results", response_model=ResultsOut, summary="Averages against 90%", tags=TAGS)
def results(
    session: ReadingSessionDep, principal: Reader, start: MonthQ, end: MonthQ
) -> ResultsOut:
    """Agent and team averages of the months ``start``..``end`` against the 90% goal (agents:
    their own; supervisors: their team)."""
    if end < start:
        raise InvalidInput("the last month comes before the first", field="query.end")
    return reports.results(session, principal, start, end)


@router.get("/audit", response_model=AuditOut, summary="Semi-annual QA audit", tags=TAGS)
def audit_report(
    session: ReadingSessionDep,
    principal: Reader,
    year: Annotated[int, Query(ge=2000, le=2199, description="The year")],
    half: Annotated[int, Query(ge=1, le=2, description="1: January-June, 2: July-December")],
) -> AuditOut:
    """Per agent: evaluations, average, scores under 80%, corrective training on time, late,
    overdue or open."""
    return reports.audit_report(session, principal, year, half, now())
