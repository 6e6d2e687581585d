"""Personas, members on each pack, and helpers for the appeals tests.

A member's pack follows their line of business (``memberdesk.members.packs.pack_for``): an
Oregon Health Plan member from the seeded Oregon book runs on ``oregon-medicaid``; ``on_line``
moves a member to another line (the column ``pack_for`` reads), for the self-funded ERISA line,
which has no synthetic book of its own, and for tests that need many members of a line.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from memberdesk.compliance.enums import Role
from memberdesk.members.enums import LineOfBusiness
from memberdesk.members.models import Member
from tests import factories as f

ONE_DAY = 86_400


def on_line(db: Session, member: Member, line: LineOfBusiness) -> Member:
    """Put ``member`` on ``line`` (its pack decides their appeals' clocks)."""
    member.line_of_business = line
    db.flush()
    return member


@pytest.fixture
def member(db: Session) -> Member:
    """A California small-group member (calchoice)."""
    return f.member(db, last_name="Appellant")


@pytest.fixture
def oregon_member(db: Session) -> Member:
    """An Oregon Health Plan member of the seeded Oregon book (oregon-medicaid)."""
    found = db.get(Member, f.oregon_book(db, members=3)[0])
    assert found is not None
    return found


@pytest.fixture
def erisa_member(db: Session) -> Member:
    """A member of a self-funded employer plan (erisa-group)."""
    return on_line(db, f.member(db, last_name="Erisaperson"), LineOfBusiness.ERISA_GROUP)


@pytest.fixture
def tier3(login):  # type: ignore[no-untyped-def]
    return login(Role.TIER3_APPEALS, team="Team C")


@pytest.fixture
def supervisor(login):  # type: ignore[no-untyped-def]
    return login(Role.SUPERVISOR, team="Team A")


def body(member_id: int, received_at: datetime | str, **extra: Any) -> dict[str, Any]:
    """A ``POST /api/appeals`` body (a written standard appeal unless ``extra`` says)."""
    at = received_at if isinstance(received_at, str) else received_at.isoformat()
    payload: dict[str, Any] = {
        "member_id": member_id,
        "kind": "appeal",
        "urgency": "standard",
        "channel": "written",
        "received_at": at,
        "summary": "Denied prior authorisation for a knee MRI; my doctor says it is needed",
    }
    payload.update(extra)
    return payload


def receive(
    client: Any, member_id: int, received_at: datetime | str, **extra: Any
) -> dict[str, Any]:
    """POST /api/appeals and return the 201 answer."""
    r = client.post("/api/appeals", json=body(member_id, received_at, **extra))
    assert r.status_code == 201, r.text
    return dict(r.json())


def clock(appeal: dict[str, Any], target: str) -> dict[str, Any]:
    """The appeal's clock for ``target`` (exactly one expected)."""
    found = [c for c in appeal["clocks"] if c["target"] == target]
    assert len(found) == 1, appeal["clocks"]
    return found[0]
