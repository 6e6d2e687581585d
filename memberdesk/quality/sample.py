"""The monthly random sample: contacts of each agent's month drawn, reproducibly from a seed,
to be scored (pending evaluations). Never commits."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction
from memberdesk.compliance.models import User
from memberdesk.contacts.models import Contact
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
    rows = session.execute(
        select(Contact.id, Contact.agent_id)
        .join(User, User.id == Contact.agent_id)
        .where(Contact.started_at >= start, Contact.started_at < end, User.role.in_(AGENT_ROLES))
        .order_by(Contact.agent_id, Contact.id)
    ).all()
    by_agent: dict[int, list[int]] = {}
    for cid, agent in rows:
        if agent is not None:
            by_agent.setdefault(agent, []).append(cid)
    taken = set(
        session.scalars(
            select(Evaluation.contact_id).where(
                Evaluation.calibration_id.is_(None), Evaluation.contact_id.in_([r[0] for r in rows])
            )
        )
    ) if rows else set()  # fmt: skip
    already = dict(
        session.execute(
            select(Evaluation.agent_id, func.count())
            .where(Evaluation.period == period, Evaluation.kind == EvaluationKind.RANDOM)
            .group_by(Evaluation.agent_id)
        ).all()
    )
    made: list[int] = []
    for agent, ids in by_agent.items():
        need = per_agent - already.get(agent, 0)
        if need <= 0:
            continue
        order = list(ids)
        # Not for secrecy: a reproducible draw an auditor can repeat from the seed.
        random.Random(f"{seed}:{period}:{agent}").shuffle(order)  # noqa: S311
        for cid in order:
            if need == 0:
                break
            if cid in taken:
                continue
            ev = Evaluation(
                scorecard_id=card.id, contact_id=cid, agent_id=agent,
                kind=EvaluationKind.RANDOM, state=EvaluationState.PENDING,
                period=period, sample_seed=seed,
            )  # fmt: skip
            try:
                with session.begin_nested():
                    session.add(ev)
                    session.flush()
            except IntegrityError:
                continue  # evaluated meanwhile by someone else: the next one
            made.append(ev.id)
            need -= 1
    audit.record(
        session, ctx, AuditAction.QA_SAMPLE_DRAWN, object_type="qa_sample",
        object_id=period, detail={"seed": seed, "per_agent": per_agent, "drawn": len(made)},
    )  # fmt: skip
    return Drawn(made, len(by_agent))
