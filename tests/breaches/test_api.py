"""The breach register over HTTP, on each database: recording, assessing, deciding and notices
with their clocks; bad input named by field with nothing changed; every action audited; only
compliance officers write, and only audit readers read."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.breaches.models import BreachNotice, Incident
from memberdesk.compliance.enums import Role
from tests import factories as f
from tests.breaches.conftest import ASSESSMENT, actions, incident_body

NOW = "2026-06-15T10:00:00-07:00"
DISCOVERED = "2026-06-01T09:30:00-07:00"


@pytest.fixture(autouse=True)
def frozen() -> Any:
    """Every test here happens on 15 June 2026 (accounts and tokens included)."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def loc(response: Any) -> str:
    return ".".join(str(p) for p in response.json()["detail"][0]["loc"])


def test_an_incident_is_recorded_with_its_clocks(officer, db: Session) -> None:  # type: ignore[no-untyped-def]
    member = f.member(db)
    with time_machine.travel(NOW, tick=False):
        got = officer.client.post(
            "/api/breaches", json=incident_body(DISCOVERED, member_ids=[member.id])
        )
    assert got.status_code == 201, got.text
    body = got.json()
    assert body["state"] == "assessing" and body["member_ids"] == [member.id]
    clocks = {c["recipient"]: c for c in body["clocks"]}
    assert set(clocks) == {"individuals", "california", "hhs"}
    assert clocks["individuals"]["due_at"] == "2026-07-31T23:59:59-07:00"
    assert clocks["california"]["due_at"] == "2026-07-01T23:59:59-07:00"
    assert clocks["hhs"]["annual_log"] and clocks["hhs"]["due_at"] == "2027-03-01T23:59:59-08:00"
    assert all(c["status"] == "running" for c in body["clocks"])
    assert body["policy_version"].startswith("compliance@")
    assert actions(db, "breach_incident", body["id"]) == ["breach.recorded"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"discovered_at": "2026-06-20T09:00:00-07:00"}, "body.discovered_at"),  # the future
        ({"discovered_at": "2026-06-01T09:30:00"}, "body.discovered_at"),  # no offset
        ({"affected_count": -1}, "body.affected_count"),
        ({"residents_by_state": {"CA": -3}}, "body.residents_by_state.CA"),
        ({"residents_by_state": {"CA": 50}}, "body.residents_by_state"),  # more than affected
        ({"residents_by_state": {"ZZ": 3}}, "body.residents_by_state.ZZ.[key]"),
        ({"phi_kinds": []}, "body.phi_kinds"),
        ({"member_ids": [999_999]}, "body.member_ids"),
    ],
)
def test_bad_incidents_are_refused_naming_the_field(
    officer, db: Session, change: dict[str, Any], field: str
) -> None:  # type: ignore[no-untyped-def]
    before = count(db, Incident)
    with time_machine.travel(NOW, tick=False):
        got = officer.client.post("/api/breaches", json={**incident_body(DISCOVERED), **change})
    assert got.status_code == 422, got.text
    assert loc(got) == field
    assert count(db, Incident) == before


