"""The seam to the letters module: each letter an appeal owes comes with a context named field
for field as the letters module's contract names them (the common fields and the kind's own),
and recording the notice after sending stops it being owed."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import time_machine
from sqlalchemy.orm import Session

from memberdesk.appeals import actions, letters, service
from memberdesk.appeals.enums import NoticeKind, Outcome
from memberdesk.appeals.schemas import DecisionIn
from memberdesk.appeals.sweep import sweep
from memberdesk.clock import now
from memberdesk.compliance.audit import SYSTEM
from tests.appeals.conftest import receive

RECEIVED = datetime.fromisoformat("2026-12-08T09:00:00-08:00")
COMMON = {"member_name", "member_number", "plan_name", "reference", "case_kind", "received_at"}


def owed(db: Session, appeal_id: int) -> dict[NoticeKind, dict]:  # type: ignore[type-arg]
    appeal = service.get_appeal(db, appeal_id)
    return {d.kind: ctx for d, ctx in letters.letters_for(db, appeal, now())}


def test_contexts_for_each_kind_of_letter(tier3, oregon_member, db: Session) -> None:
    c = tier3.client
    with time_machine.travel(RECEIVED + timedelta(hours=1), tick=False) as traveller:
        a = receive(c, oregon_member.id, RECEIVED)
        ack = owed(db, a["id"])[NoticeKind.ACKNOWLEDGEMENT]
        assert set(ack) == COMMON | {"urgency", "resolution_due_at", "summary"}
        assert ack["member_name"] == f"{oregon_member.first_name} {oregon_member.last_name}"
        assert ack["reference"] == str(a["id"]) and ack["case_kind"] == "appeal"
        assert ack["resolution_due_at"].isoformat() == "2026-12-24T23:59:59-08:00"
        assert ack["received_at"].isoformat() == "2026-12-08T09:00:00-08:00"
        assert ack["plan_name"]  # the plan covering the member that day
        r = c.post(
            f"/api/appeals/{a['id']}/notices", json={"kind": "acknowledgement", "method": "letter"}
        )
        assert r.status_code == 201
        r = c.post(
            f"/api/appeals/{a['id']}/extension",
            json={"reason": "Records awaited", "requested_by": "plan", "notice_method": "oral"},
        )
        assert r.status_code == 201
        got = owed(db, a["id"])
        assert set(got) == {NoticeKind.EXTENSION}
        ext = got[NoticeKind.EXTENSION]
        assert set(ext) == COMMON | {"extension_reason", "original_due_at", "new_due_at"}
        assert ext["new_due_at"].isoformat() == "2027-01-07T23:59:59-08:00"
        c.post(f"/api/appeals/{a['id']}/notices", json={"kind": "extension", "method": "letter"})
        assert owed(db, a["id"]) == {}
        # Past the extended deadline, undecided: deemed exhausted, then decided late.
        traveller.move_to(datetime.fromisoformat("2027-01-08T00:00:01-08:00"))
        assert sweep(db, now()) == 1
        deemed = owed(db, a["id"])[NoticeKind.DEEMED_EXHAUSTION]
        assert set(deemed) == COMMON | {"missed_due_at", "rights_deadline"}
        assert deemed["missed_due_at"].isoformat() == "2027-01-07T23:59:59-08:00"
        assert deemed["rights_deadline"] == date(2027, 5, 8)  # 120 days
    # Decided late, partly overturned: the resolution letter with the member's rights.
    at = datetime.fromisoformat("2027-01-09T10:00:00-08:00")
    appeal = service.get_appeal(db, a["id"])
    body = DecisionIn(outcome=Outcome.PARTLY_OVERTURNED, rationale="Partly within the criteria")
    actions.decide(db, SYSTEM, appeal, body, at)
    res = {d.kind: ctx for d, ctx in letters.letters_for(db, appeal, at)}[NoticeKind.RESOLUTION]
    assert set(res) == COMMON | {"decision", "rationale", "decided_at", "rights_deadline"}
    assert res["decision"] == "partly" and res["rationale"] == "Partly within the criteria"
    assert res["rights_deadline"] == date(2027, 5, 8)  # from the earlier deemed exhaustion
