"""Every read of a member record is audited; access reports answer who saw what."""

from __future__ import annotations

import csv
import io
import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance.audit import SYSTEM
from memberdesk.compliance.enums import PHI_ACCESS_ACTIONS, Role
from memberdesk.compliance.models import AuditEntry, AuditMemberAccess
from memberdesk.navigators import service as navigators
from tests import factories as f
from tests.compliance.test_auth import sign_in
from tests.compliance.test_permissions import flat

WINDOW = {"start": "2020-01-01", "end": "2099-12-31"}


def entries_for(db: Session, member_id: int) -> list[AuditEntry]:
    return list(
        db.scalars(
            select(AuditEntry)
            .join(AuditMemberAccess, AuditMemberAccess.audit_id == AuditEntry.id)
            .where(AuditMemberAccess.member_id == member_id)
            .order_by(AuditEntry.id)
        )
    )


def test_every_member_read_route_writes_an_audit_entry(app, agent, db: Session) -> None:
    m = f.member(db)
    # Flagged for a navigator, so that the navigator route has something to show.
    navigators.flag(
        db, SYSTEM, m.id, reason="complex needs", navigator_id=None, actor=agent.user, at=now()
    )
    member_routes = [
        r.path
        for r in flat(app.routes)
        if r.path.startswith("/api/members/{member_id}") and "GET" in r.methods
    ]
    assert len(member_routes) >= 5
    for path in member_routes:
        before = len(entries_for(db, m.id))
        response = agent.client.get(path.replace("{member_id}", str(m.id)))
        assert response.status_code == 200, path
        after = entries_for(db, m.id)
        assert len(after) == before + 1, path
        last = after[-1]
        # Each read names what it showed (member.read, case.listed, contact.listed, ...); every
        # one is a PHI access that the member's access report lists.
        assert last.action in PHI_ACCESS_ACTIONS, path
        assert (last.actor, last.role) == (
            agent.user.username,
            "tier1_agent",
        )
        assert last.request_id and last.purpose == "operations"


def test_pages_are_audited_too(app, login, db: Session) -> None:
    m = f.member(db)
    user = login(Role.TIER1_AGENT).user
    with TestClient(app) as browser:
        sign_in(browser, user.username)
        page = browser.get(f"/members/{m.id}")
        assert page.status_code == 200 and "Testperson" in page.text
    assert entries_for(db, m.id)[-1].action == "member.read"


def test_search_is_audited_with_hashed_terms_and_every_member_shown(agent, db: Session) -> None:
    m = f.member(db, last_name="Hashmeplease", phone="(661) 555-0123")
    agent.client.post(
        "/api/members/search", json={"last_name": "Hashmeplease", "date_of_birth": "1980-05-17"}
    )
    agent.client.post("/api/members/search", json={"phone": "661-555-0123"})
    searches = db.scalars(
        select(AuditEntry).where(AuditEntry.action == "member.search").order_by(AuditEntry.id)
    ).all()[-2:]
    assert [s.detail["key"] for s in searches] == ["name_dob", "phone"]
    for s in searches:
        assert s.detail["results"] == 1 and re.fullmatch(r"[0-9a-f]{64}", s.detail["term_hash"])
        blob = repr(s.detail) + repr(s.changes)
        assert "Hashmeplease" not in blob and "1980-05-17" not in blob and "0123" not in blob
    assert [e.action for e in entries_for(db, m.id)][-2:] == ["member.search", "member.search"]


def test_purpose_of_use_is_recorded_and_validated(agent, db: Session) -> None:
    m = f.member(db)
    agent.client.get(f"/api/members/{m.id}", headers={"X-Purpose-Of-Use": "payment"})
    assert entries_for(db, m.id)[-1].purpose == "payment"
    bad = agent.client.get(f"/api/members/{m.id}", headers={"X-Purpose-Of-Use": "curiosity"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == [
        "header",
        "x-purpose-of-use",
    ]


def test_who_accessed_member_x_and_everything_user_u_accessed(login, db: Session) -> None:
    target = f.member(db, last_name="Reportable")
    other = f.member(db, last_name="Bystander")
    nosy = login(Role.TIER1_AGENT)
    honest = login(Role.TIER2_SPECIALIST)
    nosy.client.get(f"/api/members/{target.id}")
    nosy.client.get(f"/api/members/{other.id}/eligibility")
    honest.client.post("/api/members/search", json={"member_number": target.member_number})
    officer = login(Role.COMPLIANCE_OFFICER).client

    by_member = officer.get(f"/api/compliance/access/member/{target.id}", params=WINDOW).json()
    assert [(r["actor"], r["action"]) for r in by_member] == [
        (nosy.user.username, "member.read"),
        (honest.user.username, "member.search"),
    ]
    assert all(r["member_number"] == target.member_number for r in by_member)

    by_user = officer.get(f"/api/compliance/access/user/{nosy.user.id}", params=WINDOW).json()
    assert {r["member_name"] for r in by_user} == {"Alex Reportable", "Alex Bystander"}

    as_csv = officer.get(
        f"/api/compliance/access/user/{nosy.user.id}", params={**WINDOW, "format": "csv"}
    )
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in as_csv.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert len(rows) == 2 and rows[0]["actor"] == nosy.user.username

    empty = officer.get(
        f"/api/compliance/access/member/{target.id}",
        params={"start": "2020-01-01", "end": "2020-01-31"},
    ).json()
    assert empty == []
    backwards = officer.get(
        f"/api/compliance/access/member/{target.id}",
        params={"start": "2026-02-01", "end": "2026-01-01"},
    )
    assert backwards.status_code == 422 and backwards.json()["detail"][0]["loc"] == ["query", "end"]
    reports = db.scalar(select(func.count()).where(AuditEntry.action == "compliance.access_report"))
    assert reports == 4  # reading the access log is itself audited (not the refused query)


def test_compliance_reads_old_and_new_values(login, db: Session) -> None:
    m = f.member(db)
    agent = login(Role.TIER1_AGENT)
    agent.client.post(
        f"/api/members/{m.id}/life-events",
        json={"event_type": "birth", "event_date": "2026-11-01", "notes": "twins, both covered"},
    )
    card = agent.client.post(f"/api/members/{m.id}/id-cards", json={"reason": "damaged"}).json()
    agent.client.patch(f"/api/id-cards/{card['id']}", json={"status": "printed"})
    page = (
        login(Role.COMPLIANCE_OFFICER)
        .client.get("/api/compliance/audit", params={"actor_id": agent.user.id})
        .json()
    )
    changes = {e["action"]: e["changes"] for e in page["items"]}
    assert changes["id_card.updated"] == {
        "old": {"status": "requested"},
        "new": {"status": "printed"},
    }
    assert changes["life_event.recorded"]["new"]["notes"] == "twins, both covered"
    stored = db.scalar(select(AuditEntry.changes).where(AuditEntry.action == "life_event.recorded"))
    assert b"twins" not in bytes(stored)  # encrypted at rest


def test_audit_verify_endpoint(login) -> None:
    result = login(Role.COMPLIANCE_OFFICER).client.get("/api/compliance/audit/verify").json()
    assert result["ok"] is True and result["entries"] >= 400 and result["first_bad_entry"] is None
