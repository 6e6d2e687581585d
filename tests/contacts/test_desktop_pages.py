"""The agent desktop, callbacks and secure-message pages through real HTTP on SQLite and
PostgreSQL (no browser): forms posted with the session's CSRF token, what the person reads
asserted, what was stored and audited checked in the database."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from html import unescape

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.compliance.audit import decrypt_changes
from memberdesk.compliance.enums import Role
from memberdesk.contacts.enums import CallbackState, Channel, Direction, Disposition, Reason
from memberdesk.contacts.models import Callback, Contact, LetterTask
from tests import factories as f
from tests.contacts.helpers import audited
from tests.web.test_pages import csrf_of, sign_in

# Wednesday 18 November 2026, 10:00 Pacific: a business day.
MORNING = "2026-11-18T10:00:00-08:00"


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


class Person:
    """A browser-like client signed in with a session cookie (forms carry its CSRF token)."""

    def __init__(self, app, username: str) -> None:  # type: ignore[no-untyped-def]
        self.client = TestClient(app)
        assert sign_in(self.client, username).status_code == 303
        self.csrf = csrf_of(self.client.get("/").text)

    def get(self, url: str):  # type: ignore[no-untyped-def]
        return self.client.get(url)

    def post(self, url: str, data: dict | None = None, *, follow: bool = False):  # type: ignore[no-untyped-def]
        body = {"csrf_token": self.csrf, **(data or {})}
        return self.client.post(url, data=body, follow_redirects=follow)


def person(app, login, role: Role, **kw) -> tuple[Person, int]:  # type: ignore[no-untyped-def]
    persona = login(role, team="Team A" if role != Role.MEMBER else None, **kw)
    return Person(app, persona.user.username), persona.user.id


def text_of(html: str) -> str:
    """The page as read: tags dropped, whitespace collapsed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def start_call(agent: Person, member_id: int) -> int:
    r = agent.post("/desktop/calls", {"member_id": str(member_id)})
    assert r.status_code == 303, r.text
    found = re.fullmatch(r"/desktop/calls/(\d+)/verify", r.headers["location"])
    assert found, r.headers["location"]
    return int(found.group(1))


def test_search_start_verify_and_log_a_call_in_three_choices(
    app, login, db: Session, clock: time_machine.Coordinates
) -> None:
    m = f.member(db, last_name="Desktopova", first_name="Rosa", dob=date(1979, 3, 4))
    agent, agent_id = person(app, login, Role.TIER1_AGENT)

    desk = agent.get("/desktop")
    assert desk.status_code == 200
    assert "Keyboard shortcuts" in desk.text and 'src="/static/desktop.js"' in desk.text
    found = agent.post(
        "/desktop/search", {"last_name": "Desktopova", "date_of_birth": "1979-03-04"}
    )
    assert found.status_code == 200
    page = text_of(found.text)
    assert "Desktopova, Rosa" in page and "Start a call with Rosa Desktopova" in page

    call_id = start_call(agent, m.id)
    contact = db.get(Contact, call_id)
    assert contact is not None and contact.member_id == m.id
    assert (contact.channel, contact.direction) == (Channel.PHONE, Direction.INBOUND)

    # Before verification the record stays closed: no date of birth, no coverage.
    early = agent.get(f"/desktop/calls/{call_id}")
    assert early.status_code == 200
    assert "Caller not verified yet" in early.text and "4 Mar 1979" not in early.text

    verify = agent.get(f"/desktop/calls/{call_id}/verify")
    assert "4 Mar 1979" in text_of(verify.text)  # the record's facts, to compare with the caller
    one = agent.post(f"/desktop/calls/{call_id}/verify", {"facts": ["name"]})
    assert one.status_code == 422
    assert "Tick at least 2 different facts the caller confirmed" in text_of(one.text)
    assert 'aria-describedby="facts-hint facts-error"' in one.text
    db.refresh(contact)
    assert contact.verified_at is None

    two = agent.post(f"/desktop/calls/{call_id}/verify", {"facts": ["name", "date_of_birth"]})
    assert two.status_code == 303 and two.headers["location"] == f"/desktop/calls/{call_id}#call"
    bar = text_of(agent.get(f"/desktop/calls/{call_id}").text)
    assert "Call in progress" in bar and "Identity verified: Full name, date of birth" in bar
    assert "Coverage today" in bar and "Save and end the call" in bar
    assert "No contacts recorded yet." in bar  # the call in progress is not history yet

    missing = agent.post(f"/desktop/calls/{call_id}/end", {"resolved": "yes"})
    assert missing.status_code == 422
    assert "Pick at least one reason for the call." in missing.text
    db.refresh(contact)
    assert contact.ended_at is None

    clock.shift(7 * 60 + 30)
    saved = agent.post(f"/desktop/calls/{call_id}/end", {"reasons": ["billing"], "resolved": "yes"})
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/members/{m.id}?done=contact#recent-contacts"
    after = text_of(agent.get(saved.headers["location"]).text)
    assert "Call saved. It is the first line of Recent contacts below." in after
    assert "Phone, inbound Billing or premium" in after
    db.refresh(contact)
    assert contact.reason_codes == [Reason.BILLING]
    assert contact.talk_seconds == 450 and contact.resolved
    assert contact.disposition == Disposition.RESOLVED and contact.agent_id == agent_id
    assert contact.verified_facts == ["name", "date_of_birth"]
    assert audited(db, "contact.logged", call_id) and audited(
        db, "contact.identity_verified", call_id
    )
    updates = audited(db, "contact.updated", call_id)
    changes = [decrypt_changes(u.changes) or {} for u in updates]
    assert {"old": {"reasons": ["other"]}, "new": {"reasons": ["billing"]}} in changes

    again = agent.post(f"/desktop/calls/{call_id}/end", {"reasons": ["claims"], "resolved": "no"})
    assert again.status_code == 409 and "That clashes with a change" in again.text
    db.refresh(contact)
    assert contact.reason_codes == [Reason.BILLING]


