"""The demo's QA: the default scorecard built from the call guide (weights summing to 100, the
two privacy items auto-fail), the month's sample scored by the demo QA analyst with one call
under 80% and its corrective training open; a second run adds nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance.enums import Role
from memberdesk.quality.demo import seed_demo_quality
from memberdesk.quality.models import CorrectiveAssignment, QaScorecard
from tests.quality.conftest import contact


def test_demo_quality_once(db: Session, login) -> None:  # type: ignore[no-untyped-def]
    login(Role.QA_ANALYST, username="qa")
    agent = login(Role.TIER1_AGENT, team="Team A")
    at = now()
    for i in range(4):
        contact(db, agent.user.id, None, at - timedelta(seconds=1 + i))
    made = seed_demo_quality(db, at=at)
    assert made >= 3
    card = db.scalars(select(QaScorecard)).one()
    assert sum(i.weight for i in card.items) == 100
    assert [i.key for i in card.items if i.auto_fail] == ["identity_verified", "minimum_necessary"]
    assert {"used_name", "time_to_speak", "tone", "anything_else", "transfer_coaching"} <= {
        i.key for i in card.items
    }
    assert db.scalar(select(func.count()).select_from(CorrectiveAssignment)) == 1
    assert seed_demo_quality(db, at=at) == 0
