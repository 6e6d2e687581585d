"""Calibration sessions: several evaluators score the same contact; the spread of their
scores (max - min, standard deviation) shows how far apart they judge. Never commits."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction
from memberdesk.contacts.models import Contact
from memberdesk.errors import Conflict, NotFound
from memberdesk.quality.enums import EvaluationKind, EvaluationState
from memberdesk.quality.models import Calibration, Evaluation, QaScorecard
from memberdesk.quality.service import (
    apply_scores,
    contact_for_evaluation,
    get_scorecard,
    period_of,
    record_scored,
)


def create_calibration(
    session: Session,
    ctx: AuditContext,
    by: int,
    title: str,
    contact_id: int,
    scorecard_id: int | None,
) -> Calibration:
    """A calibration session on a contact (422 naming the field for an unknown one)."""
    contact = contact_for_evaluation(session, contact_id, -1, "body.contact_id")
    card = get_scorecard(session, scorecard_id, "body.scorecard_id")
    cal = Calibration(title=title, contact_id=contact.id, scorecard_id=card.id, created_by_id=by)
    session.add(cal)
    session.flush()
    audit.record(
        session,
        ctx,
        AuditAction.QA_CALIBRATION_CREATED,
        object_type="qa_calibration",
        object_id=cal.id,
    )
    return cal


def score_calibration(
    session: Session,
    ctx: AuditContext,
    evaluator: int,
    calibration_id: int,
    scores: Mapping[str, int | None],
    comments: str,
    at: datetime,
) -> Evaluation:
    """One evaluator's scores in a session (409 when they have scored it already)."""
    cal = session.get(Calibration, calibration_id)
    if cal is None:
        raise NotFound("no such calibration")
    contact = session.get(Contact, cal.contact_id)
    card = session.get(QaScorecard, cal.scorecard_id)
    assert contact is not None and card is not None and contact.agent_id is not None
    ev = Evaluation(
        scorecard_id=card.id, contact_id=contact.id, agent_id=contact.agent_id,
        kind=EvaluationKind.CALIBRATION, state=EvaluationState.SCORED, calibration_id=cal.id,
        period=period_of(contact.started_at), evaluator_id=evaluator,
        comments=comments or None, scored_at=at,
    )  # fmt: skip
    result = apply_scores(session, ev, card, scores, "body.scores")
    try:
        with session.begin_nested():
            session.add(ev)
            session.flush()
    except IntegrityError:
        raise Conflict("you have scored it already", field="path.calibration_id") from None
    record_scored(session, ctx, ev, result, at)
    return ev


def calibration_scores(session: Session, calibration_id: int) -> list[Evaluation]:
    """The evaluators' scores in a session, in the order given."""
    return list(
        session.scalars(
            select(Evaluation)
            .where(Evaluation.calibration_id == calibration_id)
            .order_by(Evaluation.id)
        )
    )