def _recorded(officer, **extra: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    at = extra.pop("discovered_at", DISCOVERED)
    with time_machine.travel(NOW, tick=False):
        got = officer.client.post("/api/breaches", json=incident_body(at, **extra))
    assert got.status_code == 201, got.text
    return got.json()


def test_not_a_breach_needs_the_assessment_done(officer, db: Session) -> None:  # type: ignore[no-untyped-def]
    inc = _recorded(officer)
    url = f"/api/breaches/{inc['id']}"
    decision = {"outcome": "not_a_breach", "basis": "low_probability", "rationale": "Destroyed"}
    with time_machine.travel(NOW, tick=False):
        refused = officer.client.post(url + "/decision", json=decision)
        assert refused.status_code == 422 and loc(refused) == "body.basis"
        assert "risk assessment" in refused.json()["detail"][0]["msg"]
        assert officer.client.get(url).json()["state"] == "assessing"  # nothing changed
        half = {k: ASSESSMENT[k] for k in ("nature_extent", "unauthorized_person")}
        partial = officer.client.put(url + "/assessment", json=half)
        assert partial.status_code == 200 and not partial.json()["assessment_complete"]
        assert officer.client.post(url + "/decision", json=decision).status_code == 422
        done = officer.client.put(url + "/assessment", json=ASSESSMENT).json()
        assert done["assessment_complete"]
        decided = officer.client.post(url + "/decision", json=decision)
        assert decided.status_code == 200, decided.text
        body = decided.json()
        assert body["state"] == "not_a_breach"
        assert {c["status"] for c in body["clocks"]} == {"not_required"}
        again = officer.client.post(url + "/decision", json={**decision, "outcome": "breach"})
        assert again.status_code == 409
        late = officer.client.put(url + "/assessment", json=ASSESSMENT)
        assert late.status_code == 409
        owed = {"recipient": "individuals", "sent_at": NOW, "method": "mail", "people": 40}
        assert officer.client.post(url + "/notices", json=owed).status_code == 409
    assert actions(db, "breach_incident", inc["id"]) == [
        "breach.recorded",
        "breach.read",
        "breach.assessed",
        "breach.assessed",
        "breach.decided",
    ]


def test_an_exclusion_needs_no_assessment_but_a_breach_takes_no_basis(officer) -> None:  # type: ignore[no-untyped-def]
    inc = _recorded(officer)
    url = f"/api/breaches/{inc['id']}/decision"
    with time_machine.travel(NOW, tick=False):
        bare = officer.client.post(url, json={"outcome": "not_a_breach", "rationale": "x"})
        assert bare.status_code == 422 and loc(bare) == "body.basis"
        odd = {"outcome": "breach", "basis": "unable_to_retain", "rationale": "x"}
        assert loc(officer.client.post(url, json=odd)) == "body.basis"
        ok = {"outcome": "not_a_breach", "basis": "unable_to_retain", "rationale": "Returned"}
        assert officer.client.post(url, json=ok).json()["state"] == "not_a_breach"


def test_notices_are_tracked_to_completion(officer, db: Session) -> None:  # type: ignore[no-untyped-def]
    inc = _recorded(officer, affected_count=600, residents_by_state={"CA": 560, "OR": 40})
    url = f"/api/breaches/{inc['id']}"
    with time_machine.travel(NOW, tick=False):
        body = officer.client.post(
            url + "/decision", json={"outcome": "breach", "rationale": "Letters opened"}
        ).json()
    assert body["state"] == "notifying"
    clocks = {(c["recipient"], c["state"]) for c in body["clocks"]}
    assert clocks == {("individuals", None), ("california", None), ("hhs", None), ("media", "CA")}
    hhs = next(c for c in body["clocks"] if c["recipient"] == "hhs")
    assert not hhs["annual_log"] and hhs["due_at"] == "2026-07-31T23:59:59-07:00"
    sent = "2026-06-12T12:00:00-07:00"
    notices = [
        {"recipient": "individuals", "sent_at": sent, "method": "mail", "people": 500},
        {"recipient": "california", "sent_at": sent, "method": "mail", "people": 560},
        {"recipient": "hhs", "sent_at": sent, "method": "hhs_portal"},
        {"recipient": "media", "sent_at": sent, "method": "press_release", "state": "CA"},
    ]
    with time_machine.travel(NOW, tick=False):
        for n in notices:
            got = officer.client.post(url + "/notices", json=n)
            assert got.status_code == 201, got.text
        mid = officer.client.get(url).json()
        assert mid["state"] == "notifying"  # 100 individuals still to reach
        assert {c["recipient"]: c["status"] for c in mid["clocks"]}["individuals"] == "running"
        rest = {"recipient": "individuals", "sent_at": NOW, "method": "email", "people": 100}
        assert officer.client.post(url + "/notices", json=rest).status_code == 201
        final = officer.client.get(url).json()
    assert final["state"] == "complete"
    assert {c["status"] for c in final["clocks"]} == {"met"}
    assert actions(db, "breach_incident", inc["id"]).count("breach.notice_recorded") == 5


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"sent_at": "2026-05-31T09:00:00-07:00"}, "body.sent_at"),  # before discovery
        ({"sent_at": "2026-06-16T09:00:00-07:00"}, "body.sent_at"),  # in the future
        ({"sent_at": "2026-06-10T09:00:00"}, "body.sent_at"),  # no offset
        ({"people": None}, "body.people"),
        ({"people": -5}, "body.people"),
        ({"state": "CA"}, "body.state"),  # a state is for the media only
    ],
)
def test_bad_notices_are_refused_naming_the_field(
    officer, db: Session, change: dict[str, Any], field: str
) -> None:  # type: ignore[no-untyped-def]
    inc = _recorded(officer)
    notice = {"recipient": "individuals", "sent_at": "2026-06-10T09:00:00-07:00", "method": "mail"}
    notice["people"] = 40
    with time_machine.travel(NOW, tick=False):
        got = officer.client.post(f"/api/breaches/{inc['id']}/notices", json={**notice, **change})
    assert got.status_code == 422, got.text
    assert loc(got) == field
    assert count(db, BreachNotice) == 0


