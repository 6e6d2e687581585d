"""The demo loads the library once: published by the demo compliance officer, the Medi-Cal
contacts waiting for verification; a second run adds nothing."""

from __future__ import annotations

from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance.enums import Role
from memberdesk.kb import search
from memberdesk.kb.demo import DEMO_APPROVER, seed_demo_library


def test_demo_library_is_published_once(db: Session, login) -> None:  # type: ignore[no-untyped-def]
    login(Role.COMPLIANCE_OFFICER, username=DEMO_APPROVER)
    made = seed_demo_library(db)
    assert made is not None
    assert (made.created, made.published) == (20, 18)
    assert made.awaiting_verification == ["medi-cal-contacts-en", "medi-cal-contacts-es"]
    assert seed_demo_library(db) is None
    hits, _ = search.search(db, "tarjeta", search.Filters(), at=now())
    assert [a.slug for a, _ in hits] == ["id-card-replacement-es"]
