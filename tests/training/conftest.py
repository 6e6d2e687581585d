"""The demo catalogue in the test database, and a trainer, a supervisor and their team."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance.enums import Role
from memberdesk.training.demo import seed_demo_catalogue
from memberdesk.training.models import Course


@pytest.fixture
def catalogue(db: Session) -> dict[str, int]:
    """The demo courses, by code -> id."""
    seed_demo_catalogue(db, now())
    return {c.code: c.id for c in db.scalars(select(Course))}


@pytest.fixture
def crew(login, catalogue: dict[str, int]) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A trainer (QA analyst), a Team A supervisor, two Team A agents and a Team B agent."""
    return {
        "trainer": login(Role.QA_ANALYST),
        "supervisor": login(Role.SUPERVISOR, team="Team A"),
        "agent": login(Role.TIER1_AGENT, team="Team A"),
        "agent2": login(Role.TIER1_AGENT, team="Team A"),
        "other": login(Role.TIER1_AGENT, team="Team B"),
    }


def loc(response: Any) -> str:
    """The field a 4xx answer names."""
    return ".".join(str(p) for p in response.json()["detail"][0]["loc"])
