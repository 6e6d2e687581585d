"""The Tier 1 -> 2 -> 3 path: by hand with a reason, automatically at the hand-off deadline,
and back down; each move recorded with who, why and when, and the next tier's clock started."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.cases import service
from memberdesk.cases.models import Case, CaseHandoff
from memberdesk.compliance.audit import SYSTEM
from tests.cases.conftest import clock, open_case


def test_escalation_one_two_three_moves_queues_and_clocks(client, member, tier2, tier3) -> None:
    case = open_case(client, member.id, case_type="billing", summary="Premium billed twice")
    url = f"/api/cases/{case['id']}"
    up = client.post(
        url + "/escalate", json={"reason": "billing_dispute", "rationale": "Needs a correction"}
    )
    assert up.status_code == 200, up.text
    two = up.json()
    assert two["tier"] == 2 and two["assignee"] is None
    assert two["queue"]["name"] == "Tier 2 Benefits and billing"
    assert clock(two, "tier1_handoff")["state"] == "met"
    assert clock(two, "claim_research")["state"] == "running"
    # Tier 2 -> 3 is for regulatory work only.
    r = tier2.client.post(url + "/escalate", json={"reason": "needs_specialist", "rationale": "?"})
    assert r.status_code == 409 and "Tier 3" in r.json()["detail"][0]["msg"]
    r = tier2.client.post(
        url + "/escalate", json={"reason": "formal_appeal", "rationale": "Appeal"}
    )
    assert r.status_code == 200, r.text
    three = r.json()
    assert three["tier"] == 3 and three["queue"]["name"] == "Tier 3 Appeals and compliance"
    assignment = clock(three, "tier3_assignment")
    assert assignment["state"] == "running" and assignment["kind"] == "business_days"
    r = tier3.client.post(url + "/escalate", json={"reason": "legal", "rationale": "Lawyer"})
    assert r.status_code == 409 and "Tier 3" in r.json()["detail"][0]["msg"]
    moves = client.get(url).json()["handoffs"]
    assert [(h["from_tier"], h["to_tier"], h["reason"]) for h in moves] == [
        (1, 2, "billing_dispute"),
        (2, 3, "formal_appeal"),
    ]
    assert moves[0]["rationale"] == "Needs a correction" and moves[0]["at"]


def test_assigning_a_tier3_case_meets_the_assignment_clock(client, member, supervisor, tier3):
    case = open_case(client, member.id, case_type="appeal")
    url = f"/api/cases/{case['id']}"
    client.post(url + "/escalate", json={"reason": "formal_appeal", "rationale": "Appeal filed"})
    r = client.post(url + "/escalate", json={"reason": "formal_appeal", "rationale": "Appeal"})
    assert r.status_code == 200 and r.json()["tier"] == 3
    r = supervisor.client.post(url + "/assign", json={"user_id": tier3.user.id})
    assert r.status_code == 200, r.text
    assert r.json()["assignee"]["id"] == tier3.user.id
    assert clock(r.json(), "tier3_assignment")["state"] == "met"
    assert client.post(url + "/assign", json={"user_id": tier3.user.id}).status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reason": "billing_dispute", "rationale": ""}, "rationale"),
        ({"reason": "billing_dispute", "rationale": "   "}, "rationale"),
        ({"reason": "billing_dispute"}, "rationale"),
        ({"reason": "because", "rationale": "Why not"}, "reason"),
    ],
)
def test_escalating_without_a_rationale_or_reason_changes_nothing(
    client, member, db: Session, body, field
) -> None:
    case = open_case(client, member.id)
    r = client.post(f"/api/cases/{case['id']}/escalate", json=body)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == field
    row = db.get(Case, case["id"])
    assert row is not None and row.tier == 1
    assert db.scalar(select(CaseHandoff).where(CaseHandoff.case_id == row.id)) is None


def test_deescalation_returns_the_case_and_restarts_the_handoff_clock(client, member) -> None:
    case = open_case(client, member.id)
    url = f"/api/cases/{case['id']}"
    assert client.post(url + "/deescalate", json={"rationale": "x"}).status_code == 409
    client.post(url + "/escalate", json={"reason": "needs_specialist", "rationale": "Complex"})
    r = client.post(url + "/deescalate", json={"rationale": "Routine after all"})
    assert r.status_code == 200
    back = r.json()
    assert back["tier"] == 1 and back["queue"]["name"] == "Tier 1 General"
    handoffs = [c for c in back["clocks"] if c["target"] == "tier1_handoff"]
    assert [c["state"] for c in handoffs] == ["met", "running"]


def test_a_resolved_case_cannot_be_escalated(client, member, db: Session) -> None:
    case = open_case(client, member.id, case_type="other")
    url = f"/api/cases/{case['id']}"
    assert (
        client.post(url + "/state", json={"state": "resolved", "rationale": "Done"}).status_code
        == 200
    )
    r = client.post(url + "/escalate", json={"reason": "complaint", "rationale": "Angry"})
    assert r.status_code == 409 and "resolved" in r.json()["detail"][0]["msg"]


def test_the_handoff_deadline_escalates_once(client, member, db: Session) -> None:
    case = open_case(client, member.id, case_type="billing")
    due = datetime.fromisoformat(clock(case, "tier1_handoff")["due_at"])
    assert not service.escalate_overdue(db, case["id"], due - timedelta(minutes=1), SYSTEM)
    assert case["id"] not in service.overdue_handoffs(db, due - timedelta(minutes=1))
    with time_machine.travel(due + timedelta(minutes=5), tick=False):
        at = datetime.now(UTC)
        assert case["id"] in service.overdue_handoffs(db, at)
        assert service.escalate_overdue(db, case["id"], at, SYSTEM)
        assert not service.escalate_overdue(db, case["id"], at, SYSTEM)  # idempotent
        assert case["id"] not in service.overdue_handoffs(db, at)
        moved = client.get(f"/api/cases/{case['id']}").json()
    assert moved["tier"] == 2 and moved["assignee"] is None
    assert moved["queue"]["name"] == "Tier 2 Benefits and billing"
    assert clock(moved, "tier1_handoff")["state"] == "met"
    auto = [h for h in moved["handoffs"] if h["kind"] == "auto_escalated"]
    assert (
        len(auto) == 1 and auto[0]["reason"] == "handoff_deadline" and auto[0]["actor_id"] is None
    )


def test_a_case_escalated_by_hand_is_not_moved_again_by_the_deadline(client, member, db) -> None:
    case = open_case(client, member.id)
    client.post(
        f"/api/cases/{case['id']}/escalate", json={"reason": "complaint", "rationale": "Upset"}
    )
    later = datetime.now(UTC) + timedelta(hours=49)
    assert not service.escalate_overdue(db, case["id"], later, SYSTEM)
    row = db.get(Case, case["id"])
    assert row is not None and row.tier == 2
