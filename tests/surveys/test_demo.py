"""The demo's survey history: thirteen months, deterministic for a seed, made under the same
rules as real invitations, with results that show something real-looking."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.compliance.enums import Role
from memberdesk.surveys.demo import seed_demo_surveys
from memberdesk.surveys.enums import InvitationState
from memberdesk.surveys.models import SurveyAnswer, SurveyInvitation
from memberdesk.surveys.report import survey_report

AT = datetime(2026, 12, 4, 18, tzinfo=UTC)


def _answers(db: Session) -> list[tuple[object, ...]]:
    return [
        (a.member_id, a.agent_id, a.channel, a.answered_at, a.csat, a.nps, a.cahps_help, a.comment)
        for a in db.scalars(
            select(SurveyAnswer).order_by(SurveyAnswer.answered_at, SurveyAnswer.member_id)
        )
    ]


@pytest.fixture
def agents(login) -> list[int]:  # type: ignore[no-untyped-def]
    return [login(r).user.id for r in (Role.TIER1_AGENT, Role.TIER1_AGENT, Role.TIER2_SPECIALIST)]


def test_same_seed_same_history_and_never_twice(db: Session, agents) -> None:  # type: ignore[no-untyped-def]
    nested = db.begin_nested()
    first = seed_demo_surveys(db, at=AT, seed=5)
    once = _answers(db)
    nested.rollback()
    again = seed_demo_surveys(db, at=AT, seed=5)
    assert again == first and _answers(db) == once
    assert seed_demo_surveys(db, at=AT, seed=5).answers == 0  # answers exist: nothing more
    nested = db.begin_nested()
    other = _answers(db)
    nested.rollback()
    assert other == once


def test_thirteen_months_under_the_rules(db: Session, agents) -> None:  # type: ignore[no-untyped-def]
    made = seed_demo_surveys(db, at=AT, seed=1)
    assert made.contacts > 400 and made.answers > 50
    first, last = db.execute(
        select(func.min(SurveyInvitation.created_at), func.max(SurveyInvitation.created_at))
    ).one()
    assert first.date() >= datetime(2025, 11, 1).date() and last < AT
    assert (AT - first) > timedelta(days=390)
    states = Counter(db.scalars(select(SurveyInvitation.state)))
    assert states[InvitationState.ANSWERED] == made.answers
    assert made.invitations == made.contacts - states[InvitationState.SKIPPED]
    reasons = Counter(
        db.scalars(
            select(SurveyInvitation.skip_reason).where(SurveyInvitation.skip_reason.is_not(None))
        )
    )
    assert reasons["throttled"] > 0 and reasons["no_address"] > 0
    # The throttle held: no member was invited twice within 30 days.
    sent = db.execute(
        select(SurveyInvitation.member_id, SurveyInvitation.created_at)
        .where(SurveyInvitation.send_channel.is_not(None))
        .order_by(SurveyInvitation.member_id, SurveyInvitation.created_at)
    ).all()
    for (m1, t1), (m2, t2) in pairwise(sent):
        assert m1 != m2 or t2 - t1 >= timedelta(days=30)
    assert set(db.scalars(select(SurveyAnswer.agent_id))) <= set(agents)
    year = survey_report(
        db, "calchoice", datetime(2025, 12, 1).date(), datetime(2026, 11, 30).date(), None
    )
    total = year["total"]
    assert 0.7 < total["csat"] < 0.98 and 0 < total["nps"] < 70
    assert total["comments"] > 0 and total["invited"] > total["answers"]
