"""Letters need a member and an appeal-shaped context; the appeals domain is not here yet, so
the subject is a made-up appeal id."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy.orm import Session

from memberdesk.compliance.audit import AuditContext
from memberdesk.letters import samples, service
from memberdesk.letters.enums import LetterKind
from memberdesk.letters.models import Letter
from memberdesk.members.models import Member
from memberdesk.sla.packs import zone_of
from tests import factories as f

STAFF = AuditContext(actor_id=None, actor="tier3-test", role="tier3_appeals")
APPEAL_ID = 4242


def context(kind: LetterKind = LetterKind.ACKNOWLEDGEMENT, **over: Any) -> dict[str, Any]:
    """A synthetic context for ``kind`` on the California calendar."""
    return {**samples.sample_context(kind, zone_of("calchoice"), date(2026, 3, 16)), **over}


def issue(
    session: Session, member: Member, kind: LetterKind = LetterKind.ACKNOWLEDGEMENT, **kw: Any
) -> Letter:
    """Issue a letter about the test appeal."""
    return service.issue(
        session,
        STAFF,
        kind=kind,
        member=member,
        subject_type="appeal",
        subject_id=APPEAL_ID,
        context=kw.pop("ctx", None) or context(kind),
        **kw,
    )


@pytest.fixture
def spanish_member(db: Session) -> Member:
    return f.member(db, first_name="Lucía", last_name="Quintanilla", written_language="es")
