"""Evaluations, corrective training and calibration sessions as the API answers them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from memberdesk.contacts.models import Contact
from memberdesk.quality import calibration, scoring, service
from memberdesk.quality.models import Calibration, CorrectiveAssignment, Evaluation, QaScorecard
from memberdesk.quality.schemas import (
    CalibrationOut,
    CalibrationScoreOut,
    CorrectiveOut,
    EvaluationOut,
    ItemOut,
    ItemScoreOut,
    ScorecardOut,
    SpreadOut,
)
from memberdesk.sla.packs import zone_of


def scorecard_out(card: QaScorecard) -> ScorecardOut:
    """A scorecard with its items."""
    return ScorecardOut(
        id=card.id,
        name=card.name,
        description=card.description,
        active=card.active,
        items=[
            ItemOut(
                id=i.id, key=i.key, text=i.text, weight=i.weight, max_score=i.max_score,
                auto_fail=i.auto_fail, allow_na=i.allow_na,
            )
            for i in card.items
        ],
    )  # fmt: skip


def corrective_out(a: CorrectiveAssignment, agent: str, at: datetime) -> CorrectiveOut:
    """A corrective assignment with its standing at ``at``; its times in the pack's zone, like
    every other deadline."""
    zone = zone_of(a.pack)

    def local(t: datetime | None) -> datetime | None:
        return t.astimezone(zone) if t else None

    return CorrectiveOut(
        id=a.id, evaluation_id=a.evaluation_id, agent_id=a.agent_id, agent=agent, state=a.state,
        overdue=service.is_overdue(a, at), pack=a.pack, target=a.target,
        started_at=a.started_at.astimezone(zone), due_at=a.due_at.astimezone(zone),
        overdue_flagged_at=local(a.overdue_at), completed_at=local(a.completed_at), note=a.note,
    )  # fmt: skip


def evaluation_out(session: Session, ev: Evaluation, at: datetime) -> EvaluationOut:
    """An evaluation with its points per item and the training it opened."""
    card = session.get(QaScorecard, ev.scorecard_id)
    contact = session.get(Contact, ev.contact_id)
    assert card is not None and contact is not None
    points = {s.item_id: s.points for s in ev.scores}
    who = service.names(session, [ev.agent_id])
    corrective = service.corrective_of(session, ev.id)
    return EvaluationOut(
        id=ev.id, contact_id=ev.contact_id, contact_started_at=contact.started_at,
        contact_channel=contact.channel.value, agent_id=ev.agent_id,
        agent=who.get(ev.agent_id, ""), evaluator_id=ev.evaluator_id, scorecard_id=ev.scorecard_id,
        kind=ev.kind, state=ev.state, period=ev.period, score=ev.score, auto_failed=ev.auto_failed,
        goal=scoring.GOAL, comments=ev.comments, scored_at=ev.scored_at,
        acknowledged_at=ev.acknowledged_at, disputed_at=ev.disputed_at,
        dispute_reason=ev.dispute_reason, outcome=ev.outcome, resolved_at=ev.resolved_at,
        resolution_note=ev.resolution_note,
        items=[
            ItemScoreOut(
                key=i.key, text=i.text, weight=i.weight, max_score=i.max_score,
                auto_fail=i.auto_fail, points=points.get(i.id),
            )
            for i in card.items
        ],
        corrective=corrective_out(corrective, who.get(ev.agent_id, ""), at) if corrective else None,
    )  # fmt: skip


def calibration_out(session: Session, cal: Calibration) -> CalibrationOut:
    """A session with each evaluator's score, the spread and each item's range."""
    card = session.get(QaScorecard, cal.scorecard_id)
    assert card is not None
    evs = calibration.calibration_scores(session, cal.id)
    who = service.names(session, [e.evaluator_id for e in evs])
    keys = {i.id: i.key for i in card.items}
    scores = [
        CalibrationScoreOut(
            evaluator_id=e.evaluator_id or 0, evaluator=who.get(e.evaluator_id or 0, ""),
            score=e.score, auto_failed=e.auto_failed,
            items={keys[s.item_id]: s.points for s in e.scores},
        )
        for e in evs
    ]  # fmt: skip
    s = scoring.spread([e.score for e in evs if e.score is not None])
    ranges: dict[str, int | None] = {}
    for i in card.items:
        given = [p for x in scores if (p := x.items.get(i.key)) is not None]
        ranges[i.key] = (max(given) - min(given)) if given else None
    return CalibrationOut(
        id=cal.id, title=cal.title, contact_id=cal.contact_id, scorecard_id=cal.scorecard_id,
        created_at=cal.created_at, scores=scores,
        spread=SpreadOut(
            count=s.count, mean=s.mean, low=s.low, high=s.high, range=s.range, stdev=s.stdev
        ),
        item_ranges=ranges,
    )  # fmt: skip
