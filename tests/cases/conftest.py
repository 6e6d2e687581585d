"""Personas and helpers for the cases tests (on top of tests/conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from memberdesk.compliance.enums import Role
from memberdesk.members.models import Member
from tests import factories as f


@pytest.fixture
def member(db: Session) -> Member:
    """An English-speaking member."""
    return f.member(db, last_name="Casework")


@pytest.fixture
def spanish_member(db: Session) -> Member:
    """A member whose spoken language is Spanish."""
    return f.member(db, last_name="Garcia", spoken_language="es", written_language="es")


@pytest.fixture
def tier1(login):  # type: ignore[no-untyped-def]
    return login(Role.TIER1_AGENT, team="Team A")


@pytest.fixture
def tier2(login):  # type: ignore[no-untyped-def]
    return login(Role.TIER2_SPECIALIST, team="Team B")


@pytest.fixture
def tier3(login):  # type: ignore[no-untyped-def]
    return login(Role.TIER3_APPEALS, team="Team C")


@pytest.fixture
def supervisor(login):  # type: ignore[no-untyped-def]
    return login(Role.SUPERVISOR, team="Team A")


def open_case(client: Any, member_id: int, **body: Any) -> dict[str, Any]:
    """POST /api/cases and return the 201 answer."""
    payload = {"member_id": member_id, "case_type": "eligibility", "summary": "Card not working"}
    payload.update(body)
    r = client.post("/api/cases", json=payload)
    assert r.status_code == 201, r.text
    return r.json()


def clock(case: dict[str, Any], target: str) -> dict[str, Any]:
    """The case's clock for ``target`` (exactly one expected)."""
    found = [c for c in case["clocks"] if c["target"] == target]
    assert len(found) == 1, case["clocks"]
    return found[0]
