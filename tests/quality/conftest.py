"""People and contacts for the QA tests: a QA analyst, two Team A agents, a Team B agent, the
Team A supervisor, the default scorecard, and contacts each agent handled in June 2026."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from memberdesk.compliance.enums import Role
from memberdesk.contacts.enums import Channel, Direction
from memberdesk.contacts.models import Contact
from memberdesk.quality.demo import ensure_default_scorecard
from memberdesk.quality.models import QaScorecard
from memberdesk.quality.service import get_scorecard
from tests import factories as f

NOW = "2026-06-15T10:00:00-07:00"
JUNE = datetime.fromisoformat("2026-06-01T09:00:00-07:00")


def full_marks(card: QaScorecard, **override: int | None) -> dict[str, int | None]:
    """Every item at its maximum (not applicable where allowed), then ``override``."""
    scores: dict[str, int | None] = {
        i.key: (None if i.allow_na else i.max_score) for i in card.items
    }
    scores.update(override)
    return scores


def weak(card: QaScorecard) -> dict[str, int | None]:
    """A call scoring 57.89%: accuracy and tone (40 of the 95 applicable points) missed."""
    return full_marks(card, accuracy=0, tone=0)


def loc(response: Any) -> str:
    return ".".join(str(p) for p in response.json()["detail"][0]["loc"])


def contact(db: Session, agent_id: int, member_id: int | None, at: datetime) -> Contact:
    c = Contact(
        member_id=member_id,
        agent_id=agent_id,
        channel=Channel.PHONE,
        direction=Direction.INBOUND,
        started_at=at,
        ended_at=at + timedelta(minutes=7),
        resolved=True,
    )
    db.add(c)
    db.flush()
    return c


@dataclass
class Floor:
    qa: Any
    qa2: Any
    agent: Any
    peer: Any
    other: Any
    supervisor: Any
    card: QaScorecard
    contacts: dict[str, list[Contact]]


@pytest.fixture
def floor(db: Session, login) -> Floor:  # type: ignore[no-untyped-def]
    ensure_default_scorecard(db)
    card = get_scorecard(db, None, "card")
    people = {
        "qa": login(Role.QA_ANALYST),
        "qa2": login(Role.QA_ANALYST),
        "agent": login(Role.TIER1_AGENT, team="Team A"),
        "peer": login(Role.TIER1_AGENT, team="Team A"),
        "other": login(Role.TIER1_AGENT, team="Team B"),
        "supervisor": login(Role.SUPERVISOR, team="Team A"),
    }
    m = f.member(db, last_name="Qualityperson")
    contacts = {
        k: [
            contact(db, people[k].user.id, m.id, JUNE + timedelta(days=i, hours=i))
            for i in range(6)
        ]
        for k in ("agent", "peer", "other")
    }
    return Floor(card=card, contacts=contacts, **people)
