"""Retention: de-identifying a member clears the number they called the phone menu from, on
their menu calls and screen pops; the path and outcome stay (they feed containment)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from memberdesk.compliance import retention
from memberdesk.compliance.audit import SYSTEM
from memberdesk.compliance.enums import Role
from memberdesk.ivr.enums import Outcome
from memberdesk.ivr.models import IvrCall, ScreenPop
from tests import factories as f

OLD = [(date(2008, 1, 1), date(2014, 6, 30))]  # coverage ended more than 10 years ago


def test_the_number_goes_the_path_stays(db: Session, login) -> None:  # type: ignore[no-untyped-def]
    member = f.member(db, last_name="Menugone", spans=OLD)
    agent = login(Role.TIER1_AGENT)
    call = IvrCall(
        call_sid="CAretention0001",
        pack="calchoice",
        from_phone="+14155550166",
        language="es",
        step="done",
        member_id=member.id,
        failed_ids=0,
        retries=0,
        path=["spanish", "identified", "agent"],
        outcome=Outcome.TRANSFERRED,
        started_at=datetime(2014, 6, 1, 17, tzinfo=UTC),
    )
    db.add(call)
    db.flush()
    pop = ScreenPop(
        agent_id=agent.user.id,
        call_ref=call.call_sid,
        ivr_call_id=call.id,
        member_id=member.id,
        phone="+14155550166",
    )
    db.add(pop)
    db.flush()
    retention.run(db, SYSTEM, {}, dry_run=False)
    db.expire_all()
    assert db.get(IvrCall, call.id).from_phone is None  # type: ignore[union-attr]
    assert db.get(ScreenPop, pop.id).phone is None  # type: ignore[union-attr]
    kept = db.get(IvrCall, call.id)
    assert kept is not None and kept.path == ["spanish", "identified", "agent"]
    assert kept.outcome == Outcome.TRANSFERRED
