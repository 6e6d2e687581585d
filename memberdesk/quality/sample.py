"""The monthly random sample: contacts of each agent's month drawn, reproducibly from a seed,
to be scored (pending evaluations). Never commits."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction
from memberdesk.compliance.models import User
from memberdesk.contacts.models import Contact
from memberdesk.db import insert_on_conflict, table_of
from memberdesk.quality.enums import EvaluationKind, EvaluationState
from memberdesk.quality.models import Evaluation
from memberdesk.quality.service import AGENT_ROLES, get_scorecard, month_bounds


@dataclass
class Drawn:
    """What a draw added."""

    evaluation_ids: list[int]
    agents: int


def draw_sample(
    session: Session,
    ctx: AuditContext,
    period: str,
    per_agent: int,
    seed: int,
    at: datetime,
    scorecard_id: int | None = None,
) -> Drawn:
    """Draw up to ``per_agent`` contacts of each agent's month to be scored. The same seed and
    month draw the same contacts: each agent's contacts in id order are shuffled by a generator
    seeded with (seed, month, agent), and the first not yet evaluated are taken. Drawing again
    only tops an agent up to ``per_agent``."""
    card = get_scorecard(session, scorecard_id, "body.scorecard_id")
    start, end = month_bounds(period)
    # One pass over the month's contacts, each marked if it is evaluated already (a join on
    # the evaluations' own condition, not a list of ids).
    evaluated = and_(Evaluation.contact_id == Contact.id, Evaluation.calibration_id.is_(None))
    rows = session.execute(
        select(Contact.id, Contact.agent_id, Evaluation.id.is_not(None))
        .join(User, User.id == Contact.agent_id)
        .outerjoin(Evaluation, evaluated)
        .where(Contact.started_at >= start, Contact.started_at < end, User.role.in_(AGENT_ROLES))
        .order_by(Contact.agent_id, Contact.id)
    ).all()
    by_agent: dict[int, list[int]] = {}
    taken: set[int] = set()
    for cid, agent, done in rows:
        if agent is not None:
            by_agent.setdefault(agent, []).append(cid)
        if done:
            taken.add(cid)
    already = dict(
        session.execute(
            select(Evaluation.agent_id, func.count())
            .where(Evaluation.period == period, Evaluation.kind == EvaluationKind.RANDOM)
            .group_by(Evaluation.agent_id)
        ).all()
    )
    picks: list[dict[str, object]] = []
    for agent, ids in by_agent.items():
        need = per_agent - already.get(agent, 0)
        if need <= 0:
            continue
        order = list(ids)
        # Not for secrecy: a reproducible draw an auditor can repeat from the seed.
        random.Random(f"{seed}:{period}:{agent}").shuffle(order)  # noqa: S311
        for cid in [c for c in order if c not in taken][:need]:
            picks.append({
                "scorecard_id": card.id, "contact_id": cid, "agent_id": agent,
                "kind": EvaluationKind.RANDOM, "state": EvaluationState.PENDING,
                "period": period, "sample_seed": seed, "auto_failed": False,
                "created_at": at, "updated_at": at,
            })  # fmt: skip
    made: list[int] = []
    if picks:
        table = table_of(Evaluation)
        # One executemany (batched by SQLAlchemy, the statement compiled once). A contact
        # someone evaluated between the read and this insert is skipped (the unique index
        # decides) rather than failing the whole draw.
        stmt = insert_on_conflict(session)(table).on_conflict_do_nothing().returning(table.c.id)
        made = list(session.scalars(stmt, picks))
    audit.record(
        session, ctx, AuditAction.QA_SAMPLE_DRAWN, object_type="qa_sample",
        object_id=period, detail={"seed": seed, "per_agent": per_agent, "drawn": len(made)},
    )  # fmt: skip
    return Drawn(sorted(made), len(by_agent))
