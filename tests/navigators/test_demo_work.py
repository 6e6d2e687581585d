"""The demo work seeder: every page-relevant count is non-zero, and the work obeys the rules
the API enforces (legal states, clocks and callback deadlines from the policy packs)."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.cases import clocks, demo, routing
from memberdesk.cases.enums import ClockState, TransferStatus
from memberdesk.cases.models import Case, CaseClock, Transfer
from memberdesk.cases.states import OPEN_STATES, WORKING
from memberdesk.clock import now
from memberdesk.compliance import auth
from memberdesk.compliance.audit import SYSTEM
from memberdesk.compliance.demo import ensure_demo_users
from memberdesk.compliance.models import User
from memberdesk.contacts.callbacks import TARGET, end_of_local_day
from memberdesk.contacts.enums import CallbackState, Channel, Direction
from memberdesk.contacts.models import Callback, Contact
from memberdesk.navigators.enums import FlagState
from memberdesk.navigators.models import MemberNavigator
from memberdesk.sla.clocks import Clock
from memberdesk.sla.packs import get_target, zone_of

# A Wednesday, 13:30 in Los Angeles: voicemails left this morning are due at 17:00 today.
AT = datetime(2026, 12, 9, 21, 30, tzinfo=UTC)


@time_machine.travel(AT, tick=False)
def test_the_demo_work_fills_every_page_and_obeys_the_rules(
    app, db: Session, backend_settings
) -> None:
    ensure_demo_users(db, backend_settings)
    made = demo.seed_work(db, backend_settings, seed=3, at=now()).counts
    assert made["open_cases"] >= 150 and made["tier3"] > 0 and made["warm_transfers"] > 0

    # The supervisor console: every queue has work; some at risk, some breached.
    stats = routing.queue_stats(db, AT)
    assert all(s.waiting + s.assigned > 0 for s in stats), [
        (s.queue.name, s.waiting) for s in stats
    ]
    assert all(s.waiting > 0 for s in stats if s.queue.tier == 1)
    assert sum(s.at_risk for s in stats) > 0 and sum(s.breached for s in stats) > 0

    # Contacts on every channel over the last 30 days; portal messages awaiting a reply.
    channels = set(db.scalars(select(Contact.channel).distinct()))
    assert channels == set(Channel)
    awaiting = db.scalar(
        select(func.count())
        .select_from(Contact)
        .where(
            Contact.channel == Channel.PORTAL,
            Contact.direction == Direction.INBOUND,
            Contact.answered_at.is_(None),
        )
    )
    assert awaiting

    # Voicemail callbacks due today, some overdue, each due by its pack.
    open_cbs = list(db.scalars(select(Callback).where(Callback.state == CallbackState.OPEN)))
    today_end = end_of_local_day(AT, "calchoice")
    assert sum(AT <= cb.due_at < today_end for cb in open_cbs) > 0
    assert sum(cb.due_at < AT for cb in open_cbs) > 0
    for cb in db.scalars(select(Callback)):
        tz = zone_of(cb.pack)
        target = get_target(cb.pack, TARGET, cb.received_at.astimezone(tz).date())
        assert Clock.for_target(target, cb.received_at).due == cb.due_at

    # Warm transfers waiting for an answer; navigators with members.
    pending = db.scalars(select(Transfer).where(Transfer.status == TransferStatus.PENDING)).all()
    assert pending and all(t.warm and t.member_question for t in pending)
    flags = db.scalars(select(MemberNavigator).where(MemberNavigator.state == FlagState.FLAGGED))
    flags = list(flags)
    assert len(flags) >= 6 and all(fl.navigator_id is not None for fl in flags)
    assert {fl.source.value for fl in flags} == {"hand", "rule"}

    # Legal states, tiers that match their queues, clocks from the packs.
    for case in db.scalars(select(Case)):
        assert case.queue.tier == case.tier
        if case.state in WORKING:
            assert case.assignee_id is not None
        if case.state not in OPEN_STATES:
            assert case.resolved_at is not None
    for row in db.scalars(select(CaseClock).where(CaseClock.state == ClockState.RUNNING)):
        target = clocks.pack_target(row.pack, row.target, row.started_at)
        assert target is not None
        assert Clock.for_target(target, row.started_at).due == row.due_at, row.target

    # Get-next hands each demo worker something to do.
    for username in ("agent", "specialist", "appeals", "navigator"):
        user = db.scalar(select(User).where(User.username == username))
        token, _ = auth.create_token(db, SYSTEM, user, "test")
        db.flush()
        with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as c:
            got = c.post("/api/work/next")
        assert got.status_code == 200, (username, got.status_code, got.text)
