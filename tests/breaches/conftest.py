"""A compliance officer, and helpers to record incidents over the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.compliance.enums import Role
from memberdesk.compliance.models import AuditEntry


@pytest.fixture
def officer(login):  # type: ignore[no-untyped-def]
    return login(Role.COMPLIANCE_OFFICER)


def incident_body(discovered_at: datetime | str, **extra: Any) -> dict[str, Any]:
    """A ``POST /api/breaches`` body: 40 people, 30 of them in California."""
    at = discovered_at if isinstance(discovered_at, str) else discovered_at.isoformat()
    body: dict[str, Any] = {
        "discovered_at": at,
        "discovered_by": "Mailroom supervisor",
        "summary": "Explanation-of-benefits letters were put in the wrong envelopes",
        "phi_kinds": ["names", "addresses", "claims"],
        "affected_count": 40,
        "residents_by_state": {"CA": 30, "NV": 10},
    }
    body.update(extra)
    return body


ASSESSMENT = {
    "nature_extent": {"finding": "Names, addresses and claim lines; no SSNs", "risk": "moderate"},
    "unauthorized_person": {"finding": "Other members of the plan", "risk": "low"},
    "acquired_viewed": {"finding": "Letters were opened by some recipients", "risk": "moderate"},
    "mitigation": {"finding": "Recipients attested they destroyed the letters", "risk": "low"},
}


def actions(db: Session, object_type: str, object_id: int | str) -> list[str]:
    """Audit actions recorded about one object, oldest first."""
    return list(
        db.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.object_type == object_type, AuditEntry.object_id == str(object_id))
            .order_by(AuditEntry.id)
        )
    )
