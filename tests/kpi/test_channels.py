"""Contacts by channel over HTTP and on their page: volumes in and out, handle time, one-contact
resolution of members' own contacts, survey answers, and each channel's speed against its clock
(portal replies by their deadline, voicemails returned by their due time), on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from sqlalchemy.orm import Session

from memberdesk.compliance.enums import Role
from memberdesk.config import Settings
from tests import factories as f
from tests.surveys.helpers import (
    answers,
    complete_contact,
    invitation_of,
    send,
    surveyed_member,
    token_for,
)

MON = datetime(2026, 11, 2, 17, 0, tzinfo=UTC)  # Monday 2 November, 09:00 in California
DAYS = {"from": "2026-11-02", "to": "2026-11-06"}


def _contact(client: Any, member_id: int, at: datetime, channel: str, **over: Any) -> int:
    body = {
        "member_id": member_id,
        "channel": channel,
        "direction": "inbound",
        "reasons": ["billing"],
        "started_at": at.isoformat(),
        "ended_at": (at + timedelta(minutes=5)).isoformat(),
        "resolved": True,
        **over,
    }
    r = client.post("/api/contacts", json=body)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _week(login, anon, db: Session, backend_settings: Settings) -> None:  # type: ignore[no-untyped-def]
    """A week of contacts on four channels, with a known answer for each figure."""
    agent = login(Role.TIER1_AGENT).client
    a, b, c, d = (f.member(db) for _ in range(4))
    e = surveyed_member(db)
    member_c = login(Role.MEMBER, member_id=c.id).client
    with time_machine.travel(MON, tick=False):
        # Phone: two calls with handle times 300+0+60 and 200+40+20 s; a resolved, b resolved
        # but back on the same matter by chat two days later (not resolved at first contact).
        _contact(agent, a.id, MON, "phone", talk_seconds=300, hold_seconds=0, wrap_seconds=60)
        _contact(agent, b.id, MON, "phone", talk_seconds=200, hold_seconds=40, wrap_seconds=20)
        # The plan's letter to a: outbound, not judged for one-contact resolution.
        _contact(agent, a.id, MON, "letter", direction="outbound", resolved=False)
        # Two portal messages from c: one answered in time, one never answered.
        sent = [
            member_c.post("/api/me/messages", json={"subject": "Bill", "body": "Twice?"})
            for _ in range(2)
        ]
        assert [r.status_code for r in sent] == [201, 201]
        # Two voicemails (due by close of business today): one returned at 10:00, one not.
        vms = [
            agent.post(
                "/api/voicemails",
                json={"member_id": d.id, "phone": "(415) 555-0100", "received_at": MON.isoformat()},
            )
            for _ in range(2)
        ]
        assert [r.status_code for r in vms] == [201, 201]
    with time_machine.travel(MON + timedelta(hours=1), tick=False):
        r = agent.post(
            f"/api/callbacks/{vms[0].json()['id']}/attempts", json={"outcome": "reached"}
        )
        assert r.status_code == 201, r.text
        reply = {"in_reply_to": sent[0].json()["id"], "direction": "outbound"}
        _contact(agent, c.id, MON + timedelta(hours=1), "portal", **reply)
    with time_machine.travel(MON + timedelta(days=2), tick=False):
        _contact(agent, b.id, MON + timedelta(days=2), "chat", resolved=False)
    # A satisfied member after a chat, through the real survey: invited, sent, answered.
    chat_end = MON + timedelta(days=3)
    with time_machine.travel(chat_end + timedelta(minutes=1), tick=False):
        survey = complete_contact(agent, e.id, channel="chat", ended=chat_end)
        invitation = invitation_of(db, survey["id"])
        assert invitation is not None
        send(db, backend_settings)
        token = token_for(db, invitation.id)
        r = anon.post("/api/surveys/answers", json={"token": token, **answers(csat=5, nps=10)})
        assert r.status_code == 201, r.text


@pytest.fixture
def week(login, anon, db: Session, backend_settings: Settings) -> None:  # type: ignore[no-untyped-def]
    _week(login, anon, db, backend_settings)


def test_the_figures_of_each_channel(week: None, login) -> None:  # type: ignore[no-untyped-def]
    boss = login(Role.SUPERVISOR).client
    with time_machine.travel(MON + timedelta(days=20), tick=False):  # every window has closed
        r = boss.get("/api/kpi/channels", params=DAYS)
    assert r.status_code == 200, r.text
    rows = {row["channel"]: row for row in r.json()["rows"]}
    assert list(rows) == ["phone", "chat", "portal", "voicemail", "letter"]
    phone, chat, portal = rows["phone"], rows["chat"], rows["portal"]
    assert (phone["inbound"], phone["outbound"]) == (2, 1)  # out: the voicemail returned
    assert phone["handle_seconds"] == (360 + 260) / 2
    # a's call resolved; b's call came back by chat on the same matter within 7 days.
    assert (phone["fcr_rate"], phone["fcr_decided"]) == (0.5, 2)
    assert (chat["inbound"], chat["fcr_decided"], chat["fcr_rate"]) == (2, 2, 0.5)
    assert (chat["survey_answers"], chat["csat"], chat["nps"]) == (1, 1.0, 100.0)
    # The letter is the plan writing: counted, never judged.
    assert (rows["letter"]["outbound"], rows["letter"]["fcr_decided"]) == (1, 0)
    assert rows["letter"]["fcr_rate"] is None
    # Portal: two messages in, one reply out; one answered by its deadline, one overdue.
    assert (portal["inbound"], portal["outbound"]) == (2, 1)
    assert portal["speed"] == {
        "measure": "reply",
        "due": 2,
        "on_time": 1,
        "late": 0,
        "open_overdue": 1,
        "on_time_rate": 0.5,
    }
    # Voicemail: two left, one returned in time, one never returned.
    vm = rows["voicemail"]["speed"]
    assert (vm["measure"], vm["due"], vm["on_time"], vm["open_overdue"]) == ("callback", 2, 1, 1)
    # No calls were fed: the phone has no service level, and no call figures.
    assert phone["speed"] is None and phone["calls"] is None


def test_bad_days_or_line_name_the_field(login) -> None:  # type: ignore[no-untyped-def]
    boss = login(Role.SUPERVISOR).client
    for params, field in [
        ({**DAYS, "pack": "nowhere"}, "pack"),
        ({"from": "2026-11-06", "to": "2026-11-02"}, "to"),
        ({"from": "2024-01-01", "to": "2026-11-02"}, "to"),
        ({"from": "2026-11-31", "to": "2026-12-01"}, "from"),
        ({"to": "2026-12-01"}, "from"),
    ]:
        r = boss.get("/api/kpi/channels", params=params)
        assert r.status_code == 422, params
        assert ["query", field] in [d["loc"] for d in r.json()["detail"]], r.text
    assert login(Role.TELEPHONY).client.get("/api/kpi/channels", params=DAYS).status_code == 403


def test_the_page_in_words(week: None, login) -> None:  # type: ignore[no-untyped-def]
    boss = login(Role.SUPERVISOR).client
    with time_machine.travel(MON + timedelta(days=20), tick=False):
        page = boss.get("/kpi/channels", params=DAYS)
        assert page.status_code == 200
        text = page.text
        for words in (
            "Contacts by channel",
            "Portal message",
            "50.0% of portal messages answered by their reply deadline",
            "1 still waiting past it",
            "50.0% of voicemails returned by their due time",
            "5 min 10 s",  # the phone's average handling ((360 + 260) / 2 s), in minutes
            "100.0%",  # satisfied after chats
            "+100",
        ):
            assert words in text, words
        wrong = boss.get("/kpi/channels", params={"from": "2026-11-06", "to": "2026-11-02"})
        assert wrong.status_code == 422
        assert "The last day must not be before the first." in wrong.text
        empty = boss.get("/kpi/channels", params={"from": "2026-10-01", "to": "2026-10-02"})
        assert "No contacts for these days" in empty.text


def test_each_line_of_business_counts_its_own_members(login, db: Session) -> None:  # type: ignore[no-untyped-def]
    """An Oregon Health Plan member's contacts are Oregon's figures, not California's."""
    agent = login(Role.TIER1_AGENT).client
    oregon = f.oregon_book(db, members=5)[0]
    california = f.member(db).id
    with time_machine.travel(MON, tick=False):
        _contact(agent, oregon, MON, "chat")
        _contact(agent, oregon, MON, "chat")
        _contact(agent, california, MON, "chat")
        _contact(agent, None, MON, "phone")  # an unidentified caller: the default line
    boss = login(Role.SUPERVISOR).client
    with time_machine.travel(MON + timedelta(days=20), tick=False):
        rows = {
            pack: {
                r["channel"]: r
                for r in boss.get("/api/kpi/channels", params={**DAYS, "pack": pack}).json()["rows"]
            }
            for pack in ("calchoice", "oregon-medicaid")
        }
    assert rows["oregon-medicaid"]["chat"]["inbound"] == 2
    assert rows["oregon-medicaid"]["chat"]["fcr_decided"] == 2
    assert "phone" not in rows["oregon-medicaid"]
    assert (
        rows["calchoice"]["chat"]["inbound"] == 1 and rows["calchoice"]["chat"]["fcr_decided"] == 1
    )
    assert rows["calchoice"]["phone"]["inbound"] == 1
