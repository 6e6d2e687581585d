"""An appeal worked to its end through the real app: notices meet the acknowledgement clock,
documents (clinical ones masked), the decision meets the resolution clock, closing is refused
while a packet step is unticked (naming it), the letters owed at each stage, withdrawal."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import time_machine
from sqlalchemy.orm import Session

from tests.appeals.conftest import clock, receive

RECEIVED = datetime.fromisoformat("2026-12-08T09:00:00-08:00")


def post(client: Any, url: str, payload: dict[str, Any] | None = None, status: int = 200) -> Any:
    r = client.post(url, json=payload or {})
    assert r.status_code == status, r.text
    return r.json()


def letters(client: Any, appeal_id: int) -> list[str]:
    return [x["kind"] for x in client.get(f"/api/appeals/{appeal_id}/letters").json()]


def test_a_california_appeal_from_receipt_to_closing(tier3, supervisor, member) -> None:
    c = tier3.client
    with time_machine.travel(RECEIVED + timedelta(hours=1), tick=False) as traveller:
        a = receive(c, member.id, RECEIVED)
        url = f"/api/appeals/{a['id']}"
        assert letters(c, a["id"]) == ["acknowledgement"]
        # A call is recorded but meets no written-acknowledgement clock.
        post(c, f"{url}/notices", {"kind": "acknowledgement", "method": "oral"}, 201)
        assert clock(c.get(url).json(), "appeal_ack")["state"] == "running"
        traveller.shift(timedelta(hours=2))
        sent = post(c, f"{url}/notices", {"kind": "acknowledgement", "method": "letter"}, 201)
        d = c.get(url).json()
        ack = clock(d, "appeal_ack")
        assert ack["state"] == "met"
        assert datetime.fromisoformat(ack["closed_at"]) == datetime.fromisoformat(sent["sent_at"])
        assert {s["id"]: s["done"] for s in d["checklist"]}["send_acknowledgement"] is True
        assert letters(c, a["id"]) == []
        # A resolution letter before the decision is refused.
        r = c.post(f"{url}/notices", json={"kind": "resolution", "method": "letter"})
        assert r.status_code == 409 and r.json()["detail"][0]["loc"] == ["body", "kind"]
        doc = post(
            c,
            f"{url}/documents",
            {
                "kind": "medical_records",
                "direction": "received",
                "title": "MRI report, left knee",
                "description": "Partial meniscal tear",
                "clinical": True,
            },
            201,
        )
        assert doc["title"] == "MRI report, left knee"
        masked = supervisor.client.get(f"{url}/documents").json()
        assert masked[0]["title"] == "[masked]" and masked[0]["description"] == "[masked]"
        # Decided on day 10: the resolution clock is met; the member's rights start to run.
        traveller.shift(timedelta(days=10))
        decided = post(
            c,
            f"{url}/decision",
            {"outcome": "overturned", "rationale": "Meets the plan's imaging criteria"},
        )
        assert decided["state"] == "decided"
        assert clock(decided, "appeal_resolution")["state"] == "met"
        assert decided["decision"]["outcome"] == "overturned"
        imr = decided["rights"][0]
        assert imr["key"] == "dmhc_imr" and imr["available"] is True
        assert letters(c, a["id"]) == ["resolution"]
        assert post(c, f"{url}/decision", {"outcome": "upheld", "rationale": "again"}, 409)
        # Closing with a packet step unticked: 409 naming the step, nothing changed.
        r = c.post(f"{url}/close")
        assert r.status_code == 409
        assert r.json()["detail"][0]["loc"] == ["checklist", "gather_records"]
        assert "decision_letter" in r.json()["detail"][0]["msg"]
        assert c.get(url).json()["state"] == "decided"
        r = c.post(f"{url}/checklist/no_such_step")
        assert r.status_code == 404 and r.json()["detail"][0]["loc"] == ["path", "step_id"]
        steps = post(c, f"{url}/checklist/gather_records")
        assert [s["id"] for s in steps if not s["done"]] == ["clinical_review", "decision_letter"]
        r = c.post(f"{url}/close")
        assert r.json()["detail"][0]["loc"] == ["checklist", "decision_letter"]
        post(c, f"{url}/notices", {"kind": "resolution", "method": "letter"}, 201)
        closed = post(c, f"{url}/close")  # the optional clinical review may stay unticked
        assert closed["state"] == "closed" and closed["closed_at"]
        case = c.get(f"/api/cases/{a['case_id']}").json()
        assert case["state"] == "closed"
        assert letters(c, a["id"]) == []
        assert c.post(f"{url}/checklist/clinical_review").status_code == 409


def test_withdrawal_stops_the_clocks_and_closes_the_case(tier3, oregon_member) -> None:
    c = tier3.client
    with time_machine.travel(RECEIVED + timedelta(hours=1), tick=False):
        a = receive(c, oregon_member.id, RECEIVED)
        url = f"/api/appeals/{a['id']}"
        r = c.post(f"{url}/withdrawal", json={"withdrawn_by": "representative"})
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "withdrawn_by"]
        out = post(
            c, f"{url}/withdrawal", {"withdrawn_by": "member", "reason": "Resolved with the doctor"}
        )
        assert out["state"] == "withdrawn"
        assert [x["state"] for x in out["clocks"]] == ["stopped"]
        assert c.get(f"/api/cases/{a['case_id']}").json()["state"] == "closed"
        for path, payload in [
            ("decision", {"outcome": "upheld", "rationale": "x"}),
            ("withdrawal", {"withdrawn_by": "member"}),
            ("close", {}),
        ]:
            assert c.post(f"{url}/{path}", json=payload).status_code == 409


def test_oregon_grievance_notice_of_delay_and_letters(tier3, oregon_member) -> None:
    c = tier3.client
    with time_machine.travel(RECEIVED + timedelta(hours=1), tick=False):
        g = receive(c, oregon_member.id, RECEIVED, kind="grievance")
        url = f"/api/appeals/{g['id']}"
        assert letters(c, g["id"]) == ["delay_notice", "acknowledgement"]
        post(c, f"{url}/notices", {"kind": "delay_notice", "method": "letter"}, 201)
        d = c.get(url).json()
        assert clock(d, "grievance_decision")["state"] == "met"
        assert clock(d, "grievance_resolution")["state"] == "running"
        assert letters(c, g["id"]) == ["acknowledgement"]
        assert d["rights"][0]["key"] == "oha_grievance_review"


def test_a_delay_notice_is_only_for_oregon_grievances(tier3, member) -> None:
    with time_machine.travel(RECEIVED + timedelta(hours=1), tick=False):
        a = receive(tier3.client, member.id, RECEIVED, kind="grievance")
        r = tier3.client.post(
            f"/api/appeals/{a['id']}/notices", json={"kind": "delay_notice", "method": "letter"}
        )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "kind"]


def test_the_extension_records_its_reason_and_notice(
    tier3, supervisor, oregon_member, db: Session
) -> None:
    c = tier3.client
    with time_machine.travel(RECEIVED + timedelta(days=2), tick=False):
        a = receive(c, oregon_member.id, RECEIVED)
        url = f"/api/appeals/{a['id']}"
        r = c.post(
            f"{url}/extension",
            json={
                "reason": "Waiting for the surgeon's notes",
                "requested_by": "plan",
                "notice_method": "oral",
                "notice_sent_at": "2026-12-10T09:00:00-08:00",
            },
        )
        assert r.status_code == 201, r.text
        ext = r.json()
        assert ext["reason"] == "Waiting for the surgeon's notes"
        assert ext["written_notice_due"].startswith("2026-12-12")
        assert ext["due_before"] != ext["due_after"]
        assert "extension" in letters(c, a["id"])  # the plan's own: written notice within 2 days
        assert supervisor.client.get(url).json()["extension"]["reason"] == "[masked]"
        bad = c.post(
            f"/api/appeals/{receive(c, oregon_member.id, RECEIVED)['id']}/extension",
            json={
                "reason": "x",
                "requested_by": "member",
                "notice_method": "letter",
                "notice_sent_at": "2026-12-11T09:00:00-08:00",
            },
        )
        assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == [
            "body",
            "notice_sent_at",
        ]
