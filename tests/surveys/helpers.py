"""Shared helpers of the surveys tests: members who can be surveyed, completed contacts, the
sender run on the test's session, and links read back from the outbox."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance.models import AuditEntry
from memberdesk.config import Settings
from memberdesk.members.models import Member
from memberdesk.surveys.models import OutboxMessage, SurveyInvitation
from memberdesk.surveys.sender import OutboxSender, send_due
from tests import factories as f

LINK = re.compile(r"/survey/([A-Za-z0-9_-]{43})")


def surveyed_member(
    db: Session,
    *,
    language: str = "en",
    email: str | None = "alex@example.com",
    phone: str | None = "(415) 555-0142",
    dob: date = date(1980, 5, 17),
    **extra: Any,
) -> Member:
    """A covered adult member with an e-mail address and a phone."""
    m = f.member(db, phone=phone, dob=dob, email=email, **extra)
    m.written_language = m.spoken_language = language
    db.flush()
    return m


def complete_contact(
    client: TestClient,
    member_id: int,
    *,
    channel: str = "phone",
    ended: datetime | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Log a contact that has ended (the API's own path, so the survey hook runs)."""
    end = ended or now()
    body = {
        "member_id": member_id,
        "channel": channel,
        "direction": "inbound",
        "reasons": ["billing"],
        "started_at": (end - timedelta(minutes=6)).isoformat(),
        "ended_at": end.isoformat(),
        "resolved": True,
        **extra,
    }
    response = client.post("/api/contacts", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def invitation_of(db: Session, contact_id: int) -> SurveyInvitation | None:
    """The survey decision of a contact."""
    db.expire_all()
    return db.scalar(select(SurveyInvitation).where(SurveyInvitation.contact_id == contact_id))


@contextmanager
def _same(db: Session) -> Iterator[Session]:
    yield db


def send(db: Session, settings: Settings, at: datetime | None = None) -> dict[str, int]:
    """Run the sender once on the test's session, through the outbox."""
    write = lambda: _same(db)  # noqa: E731
    return send_due(write, settings, OutboxSender(write), at=at or now())


def token_for(db: Session, invitation_id: int) -> str:
    """The token of the link the outbox "sent" for an invitation."""
    message = db.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.invitation_id == invitation_id)
        .order_by(OutboxMessage.id.desc())
    )
    assert message is not None, "nothing was sent for this invitation"
    found = LINK.search(message.body)
    assert found is not None
    return found.group(1)


def audited(db: Session, action: str) -> list[AuditEntry]:
    """Audit entries of one action, oldest first."""
    return list(
        db.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))
    )


def answers(**over: Any) -> dict[str, Any]:
    """A complete, valid answer body (without its token)."""
    return {
        "csat": 5,
        "nps": 9,
        "cahps_help": "always",
        "cahps_courtesy": "usually",
        "comment": "Ana was patient and sorted out my bill.",
        **over,
    }


T0 = datetime(2026, 11, 2, 17, 0, tzinfo=UTC)  # a Monday, 09:00 in California
