"""The member 360 on each database: the governing policy pack and the latest 10 contacts, loaded
in one extra statement; the member page shows them in plain words; QA masking still applies; a
member's own portal view carries no agents' call log."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance.enums import Role
from memberdesk.members import service, views
from tests import factories as f
from tests.compliance.test_auth import sign_in

FROZEN = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)


def log(client: TestClient, member_id: int, day: int, reason: str = "billing") -> int:
    r = client.post(
        "/api/contacts",
        json={
            "member_id": member_id,
            "channel": "phone",
            "direction": "inbound",
            "reasons": [reason, "id_card"],
            "started_at": f"2026-11-{day:02d}T09:30:00-08:00",
            "resolved": day % 2 == 0,
        },
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


@contextmanager
def statements(db: Session) -> Iterator[list[str]]:
    seen: list[str] = []
    conn = db.connection()

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(conn, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(conn, "before_cursor_execute", count)


@time_machine.travel(FROZEN, tick=False)
def test_the_360_has_the_pack_and_the_latest_ten_contacts(
    client, agent, login, db: Session
) -> None:
    m = f.member(db)
    ids = [log(client, m.id, day) for day in range(1, 13)]
    view = client.get(f"/api/members/{m.id}").json()
    assert view["policy_pack"] == "calchoice"
    shown = view["contacts"]
    assert [c["id"] for c in shown] == ids[::-1][:10]  # newest first, ten of them
    assert shown[0]["reasons"] == ["billing", "id_card"]
    assert shown[0]["agent"] == agent.user.username
    assert (shown[0]["channel"], shown[0]["direction"], shown[0]["resolved"]) == (
        "phone",
        "inbound",
        True,
    )
    # QA reads contacts, and its masks still apply to the rest of the 360.
    qa = login(Role.QA_ANALYST).client.get(f"/api/members/{m.id}").json()
    assert len(qa["contacts"]) == 10 and qa["member"]["date_of_birth"] == "1980"
    # A member's own record carries no agents' call log.
    own = login(Role.MEMBER, member_id=m.id).client.get("/api/me").json()
    assert own["contacts"] == [] and own["policy_pack"] == "calchoice"


@time_machine.travel(FROZEN, tick=False)
def test_contacts_load_in_one_statement_whatever_their_number(client, db: Session) -> None:
    m = f.member(db)
    today = now().date()
    counted = []
    for days, shown in ((range(1, 2), 1), (range(2, 14), 10)):
        for day in days:
            log(client, m.id, day)
        db.expunge_all()
        member, house = service.get_household(db, m.id)
        with statements(db) as seen:
            view = views.member_360(db, member, house, today, today, 26)
        counted.append(len(seen))
        assert len(view.contacts) == shown
    # life events, ID cards, contacts (with reasons and agents), the navigator flag
    assert counted == [4, 4]


@time_machine.travel(FROZEN, tick=False)
def test_member_page_shows_recent_contacts_in_words(app, login, client, db: Session) -> None:
    m = f.member(db)
    log(client, m.id, 19)
    user = login(Role.TIER1_AGENT).user
    with TestClient(app) as browser:
        sign_in(browser, user.username)
        page = browser.get(f"/members/{m.id}")
    assert page.status_code == 200
    text = page.text
    assert "Recent contacts" in text
    assert "Phone, inbound" in text and "Billing or premium; ID card" in text
    assert "19 Nov 2026, 9:30 am" in text
    assert "id_card" not in text.split("Recent contacts")[1].split("</section>")[0]


def test_no_contacts_yet(client, db: Session) -> None:
    m = f.member(db)
    assert client.get(f"/api/members/{m.id}").json()["contacts"] == []
