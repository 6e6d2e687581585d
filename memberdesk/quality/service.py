"""Quality assurance logic: scorecards, evaluations (sampled, targeted, calibration), the
agent's acknowledgement and dispute, its resolution, and corrective training on the pack's
``qa_corrective_training`` clock. Services take ``session=`` and never commit.

State changes are conditional UPDATEs (``... WHERE state = 'scored'``), so two people acting on
one evaluation at once cannot both succeed; a second evaluation of the same contact is refused by
a unique index, whatever the interleaving.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Select, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.enums import AuditAction, Role
from memberdesk.compliance.models import User
from memberdesk.contacts.models import Contact
from memberdesk.errors import Conflict, InvalidInput, NotFound
from memberdesk.quality import scoring
from memberdesk.quality.enums import (
    CorrectiveState,
    DisputeOutcome,
    EvaluationKind,
    EvaluationState,
)
from memberdesk.quality.models import (
    CorrectiveAssignment,
    Evaluation,
    EvaluationScore,
    QaScorecard,
    QaScorecardItem,
)
from memberdesk.quality.schemas import ScorecardIn
from memberdesk.sla.packs import get_target, zone_of

# The corrective-training clock is the plan's own operations rule (CalChoice guide), not a
# member's: it runs on that pack's calendar whichever line of business the contact was.
PACK = "calchoice"
TARGET = "qa_corrective_training"
# Whose contacts are evaluated: the people who talk to members.
AGENT_ROLES = (Role.TIER1_AGENT, Role.TIER2_SPECIALIST, Role.TIER3_APPEALS, Role.NAVIGATOR)
# Who sees every agent's evaluations; supervisors see their team's, agents their own.
SEE_ALL = (Role.QA_ANALYST, Role.COMPLIANCE_OFFICER)
SUPERVISORS = (Role.SUPERVISOR,)
DEFAULT_SCORECARD = "Member call guide"
S = TypeVar("S", bound=Select[*tuple[Any, ...]])


def rules(card: QaScorecard) -> list[scoring.Item]:
    """The scorecard's items as the maths reads them."""
    return [scoring.Item(i.key, i.weight, i.max_score, i.auto_fail, i.allow_na) for i in card.items]


def _invalid(exc: scoring.ScoreError, prefix: str) -> InvalidInput:
    return InvalidInput(str(exc), field=f"{prefix}.{exc.field}")


# -- scorecards ------------------------------------------------------------------------------
def create_scorecard(
    session: Session, ctx: AuditContext, body: ScorecardIn, by: int | None
) -> QaScorecard:
    """A new scorecard; 422 naming ``body.items`` unless the weights sum to 100, 409 on a
    name in use."""
    items = [
        scoring.Item(i.key, i.weight, i.max_score, i.auto_fail, i.allow_na) for i in body.items
    ]
    try:
        scoring.check_items(items)
    except scoring.ScoreError as exc:
        raise _invalid(exc, "body") from None
    if session.scalar(select(QaScorecard.id).where(QaScorecard.name == body.name)) is not None:
        raise Conflict("a scorecard of this name exists", field="body.name")
    card = QaScorecard(name=body.name, description=body.description, created_by_id=by)
    session.add(card)
    session.flush()
    for n, i in enumerate(body.items):
        session.add(
            QaScorecardItem(
                scorecard_id=card.id,
                position=n,
                key=i.key,
                text=i.text,
                weight=i.weight,
                max_score=i.max_score,
                auto_fail=i.auto_fail,
                allow_na=i.allow_na,
            )
        )
    session.flush()
    session.refresh(card, ["items"])
    audit.record(
        session,
        ctx,
        AuditAction.QA_SCORECARD_CREATED,
        object_type="qa_scorecard",
        object_id=card.id,
        detail={"items": len(body.items)},
    )
    return card


def scorecards(session: Session) -> list[QaScorecard]:
    """Every scorecard, the active ones first."""
    return list(
        session.scalars(select(QaScorecard).order_by(QaScorecard.active.desc(), QaScorecard.id))
    )


def get_scorecard(session: Session, scorecard_id: int | None, field: str) -> QaScorecard:
    """A scorecard by id, or the default (the first active) when none is named."""
    if scorecard_id is None:
        card = session.scalar(
            select(QaScorecard)
            .where(QaScorecard.active.is_(True))
            .order_by(QaScorecard.id)
            .limit(1)
        )
        if card is None:
            raise InvalidInput("no scorecard is set up yet", field=field)
        return card
    card = session.get(QaScorecard, scorecard_id)
    if card is None:
        raise InvalidInput("no such scorecard", field=field)
    return card


