"""Opening, reading and moving cases through the real app, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from memberdesk.cases.enums import CaseState
from memberdesk.cases.models import Case, CaseNote
from memberdesk.cases.states import ALLOWED
from memberdesk.compliance import audit
from memberdesk.compliance.enums import Role
from memberdesk.compliance.models import AuditEntry
from tests import factories as f
from tests.cases.conftest import clock, open_case


def test_a_new_case_has_the_contract_shape_and_its_tier1_clock(client, member) -> None:
    before = datetime.now().astimezone()
    case = open_case(client, member.id, case_type="eligibility", summary="Eligibility check")
    assert case["state"] == "new" and case["tier"] == 1 and case["assignee"] is None
    assert case["queue"]["name"] == "Tier 1 General" and case["priority"] == "normal"
    created = datetime.fromisoformat(case["created_at"])
    assert created.tzinfo is not None and created >= before - timedelta(seconds=5)
    handoff = clock(case, "tier1_handoff")
    assert handoff["state"] == "running"
    due = datetime.fromisoformat(handoff["due_at"])
    assert due.utcoffset() in (timedelta(hours=-8), timedelta(hours=-7))  # Pacific, as the pack
    assert due - created == timedelta(hours=48)
    assert [c["target"] for c in case["clocks"]] == ["tier1_handoff"]
    again = client.get(f"/api/cases/{case['id']}").json()
    for key in ("id", "state", "tier", "queue", "assignee", "created_at", "clocks", "summary"):
        assert again[key] == case[key]
    assert [s["id"] for s in again["checklist"]["steps"]][:2] == [
        "verify_identity",
        "check_coverage_dates",
    ]


def test_billing_and_claims_cases_carry_claim_research(client, member) -> None:
    for kind in ("billing", "claims"):
        case = open_case(client, member.id, case_type=kind, priority="high")
        research = clock(case, "claim_research")
        assert research["kind"] == "business_days" and research["amount"] == 5
        assert case["priority"] == "high"
    claims = open_case(client, member.id, case_type="claims")
    assert claims["queue"]["name"] == "Tier 1 General"


def test_a_spanish_speaking_members_case_waits_in_the_spanish_queue(client, spanish_member) -> None:
    case = open_case(client, spanish_member.id, case_type="billing")
    assert case["queue"]["name"] == "Tier 1 Spanish" and case["language"] == "es"


def test_the_summary_is_encrypted_at_rest(client, member, db: Session) -> None:
    case = open_case(client, member.id, summary="Premium doubled in March unexpectedly")
    raw = db.execute(
        text("SELECT summary FROM cases WHERE id = :id"), {"id": case["id"]}
    ).scalar_one()
    assert b"Premium doubled" not in bytes(raw)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"member_id": 99999999}, "member_id"),
        ({"case_type": "teleportation"}, "case_type"),
        ({"priority": "whenever"}, "priority"),
        ({"summary": "   "}, "summary"),
        ({"contact_id": 99999999}, "contact_id"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(client, member, db, body, field) -> None:
    count = db.scalar(select(func.count()).select_from(Case))
    payload = {"member_id": member.id, "case_type": "billing", "summary": "Overcharged"}
    payload.update(body)
    r = client.post("/api/cases", json=payload)
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"][-1] == field
    assert "teleportation" not in r.text and "whenever" not in r.text
    assert db.scalar(select(func.count()).select_from(Case)) == count


ILLEGAL = [(a, b) for a in CaseState for b in CaseState if b not in ALLOWED[a]]


@pytest.mark.parametrize(("current", "wanted"), ILLEGAL)
def test_each_illegal_transition_is_a_409_naming_both_states(
    client, member, db: Session, current: CaseState, wanted: CaseState
) -> None:
    case = open_case(client, member.id)
    row = db.get(Case, case["id"])
    assert row is not None
    row.state = current
    db.commit()
    r = client.post(
        f"/api/cases/{case['id']}/state", json={"state": wanted.value, "rationale": "because"}
    )
    assert r.status_code == 409, r.text
    msg = r.json()["detail"][0]["msg"]
    assert f"from {current.value} to {wanted.value}" in msg
    db.refresh(row)
    assert row.state is current


def test_resolving_needs_a_rationale_and_the_required_steps(client, member, db) -> None:
    case = open_case(client, member.id, case_type="id_card")
    url = f"/api/cases/{case['id']}"
    r = client.post(url + "/state", json={"state": "resolved"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "rationale"
    r = client.post(url + "/state", json={"state": "resolved", "rationale": "Card reissued"})
    assert r.status_code == 409
    msg = r.json()["detail"][0]["msg"]
    assert "verify_identity" in msg and "request_card" in msg
    assert "offer_digital_card" not in msg  # optional
    bad = client.post(url + "/checklist/no_such_step")
    assert bad.status_code == 404 and bad.json()["detail"][0]["loc"] == ["path", "step_id"]
    for step in ("verify_identity", "confirm_mailing_address", "request_card"):
        ticked = client.post(f"{url}/checklist/{step}")
        assert ticked.status_code == 200 and ticked.json()["done"] is True
    r = client.patch(url, json={"state": "resolved", "rationale": "Card reissued"})
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["state"] == "resolved" and done["resolved_at"]
    assert clock(done, "tier1_handoff")["state"] == "met"
    detail = client.get(url).json()
    assert [n["kind"] for n in detail["notes"]] == ["resolution"]
    assert detail["notes"][0]["text"] == "Card reissued"


def test_waiting_on_the_member_pauses_only_clocks_that_may_pause(client, member) -> None:
    case = open_case(client, member.id, case_type="billing")
    r = client.post(f"/api/cases/{case['id']}/state", json={"state": "waiting_on_member"})
    assert r.status_code == 200
    after = r.json()
    assert clock(after, "claim_research")["state"] == "paused"
    assert clock(after, "claim_research")["due_at"] is None
    assert clock(after, "tier1_handoff")["state"] == "running"  # a hand-off never pauses
    back = client.post(f"/api/cases/{case['id']}/state", json={"state": "in_progress"}).json()
    research = clock(back, "claim_research")
    assert research["state"] == "running" and research["due_at"] is not None


def test_notes_are_append_only_and_corrections_are_addenda(client, member) -> None:
    case = open_case(client, member.id)
    url = f"/api/cases/{case['id']}/notes"
    first = client.post(url, json={"text": "Member says card declined at pharmacy"})
    assert first.status_code == 201
    fix = client.post(
        url, json={"text": "Correction: at the clinic", "corrects": first.json()["id"]}
    )
    assert fix.status_code == 201 and fix.json()["kind"] == "correction"
    assert client.post(url, json={"text": "x", "corrects": 99999999}).status_code == 422
    notes = client.get(f"/api/cases/{case['id']}").json()["notes"]
    assert [n["text"] for n in notes] == [
        "Member says card declined at pharmacy",
        "Correction: at the clinic",
    ]
    assert notes[1]["corrects"] == notes[0]["id"]
    note_id = notes[0]["id"]
    for method in ("PUT", "PATCH", "DELETE"):
        r = client.request(method, f"{url}/{note_id}", json={"text": "rewritten"})
        assert r.status_code in (404, 405)


def test_lists_filters_and_the_members_open_cases(client, member, db) -> None:
    a = open_case(client, member.id, case_type="billing")
    b = open_case(client, member.id, case_type="claims")
    page = client.get("/api/cases", params={"member_id": member.id}).json()
    assert page["total"] == 2 and {c["id"] for c in page["items"]} == {a["id"], b["id"]}
    only = client.get("/api/cases", params={"member_id": member.id, "case_type": "claims"}).json()
    assert [c["id"] for c in only["items"]] == [b["id"]]
    assert client.get("/api/cases", params={"assignee": "me"}).json()["total"] == 0
    mine = client.get(f"/api/members/{member.id}/cases").json()
    assert [c["id"] for c in mine] == [a["id"], b["id"]]
    assert all(c["clocks"] for c in mine)
    assert client.get("/api/members/99999999/cases").status_code == 404


def test_reads_and_changes_are_audited(client, member, agent, db) -> None:
    case = open_case(client, member.id)
    client.get(f"/api/cases/{case['id']}")
    client.post(f"/api/cases/{case['id']}/state", json={"state": "in_progress"})
    client.get(f"/api/members/{member.id}/cases")
    audit.seal_all(db)
    rows = db.execute(
        select(AuditEntry.action, AuditEntry.actor_id)
        .where(AuditEntry.action.like("case.%"))
        .order_by(AuditEntry.id)
    ).all()
    actions = [a for a, who in rows if who == agent.user.id]
    assert actions[-4:] == ["case.created", "case.read", "case.state_changed", "case.listed"]


def test_qa_reads_but_cannot_write_and_members_see_nothing(client, member, login) -> None:
    case = open_case(client, member.id)
    qa = login(Role.QA_ANALYST).client
    assert qa.get(f"/api/cases/{case['id']}").status_code == 200
    r = qa.post(f"/api/cases/{case['id']}/notes", json={"text": "QA was here"})
    assert r.status_code == 403 and "case.write" in r.json()["detail"][0]["msg"]
    assert qa.post("/api/cases", json={"member_id": member.id}).status_code == 403
    portal = login(Role.MEMBER, member_id=member.id).client
    for method, url in [
        ("GET", f"/api/cases/{case['id']}"),
        ("GET", "/api/cases"),
        ("GET", f"/api/members/{member.id}/cases"),
        ("POST", "/api/work/next"),
        ("GET", "/api/queues"),
    ]:
        assert portal.request(method, url).status_code == 403, url
    assert "Card not working" not in portal.get(f"/api/cases/{case['id']}").text
    wfm = login(Role.WFM_ANALYST).client
    assert wfm.get(f"/api/cases/{case['id']}").status_code == 403


def test_nothing_is_written_by_a_refused_state_change(client, member, db: Session) -> None:
    case = open_case(client, member.id)
    notes = db.scalar(select(func.count()).select_from(CaseNote))
    r = client.post(f"/api/cases/{case['id']}/state", json={"state": "closed", "rationale": "x y"})
    assert r.status_code == 409
    assert db.scalar(select(func.count()).select_from(CaseNote)) == notes


def _contact(client, member_id: int, channel: str, hours_ago: float = 1) -> int:  # type: ignore[no-untyped-def]
    start = datetime.now(UTC) - timedelta(hours=hours_ago)
    r = client.post(
        "/api/contacts",
        json={
            "member_id": member_id,
            "channel": channel,
            "direction": "inbound",
            "reasons": ["billing"],
            "started_at": start.isoformat(),
            "ended_at": (start + timedelta(minutes=5)).isoformat(),
            "resolved": False,
        },
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_a_case_from_a_written_contact_owes_a_reply_and_links_it(client, member, db) -> None:
    email = _contact(client, member.id, "email")
    case = open_case(client, member.id, case_type="billing", contact_id=email)
    reply = clock(case, "email_reply")
    assert reply["kind"] == "business_days" and reply["amount"] == 1
    # Counted from when the message arrived, not from when the case was opened.
    assert datetime.fromisoformat(reply["started_at"]) < datetime.fromisoformat(
        case["created_at"]
    ) - timedelta(minutes=30)
    phone = _contact(client, member.id, "phone")
    url = f"/api/cases/{case['id']}/contacts"
    assert client.post(url, json={"contact_id": phone}).status_code == 201
    assert client.post(url, json={"contact_id": phone}).status_code == 409
    other = f.member(db, last_name="Elsewhere")
    theirs = _contact(client, other.id, "phone")
    r = client.post(url, json={"contact_id": theirs})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "contact_id"]
    linked = client.get(f"/api/cases/{case['id']}").json()["contacts"]
    assert [c["contact_id"] for c in linked] == [email, phone]
    waiting = client.post(f"/api/cases/{case['id']}/state", json={"state": "waiting_on_member"})
    assert clock(waiting.json(), "email_reply")["state"] == "met"
    by_phone = open_case(client, member.id, case_type="billing", contact_id=phone)
    assert "email_reply" not in [c["target"] for c in by_phone["clocks"]]