def test_forms_need_the_csrf_token_and_another_agents_call_is_not_yours(
    app, login, db: Session, clock: time_machine.Coordinates
) -> None:
    m = f.member(db, last_name="Tokenova")
    agent, _ = person(app, login, Role.TIER1_AGENT)
    before = db.scalar(select(Contact.id).order_by(Contact.id.desc()).limit(1))
    forged = agent.client.post("/desktop/calls", data={"member_id": str(m.id)})
    assert forged.status_code == 403 and "Not available to your role" in forged.text
    assert db.scalar(select(Contact.id).order_by(Contact.id.desc()).limit(1)) == before

    call_id = start_call(agent, m.id)
    other, _ = person(app, login, Role.TIER2_SPECIALIST)
    assert other.get(f"/desktop/calls/{call_id}").status_code == 404
    refused = other.post(f"/desktop/calls/{call_id}/end", {"reasons": ["other"], "resolved": "no"})
    assert refused.status_code == 404 and "Page not found" in refused.text


def test_a_caller_not_identified_is_logged_too(
    app, login, db: Session, clock: time_machine.Coordinates
) -> None:
    agent, _ = person(app, login, Role.TIER1_AGENT)
    r = agent.post("/desktop/calls")
    assert r.status_code == 303
    call_id = int(r.headers["location"].rsplit("/", 1)[1])
    page = text_of(agent.get(r.headers["location"]).text)
    assert "Caller not identified" in page and "Verify the caller's identity" in page  # help
    assert "/verify" not in agent.get(r.headers["location"]).text
    done = agent.post(
        f"/desktop/calls/{call_id}/end",
        {"reasons": ["plan_comparison", "benefits"], "resolved": "no", "outcome": "info_sent"},
        follow=True,
    )
    assert done.status_code == 200 and "Call saved." in done.text
    contact = db.get(Contact, call_id)
    assert contact is not None and contact.member_id is None
    assert contact.reason_codes == [Reason.PLAN_COMPARISON, Reason.BENEFITS]
    assert contact.disposition == Disposition.INFO_SENT and not contact.resolved


def test_the_members_usual_reasons_come_first_and_flags_show(
    app, login, db: Session, clock: time_machine.Coordinates
) -> None:
    m = f.member(db, last_name="Usualia", spoken_language="es", interpreter_needed=True)
    m.accessibility_needs = ["tty"]
    db.flush()
    agent, _ = person(app, login, Role.TIER1_AGENT)
    for reasons in (["pharmacy"], ["pharmacy", "dental"], ["pharmacy"]):
        r = login(Role.TIER1_AGENT).client.post(
            "/api/contacts",
            json={
                "member_id": m.id,
                "channel": "phone",
                "direction": "inbound",
                "reasons": reasons,
                "started_at": "2026-11-02T09:00:00-08:00",
            },
        )
        assert r.status_code == 201, r.text
    call_id = start_call(agent, m.id)
    agent.post(f"/desktop/calls/{call_id}/verify", {"facts": ["member_id", "address"]})
    html = agent.get(f"/desktop/calls/{call_id}").text
    chips = re.findall(r'name="reasons" value="(\w+)"', html)
    assert chips[:2] == ["pharmacy", "dental"] and chips[-1] == "other"
    assert len(chips) == len(Reason)
    page = text_of(html)
    assert "Offer a free Spanish interpreter" in page and "Uses TTY or relay calls" in page
    # The interpreter box starts ticked for a member who needs one.
    assert re.search(r'name="interpreter" value="yes" checked', html)