# -- who may see what ------------------------------------------------------------------------
def scoped(stmt: S, principal: Principal | None, agent_col: Any) -> S:
    """Limit ``stmt`` to the agents ``principal`` may see (all, their team, or themselves);
    None is the command line, run by whoever runs the system: everyone."""
    if principal is None or principal.role in SEE_ALL:
        return stmt
    if principal.role == Role.SUPERVISOR and principal.team_id is not None:
        team = select(User.id).where(User.team_id == principal.team_id)
        return stmt.where(agent_col.in_(team))
    return stmt.where(agent_col == principal.user_id)


def visible_evaluation(session: Session, principal: Principal, evaluation_id: int) -> Evaluation:
    """An evaluation the caller may see (404 otherwise: others' are not even said to exist)."""
    stmt = scoped(
        select(Evaluation).where(Evaluation.id == evaluation_id), principal, Evaluation.agent_id
    )
    ev = session.scalar(stmt)
    if ev is None or (ev.kind == EvaluationKind.CALIBRATION and principal.role not in SEE_ALL):
        raise NotFound("no such evaluation")
    return ev


# -- evaluating --------------------------------------------------------------------------------
def period_of(at: datetime) -> str:
    """The month (YYYY-MM) of an instant on the pack calendar's clock."""
    return at.astimezone(zone_of(PACK)).strftime("%Y-%m")


