"""The demo appeals: made through the services on the seeded book, deterministic for a seed,
with work in every state for the worklist and figures for the reports."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.appeals import reports
from memberdesk.appeals.demo import seed_demo_appeals
from memberdesk.appeals.models import Appeal
from memberdesk.clock import now


def test_demo_appeals(db: Session) -> None:
    at = now()
    made = seed_demo_appeals(db, at=at, seed=1)
    assert made["appeals"] == 36 and made["inquiries"] == 2 and made["referrals"] == 1
    states = Counter(a.state.value for a in db.scalars(select(Appeal)))
    assert states["closed"] == made["closed"] > 0
    assert states["withdrawn"] == made["withdrawn"] > 0
    assert states["open"] > 10
    assert any(r.standing == "overdue" for r in reports.open_by_deadline(db, at))
    assert any(r.standing != "overdue" for r in reports.open_by_deadline(db, at))
