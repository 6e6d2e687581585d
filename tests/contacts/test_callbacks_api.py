"""Voicemail callbacks through the app on each database: deadlines from the member's pack (the
Thanksgiving week), attempts, the letter task after failed attempts, lists, bad input and
permissions; the phone number encrypted, never echoed and never in the audit log."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.compliance.enums import AuditAction, Role
from memberdesk.compliance.models import AuditEntry
from memberdesk.contacts.models import Callback
from tests import factories as f
from tests.contacts.helpers import audited, counts

PACIFIC = ZoneInfo("America/Los_Angeles")
PHONE = "(415) 555-0199"


def local(iso: str) -> datetime:
    return datetime.fromisoformat(iso).astimezone(PACIFIC)


def voicemail(client, member_id: int | None, received_at: str) -> dict:  # type: ignore[no-untyped-def]
    r = client.post(
        "/api/voicemails",
        json={"member_id": member_id, "phone": PHONE, "received_at": received_at},
    )
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


@time_machine.travel("2026-11-26T02:00:00Z", tick=False)
def test_after_close_the_day_before_thanksgiving_is_due_monday_at_close(
    client, db: Session
) -> None:
    m = f.member(db)
    # Wednesday 2026-11-25 17:30 Pacific: after close. Thursday is Thanksgiving, Friday the
    # day after (a California holiday), then the weekend.
    cb = voicemail(client, m.id, "2026-11-25T17:30:00-08:00")
    assert local(cb["due_at"]) == datetime(2026, 11, 30, 17, 0, tzinfo=PACIFIC)
    # Read in the pack's own zone, as the case clocks are.
    assert cb["due_at"] == "2026-11-30T17:00:00-08:00"
    assert cb["state"] == "open" and cb["pack"] == "calchoice" and cb["kind"] == "callback"
    assert cb["warn_at"] is not None and cb["warn_at"] < cb["due_at"]
    assert "phone" not in cb and "0199" not in str(cb)
    row = db.get(Callback, cb["id"])
    assert row is not None and row.due_at == datetime.fromisoformat(cb["due_at"])
    raw = db.connection().exec_driver_sql(f"SELECT phone FROM callbacks WHERE id = {cb['id']}")
    assert b"0199" not in bytes(raw.scalar_one())


@time_machine.travel("2026-11-24T18:00:00Z", tick=False)
def test_left_during_hours_is_due_the_same_day_and_unknown_callers_too(client) -> None:
    cb = voicemail(client, None, "2026-11-24T09:15:00-08:00")
    assert local(cb["due_at"]) == datetime(2026, 11, 24, 17, 0, tzinfo=PACIFIC)
    assert cb["member_id"] is None


@time_machine.travel("2026-11-24T18:00:00Z", tick=False)
def test_reading_a_callback_discloses_the_number_and_is_audited(client, db: Session) -> None:
    m = f.member(db)
    cb = voicemail(client, m.id, "2026-11-24T09:15:00-08:00")
    r = client.get(f"/api/callbacks/{cb['id']}")
    assert r.status_code == 200
    assert r.json()["phone"] == "4155550199" and r.json()["attempt_log"] == []
    assert len(audited(db, AuditAction.VOICEMAIL_RECORDED, cb["id"])) == 1
    assert len(audited(db, AuditAction.CALLBACK_READ, cb["id"])) == 1
    for entry in db.scalars(select(AuditEntry)):
        assert "0199" not in str(entry.detail) and "0199" not in str(entry.object_id)
    assert client.get("/api/callbacks/2000000000").status_code == 404


@time_machine.travel("2026-11-24T18:00:00Z", tick=False)
def test_bad_voicemails_are_refused_by_field(client, db: Session) -> None:
    m = f.member(db)
    good = {"member_id": m.id, "phone": PHONE, "received_at": "2026-11-24T09:15:00-08:00"}
    before = counts(db)
    for change, loc in [
        ({"received_at": "2026-11-24T09:15:00"}, ["body", "received_at"]),
        ({"received_at": "yesterday"}, ["body", "received_at"]),
        ({"phone": "555-8675309-22"}, ["body", "phone"]),
        ({"member_id": 2_000_000_000}, ["body", "member_id"]),
        ({"received_at": "2026-11-24T12:00:00-08:00"}, ["body", "received_at"]),  # future
        ({"extra": "x"}, ["body", "extra"]),
    ]:
        r = client.post("/api/voicemails", json={**good, **change})
        assert r.status_code == 422, (change, r.text)
        assert loc in [d["loc"] for d in r.json()["detail"]]
        assert "8675309" not in r.text and "0199" not in r.text
    assert counts(db) == before


def _attempt(client, cb_id: int, outcome: str, **extra: object) -> dict:  # type: ignore[no-untyped-def]
    r = client.post(f"/api/callbacks/{cb_id}/attempts", json={"outcome": outcome, **extra})
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def test_reached_completes_the_callback_and_records_the_call(client, agent, db: Session) -> None:
    m = f.member(db)
    with time_machine.travel("2026-11-24T18:00:00Z", tick=False):
        cb = voicemail(client, m.id, "2026-11-24T09:15:00-08:00")
        _attempt(client, cb["id"], "no_answer")
    with time_machine.travel("2026-11-24T19:00:00Z", tick=False):
        done = _attempt(client, cb["id"], "reached", reasons=["billing"], resolved=True, note="ok")
    assert done["callback"]["state"] == "completed" and done["callback"]["attempts"] == 2
    assert done["letter_task_id"] is None
    contact = client.get(f"/api/contacts/{done['contact_id']}").json()
    assert (contact["channel"], contact["direction"]) == ("phone", "outbound")
    assert contact["member_id"] == m.id and contact["reasons"] == ["billing"]
    assert contact["agent"] == agent.user.username
    late = client.post(f"/api/callbacks/{cb['id']}/attempts", json={"outcome": "no_answer"})
    assert late.status_code == 409
    assert len(audited(db, AuditAction.CALLBACK_ATTEMPTED, cb["id"])) == 2
    bad = client.post(f"/api/callbacks/{cb['id']}/attempts", json={"outcome": "shrug"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "outcome"]


def test_three_failed_attempts_over_two_business_days_make_a_letter(client, db: Session) -> None:
    m = f.member(db)
    with time_machine.travel("2026-11-24T17:00:00Z", tick=False):  # Tuesday
        cb = voicemail(client, m.id, "2026-11-24T08:30:00-08:00")
        for outcome in ("no_answer", "left_message", "no_answer"):
            r = _attempt(client, cb["id"], outcome)
        # Three failures on one business day: keep calling.
        assert r["letter_task_id"] is None and r["callback"]["state"] == "open"
    with time_machine.travel("2026-11-25T17:00:00Z", tick=False):  # Wednesday
        r = _attempt(client, cb["id"], "wrong_number")
    assert r["callback"]["state"] == "letter" and r["callback"]["failed_attempts"] == 4
    letter_id = r["letter_task_id"]
    assert letter_id is not None and r["callback"]["letter_task_id"] == letter_id
    letters = client.get("/api/letters", params={"state": "open"}).json()
    assert [x["id"] for x in letters["items"]] == [letter_id]
    assert letters["items"][0]["member_id"] == m.id
    with time_machine.travel("2026-11-30T17:00:00Z", tick=False):
        sent = client.post(f"/api/letters/{letter_id}/sent")
    assert sent.status_code == 200 and sent.json()["state"] == "sent"
    assert client.post(f"/api/letters/{letter_id}/sent").status_code == 409
    history = client.get(f"/api/members/{m.id}/contacts").json()["items"]
    assert [(c["channel"], c["direction"]) for c in history] == [("letter", "outbound")]
    assert audited(db, AuditAction.LETTER_SENT, letter_id)
    assert client.post("/api/letters/2000000000/sent").status_code == 404


def test_attempt_thresholds_are_configurable(client, app, db: Session) -> None:
    app.state.settings = app.state.settings.model_copy(
        update={"callback_max_attempts": 2, "callback_min_business_days": 1}
    )
    with time_machine.travel("2026-11-24T17:00:00Z", tick=False):
        cb = voicemail(client, None, "2026-11-24T08:30:00-08:00")
        _attempt(client, cb["id"], "no_answer")
        assert _attempt(client, cb["id"], "no_answer")["letter_task_id"] is not None


def test_lists_due_today_mine_and_by_state(login, client, agent, db: Session) -> None:
    with time_machine.travel("2026-11-25T03:00:00Z", tick=False):  # Tuesday 19:00 Pacific
        today = voicemail(client, None, "2026-11-24T09:00:00-08:00")
        tomorrow = voicemail(client, None, "2026-11-24T18:00:00-08:00")  # after close
        other = login(Role.TIER1_AGENT, team="Team B").client
        _attempt(other, tomorrow["id"], "no_answer")  # assigns it to the other agent
        due = client.get("/api/callbacks", params={"due_today": True, "state": "open"}).json()
        assert [c["id"] for c in due["items"]] == [today["id"]]
        mine = other.get("/api/callbacks", params={"mine": True}).json()
        assert [c["id"] for c in mine["items"]] == [tomorrow["id"]]
        everything = client.get("/api/callbacks").json()
        assert [c["id"] for c in everything["items"]] == [today["id"], tomorrow["id"]]
        assert all("phone" not in c for c in everything["items"])
        assert client.get("/api/callbacks", params={"state": "lost"}).status_code == 422
        assert audited(db, AuditAction.CALLBACK_LISTED)


@time_machine.travel("2026-11-24T18:00:00Z", tick=False)
def test_permissions(login, client, db: Session) -> None:
    m = f.member(db)
    cb = voicemail(client, m.id, "2026-11-24T09:00:00-08:00")
    qa = login(Role.QA_ANALYST).client
    before = counts(db)
    body = {"member_id": m.id, "phone": PHONE, "received_at": "2026-11-24T09:00:00-08:00"}
    assert qa.post("/api/voicemails", json=body).status_code == 403
    assert (
        qa.post(f"/api/callbacks/{cb['id']}/attempts", json={"outcome": "reached"}).status_code
        == 403
    )
    assert counts(db) == before
    assert qa.get("/api/callbacks").status_code == 200
    member = login(Role.MEMBER, member_id=m.id).client
    assert member.get("/api/callbacks").status_code == 403
    assert member.get(f"/api/callbacks/{cb['id']}").status_code == 403
    admin = login(Role.ADMIN).client
    assert admin.get(f"/api/callbacks/{cb['id']}").status_code == 403
