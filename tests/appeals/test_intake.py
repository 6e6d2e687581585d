"""Intake through the real app: the member or an authorised representative, oral or written,
standard or expedited; bad input refused with a 4xx naming the field, nothing changed; worked as
a Tier 3 case that only the appeal resolves; free text masked and every read audited."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.appeals.models import Appeal
from memberdesk.cases.models import Case
from memberdesk.compliance.enums import AuditAction, Role
from memberdesk.compliance.models import AuditEntry
from tests import factories as f
from tests.appeals.conftest import body, receive

NOW = datetime.fromisoformat("2026-12-08T10:00:00-08:00")
RECEIVED = "2026-12-08T09:00:00-08:00"
REP = {
    "name": "Dana Parent",
    "relationship": "parent",
    "authorization": {"document": "DMHC authorised-assistant form", "signed_on": "2026-12-01"},
}


def counts(db: Session) -> tuple[int, int]:
    return (
        db.scalar(select(func.count()).select_from(Appeal)) or 0,
        db.scalar(select(func.count()).select_from(Case)) or 0,
    )


def refused(client: Any, db: Session, payload: dict[str, Any], status: int, loc: list[Any]) -> str:
    before = counts(db)
    r = client.post("/api/appeals", json=payload)
    assert r.status_code == status, r.text
    detail = r.json()["detail"][0]
    assert detail["loc"] == loc, detail
    assert counts(db) == before  # nothing changed
    return str(detail["msg"])


def test_bad_input_is_refused_naming_the_field(tier3, member, db: Session) -> None:
    c = tier3.client
    with time_machine.travel(NOW, tick=False):
        msg = refused(c, db, body(2_000_000_000, RECEIVED), 422, ["body", "member_id"])
        assert msg == "no member with this id"
        refused(c, db, body(member.id, "2026-12-08T09:00:00"), 422, ["body", "received_at"])
        msg = refused(
            c, db, body(member.id, "2026-12-08T10:00:01-08:00"), 422, ["body", "received_at"]
        )
        assert "future" in msg
        msg = refused(
            c,
            db,
            body(
                member.id,
                RECEIVED,
                filed_by="representative",
                representative={**REP, "authorization": None},
            ),
            422,
            ["body", "representative", "authorization"],
        )
        assert "authorisation" in msg
        refused(
            c,
            db,
            body(member.id, RECEIVED, filed_by="representative"),
            422,
            ["body", "representative"],
        )
        refused(
            c, db, body(member.id, RECEIVED, representative=REP), 422, ["body", "representative"]
        )
        refused(
            c, db, body(member.id, RECEIVED, expedited_by="provider"), 422, ["body", "expedited_by"]
        )
        refused(c, db, body(member.id, RECEIVED, kind="complaint"), 422, ["body", "kind"])
        refused(c, db, body(member.id, RECEIVED, channel="pigeon"), 422, ["body", "channel"])


def test_erisa_refusals(tier3, erisa_member, db: Session) -> None:
    with time_machine.travel(NOW, tick=False):
        msg = refused(
            tier3.client,
            db,
            body(erisa_member.id, RECEIVED, kind="grievance"),
            422,
            ["body", "kind"],
        )
        assert "no grievance clock" in msg
        refused(tier3.client, db, body(erisa_member.id, RECEIVED), 422, ["body", "claim_type"])


def test_errors_never_repeat_phi(tier3, member, db: Session) -> None:
    with time_machine.travel(NOW, tick=False):
        r = tier3.client.post("/api/appeals", json=body(member.id, "next tuesday"))
    assert r.status_code == 422 and "next tuesday" not in r.text


def test_a_representative_with_an_authorisation_and_an_expedited_request(
    tier3, member, db: Session
) -> None:
    with time_machine.travel(NOW, tick=False):
        a = receive(
            tier3.client,
            member.id,
            RECEIVED,
            channel="oral",
            received_via="phone",
            urgency="expedited",
            filed_by="representative",
            representative=REP,
            expedited_by="provider",
            clinical_urgency="Post-surgical infection; delay risks sepsis",
        )
    assert a["filed_by"] == "representative" and a["channel"] == "oral"
    assert a["representative"] == {
        "name": "Dana Parent",
        "relationship": "parent",
        "authorization_document": "DMHC authorised-assistant form",
        "authorization_signed_on": "2026-12-01",
    }
    assert a["expedited_by"] == "provider"
    assert a["clinical_urgency"] == "Post-surgical infection; delay risks sepsis"
    case = tier3.client.get(f"/api/cases/{a['case_id']}").json()
    assert case["priority"] == "urgent" and case["tier"] == 3
    # The case carries the neutral words only: case readers do not get the member's story.
    assert "sepsis" not in case["summary"] and "MRI" not in case["summary"]
    # Whoever filed asks for the expedited track unless someone else did.
    with time_machine.travel(NOW, tick=False):
        b = receive(tier3.client, member.id, RECEIVED, urgency="expedited")
        c = receive(tier3.client, member.id, RECEIVED)
    assert b["expedited_by"] == "member" and c["expedited_by"] is None


def test_free_text_masked_without_clinical_read_and_every_read_audited(
    tier3, supervisor, member, db: Session
) -> None:
    with time_machine.travel(NOW, tick=False):
        a = receive(
            tier3.client,
            member.id,
            RECEIVED,
            urgency="expedited",
            clinical_urgency="Chemo due Friday",
        )
        seen = supervisor.client.get(f"/api/appeals/{a['id']}").json()
        listed = supervisor.client.get("/api/appeals", params={"member_id": member.id}).json()
    assert seen["summary"] == "[masked]" and seen["clinical_urgency"] == "[masked]"
    assert listed["items"][0]["summary"] == "[masked]"
    assert seen["clocks"] == a["clocks"]  # deadlines are not clinical
    reads = db.scalars(
        select(AuditEntry).where(
            AuditEntry.action.in_([AuditAction.APPEAL_READ.value, AuditAction.APPEAL_LISTED.value]),
            AuditEntry.actor == supervisor.user.username,
        )
    ).all()
    assert len(reads) == 2
    assert all((r.detail or {}).get("clinical") is False for r in reads)
    received = db.scalars(
        select(AuditEntry).where(AuditEntry.action == AuditAction.APPEAL_RECEIVED.value)
    ).all()
    assert received and all("Chemo" not in str(r.detail) + str(r.changes) for r in received)


def test_members_and_agents_cannot_reach_appeals(login, member) -> None:
    portal = login(Role.MEMBER, member_id=member.id).client
    agent = login(Role.TIER1_AGENT).client
    for client in (portal, agent):
        assert client.post("/api/appeals", json=body(member.id, RECEIVED)).status_code == 403
        assert client.get("/api/appeals").status_code == 403


def test_worked_on_an_existing_case_moved_up_to_tier_3(tier3, login, member, db: Session) -> None:
    agent = login(Role.TIER1_AGENT).client
    opened = agent.post(
        "/api/cases",
        json={"member_id": member.id, "case_type": "appeal", "summary": "Wants to appeal"},
    ).json()
    other = f.member(db, last_name="Otherperson")
    with time_machine.travel(NOW, tick=False):
        refused(
            tier3.client,
            db,
            body(other.id, RECEIVED, case_id=opened["id"]),
            422,
            ["body", "case_id"],
        )
        a = receive(tier3.client, member.id, RECEIVED, case_id=opened["id"])
        again = tier3.client.post(
            "/api/appeals", json=body(member.id, RECEIVED, case_id=opened["id"])
        )
    assert a["case_id"] == opened["id"]
    assert again.status_code == 409 and again.json()["detail"][0]["loc"] == ["body", "case_id"]
    case = tier3.client.get(f"/api/cases/{opened['id']}").json()
    assert case["tier"] == 3 and case["summary"] == "Wants to appeal"  # its own record stays
    assert [h["reason"] for h in case["handoffs"]] == ["formal_appeal", "formal_appeal"]
    assert {"appeal_ack", "appeal_resolution"} <= {c["target"] for c in case["clocks"]}


def test_the_case_is_resolved_only_through_its_appeal(tier3, member) -> None:
    with time_machine.travel(NOW, tick=False):
        a = receive(tier3.client, member.id, RECEIVED)
        r = tier3.client.post(
            f"/api/cases/{a['case_id']}/state", json={"state": "resolved", "rationale": "done"}
        )
    assert r.status_code == 409
    assert f"worked for appeal {a['id']}" in r.json()["detail"][0]["msg"]


def test_tier3_get_next_hands_out_the_appeal_case(tier3, member) -> None:
    with time_machine.travel(NOW, tick=False):
        a = receive(tier3.client, member.id, RECEIVED, urgency="expedited")
        got = tier3.client.post("/api/work/next")
    assert got.status_code == 200
    assert got.json()["kind"] == "case"
    # The most urgent Tier 3 case: the expedited appeal's 72 hours.
    assert got.json()["id"] == a["case_id"]


@pytest.mark.parametrize("kind", ["appeal", "grievance"])
def test_the_packets_receipt_step_is_ticked_at_intake(tier3, member, kind: str) -> None:
    with time_machine.travel(NOW, tick=False):
        a = receive(tier3.client, member.id, RECEIVED, kind=kind)
        d = tier3.client.get(f"/api/appeals/{a['id']}").json()
    assert [(s["id"], s["done"]) for s in d["checklist"]] == [
        ("record_receipt", True),
        ("send_acknowledgement", False),
        ("gather_records", False),
        ("clinical_review", False),
        ("decision_letter", False),
    ]
    assert d["received_at"] == RECEIVED
    assert timedelta(0) <= NOW - datetime.fromisoformat(d["created_at"])