def test_callbacks_due_today_attempts_and_the_letter_after_them(
    app, login, db: Session, clock: time_machine.Coordinates
) -> None:
    m = f.member(db, last_name="Callbackson", first_name="Ida")
    other = f.member(db, last_name="Yesterdayson", first_name="Olaf")
    agent, _ = person(app, login, Role.TIER1_AGENT)
    api = login(Role.TIER1_AGENT).client
    ids = []
    for who, left in ((m, "2026-11-18T09:10:00-08:00"), (other, "2026-11-17T16:00:00-08:00")):
        r = api.post(
            "/api/voicemails",
            json={"member_id": who.id, "phone": "415-555-0199", "received_at": left},
        )
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    cb_id, late_id = ids

    listed = text_of(agent.get("/desktop/callbacks").text)
    assert "Ida Callbackson Due in 7 hours" in listed
    assert "Due today, 5:00 pm Pacific time" in listed and "0 attempts so far" in listed
    # Yesterday's, due at Tuesday's close, is overdue and listed first.
    assert "Olaf Yesterdayson Overdue by 17 hours" in listed
    assert listed.index("Olaf Yesterdayson") < listed.index("Ida Callbackson")
    assert "555-0199" not in listed  # the number is shown only on the callback's page (audited)

    blank = agent.post(f"/desktop/callbacks/{cb_id}/attempts", {"outcome": "", "back": "list"})
    assert blank.status_code == 422 and "Choose what happened on the call." in blank.text
    assert f'aria-describedby="cb-{cb_id}-error"' in blank.text
    assert db.get(Callback, cb_id).attempt_count == 0  # type: ignore[union-attr]

    one = agent.post(
        f"/desktop/callbacks/{late_id}/attempts",
        {"outcome": "no_answer", "back": "list"},
        follow=True,
    )
    page = text_of(one.text)
    assert "Attempt recorded." in page and "1 attempt so far" in page

    detail = agent.get(f"/desktop/callbacks/{late_id}")
    assert "(415) 555-0199" in detail.text and audited(db, "callback.read", late_id)
    assert "No answer" in text_of(detail.text)
    agent.post(f"/desktop/callbacks/{late_id}/attempts", {"outcome": "left_message"})
    clock.shift(24 * 3600)  # Thursday: a second business day (and a fresh sign-in)
    agent, _ = person(app, login, Role.TIER1_AGENT)
    last = agent.post(f"/desktop/callbacks/{late_id}/attempts", {"outcome": "wrong_number"})
    assert last.headers["location"] == f"/desktop/callbacks/{late_id}?done=letter_due"
    cb = db.get(Callback, late_id)
    assert cb is not None and cb.state == CallbackState.LETTER

    letters = agent.get("/desktop/callbacks").text
    letter = db.scalars(select(LetterTask).where(LetterTask.callback_id == late_id)).one()
    assert f"/desktop/letters/{letter.id}/sent" in letters and "Olaf Yesterdayson" in letters
    sent = agent.post(f"/desktop/letters/{letter.id}/sent", follow=True)
    assert "Letter marked sent." in sent.text
    assert f"/desktop/letters/{letter.id}/sent" not in sent.text
    closed = agent.post(f"/desktop/callbacks/{late_id}/attempts", {"outcome": "reached"})
    assert closed.status_code == 409 and "already closed" in closed.text


def test_reaching_the_member_records_the_call_and_qa_reads_masked(
    app, login, db: Session, clock: time_machine.Coordinates
) -> None:
    m = f.member(db, last_name="Reachable")
    api = login(Role.TIER1_AGENT).client
    r = api.post(
        "/api/voicemails",
        json={
            "member_id": m.id,
            "phone": "(415) 555-0142",
            "received_at": "2026-11-18T08:00:00-08:00",
        },
    )
    cb_id = r.json()["id"]
    qa, _ = person(app, login, Role.QA_ANALYST)
    seen = qa.get(f"/desktop/callbacks/{cb_id}").text
    assert "•••-•••-0142" in seen and "555-0142" not in seen.replace("•••-•••-0142", "")
    assert "Record this attempt" not in seen
    assert (
        qa.post(f"/desktop/callbacks/{cb_id}/attempts", {"outcome": "reached"}).status_code == 403
    )

    agent, _ = person(app, login, Role.TIER1_AGENT)
    done = agent.post(
        f"/desktop/callbacks/{cb_id}/attempts",
        {"outcome": "reached", "reasons": ["claims"], "resolved": "yes", "note": "Explained EOB"},
    )
    assert done.headers["location"] == f"/desktop/callbacks/{cb_id}?done=reached"
    cb = db.get(Callback, cb_id)
    assert cb is not None and cb.state == CallbackState.COMPLETED
    call = db.get(Contact, cb.contact_id)
    assert call is not None and call.reason_codes == [Reason.CLAIMS] and call.resolved


