"""The default scorecard, built from the call guide in the seeds (Health Share of Oregon's
service standards and the CalChoice guide's QA target), and demo evaluations for
``memberdesk demo``: a month's sample drawn and scored, one score under 80% with its corrective
training open, so every QA page has something to show. Added only when none exist."""

from __future__ import annotations

import random
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.compliance.audit import SYSTEM, AuditContext
from memberdesk.compliance.models import User
from memberdesk.quality import sample, service
from memberdesk.quality.models import Evaluation, QaScorecard
from memberdesk.quality.schemas import ItemIn, ScorecardIn

# (key, what the evaluator looks for, weight, max points, auto-fail, may be not applicable)
DEFAULT_ITEMS = [
    ("identity_verified", "Identity verified before any member information was disclosed",
     0, 1, True, False),
    ("minimum_necessary", "HIPAA minimum necessary: only what the caller needed was disclosed",
     0, 1, True, False),
    ("greeting", "Greeted the caller, gave their own name and the plan's", 5, 2, False, False),
    ("used_name", "Got the member's name and used it", 10, 2, False, False),
    ("time_to_speak", "Gave the member time to speak without interrupting", 15, 2, False, False),
    ("tone", "Tone trauma- and poverty-informed: calm, respectful, no judgement",
     15, 2, False, False),
    ("accuracy", "Information given was accurate and complete (benefits, eligibility, claims)",
     25, 2, False, False),
    ("resolved_or_owned", "Solved it on the call, or owned the next step with a time frame",
     10, 2, False, False),
    ("anything_else", "Asked \"Is there anything else I can help you with?\"", 10, 1, False, False),
    ("transfer_coaching",
     "On a transfer: warm, and coached the member on what to ask the next team",
     5, 2, False, True),
    ("documented", "Contact documented: reasons, notes, resolution", 5, 1, False, False),
]  # fmt: skip
DEFAULT_DESCRIPTION = (
    "The member call guide: personal, patient, trauma- and poverty-informed service, accurate "
    "answers and warm transfers. Identity and minimum necessary are auto-fail items. Goal: "
    "averages of 90% or more; a score under 80% opens corrective training."
)


def default_scorecard_in() -> ScorecardIn:
    """The default scorecard as a request body."""
    return ScorecardIn(
        name=service.DEFAULT_SCORECARD,
        description=DEFAULT_DESCRIPTION,
        items=[
            ItemIn(key=k, text=t, weight=w, max_score=m, auto_fail=a, allow_na=na)
            for k, t, w, m, a, na in DEFAULT_ITEMS
        ],
    )


def ensure_default_scorecard(session: Session) -> QaScorecard | None:
    """Create the default scorecard unless any scorecard exists (None then)."""
    if session.scalar(select(func.count()).select_from(QaScorecard)):
        return None
    return service.create_scorecard(session, SYSTEM, default_scorecard_in(), None)


def seed_demo_quality(session: Session, *, at: datetime, seed: int = 1) -> int:
    """The default scorecard, and the samples of last month and this one scored by the demo QA
    analyst (one score under 80%); returns the evaluations scored. Nothing when evaluations
    exist."""
    ensure_default_scorecard(session)
    if session.scalar(select(func.count()).select_from(Evaluation)):
        return 0
    qa = session.scalar(select(User).where(User.username == "qa"))
    if qa is None:
        return 0
    ctx = AuditContext(actor_id=qa.id, actor=qa.username, role=qa.role.value)
    # Last month and this one: early in a month, this one alone holds few contacts.
    this = service.period_of(at)
    y, m = int(this[:4]), int(this[5:7])
    last = f"{y - (m == 1):04d}-{(m - 2) % 12 + 1:02d}"
    ids = [
        i
        for p in (last, this)
        for i in sample.draw_sample(session, ctx, p, 3, seed, at).evaluation_ids
    ]
    card = service.get_scorecard(session, None, "scorecard")
    rng = random.Random(seed)  # noqa: S311 - demo data, reproducible
    scored = 0
    for n, ev_id in enumerate(ids):
        points: dict[str, int | None] = {}
        for item in card.items:
            if item.allow_na:
                points[item.key] = None
            elif item.auto_fail:
                points[item.key] = 1
            else:
                # Mostly full marks; the first evaluation is the weak call that needs coaching.
                points[item.key] = (
                    0 if n == 0 and item.weight >= 15 else rng.choice([item.max_score] * 4 + [1])
                )
        service.score_pending(session, ctx, qa.id, ev_id, points, "", at)
        scored += 1
    return scored
