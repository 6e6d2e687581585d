"""Blind indexes kept in step with the encrypted values they stand for: the confidential phone
(phone search) and a life event's type and date (the database refuses the same event twice)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance import retention
from memberdesk.compliance.audit import SYSTEM
from memberdesk.compliance.crypto import bidx_phone
from memberdesk.errors import Conflict
from memberdesk.members import service
from memberdesk.members.enums import LifeEventType, Relationship
from memberdesk.members.models import LifeEvent, Member, bidx_life_event
from tests import factories as f


def test_seeded_confidential_phones_are_found_by_phone_search(client, db: Session) -> None:
    seeded = db.scalars(
        select(Member).where(Member.confidential_phone.is_not(None)).order_by(Member.id).limit(3)
    ).all()
    assert seeded, "the seeded book has confidential phones"
    for m in seeded:
        assert m.confidential_phone_bidx == bidx_phone(m.confidential_phone or "")
        page = client.post("/api/members/search", json={"phone": m.confidential_phone}).json()
        assert m.id in [r["id"] for r in page["items"]]


def test_changing_or_clearing_the_confidential_phone_moves_its_index(db: Session) -> None:
    sub = f.member(db, phone="(530) 555-0101")
    m = f.member(
        db,
        subscriber=sub,
        relationship=Relationship.SPOUSE,
        phone=None,
        confidential_phone="(530) 555-0188",
        confidential_scope="all",
    )
    assert [r.id for r in service.search_members(db, phone="5305550188")[0]] == [m.id]
    m.confidential_phone = "(530) 555-0199"
    db.flush()
    assert service.search_members(db, phone="5305550188")[0] == []
    assert [r.id for r in service.search_members(db, phone="530.555.0199")[0]] == [m.id]
    m.confidential_phone = None
    db.flush()
    assert m.confidential_phone_bidx is None
    assert service.search_members(db, phone="5305550199")[0] == []


def test_deidentified_member_is_not_found_by_the_old_confidential_phone(db: Session) -> None:
    sub = f.member(
        db, phone=None, spans=[(date(2001, 1, 1), date(2004, 6, 30))], last_name="Longago"
    )
    f.member(
        db,
        subscriber=sub,
        relationship=Relationship.SPOUSE,
        phone=None,
        confidential_phone="(707) 555-0133",
        confidential_scope="sensitive_services",
        spans=[(date(2001, 1, 1), date(2004, 6, 30))],
    )
    assert service.search_members(db, phone="7075550133")[1] == 1
    retention.run(db, SYSTEM, {}, dry_run=False, today=now().date())
    db.flush()
    assert service.search_members(db, phone="7075550133")[1] == 0


def test_a_refused_duplicate_leaves_the_transaction_usable(db: Session) -> None:
    sub = f.member(db, dob=date(1985, 3, 3))
    spouse = f.member(db, subscriber=sub, relationship=Relationship.SPOUSE, phone=None)
    when = now().date()
    first = service.record_life_event(db, sub, LifeEventType.PERMANENT_MOVE, when, "note")
    assert first.dedup_bidx == bidx_life_event(LifeEventType.PERMANENT_MOVE, when)
    # The spouse's report lands on the same enrolment (the subscriber's): the same event.
    with pytest.raises(Conflict) as refused:
        service.record_life_event(db, spouse, LifeEventType.PERMANENT_MOVE, when)
    assert refused.value.status_code == 409
    # The request's transaction survived the refused insert: it can still write and read.
    other = service.record_life_event(db, sub, LifeEventType.MARRIAGE, when)
    events = db.scalars(select(LifeEvent).where(LifeEvent.member_id == sub.id)).all()
    assert sorted(e.id for e in events) == sorted([first.id, other.id])


def test_the_dedup_index_follows_the_event_however_it_is_built(db: Session) -> None:
    event = LifeEvent(event_date=date(2026, 1, 9), event_type="birth", window_days=30)
    assert event.dedup_bidx == bidx_life_event(LifeEventType.BIRTH, date(2026, 1, 9))
    event.event_date = date(2026, 1, 10)
    assert event.dedup_bidx == bidx_life_event("birth", date(2026, 1, 10))
    assert event.dedup_bidx != bidx_life_event(LifeEventType.ADOPTION, date(2026, 1, 10))
