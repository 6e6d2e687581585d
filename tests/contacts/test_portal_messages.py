"""Portal secure messages on each database: a member's message becomes an inbound portal contact
due for a reply by the pack's email_reply target; members see only their own; staff answer with
an outbound portal contact that marks the message answered."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from sqlalchemy.orm import Session

from memberdesk.compliance.enums import AuditAction, Role
from tests import factories as f
from tests.contacts.helpers import audited, counts

PACIFIC = ZoneInfo("America/Los_Angeles")


def test_a_member_sends_and_staff_answer(login, client, db: Session) -> None:
    m, other = f.member(db), f.member(db)
    me = login(Role.MEMBER, member_id=m.id).client
    them = login(Role.MEMBER, member_id=other.id).client
    with time_machine.travel("2026-11-25T19:00:00Z", tick=False):  # Wed 11:00 before Thanksgiving
        r = me.post("/api/me/messages", json={"subject": "My bill", "body": "Charged twice?"})
        assert r.status_code == 201, r.text
        msg = r.json()
        # One business day: Thursday and Friday are holidays, so Monday at close.
        due = datetime.fromisoformat(msg["reply_due_at"]).astimezone(PACIFIC)
        assert due == datetime(2026, 11, 30, 17, 0, tzinfo=PACIFIC)
        assert msg["status"] == "awaiting_reply" and msg["subject"] == "My bill"
        them.post("/api/me/messages", json={"subject": "Other", "body": "Not yours"})
        mine = me.get("/api/me/messages").json()
        assert [x["id"] for x in mine["items"]] == [msg["id"]] and mine["total"] == 1
        # Staff see it as an inbound portal contact on the member's record.
        contact = client.get(f"/api/contacts/{msg['id']}").json()
        assert (contact["channel"], contact["direction"]) == ("portal", "inbound")
        assert contact["member_id"] == m.id and contact["notes"] == "Charged twice?"
        assert contact["reply_due_at"] == msg["reply_due_at"]
    with time_machine.travel("2026-11-30T18:00:00Z", tick=False):
        reply = {
            "member_id": m.id,
            "channel": "portal",
            "direction": "outbound",
            "reasons": ["billing"],
            "started_at": "2026-11-30T10:00:00-08:00",
            "resolved": True,
            "in_reply_to": msg["id"],
        }
        wrong = client.post("/api/contacts", json={**reply, "member_id": other.id})
        assert wrong.status_code == 422
        assert wrong.json()["detail"][0]["loc"] == ["body", "in_reply_to"]
        phone = client.post("/api/contacts", json={**reply, "channel": "phone"})
        assert phone.status_code == 422
        assert me.get("/api/me/messages").json()["items"][0]["status"] == "awaiting_reply"
        r = client.post("/api/contacts", json=reply)
        assert r.status_code == 201 and r.json()["in_reply_to"] == msg["id"]
        answered = me.get("/api/me/messages").json()["items"][0]
        assert answered["status"] == "answered"
        assert answered["answered_at"] == "2026-11-30T18:00:00Z"
    assert len(audited(db, AuditAction.PORTAL_MESSAGE_SENT, msg["id"])) == 1
    assert audited(db, AuditAction.PORTAL_MESSAGES_READ, m.id)


def test_bad_messages_and_permissions(login, client, db: Session) -> None:
    m = f.member(db)
    me = login(Role.MEMBER, member_id=m.id).client
    before = counts(db)
    for body, loc in [
        ({"subject": "", "body": "x"}, ["body", "subject"]),
        ({"subject": "Hi"}, ["body", "body"]),
        ({"subject": "Hi", "body": "x" * 5000}, ["body", "body"]),
    ]:
        r = me.post("/api/me/messages", json=body)
        assert r.status_code == 422
        assert loc in [d["loc"] for d in r.json()["detail"]]
    # Staff have no portal of their own.
    assert client.post("/api/me/messages", json={"subject": "a", "body": "b"}).status_code == 403
    assert client.get("/api/me/messages").status_code == 403
    assert counts(db) == before
