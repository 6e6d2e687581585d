"""Screen pops: a call the phone menu transferred, answered by an agent (a live telephony event
from the JSON feed or from Twilio TaskRouter), opens on that agent's desktop with the member the
menu identified and the path it took; taking it starts a call already verified by member ID and
date of birth. An unidentified caller's pop offers the search by their number. Another agent
cannot open someone else's pop; the stream names only the page to open."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.compliance.enums import AuditAction, Role
from memberdesk.compliance.models import AuditEntry
from memberdesk.contacts.models import Contact
from memberdesk.ivr.models import ScreenPop
from tests import factories as f
from tests.conftest import Persona
from tests.ivr.caller import TOKEN, Caller
from tests.kpi.test_twilio import post as taskrouter_post
from tests.kpi.test_twilio import sid

T0 = datetime(2026, 11, 2, 18, 0, tzinfo=UTC)


@pytest.fixture
def phone(app: Any) -> Any:
    app.state.settings = app.state.settings.model_copy(
        update={"twilio_auth_token": SecretStr(TOKEN)}
    )
    with TestClient(app) as c:
        yield c


def answered(feeder: Persona, call_id: str, agent: str, at: datetime) -> None:
    body = {
        "events": [
            {
                "id": f"o-{call_id}",
                "type": "offered",
                "at": at.isoformat(),
                "call_id": call_id,
                "queue": "eligibility-en",
            },
            {
                "id": f"a-{call_id}",
                "type": "answered",
                "at": (at + timedelta(seconds=12)).isoformat(),
                "call_id": call_id,
                "agent_id": agent,
            },
        ]
    }
    r = feeder.client.post("/api/kpi/events", json=body)
    assert r.status_code == 200, r.text


def pops_of(db: Session, agent: Persona) -> list[ScreenPop]:
    db.expire_all()
    return list(db.scalars(select(ScreenPop).where(ScreenPop.agent_id == agent.user.id)))


@time_machine.travel(T0, tick=False)
def test_transferred_caller_pops_identified_and_verified(
    phone: TestClient, db: Session, login: Any, agent: Persona
) -> None:
    m = f.member(db, first_name="Rosa", last_name="Popwell", dob=date(1980, 5, 17))
    feeder, other = login(Role.TELEPHONY), login(Role.TIER1_AGENT)
    c = Caller(phone)
    c.start()
    c.press("2")
    c.press(m.member_number.replace("-", ""))
    c.press("05171980")
    c.press("2")
    c.press("0")
    answered(feeder, c.call_sid, agent.user.username, T0)
    [pop] = pops_of(db, agent)
    assert pop.member_id == m.id and pop.ivr_call_id is not None
    assert other.client.get(f"/desktop/pops/{pop.id}").status_code == 404
    page = agent.client.get(f"/desktop/pops/{pop.id}")
    assert page.status_code == 200
    html = page.text
    assert "Call from Rosa Popwell" in html and m.member_number in html
    assert "matched the caller's member ID and date of birth" in html
    for step in (
        "Chose Spanish",
        "Identified by member ID and date of birth",
        "Heard whether they are covered today",
        "Asked for a representative",
    ):
        assert step in html
    assert "Eligibility and ID cards, Spanish" in html
    read = db.scalars(
        select(AuditEntry).where(
            AuditEntry.action == AuditAction.MEMBER_READ, AuditEntry.actor_id == agent.user.id
        )
    ).all()
    assert [e.object_id for e in read] == [str(m.id)]
    took = agent.client.post(f"/desktop/pops/{pop.id}/take", follow_redirects=False)
    assert took.status_code == 303 and took.headers["location"].endswith("#call")
    db.expire_all()
    contact = db.get(Contact, pops_of(db, agent)[0].desk_contact_id)
    assert contact is not None and contact.agent_id == agent.user.id
    assert contact.member_id == m.id
    assert sorted(contact.verified_facts or []) == ["date_of_birth", "member_id"]


@time_machine.travel(T0, tick=False)
def test_taskrouter_answer_pops_unidentified_caller_with_their_number(
    phone: TestClient, db: Session, agent: Persona
) -> None:
    c = Caller(phone, phone="+14155550199")
    c.start()
    c.press("1")
    c.press("0")  # straight to a representative, not identified
    task = sid("WT")
    attributes = json.dumps({"call_sid": c.call_sid, "identified": False})
    ms = str(int(T0.timestamp() * 1000))
    for event, extra in (
        ("task.created", {"TaskQueueName": "member-services-en"}),
        ("reservation.accepted", {"WorkerName": agent.user.username, "WorkerSid": sid("WK")}),
    ):
        r = taskrouter_post(
            phone,
            {
                "EventType": event,
                "Sid": sid("EV"),
                "TaskSid": task,
                "TimestampMs": ms,
                "TaskAttributes": attributes,
                **extra,
            },
        )
        assert r.status_code == 200, r.text
    [pop] = pops_of(db, agent)
    assert pop.member_id is None and pop.phone == "+14155550199"
    html = agent.client.get(f"/desktop/pops/{pop.id}").text
    assert "Call from a caller not identified" in html
    assert 'value="+14155550199"' in html and "Asked for a representative" in html


@time_machine.travel(T0, tick=False)
def test_stream_names_the_page_to_open(
    phone: TestClient, db: Session, login: Any, agent: Persona, monkeypatch: Any
) -> None:
    monkeypatch.setattr("memberdesk.ivr.ui.STREAM_SECONDS", 0.3)
    m = f.member(db)
    feeder = login(Role.TELEPHONY)
    r = feeder.client.post(
        "/api/kpi/events",
        json={
            "events": [
                {
                    "id": "a1",
                    "type": "answered",
                    "at": T0.isoformat(),
                    "call_id": "CALL-1",
                    "agent_id": agent.user.username,
                    "member_id": m.member_number,
                }
            ]
        },
    )
    assert r.status_code == 200
    [pop] = pops_of(db, agent)
    assert pop.member_id == m.id and pop.ivr_call_id is None
    body = agent.client.get("/desktop/pops/stream").text
    assert f'event: pop\ndata: {{"open": "/desktop/pops/{pop.id}"}}' in body
    assert m.member_number not in body and m.last_name not in body
    agent.client.get(f"/desktop/pops/{pop.id}")
    assert "data:" not in agent.client.get("/desktop/pops/stream").text  # opened: not again
