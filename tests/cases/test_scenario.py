"""A Spanish-speaking member's premium error, end to end through the app: Tier 1 opens a
billing case from the call; nobody acts; at the hand-off deadline the sweeper's call moves it to
Tier 2, where get-next finds it; Tier 2 works the checklist and resolves it with a rationale."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy.orm import Session

from memberdesk.cases import service
from memberdesk.compliance.audit import SYSTEM
from tests.cases.conftest import clock, open_case

T0 = datetime(2026, 12, 8, 17, 30, tzinfo=UTC)  # a Tuesday, 09:30 in California


def test_premium_error_from_tier1_through_the_deadline_to_a_tier2_resolution(
    client, spanish_member, tier2, db: Session
) -> None:
    with time_machine.travel(T0, tick=False) as traveller:
        call = client.post(
            "/api/contacts",
            json={
                "member_id": spanish_member.id,
                "channel": "phone",
                "direction": "inbound",
                "reasons": ["billing"],
                "started_at": T0.isoformat(),
                "ended_at": (T0 + timedelta(minutes=9)).isoformat(),
                "resolved": False,
            },
        )
        assert call.status_code == 201, call.text
        case = open_case(
            client,
            spanish_member.id,
            case_type="billing",
            summary="Prima cobrada dos veces en noviembre",
            contact_id=call.json()["id"],
        )
        assert case["queue"]["name"] == "Tier 1 Spanish"
        handoff_due = datetime.fromisoformat(clock(case, "tier1_handoff")["due_at"])
        assert handoff_due == T0 + timedelta(hours=48)
        traveller.move_to(handoff_due + timedelta(minutes=1))
        assert service.escalate_overdue(db, case["id"], datetime.now(UTC), SYSTEM)
        db.commit()
        got = tier2.client.post("/api/work/next")
        assert got.status_code == 200 and got.json()["id"] == case["id"]
        assert got.json()["case"]["tier"] == 2
        url = f"/api/cases/{case['id']}"
        steps = client.get(url).json()["checklist"]["steps"]
        for step in steps:
            if step["required"]:
                assert tier2.client.post(f"{url}/checklist/{step['id']}").status_code == 200
        done = tier2.client.post(
            url + "/state",
            json={"state": "resolved", "rationale": "Duplicate draft refunded; payroll told"},
        )
        assert done.status_code == 200, done.text
        final = client.get(url).json()
    assert final["state"] == "resolved"
    assert clock(final, "claim_research")["state"] == "met"
    assert [h["kind"] for h in final["handoffs"]] == ["auto_escalated", "assigned"]
    assert final["notes"][-1]["text"] == "Duplicate draft refunded; payroll told"