def test_overdue_clocks_show_as_overdue(officer) -> None:  # type: ignore[no-untyped-def]
    # Found on 1 April: California's 30 days ended 1 May, the individuals' 60 on 31 May.
    inc = _recorded(officer, discovered_at="2026-04-01T09:00:00-07:00")
    body = officer.client.get(f"/api/breaches/{inc['id']}").json()
    status = {c["recipient"]: c["status"] for c in body["clocks"]}
    assert status == {"individuals": "overdue", "california": "overdue", "hhs": "running"}


def test_who_may_read_and_write(login, officer) -> None:  # type: ignore[no-untyped-def]
    inc = _recorded(officer)
    for role in (Role.TIER1_AGENT, Role.SUPERVISOR, Role.ADMIN, Role.TIER3_APPEALS):
        other = login(role).client
        assert other.get(f"/api/breaches/{inc['id']}").status_code == 403, role
        assert other.post("/api/breaches", json=incident_body(DISCOVERED)).status_code == 403
    assert officer.client.get("/api/breaches").json()["items"][0]["id"] == inc["id"]


def test_the_hhs_log_of_the_year(officer, db: Session) -> None:  # type: ignore[no-untyped-def]
    small = _recorded(officer)
    big = _recorded(officer, affected_count=800, residents_by_state={"OR": 800})
    undecided = _recorded(officer)
    with time_machine.travel(NOW, tick=False):
        for inc in (small, big):
            officer.client.post(
                f"/api/breaches/{inc['id']}/decision",
                json={"outcome": "breach", "rationale": "Compromised"},
            )
        log = officer.client.get("/api/breaches/hhs-log", params={"year": 2026}).json()
        csv = officer.client.get("/api/breaches/hhs-log.csv", params={"year": 2026})
        empty = officer.client.get("/api/breaches/hhs-log", params={"year": 2025}).json()
        bad = officer.client.get("/api/breaches/hhs-log", params={"year": 1999})
    paged = officer.client.get("/api/breaches", params={"limit": 1, "offset": 1}).json()
    assert paged["total"] == 3 and [i["id"] for i in paged["items"]] == [big["id"]]
    still_open = officer.client.get("/api/breaches", params={"open_only": True}).json()
    assert still_open["total"] == 3  # two notifying, one assessing
    rows = {r["incident_id"]: r for r in log["rows"]}
    assert set(rows) == {small["id"], big["id"]} and undecided["id"] not in rows
    assert rows[small["id"]]["hhs_route"] == "annual_log"
    assert rows[small["id"]]["hhs_due"] == "2027-03-01T23:59:59-08:00"
    assert rows[big["id"]]["hhs_route"] == "with_individuals"
    assert rows[big["id"]]["media_states"] == "OR"
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.strip().splitlines()
    assert lines[0].startswith("incident_id,discovered_on,affected_count") and len(lines) == 3
    assert empty["rows"] == [] and bad.status_code == 422 and loc(bad) == "query.year"
    assert actions(db, "breach_report", "hhs-log-2026") == ["breach.report", "breach.report"]


def test_the_response_plan_is_stored_encrypted_and_its_review_watched(
    officer, db: Session, frozen
) -> None:  # type: ignore[no-untyped-def]
    import base64

    doc = b"%PDF-1.4 incident response plan"
    body = {
        "title": "Incident response plan",
        "version": "2026.1",
        "adopted_on": "2026-01-15",
        "review_due": "2026-06-30",
        "filename": "irp.pdf",
        "content_base64": base64.b64encode(doc).decode(),
    }
    with time_machine.travel(NOW, tick=False):
        assert officer.client.get("/api/breaches/plan").status_code == 404
        backwards = officer.client.post(
            "/api/breaches/plan", json={**body, "review_due": "2025-12-01"}
        )
        assert backwards.status_code == 422 and loc(backwards) == "body.review_due"
        made = officer.client.post("/api/breaches/plan", json=body)
        assert made.status_code == 201, made.text
        assert not made.json()["review_overdue"]
        got = officer.client.get("/api/breaches/plan/document")
        assert got.content == doc
    frozen.move_to("2026-07-01T10:00:00-07:00")
    assert officer.client.get("/api/breaches/plan").json()["review_overdue"]
    from sqlalchemy import text

    stored = db.execute(text("SELECT content FROM breach_response_plans")).scalar_one()
    assert b"incident response plan" not in bytes(stored)
    plan_id = made.json()["id"]
    assert actions(db, "breach_response_plan", plan_id) == [
        "breach.plan_uploaded",
        "breach.plan_downloaded",
    ]


def test_the_clock_of_a_discovery_a_moment_ago(officer) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=False):
        from memberdesk.clock import now

        just = (now() - timedelta(minutes=1)).isoformat()
        got = officer.client.post("/api/breaches", json=incident_body(just))
    assert got.status_code == 201
