"""Queues, skills, get-next and warm transfers through the app."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from memberdesk.cases.models import CaseClock
from memberdesk.compliance.enums import Role
from tests.cases.conftest import open_case


def test_get_next_takes_breach_risk_then_priority_then_age(client, member, login, db) -> None:
    old_low = open_case(client, member.id, priority="low")
    urgent = open_case(client, member.id, priority="urgent")
    normal = open_case(client, member.id)
    at_risk = open_case(client, member.id, priority="low")
    # Equal deadlines for three (priority decides); the low-priority fourth is nearest to breach.
    same = datetime.now(UTC) + timedelta(hours=40)
    db.execute(
        update(CaseClock)
        .where(CaseClock.case_id.in_([old_low["id"], urgent["id"], normal["id"]]))
        .values(due_at=same)
    )
    db.execute(
        update(CaseClock)
        .where(CaseClock.case_id == at_risk["id"])
        .values(due_at=datetime.now(UTC) + timedelta(hours=1))
    )
    db.commit()
    worker = login(Role.TIER1_AGENT)
    got = [worker.client.post("/api/work/next") for _ in range(4)]
    assert [r.status_code for r in got] == [200, 200, 200, 200]
    ids = [r.json()["id"] for r in got]
    assert ids == [at_risk["id"], urgent["id"], normal["id"], old_low["id"]]
    first = got[0].json()
    assert first["kind"] == "case" and first["case"]["assignee"]["id"] == worker.user.id
    assert first["case"]["state"] == "in_progress"
    assert worker.client.post("/api/work/next").status_code == 204
    mine = worker.client.get("/api/cases", params={"assignee": "me"}).json()
    assert mine["total"] == 4


def test_skills_decide_language_tier_and_capacity(
    client, spanish_member, member, login, supervisor
):
    spanish = open_case(client, spanish_member.id, case_type="billing")
    english_only = login(Role.TIER1_AGENT)
    assert english_only.client.post("/api/work/next").status_code == 204
    bilingual = login(Role.TIER1_AGENT)
    skills = {"tiers": [1], "languages": ["en", "es"], "case_types": None, "capacity": 1}
    r = supervisor.client.put(f"/api/agents/{bilingual.user.id}/skills", json=skills)
    assert r.status_code == 200 and r.json()["languages"] == ["en", "es"]
    got = bilingual.client.post("/api/work/next")
    assert got.status_code == 200 and got.json()["id"] == spanish["id"]
    open_case(client, member.id)
    full = bilingual.client.post("/api/work/next")
    assert full.status_code == 409 and "capacity" in full.json()["detail"][0]["msg"]
    tier2 = login(Role.TIER2_SPECIALIST)
    assert tier2.client.post("/api/work/next").status_code == 204  # nothing at Tier 2
    bad = supervisor.client.put(
        f"/api/agents/{bilingual.user.id}/skills", json={**skills, "tiers": [4]}
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][1] == "tiers"
    assert client.put(f"/api/agents/{bilingual.user.id}/skills", json=skills).status_code == 403


def test_an_escalated_case_is_found_by_the_next_tiers_get_next(client, member, tier2) -> None:
    case = open_case(client, member.id, case_type="claims")
    client.post(
        f"/api/cases/{case['id']}/escalate",
        json={"reason": "claim_dispute", "rationale": "Denied claim disputed"},
    )
    got = tier2.client.post("/api/work/next")
    assert got.status_code == 200 and got.json()["id"] == case["id"]
    assert got.json()["case"]["queue"]["name"] == "Tier 2 Claims"


def test_voicemail_callbacks_come_before_paperwork(client, member, login) -> None:
    open_case(client, member.id)
    r = client.post(
        "/api/voicemails",
        json={
            "member_id": member.id,
            "phone": "(415) 555-0199",
            "received_at": datetime.now(UTC).isoformat(),
        },
    )
    assert r.status_code == 201, r.text
    worker = login(Role.TIER1_AGENT)
    first = worker.client.post("/api/work/next").json()
    assert first["kind"] == "callback" and first["id"] == r.json()["id"]
    assert worker.client.post("/api/work/next").json()["kind"] == "case"


def test_queues_show_waiting_at_risk_and_breached(client, member, supervisor, db) -> None:
    a = open_case(client, member.id)
    b = open_case(client, member.id)
    now = datetime.now(UTC)
    db.execute(
        update(CaseClock)
        .where(CaseClock.case_id == a["id"])
        .values(warn_at=now - timedelta(hours=1), due_at=now + timedelta(hours=1))
    )
    db.execute(
        update(CaseClock)
        .where(CaseClock.case_id == b["id"])
        .values(warn_at=now - timedelta(hours=2), due_at=now - timedelta(hours=1))
    )
    db.commit()
    r = supervisor.client.get("/api/queues")
    assert r.status_code == 200
    general = next(q for q in r.json() if q["name"] == "Tier 1 General")
    assert general["waiting"] >= 2 and general["at_risk"] >= 1 and general["breached"] >= 1
    assert general["oldest_waiting_seconds"] is not None
    assert "Card not working" not in r.text
    assert client.get("/api/queues").status_code == 403  # agents do not see every queue


def test_warm_transfer_accept_decline_and_stats(client, member, login, supervisor) -> None:
    case = open_case(client, member.id)
    receiver = login(Role.TIER1_AGENT)
    other = login(Role.TIER1_AGENT)
    start = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    body = {
        "to_user_id": receiver.user.id,
        "context_summary": "Coverage question after a job change",
        "member_question": "Ask whether COBRA applies from the first of the month",
        "warm": True,
    }
    t = client.post(f"/api/cases/{case['id']}/transfers", json=body)
    assert t.status_code == 201 and t.json()["status"] == "pending"
    assert client.post(f"/api/cases/{case['id']}/transfers", json=body).status_code == 409
    assert other.client.post(f"/api/transfers/{t.json()['id']}/accept").status_code == 403
    ok = receiver.client.post(f"/api/transfers/{t.json()['id']}/accept")
    assert ok.status_code == 200 and ok.json()["status"] == "accepted"
    now_case = client.get(f"/api/cases/{case['id']}").json()
    assert now_case["assignee"]["id"] == receiver.user.id
    assert now_case["handoffs"][-1]["kind"] == "transferred"
    cold = {"to_user_id": other.user.id, "context_summary": "Billing", "warm": False}
    t2 = receiver.client.post(f"/api/cases/{case['id']}/transfers", json=cold)
    assert t2.status_code == 201
    no = other.client.post(f"/api/transfers/{t2.json()['id']}/decline", json={"reason": "Full"})
    assert no.status_code == 200 and no.json()["status"] == "declined"
    assert client.get(f"/api/cases/{case['id']}").json()["assignee"]["id"] == receiver.user.id
    end = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
    stats = supervisor.client.get("/api/transfers/stats", params={"start": start, "end": end})
    assert stats.status_code == 200, stats.text
    s = stats.json()
    assert (s["warm"], s["cold"], s["accepted"], s["declined"]) == (1, 1, 1, 1)
    naive = supervisor.client.get(
        "/api/transfers/stats", params={"start": "2026-01-01T00:00:00", "end": end}
    )
    assert naive.status_code == 422 and naive.json()["detail"][0]["loc"] == ["query", "start"]
    warm_without_question = {**body, "member_question": None}
    r = client.post(f"/api/cases/{case['id']}/transfers", json=warm_without_question)
    assert r.status_code == 422


def test_a_transfer_to_a_queue_is_taken_by_someone_who_works_it(
    client, spanish_member, login
) -> None:  # type: ignore[no-untyped-def]
    case = open_case(client, spanish_member.id, case_type="benefits")
    queues = {q["name"]: q["id"] for q in login(Role.SUPERVISOR).client.get("/api/queues").json()}
    body = {
        "to_queue_id": queues["Tier 1 General"],
        "context_summary": "Member prefers English for this matter",
        "warm": False,
    }
    wrong_tier = {**body, "to_queue_id": queues["Tier 2 Claims"]}
    r = client.post(f"/api/cases/{case['id']}/transfers", json=wrong_tier)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "to_queue_id"]
    t = client.post(f"/api/cases/{case['id']}/transfers", json=body)
    assert t.status_code == 201, t.text
    tier2 = login(Role.TIER2_SPECIALIST)
    assert tier2.client.post(f"/api/transfers/{t.json()['id']}/accept").status_code == 403
    taker = login(Role.TIER1_AGENT)
    ok = taker.client.post(f"/api/transfers/{t.json()['id']}/accept")
    assert ok.status_code == 200
    moved = client.get(f"/api/cases/{case['id']}").json()
    assert moved["queue"]["name"] == "Tier 1 General" and moved["assignee"]["id"] == taker.user.id
    again = taker.client.post(f"/api/transfers/{t.json()['id']}/decline", json={"reason": "x"})
    assert again.status_code == 409


def test_patch_state_is_the_same_move(client, member) -> None:
    case = open_case(client, member.id)
    r = client.patch(f"/api/cases/{case['id']}/state", json={"state": "waiting_on_third_party"})
    assert r.status_code == 200 and r.json()["state"] == "waiting_on_third_party"
