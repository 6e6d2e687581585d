"""Regulatory inquiries (the regulator's own deadline as a clock the SLA worker sweeps, a
liaison, documents, the response) and legal referrals (a matter number, a legal hold placed
through the compliance mechanism by a compliance officer)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import time_machine
from sqlalchemy.orm import Session

from memberdesk.compliance.enums import Role
from memberdesk.sla.sweep import sweep

NOW = datetime.fromisoformat("2026-12-08T10:00:00-08:00")
INQUIRY = {
    "regulator": "dmhc",
    "reference": "DMHC-2026-118842",
    "received_at": "2026-12-08T09:00:00-08:00",
    "response_due_at": "2026-12-18T17:00:00-08:00",
    "summary": "Enrollee says the plan ignored two calls about a denied MRI",
}


def test_an_inquiry_on_the_regulators_deadline(tier3, supervisor, member, db: Session) -> None:
    c = tier3.client
    with time_machine.travel(NOW, tick=False) as traveller:
        r = c.post("/api/regulatory-inquiries", json={**INQUIRY, "member_id": member.id})
        assert r.status_code == 201, r.text
        i = r.json()
        assert i["response_due_at"] == "2026-12-18T17:00:00-08:00"
        assert i["deadline_state"] == "running" and i["state"] == "open"
        case = c.get(f"/api/cases/{i['case_id']}").json()
        assert case["tier"] == 3 and case["case_type"] == "regulatory_inquiry"
        deadline = next(k for k in case["clocks"] if k["target"] == "regulator_response")
        assert deadline["due_at"] == "2026-12-18T17:00:00-08:00"
        page = c.get("/appeals")  # the worklist lists inquiries waiting for an answer
        assert page.status_code == 200 and "DMHC-2026-118842" in page.text
        assert "California Department of Managed Health Care" in page.text
        r = c.post(f"/api/regulatory-inquiries/{i['id']}/liaison", json={"user_id": tier3.user.id})
        assert r.json()["liaison"] == tier3.user.username
        r = c.post(
            f"/api/regulatory-inquiries/{i['id']}/documents",
            json={"direction": "received", "title": "DMHC complaint form"},
        )
        assert r.status_code == 201
        assert supervisor.client.get(f"/api/regulatory-inquiries/{i['id']}").json()["summary"] == (
            "[masked]"
        )
        # The SLA worker warns and breaches the regulator's deadline like any case clock.
        traveller.move_to(datetime.fromisoformat("2026-12-18T17:00:01-08:00"))
        fired = {k: n for k, n in sweep(db).fired.items() if n}
        # The regulator's deadline, and the case manager never assigned (2 business days).
        assert fired == {"case clock warnings": 2, "case clock breaches": 2}
        assert c.get(f"/api/regulatory-inquiries/{i['id']}").json()["deadline_state"] == "breached"
        r = c.post(f"/api/regulatory-inquiries/{i['id']}/close")
        assert r.status_code == 409  # not answered yet
        r = c.post(
            f"/api/regulatory-inquiries/{i['id']}/response",
            json={"summary": "Records and the call log sent to DMHC"},
        )
        assert r.json()["state"] == "responded" and r.json()["deadline_state"] == "met"
        closed = c.post(f"/api/regulatory-inquiries/{i['id']}/close").json()
        assert closed["state"] == "closed"
        assert c.get(f"/api/cases/{i['case_id']}").json()["state"] == "closed"


def test_inquiry_bad_input(tier3, member) -> None:
    c = tier3.client

    def refused(payload: dict[str, Any], loc: list[str]) -> None:
        r = c.post("/api/regulatory-inquiries", json={**INQUIRY, "member_id": member.id, **payload})
        assert r.status_code == 422, r.text
        assert r.json()["detail"][0]["loc"] == loc

    with time_machine.travel(NOW, tick=False):
        refused({"response_due_at": "2026-12-07T17:00:00-08:00"}, ["body", "response_due_at"])
        refused({"received_at": "2026-12-09T09:00:00-08:00"}, ["body", "received_at"])
        refused({"received_at": "2026-12-08T09:00:00"}, ["body", "received_at"])
        refused({"regulator": "fbi"}, ["body", "regulator"])
        refused({"member_id": 2_000_000_000}, ["body", "member_id"])
        refused({"liaison_id": 2_000_000_000}, ["body", "liaison_id"])
        assert c.get("/api/regulatory-inquiries").json() == []


def test_a_legal_referral_places_a_hold_through_compliance(tier3, login, member) -> None:
    compliance = login(Role.COMPLIANCE_OFFICER).client
    referral = {
        "member_id": member.id,
        "matter_number": "LIT-2026-0042",
        "counsel": "Outside counsel, Sacramento",
        "reason": "Member's attorney threatens suit over the denied surgery",
    }
    r = tier3.client.post("/api/legal-referrals", json=referral)
    assert r.status_code == 201, r.text
    ref = r.json()
    assert ref["legal_hold_id"] is None and ref["state"] == "open"
    again = tier3.client.post("/api/legal-referrals", json=referral)
    assert again.status_code == 409 and again.json()["detail"][0]["loc"] == [
        "body",
        "matter_number",
    ]
    # Tier 3 refers; placing a hold is the compliance officer's (separation of duties).
    assert tier3.client.post(f"/api/legal-referrals/{ref['id']}/hold", json={}).status_code == 403
    hold = compliance.post(f"/api/legal-referrals/{ref['id']}/hold", json={"reason": "Litigation"})
    assert hold.status_code == 201, hold.text
    assert hold.json()["matter"] == "LIT-2026-0042" and hold.json()["member_id"] == member.id
    holds = compliance.get("/api/compliance/legal-holds").json()
    assert [h["id"] for h in holds if h["matter"] == "LIT-2026-0042"] == [hold.json()["id"]]
    seen = compliance.get(f"/api/legal-referrals/{ref['id']}").json()
    assert seen["legal_hold_active"] is True and seen["reason"] == "[masked]"
    second = compliance.post(f"/api/legal-referrals/{ref['id']}/hold", json={})
    assert second.status_code == 409
    compliance.post(f"/api/compliance/legal-holds/{hold.json()['id']}/release")
    assert compliance.get(f"/api/legal-referrals/{ref['id']}").json()["legal_hold_active"] is False
    closed = tier3.client.post(f"/api/legal-referrals/{ref['id']}/close").json()
    assert closed["state"] == "closed"
    assert tier3.client.get(f"/api/cases/{ref['case_id']}").json()["state"] == "closed"
    assert tier3.client.post(f"/api/legal-referrals/{ref['id']}/close").status_code == 409


def test_referral_bad_input(tier3, member, db: Session) -> None:
    from tests import factories as f

    other = f.member(db, last_name="Elsewhere")
    with time_machine.travel(NOW, tick=False):
        appeal = tier3.client.post(
            "/api/appeals",
            json={
                "member_id": other.id,
                "kind": "appeal",
                "channel": "written",
                "received_at": "2026-12-08T09:00:00-08:00",
                "summary": "x",
            },
        ).json()
    base = {"member_id": member.id, "matter_number": "M-1", "counsel": "C", "reason": "R"}
    for extra, loc in [
        ({"matter_number": "has spaces"}, ["body", "matter_number"]),
        ({"appeal_id": appeal["id"]}, ["body", "appeal_id"]),  # another member's
        ({"inquiry_id": 999999}, ["body", "inquiry_id"]),
    ]:
        r = tier3.client.post("/api/legal-referrals", json={**base, **extra})
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == loc, r.text
    assert tier3.client.get("/api/legal-referrals").json() == []