def test_get_next_hands_out_the_callback_due_first(
    app, login, db: Session, clock: time_machine.Coordinates
) -> None:
    m = f.member(db, last_name="Nextly")
    api = login(Role.TIER1_AGENT).client
    ids = [
        api.post(
            "/api/voicemails",
            json={"member_id": m.id, "phone": "4155550100", "received_at": at},
        ).json()["id"]
        for at in ("2026-11-18T09:30:00-08:00", "2026-11-17T16:00:00-08:00")
    ]
    agent, agent_id = person(app, login, Role.TIER1_AGENT)
    first = agent.post("/desktop/next")
    assert first.status_code == 303
    got = int(first.headers["location"].rsplit("/", 1)[1])
    cb = db.get(Callback, got)
    assert cb is not None and cb.assigned_to_id == agent_id
    # The earliest deadline of all open callbacks (ours, or any other the book holds).
    assert cb.due_at <= db.get(Callback, ids[1]).due_at  # type: ignore[union-attr]
    assert agent.post("/desktop/next").headers["location"] == first.headers["location"]


def test_a_member_writes_to_member_services_and_staff_reply(
    app, login, db: Session, clock: time_machine.Coordinates
) -> None:
    m = f.member(db, last_name="Portalwright", first_name="June")
    member, _ = person(app, login, Role.MEMBER, member_id=m.id)
    empty = member.post("/me/messages", {"subject": " ", "message": "My card has the wrong name"})
    assert empty.status_code == 422
    assert "Write a subject of at most 200 characters." in empty.text
    assert "My card has the wrong name" in empty.text  # kept for the member to correct
    assert 'aria-describedby="subject-error"' in empty.text

    sent = member.post(
        "/me/messages", {"subject": "Wrong name on card", "message": "It says Jane."}, follow=True
    )
    page = text_of(sent.text)
    assert "Message sent." in page and "Wrong name on card" in page
    assert "Waiting for a reply : we will answer by Thu 19 Nov 2026" in page.replace(
        "reply:", "reply :"
    )
    message = db.scalars(
        select(Contact).where(Contact.member_id == m.id, Contact.channel == Channel.PORTAL)
    ).one()

    agent, _ = person(app, login, Role.TIER1_AGENT)
    record = text_of(agent.get(f"/members/{m.id}").text)
    assert "Secure messages (1 awaiting a reply)" in record
    inbox = text_of(agent.get(f"/members/{m.id}/messages").text)
    assert "It says Jane." in inbox and "1 message awaiting a reply" in inbox
    blank = agent.post(f"/members/{m.id}/messages/{message.id}/reply", {"text": "  "})
    assert blank.status_code == 422 and "Write the reply before sending it." in blank.text
    ok = agent.post(
        f"/members/{m.id}/messages/{message.id}/reply", {"text": "A new card is on its way."}
    )
    assert ok.headers["location"] == f"/members/{m.id}/messages?done=replied#message-{message.id}"
    db.refresh(message)
    assert message.answered_at is not None

    mine = text_of(member.get("/me/messages").text)
    assert "Answered today" in mine and "A new card is on its way." in mine
    assert audited(db, "portal.message_sent", message.id)

    qa, _ = person(app, login, Role.QA_ANALYST)
    review = qa.get(f"/members/{m.id}/messages").text
    assert "It says Jane." in review and "Send the reply" not in review


def test_pages_carry_no_inline_script_and_the_shortcuts_file_is_served(app, login) -> None:
    agent, _ = person(app, login, Role.TIER1_AGENT)
    for url in ("/desktop", "/desktop/callbacks"):
        html = agent.get(url).text
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
        for key in ("/", "v", "l", "n"):
            assert f"<kbd>{key}</kbd>" in html
    js = agent.get("/static/desktop.js")
    assert js.status_code == 200 and "data-shortcut" in js.text
