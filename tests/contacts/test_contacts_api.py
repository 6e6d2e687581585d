"""Contacts through the app on each database: logging, reading, wrap-up, identity verification,
history; bad input named and refused with nothing stored and nothing echoed; permissions both
ways; every read and write audited."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from sqlalchemy.orm import Session

from memberdesk.compliance.enums import AuditAction, Role
from memberdesk.contacts import service
from memberdesk.contacts.models import Contact
from tests import factories as f
from tests.contacts.helpers import audited, counts

FROZEN = "2026-11-20T18:00:00+00:00"  # Friday 10:00 Pacific
SECRET = "Member-says-4155559999-secret"


def body(member_id: int | None, **extra: Any) -> dict[str, Any]:
    return {
        "member_id": member_id,
        "channel": "phone",
        "direction": "inbound",
        "reasons": ["billing", "id_card"],
        "started_at": "2026-11-20T09:30:00-08:00",
        "ended_at": "2026-11-20T09:41:00-08:00",
        "resolved": True,
        **extra,
    }


@time_machine.travel(FROZEN, tick=False)
def test_log_read_and_audit_a_contact(client, agent, db: Session) -> None:
    m = f.member(db)
    r = client.post(
        "/api/contacts",
        json=body(
            m.id,
            language="es",
            interpreter_used=True,
            talk_seconds=540,
            hold_seconds=60,
            wrap_seconds=45,
            disposition="resolved",
            notes="Explained the premium split",
        ),
    )
    assert r.status_code == 201, r.text
    c = r.json()
    assert c["member_id"] == m.id and c["agent"] == agent.user.username
    assert c["reasons"] == ["billing", "id_card"]
    assert c["started_at"] == "2026-11-20T17:30:00Z"
    assert c["language"] == "es" and c["interpreter_used"] is True
    assert (c["talk_seconds"], c["hold_seconds"], c["wrap_seconds"]) == (540, 60, 45)
    assert c["resolved"] is True and c["first_contact_resolution"] is None  # window open
    assert c["identity_verified"] is False and c["verified_facts"] == []
    got = client.get(f"/api/contacts/{c['id']}")
    assert got.status_code == 200
    assert got.json()["notes"] == "Explained the premium split"
    # Notes are encrypted at rest.
    raw = db.connection().exec_driver_sql(f"SELECT notes FROM contacts WHERE id = {c['id']}")
    assert b"premium" not in bytes(raw.scalar_one())
    logged = audited(db, AuditAction.CONTACT_LOGGED, c["id"])
    read = audited(db, AuditAction.CONTACT_READ, c["id"])
    assert len(logged) == 1 and len(read) == 1
    assert logged[0].actor == agent.user.username


@time_machine.travel(FROZEN, tick=False)
def test_an_unidentified_caller(client) -> None:
    r = client.post("/api/contacts", json=body(None, channel="chat", resolved=False))
    assert r.status_code == 201
    assert r.json()["member_id"] is None
    assert r.json()["first_contact_resolution"] is False


BAD: list[tuple[dict[str, Any], list[Any]]] = [
    ({"member_id": 2_000_000_000}, ["body", "member_id"]),
    ({"member_id": 0}, ["body", "member_id"]),
    ({"ended_at": "2026-11-20T09:00:00-08:00"}, ["body", "ended_at"]),
    ({"talk_seconds": -5}, ["body", "talk_seconds"]),
    ({"hold_seconds": -1}, ["body", "hold_seconds"]),
    ({"reasons": ["billing", "horoscope"]}, ["body", "reasons", 1]),
    ({"reasons": []}, ["body", "reasons"]),
    ({"channel": "pigeon"}, ["body", "channel"]),
    ({"direction": "sideways"}, ["body", "direction"]),
    ({"started_at": "2026-11-20T09:30:00"}, ["body", "started_at"]),
    ({"language": "Spanish!"}, ["body", "language"]),
    ({"disposition": "vanished"}, ["body", "disposition"]),
    ({"in_reply_to": 2_000_000_000}, ["body", "in_reply_to"]),
]


@pytest.mark.parametrize(("change", "loc"), BAD)
@time_machine.travel(FROZEN, tick=False)
def test_bad_contacts_are_refused_by_field(
    client, db: Session, change: dict[str, Any], loc: list[Any]
) -> None:
    m = f.member(db)
    before = counts(db)
    r = client.post("/api/contacts", json={**body(m.id, notes=SECRET), **change})
    assert r.status_code == 422, r.text
    assert loc in [d["loc"] for d in r.json()["detail"]]
    assert SECRET not in r.text and "horoscope" not in r.text and "pigeon" not in r.text
    assert counts(db) == before


@time_machine.travel(FROZEN, tick=False)
def test_wrap_up_appends_notes_and_never_overwrites(client, db: Session) -> None:
    m = f.member(db)
    cid = client.post(
        "/api/contacts", json=body(m.id, ended_at=None, resolved=False, notes="first")
    ).json()["id"]
    r = client.patch(
        f"/api/contacts/{cid}",
        json={
            "ended_at": "2026-11-20T09:50:00-08:00",
            "talk_seconds": 900,
            "wrap_seconds": 120,
            "disposition": "case_opened",
            "notes": "second",
        },
    )
    assert r.status_code == 200, r.text
    c = r.json()
    assert c["notes"] == "first\n\nsecond"
    assert c["disposition"] == "case_opened" and c["talk_seconds"] == 900
    r = client.patch(f"/api/contacts/{cid}", json={"resolved": True, "notes": "third"})
    assert r.json()["notes"] == "first\n\nsecond\n\nthird" and r.json()["resolved"] is True
    assert len(audited(db, AuditAction.CONTACT_UPDATED, cid)) == 2
    # Bad wrap-ups change nothing.
    for change, loc in [
        ({"ended_at": "2026-11-20T08:00:00-08:00"}, ["body", "ended_at"]),
        ({"wrap_seconds": -1}, ["body", "wrap_seconds"]),
        ({"ended_at": "2026-11-20T10:00:00"}, ["body", "ended_at"]),
        ({"member_id": 2_000_000_000}, ["body", "member_id"]),
        ({"agent_id": 5}, ["body", "agent_id"]),
    ]:
        bad = client.patch(f"/api/contacts/{cid}", json={**change, "notes": SECRET})
        assert bad.status_code == 422, bad.text
        assert loc in [d["loc"] for d in bad.json()["detail"]]
        assert SECRET not in bad.text
    assert client.get(f"/api/contacts/{cid}").json()["notes"] == "first\n\nsecond\n\nthird"
    assert client.patch("/api/contacts/2000000000", json={"resolved": True}).status_code == 404
    # The member of a contact is set once: another member is a 409, nothing changed.
    other = f.member(db)
    moved = client.patch(f"/api/contacts/{cid}", json={"member_id": other.id})
    assert moved.status_code == 409 and moved.json()["detail"][0]["loc"] == ["body", "member_id"]
    assert client.get(f"/api/contacts/{cid}").json()["member_id"] == m.id


@time_machine.travel(FROZEN, tick=False)
def test_an_unidentified_caller_is_identified_then_verified(client, db: Session) -> None:
    m = f.member(db)
    cid = client.post("/api/contacts", json=body(None)).json()["id"]
    facts = {"facts": ["name", "date_of_birth"]}
    assert client.post(f"/api/contacts/{cid}/verification", json=facts).status_code == 409
    r = client.patch(f"/api/contacts/{cid}", json={"member_id": m.id})
    assert r.status_code == 200 and r.json()["member_id"] == m.id
    assert client.post(f"/api/contacts/{cid}/verification", json=facts).status_code == 200
    history = client.get(f"/api/members/{m.id}/contacts").json()["items"]
    assert [c["id"] for c in history] == [cid]
    reasons = db.get(Contact, cid)
    assert reasons is not None and {x.member_id for x in reasons.reasons} == {m.id}
    entry = audited(db, AuditAction.CONTACT_UPDATED, cid)[0]
    assert entry.object_id == str(cid)


@time_machine.travel(FROZEN, tick=False)
def test_identity_verification(client, agent, db: Session) -> None:
    m = f.member(db)
    cid = client.post("/api/contacts", json=body(m.id)).json()["id"]
    contact = db.get(Contact, cid)
    assert contact is not None
    with pytest.raises(service.VerificationRequired):
        service.require_verified(contact)
    one = client.post(f"/api/contacts/{cid}/verification", json={"facts": ["name", "name"]})
    assert one.status_code == 422
    assert one.json()["detail"][0]["loc"] == ["body", "facts"]
    bad = client.post(f"/api/contacts/{cid}/verification", json={"facts": ["name", "shoe_size"]})
    assert bad.status_code == 422
    assert client.get(f"/api/contacts/{cid}").json()["identity_verified"] is False
    ok = client.post(f"/api/contacts/{cid}/verification", json={"facts": ["name", "date_of_birth"]})
    assert ok.status_code == 200, ok.text
    v = ok.json()
    assert v["identity_verified"] is True
    assert v["verified_facts"] == ["name", "date_of_birth"]
    assert v["verified_at"] == "2026-11-20T18:00:00Z"
    db.refresh(contact)
    service.require_verified(contact)  # no longer raises
    entries = audited(db, AuditAction.IDENTITY_VERIFIED, cid)
    assert len(entries) == 1 and entries[0].detail == {"facts": ["name", "date_of_birth"]}
    # An unidentified caller cannot be verified until a member is on the contact.
    anon = client.post("/api/contacts", json=body(None)).json()["id"]
    r = client.post(f"/api/contacts/{anon}/verification", json={"facts": ["name", "phone"]})
    assert r.status_code == 409


@time_machine.travel(FROZEN, tick=False)
def test_minimum_facts_is_configurable(client, app, db: Session) -> None:
    app.state.settings = app.state.settings.model_copy(update={"verification_min_facts": 3})
    m = f.member(db)
    cid = client.post("/api/contacts", json=body(m.id)).json()["id"]
    two = client.post(f"/api/contacts/{cid}/verification", json={"facts": ["name", "phone"]})
    assert two.status_code == 422 and "3" in two.json()["detail"][0]["msg"]
    three = ["name", "phone", "address"]
    assert (
        client.post(f"/api/contacts/{cid}/verification", json={"facts": three}).status_code == 200
    )


@time_machine.travel(FROZEN, tick=False)
def test_member_history_newest_first_and_paged(client, db: Session) -> None:
    m = f.member(db)
    for day in (10, 12, 11):
        client.post(
            "/api/contacts",
            json=body(m.id, started_at=f"2026-11-{day}T09:00:00-08:00", ended_at=None),
        )
    r = client.get(f"/api/members/{m.id}/contacts", params={"limit": 2})
    assert r.status_code == 200
    page = r.json()
    assert page["total"] == 3
    assert [i["started_at"][:10] for i in page["items"]] == ["2026-11-12", "2026-11-11"]
    rest = client.get(f"/api/members/{m.id}/contacts", params={"limit": 2, "offset": 2}).json()
    assert [i["started_at"][:10] for i in rest["items"]] == ["2026-11-10"]
    assert len(audited(db, AuditAction.CONTACT_LISTED, m.id)) == 2
    missing = client.get("/api/members/2000000000/contacts")
    assert missing.status_code == 404 and missing.json()["detail"][0]["loc"] == [
        "path",
        "member_id",
    ]


@time_machine.travel(FROZEN, tick=False)
def test_permissions_both_ways(login, client, db: Session) -> None:
    m = f.member(db)
    cid = client.post("/api/contacts", json=body(m.id)).json()["id"]
    qa = login(Role.QA_ANALYST).client
    before = counts(db)
    assert qa.post("/api/contacts", json=body(m.id)).status_code == 403
    assert qa.patch(f"/api/contacts/{cid}", json={"notes": "x"}).status_code == 403
    assert counts(db) == before
    assert qa.get(f"/api/contacts/{cid}").status_code == 200  # QA reviews contacts
    member = login(Role.MEMBER, member_id=m.id).client
    assert member.get(f"/api/contacts/{cid}").status_code == 403
    assert member.get(f"/api/members/{m.id}/contacts").status_code == 403
    wfm = login(Role.WFM_ANALYST).client
    assert wfm.get(f"/api/contacts/{cid}").status_code == 403
    assert audited(db, AuditAction.ACCESS_DENIED)
