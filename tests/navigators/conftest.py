"""Personas and helpers for the navigator tests (on top of tests/conftest.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.compliance.enums import Role
from memberdesk.compliance.models import AuditEntry
from memberdesk.members.models import Member
from tests import factories as f


@pytest.fixture
def member(db: Session) -> Member:
    return f.member(db, last_name="Navigated")


@pytest.fixture
def navigator(login):  # type: ignore[no-untyped-def]
    return login(Role.NAVIGATOR, team="Navigators")


@pytest.fixture
def supervisor(login):  # type: ignore[no-untyped-def]
    return login(Role.SUPERVISOR, team="Team A")


def flag(client: Any, member_id: int, **body: Any) -> dict[str, Any]:
    """POST /api/members/{id}/navigator and return the 201 answer."""
    r = client.post(
        f"/api/members/{member_id}/navigator",
        json={"reason": "Dialysis and a housing move", **body},
    )
    assert r.status_code == 201, r.text
    return r.json()


def log_contacts(client: Any, member_id: int, days_ago: list[int], **body: Any) -> None:
    """Log a phone contact for each number of days ago (inbound unless told)."""
    for days in days_ago:
        start = datetime.now(UTC) - timedelta(days=days)
        payload = {
            "member_id": member_id,
            "channel": "phone",
            "direction": "inbound",
            "reasons": ["benefits"],
            "started_at": start.isoformat(),
            **body,
        }
        r = client.post("/api/contacts", json=payload)
        assert r.status_code == 201, r.text


def audited(db: Session, action: str, object_id: int | None = None) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.action == action)
    if object_id is not None:
        query = query.where(AuditEntry.object_id == str(object_id))
    return list(db.scalars(query.order_by(AuditEntry.id)))