def month_bounds(period: str) -> tuple[datetime, datetime]:
    """The UTC instants a month (YYYY-MM, pack zone) starts and ends at."""
    tz = zone_of(PACK)
    y, m = int(period[:4]), int(period[5:7])
    start = datetime(y, m, 1, tzinfo=tz)
    end = datetime(y + (m == 12), m % 12 + 1, 1, tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def contact_for_evaluation(
    session: Session, contact_id: int, evaluator: int, field: str
) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise InvalidInput("no such contact", field=field)
    if contact.agent_id is None:
        raise InvalidInput("this contact has no agent to evaluate", field=field)
    role = session.scalar(select(User.role).where(User.id == contact.agent_id))
    if role not in AGENT_ROLES:
        raise InvalidInput("this contact was not handled by an agent", field=field)
    if contact.agent_id == evaluator:
        raise InvalidInput("you cannot evaluate your own contact", field=field)
    return contact


def apply_scores(
    session: Session,
    ev: Evaluation,
    card: QaScorecard,
    scores: Mapping[str, int | None],
    field: str,
) -> scoring.Result:
    try:
        result = scoring.score(rules(card), scores)
    except scoring.ScoreError as exc:
        raise _invalid(exc, field.rsplit(".", 1)[0]) from None
    by_key = {i.key: i for i in card.items}
    existing = {s.item_id: s for s in ev.scores}
    for key, points in scores.items():
        item = by_key[key]
        if item.id in existing:
            existing[item.id].points = points
        else:
            ev.scores.append(EvaluationScore(item_id=item.id, points=points))
    ev.score = result.percent
    ev.auto_failed = result.auto_failed
    return result


def open_corrective(session: Session, ev: Evaluation, at: datetime) -> CorrectiveAssignment:
    """Corrective training for an evaluation under 80%, due on the pack's clock."""
    target = get_target(PACK, TARGET)
    due = target.compute_due(at).due
    assignment = CorrectiveAssignment(
        evaluation_id=ev.id,
        agent_id=ev.agent_id,
        pack=PACK,
        target=TARGET,
        policy_version=target.policy_version,
        started_at=at,
        due_at=due,
    )
    session.add(assignment)
    session.flush()
    return assignment


def corrective_of(session: Session, evaluation_id: int) -> CorrectiveAssignment | None:
    """The assignment an evaluation opened, if any."""
    return session.scalar(
        select(CorrectiveAssignment).where(CorrectiveAssignment.evaluation_id == evaluation_id)
    )


def record_scored(
    session: Session, ctx: AuditContext, ev: Evaluation, result: scoring.Result, at: datetime
) -> None:
    corrective = None
    if result.below_corrective and ev.kind != EvaluationKind.CALIBRATION:
        corrective = open_corrective(session, ev, at)
    audit.record(
        session,
        ctx,
        AuditAction.QA_EVALUATED,
        object_type="qa_evaluation",
        object_id=ev.id,
        detail={
            "contact_id": ev.contact_id,
            "kind": ev.kind.value,
            "score": ev.score,
            "auto_failed": ev.auto_failed,
            **({"corrective_id": corrective.id} if corrective else {}),
        },
    )


def evaluate_contact(
    session: Session,
    ctx: AuditContext,
    evaluator: int,
    contact_id: int,
    scorecard_id: int | None,
    scores: Mapping[str, int | None],
    comments: str,
    at: datetime,
) -> Evaluation:
    """A targeted evaluation of a contact, scored now. 422 naming the field for an unknown
    contact or item, a score out of range; 409 when the contact is evaluated already (or its
    sampled evaluation waits: score that one)."""
    contact = contact_for_evaluation(session, contact_id, evaluator, "body.contact_id")
    card = get_scorecard(session, scorecard_id, "body.scorecard_id")
    ev = Evaluation(
        scorecard_id=card.id,
        contact_id=contact.id,
        agent_id=contact.agent_id,
        kind=EvaluationKind.TARGETED,
        state=EvaluationState.SCORED,
        period=period_of(contact.started_at),
        evaluator_id=evaluator,
        comments=comments or None,
        scored_at=at,
    )
    result = apply_scores(session, ev, card, scores, "body.scores")
    try:
        with session.begin_nested():
            session.add(ev)
            session.flush()
    except IntegrityError:
        raise Conflict("this contact has been evaluated already", field="body.contact_id") from None
    record_scored(session, ctx, ev, result, at)
    return ev


def score_pending(
    session: Session,
    ctx: AuditContext,
    evaluator: int,
    evaluation_id: int,
    scores: Mapping[str, int | None],
    comments: str,
    at: datetime,
) -> Evaluation:
    """Score a sampled evaluation that waits; 409 when it is scored already."""
    ev = session.get(Evaluation, evaluation_id)
    if ev is None or ev.kind == EvaluationKind.CALIBRATION:
        raise NotFound("no such evaluation")
    if ev.agent_id == evaluator:
        raise InvalidInput("you cannot evaluate your own contact", field="path.evaluation_id")
    card = session.get(QaScorecard, ev.scorecard_id)
    assert card is not None
    try:
        result = scoring.score(rules(card), scores)
    except scoring.ScoreError as exc:
        raise _invalid(exc, "body") from None
    # Claim it first: only one evaluator's scores land on a pending evaluation.
    claimed = session.execute(  # RETURNING: this call's claim, not another's
        update(Evaluation)
        .where(Evaluation.id == ev.id, Evaluation.state == EvaluationState.PENDING)
        .values(state=EvaluationState.SCORED, evaluator_id=evaluator, scored_at=at)
        .returning(Evaluation.id)
        .execution_options(synchronize_session=False)
    ).first()
    if claimed is None:
        raise Conflict("this evaluation has been scored already", field="path.evaluation_id")
    session.refresh(ev)
    apply_scores(session, ev, card, scores, "body.scores")
    ev.comments = comments or None
    session.flush()
    record_scored(session, ctx, ev, result, at)
    return ev


# -- the agent's answer and its resolution -----------------------------------------------------
def _transition(
    session: Session, ev: Evaluation, want: EvaluationState, values: dict[str, Any], verb: str
) -> None:
    moved = session.execute(
        update(Evaluation)
        .where(Evaluation.id == ev.id, Evaluation.state == want)
        .values(**values)
        .returning(Evaluation.id)
        .execution_options(synchronize_session=False)
    ).first()
    if moved is None:
        session.refresh(ev)
        raise Conflict(
            f"only a {want.value} evaluation can be {verb} (this one is {ev.state.value})",
            field="path.evaluation_id",
        )
    session.refresh(ev)


def acknowledge(
    session: Session, ctx: AuditContext, principal: Principal, evaluation_id: int, at: datetime
) -> Evaluation:
    """The agent acknowledges their evaluation (409 unless it is scored and undisputed)."""
    ev = _own(session, principal, evaluation_id)
    _transition(
        session, ev, EvaluationState.SCORED,
        {"state": EvaluationState.ACKNOWLEDGED, "acknowledged_at": at}, "acknowledged",
    )  # fmt: skip
    audit.record(
        session, ctx, AuditAction.QA_ACKNOWLEDGED, object_type="qa_evaluation", object_id=ev.id
    )
    return ev


def dispute(
    session: Session,
    ctx: AuditContext,
    principal: Principal,
    evaluation_id: int,
    reason: str,
    at: datetime,
) -> Evaluation:
    """The agent disputes their evaluation with a reason (409 unless scored, not acknowledged)."""
    ev = _own(session, principal, evaluation_id)
    _transition(
        session, ev, EvaluationState.SCORED,
        {"state": EvaluationState.DISPUTED, "disputed_at": at, "dispute_reason": reason},
        "disputed",
    )  # fmt: skip
    audit.record(
        session, ctx, AuditAction.QA_DISPUTED, object_type="qa_evaluation", object_id=ev.id
    )
    return ev


def _own(session: Session, principal: Principal, evaluation_id: int) -> Evaluation:
    ev = session.get(Evaluation, evaluation_id)
    if ev is None or ev.agent_id != principal.user_id or ev.kind == EvaluationKind.CALIBRATION:
        raise NotFound("no such evaluation of yours")
    return ev


def resolve(
    session: Session,
    ctx: AuditContext,
    principal: Principal,
    evaluation_id: int,
    outcome: DisputeOutcome,
    note: str,
    scores: Mapping[str, int | None] | None,
    at: datetime,
) -> Evaluation:
    """A supervisor (of the agent's team) or QA analyst decides a dispute. Rescoring replaces
    the points: a corrected score of 80% or more cancels open corrective training, a new score
    under 80% opens it."""
    ev = visible_evaluation(session, principal, evaluation_id)
    if ev.agent_id == principal.user_id:
        raise InvalidInput("you cannot decide a dispute of your own", field="path.evaluation_id")
    card = session.get(QaScorecard, ev.scorecard_id)
    assert card is not None
    result = None
    if outcome == DisputeOutcome.RESCORED:
        if scores is None:
            raise InvalidInput("give the corrected scores to rescore", field="body.scores")
        try:
            result = scoring.score(rules(card), scores)
        except scoring.ScoreError as exc:
            raise _invalid(exc, "body") from None
    _transition(
        session, ev, EvaluationState.DISPUTED,
        {"state": EvaluationState.RESOLVED, "resolved_at": at, "resolved_by_id": principal.user_id,
         "outcome": outcome, "resolution_note": note or None},
        "resolved",
    )  # fmt: skip
    before = ev.score
    if result is not None and scores is not None:
        apply_scores(session, ev, card, scores, "body.scores")
        session.flush()
        existing = corrective_of(session, ev.id)
        if result.below_corrective and existing is None:
            open_corrective(session, ev, at)
        elif not result.below_corrective and existing and existing.state == CorrectiveState.OPEN:
            existing.state = CorrectiveState.CANCELLED
            session.flush()
    audit.record(
        session, ctx, AuditAction.QA_DISPUTE_RESOLVED, object_type="qa_evaluation", object_id=ev.id,
        detail={"outcome": outcome.value, "score_before": before, "score": ev.score},
    )  # fmt: skip
    return ev


def complete_corrective(
    session: Session,
    ctx: AuditContext,
    principal: Principal,
    assignment_id: int,
    note: str,
    at: datetime,
) -> CorrectiveAssignment:
    """The agent records their corrective training done (409 unless open)."""
    a = session.get(CorrectiveAssignment, assignment_id)
    if a is None or a.agent_id != principal.user_id:
        raise NotFound("no such corrective training of yours")
    done = session.execute(
        update(CorrectiveAssignment)
        .where(CorrectiveAssignment.id == a.id, CorrectiveAssignment.state == CorrectiveState.OPEN)
        .values(state=CorrectiveState.COMPLETED, completed_at=at, note=note or None)
        .returning(CorrectiveAssignment.id)
        .execution_options(synchronize_session=False)
    ).first()
    session.refresh(a)
    if done is None:
        raise Conflict(
            f"only open training can be completed (this is {a.state.value})",
            field="path.assignment_id",
        )
    audit.record(
        session, ctx, AuditAction.QA_CORRECTIVE_COMPLETED, object_type="qa_corrective",
        object_id=a.id, detail={"late": at > a.due_at},
    )  # fmt: skip
    return a


def is_overdue(a: CorrectiveAssignment, at: datetime) -> bool:
    """Open past its due time, or completed after it."""
    if a.state == CorrectiveState.OPEN:
        return at > a.due_at
    if a.state == CorrectiveState.COMPLETED and a.completed_at is not None:
        return a.completed_at > a.due_at
    return False


def names(session: Session, ids: Sequence[int | None]) -> dict[int, str]:
    """Display names of accounts."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(
        session.execute(select(User.id, User.display_name).where(User.id.in_(wanted))).all()
    )
