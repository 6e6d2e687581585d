"""Twilio TaskRouter's event callbacks over HTTP, signed for real with the twilio library: a call
flow gives the figures it describes, whatever the order and however often Twilio repeats itself;
a callback Twilio did not sign is refused and leaves nothing behind; an identified caller's call
becomes one contact of that member (from the JSON feed too); nothing PHI reaches a log or an
error; and twenty senders at once on a live server lose nothing, on both databases."""

from __future__ import annotations

import json
import logging
import random
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, get_args

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator

from memberdesk.clock import now
from memberdesk.compliance.enums import AuditAction, Role
from memberdesk.compliance.models import AuditEntry, AuditPending
from memberdesk.config import AgentState
from memberdesk.contacts.models import Contact
from memberdesk.kpi.live import AgentEvent
from memberdesk.kpi.models import AgentSeconds, FeedEvent, LiveCallRow
from memberdesk.kpi.twilio import CREDENTIAL_FILE, activity_state
from memberdesk.members.models import Member
from memberdesk.surveys.enums import InvitationState
from memberdesk.surveys.models import SurveyInvitation
from tests.dbutil import BACKENDS
from tests.livesrv import LiveServer, live_server
from tests.test_concurrency import run_threads

TOKEN = "0123456789abcdef0123456789abcdef"  # a made-up auth token, the shape of Twilio's
PATH = "/api/kpi/twilio/taskrouter"
URL = "http://testserver" + PATH
DAY = {"from": "2026-11-02", "to": "2026-11-02"}
T0 = datetime(2026, 11, 2, 17, 0, tzinfo=UTC)
CALLER_PHONE = "+14155550142"
UNUSED = {"workflow.target-matched", "reservation.created"}  # sent by Twilio, of no use here


def sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


def signature(fields: dict[str, str], url: str = URL, token: str = TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, fields)


def post(
    client: TestClient | httpx.Client,
    fields: dict[str, str],
    *,
    query: str = "",
    url: str = URL,
    token: str = TOKEN,
) -> Any:
    """POST a callback as Twilio would: form-encoded, signed over the exact URL."""
    headers = {"X-Twilio-Signature": signature(fields, url + query, token)}
    return client.post(PATH + query, data=fields, headers=headers)


@pytest.fixture
def twilio(app: Any) -> Any:
    """The app of the test, told Twilio's auth token (as MEMBERDESK_TWILIO_AUTH_TOKEN would)."""
    app.state.settings = app.state.settings.model_copy(
        update={"twilio_auth_token": SecretStr(TOKEN)}
    )
    return app


class Workspace:
    """Builds TaskRouter callbacks as TaskRouter sends them (field names from its event
    reference), for one workspace."""

    def __init__(self) -> None:
        self.account, self.workspace = sid("AC"), sid("WS")
        self.queues = {"tier1": sid("WQ"), "billing": sid("WQ")}

    def event(self, kind: str, at: datetime, **fields: str) -> dict[str, str]:
        resource = kind.split(".")[0].split("-")[0].capitalize()
        return {
            "EventType": kind,
            "Sid": sid("EV"),
            "AccountSid": self.account,
            "WorkspaceSid": self.workspace,
            "WorkspaceName": "Member services",
            "EventDescription": f"{resource} event",
            "ResourceType": resource,
            "ResourceSid": fields.get("TaskSid") or fields.get("WorkerSid", ""),
            "Timestamp": str(int(at.timestamp())),
            "TimestampMs": str(int(at.timestamp() * 1000)),
            **fields,
        }

    def task(self, task: str, member: str | None = None, channel: str = "voice") -> dict[str, str]:
        attributes: dict[str, Any] = {"type": "inbound", "from": CALLER_PHONE}
        if member is not None:
            attributes["member_id"] = member
        return {
            "TaskSid": task,
            "TaskAttributes": json.dumps(attributes),
            "TaskAge": "0",
            "TaskPriority": "0",
            "TaskAssignmentStatus": "pending",
            "TaskChannelUniqueName": channel,
            "WorkflowSid": sid("WW"),
        }

    def queue(self, name: str) -> dict[str, str]:
        return {"TaskQueueSid": self.queues[name], "TaskQueueName": name}

    def call(
        self,
        offered: datetime,
        queue: str,
        *,
        answered: float | None = None,
        talk: float = 0.0,
        wrap: float = 0.0,
        abandoned: float | None = None,
        worker: str = "alice",
        member: str | None = None,
    ) -> list[dict[str, str]]:
        """The callbacks of one call: offered at ``offered``, answered or abandoned so many
        seconds later."""
        task = self.task(sid("WT"), member)
        queued = {**task, **self.queue(queue)}
        second = timedelta(seconds=1)
        out = [
            self.event("task.created", offered, **task),
            self.event("task-queue.entered", offered + second, **queued),
            # Twilio reports the events memberdesk has no use for as well.
            self.event("workflow.target-matched", offered + second, **task),
        ]
        if answered is not None:
            at = offered + answered * second
            reserved = {**queued, "WorkerSid": sid("WK"), "WorkerName": worker}
            out += [
                self.event("reservation.created", at - 2 * second, **reserved),
                self.event("reservation.accepted", at, **reserved),
                self.event("task.wrapup", at + talk * second, **queued),
                self.event("task.completed", at + (talk + wrap) * second, **queued),
            ]
        elif abandoned is not None:
            canceled = {**queued, "TaskCanceledReason": "hangup"}
            out.append(self.event("task.canceled", offered + abandoned * second, **canceled))
        return out

    def activity(self, worker: str, name: str, at: datetime) -> dict[str, str]:
        return self.event(
            "worker.activity.update",
            at,
            WorkerSid=sid("WK"),
            WorkerName=worker,
            WorkerActivityName=name,
            WorkerActivitySid=sid("WA"),
            WorkerAttributes="{}",
        )


def a_day(ws: Workspace, member: str | None = None) -> list[dict[str, str]]:
    """Four calls and one agent's afternoon; member: the first call's identified caller."""
    at = T0
    return [
        # Answered in 11 s (offered at task.created), 300 s of talk, 49 s of wrap-up.
        *ws.call(at, "tier1", answered=11, talk=300, wrap=49, member=member),
        # Answered in 40 s: outside the 20 s of calchoice's service level.
        *ws.call(at + timedelta(minutes=10), "billing", answered=40, talk=120, worker="bob"),
        *ws.call(at + timedelta(minutes=20), "tier1", abandoned=30),  # abandoned
        *ws.call(at + timedelta(minutes=30), "tier1", abandoned=2),  # short abandoned
        ws.activity("alice", "Available", at - timedelta(minutes=5)),
        ws.activity("alice", "Break", at + timedelta(minutes=20)),
        ws.activity("alice", "Offline", at + timedelta(minutes=35)),
    ]


def test_a_taskrouter_call_flow_gives_the_figures(twilio, anon, login, db: Session) -> None:
    events = a_day(Workspace())
    rng = random.Random(5)
    sent = events + rng.sample(events, 8)  # Twilio retries a few
    rng.shuffle(sent)
    answers = [post(anon, e) for e in sent]
    assert {a.status_code for a in answers} == {200}, [a.text for a in answers]
    bodies = [a.json() for a in answers]
    used = [e for e in sent if e["EventType"] not in UNUSED]
    # Two answered calls of 5 events, two abandoned of 3, three changes of activity.
    assert sum(b["received"] for b in bodies) == 19
    assert sum(b["duplicates"] for b in bodies) == len(used) - 19
    ignored = {b["event_type"]: b["ignored"] for b in bodies if not b["used"]}
    assert set(ignored) == UNUSED
    assert all("does not use" in why for why in ignored.values())
    report = login(Role.SUPERVISOR).client.get("/api/kpi/calls", params={**DAY, "by": "queue"})
    body = report.json()
    total = body["total"]
    assert (total["offered"], total["answered"], total["abandoned"]) == (4, 2, 2)
    assert total["short_abandoned"] == 1
    assert total["service_level"] == pytest.approx(1 / 3)
    assert total["abandon_rate"] == pytest.approx(1 / 3)
    assert total["asa_seconds"] == pytest.approx(25.5)
    # Talk runs to task.wrapup; the wrap-up runs from there to task.completed (49 s, and none
    # for bob): (300 + 49 + 120) / 2.
    assert total["aht_seconds"] == pytest.approx(234.5)
    assert {r["key"]: r["offered"] for r in body["rows"]} == {"tier1": 3, "billing": 1}
    by_state = dict(
        db.execute(
            select(AgentSeconds.state, func.sum(AgentSeconds.seconds))
            .where(AgentSeconds.agent_ref == "alice")
            .group_by(AgentSeconds.state)
        ).all()
    )
    assert by_state == {"ready": 1500, "break": 900}
    row = db.scalars(select(LiveCallRow).where(LiveCallRow.agent_ref == "bob")).one()
    assert (row.queue, row.state, row.talk_seconds) == ("billing", "ended", 120)


def test_the_same_event_twice_counts_once(twilio, anon, login) -> None:
    ws = Workspace()
    call = ws.call(T0, "tier1", abandoned=60)
    created, entered, canceled = call[0], call[1], call[-1]
    first = post(anon, created).json()
    assert first["used"] and first["kind"] == "offered"
    assert (first["received"], first["duplicates"]) == (1, 0)
    again = post(anon, created).json()
    assert (again["received"], again["duplicates"], again["calls"]) == (0, 1, 0)
    for e in (entered, canceled, canceled, entered):
        assert post(anon, e).status_code == 200
    total = login(Role.SUPERVISOR).client.get("/api/kpi/calls", params=DAY).json()["total"]
    assert (total["offered"], total["abandoned"], total["answered"]) == (1, 1, 0)


@pytest.mark.parametrize(
    "forge",
    [
        "no signature",
        "wrong token",
        "another URL",  # e.g. signed for another pack than the one asked for
        "field changed",  # the member ID swapped after signing
        "field added",
    ],
)
def test_a_callback_twilio_did_not_sign_is_refused_and_stores_nothing(
    twilio, anon, db: Session, forge: str, caplog: pytest.LogCaptureFixture
) -> None:
    member = db.scalars(select(Member).limit(1)).one()
    ws = Workspace()
    events = ws.call(T0, "tier1", answered=5, talk=60, member=member.member_number)
    query = "?pack=oregon-medicaid" if forge == "another URL" else ""
    caplog.set_level(logging.DEBUG)
    for e in events:
        headers = {
            "X-Twilio-Signature": signature(e, URL, "f" * 32 if forge == "wrong token" else TOKEN)
        }
        data = dict(e)
        if forge == "no signature":
            headers = {}
        elif forge == "field changed":
            data["TaskAttributes"] = json.dumps({"member_id": "CC9999999-01"})
        elif forge == "field added":
            data["TaskQueueName"] = "appeals"
        got = anon.post(PATH + query, data=data, headers=headers)
        # No credentials at all is a 401, as on every protected route; wrong ones a 403.
        assert got.status_code == (401 if forge == "no signature" else 403), got.text
        detail = got.json()["detail"][0]
        assert detail["loc"] == ["header", "x-twilio-signature"]
        assert "X-Twilio-Signature" in detail["msg"] and "nothing was stored" in detail["msg"]
        assert member.member_number not in got.text and CALLER_PHONE not in got.text
    assert db.scalar(select(func.count()).select_from(FeedEvent)) == 0
    assert db.scalar(select(func.count()).select_from(LiveCallRow)) == 0
    assert "Twilio callback refused: " in caplog.text
    assert member.member_number not in caplog.text and CALLER_PHONE not in caplog.text


def test_without_an_auth_token_every_twilio_callback_is_refused(app, anon, db: Session) -> None:
    event = Workspace().call(T0, "tier1")[0]
    got = post(anon, event)
    assert got.status_code == 403
    assert "no Twilio auth token is configured" in got.json()["detail"][0]["msg"]
    assert db.scalar(select(func.count()).select_from(FeedEvent)) == 0


def test_the_token_may_live_in_var_instead_of_the_environment(
    app, anon, tmp_path: Path, db: Session
) -> None:
    (tmp_path / CREDENTIAL_FILE).write_text(TOKEN + "\n")
    app.state.settings = app.state.settings.model_copy(update={"var_dir": tmp_path})
    assert post(anon, Workspace().call(T0, "tier1")[0]).status_code == 200


def test_the_public_url_is_what_twilio_signed(twilio, anon) -> None:
    """Behind a proxy the server sees http://internal-host; Twilio signed the public URL."""
    public = "https://memberdesk.example.org"
    twilio.state.settings = twilio.state.settings.model_copy(update={"public_url": public})
    event = Workspace().call(T0, "tier1")[0]
    assert post(anon, event, url=public + PATH).status_code == 200
    assert post(anon, Workspace().call(T0, "tier1")[0]).status_code == 403  # the inner URL


def test_the_pack_comes_from_the_url(twilio, anon, login) -> None:
    ws = Workspace()
    for e in ws.call(T0, "tier1", answered=25, talk=60):
        assert post(anon, e, query="?pack=oregon-medicaid").status_code == 200
    boss = login(Role.SUPERVISOR).client
    medicaid = boss.get("/api/kpi/calls", params={**DAY, "pack": "oregon-medicaid"}).json()
    assert medicaid["total"]["offered"] == 1
    assert medicaid["total"]["service_level"] == 1.0  # 25 s is within Oregon's 30 s
    assert boss.get("/api/kpi/calls", params=DAY).json()["total"]["offered"] == 0
    wrong = post(anon, ws.call(T0, "tier1")[0], query="?pack=texas")
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["loc"] == ["query", "pack"]


def _without(fields: dict[str, str], *names: str) -> dict[str, str]:
    return {k: v for k, v in fields.items() if k not in names}


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (lambda e: _without(e, "EventType"), "body.EventType", "is required"),
        (lambda e: _without(e, "Sid"), "body.Sid", "is required"),
        (lambda e: {**e, "Sid": "EV 1"}, "body.Sid", "Twilio SID"),
        (lambda e: _without(e, "Timestamp", "TimestampMs"), "body.Timestamp", "is required"),
        (lambda e: {**e, "TimestampMs": "soon"}, "body.TimestampMs", "milliseconds since"),
        (
            lambda e: _without({**e, "Timestamp": "99"}, "TimestampMs"),
            "body.Timestamp",
            "between the years 2000",
        ),
        (lambda e: _without(e, "TaskSid"), "body.TaskSid", "is required"),
        (
            lambda e: _without(e, "TaskQueueSid", "TaskQueueName"),
            "body.TaskQueueSid",
            "is required",
        ),
    ],
)
def test_malformed_callbacks_are_refused_by_field(
    twilio, anon, db: Session, change: Any, field: str, words: str
) -> None:
    entered = Workspace().call(T0, "tier1")[1]
    got = post(anon, change(entered))
    assert got.status_code == 422, got.text
    detail = got.json()["detail"][0]
    assert ".".join(str(p) for p in detail["loc"]) == field
    assert words in detail["msg"]
    assert db.scalar(select(func.count()).select_from(FeedEvent)) == 0


def test_the_event_sid_may_come_as_eventsid(twilio, anon) -> None:
    event = Workspace().call(T0, "tier1")[0]
    relayed = {**_without(event, "Sid"), "EventSid": event["Sid"]}
    assert post(anon, relayed).json()["received"] == 1
    assert post(anon, event).json()["duplicates"] == 1  # the same event, under either name


def test_a_worker_event_needs_its_activity(twilio, anon) -> None:
    event = _without(Workspace().activity("alice", "Available", T0), "WorkerActivityName")
    got = post(anon, event)
    assert got.status_code == 422
    assert got.json()["detail"][0]["loc"] == ["body", "WorkerActivityName"]


def test_a_chat_task_is_not_a_call(twilio, anon, db: Session) -> None:
    ws = Workspace()
    chat = ws.event("task.created", T0, **ws.task(sid("WT"), channel="chat"))
    body = post(anon, chat).json()
    assert (body["used"], body["ignored"]) == (False, "a chat task, not a phone call")
    assert db.scalar(select(func.count()).select_from(FeedEvent)) == 0


def test_activity_names_map_to_agent_states(twilio) -> None:
    settings = twilio.state.settings.model_copy(update={"twilio_activities": {"Lunch": "break"}})
    assert activity_state("Available", settings) is AgentEvent.READY
    assert activity_state("Wrap-Up", settings) is AgentEvent.WRAP
    assert activity_state("wrap_up", settings) is AgentEvent.WRAP
    assert activity_state("OFFLINE", settings) is AgentEvent.LOGGED_OUT
    assert activity_state("Unavailable", settings) is AgentEvent.NOT_READY
    assert activity_state("lunch", settings) is AgentEvent.BREAK
    assert activity_state("Coaching", settings) is AgentEvent.NOT_READY  # nobody mapped it
    # The states a setting may name are the feed's own.
    assert set(get_args(AgentState)) == {e.value for e in AgentEvent}


def test_the_telephony_account_may_replay_unsigned_callbacks(twilio, login, db: Session) -> None:
    """A backfill from TaskRouter's Events API carries no Twilio signature; the telephony
    account's token vouches for it instead. Nobody else's does."""
    event = Workspace().call(T0, "tier1")[0]
    assert login(Role.SUPERVISOR).client.post(PATH, data=event).status_code == 403
    got = login(Role.TELEPHONY).client.post(PATH, data=event)
    assert got.status_code == 200 and got.json()["received"] == 1
    as_json = login(Role.TELEPHONY).client.post(PATH, json=event)
    assert as_json.status_code == 415


# --- calls become contacts --------------------------------------------------------------------


def _contacts(db: Session, member_id: int) -> list[Contact]:
    return list(db.scalars(select(Contact).where(Contact.member_id == member_id)))


def _logged(db: Session, contact_id: int) -> list[Any]:
    """The contact's audit entries, sealed or not yet (PostgreSQL requests defer sealing)."""
    sealed = db.scalars(
        select(AuditEntry).where(
            AuditEntry.object_type == "contact", AuditEntry.object_id == str(contact_id)
        )
    ).all()
    pending = db.scalars(
        select(AuditPending).where(
            AuditPending.object_type == "contact", AuditPending.object_id == str(contact_id)
        )
    ).all()
    return [*sealed, *pending]


def test_an_identified_callers_call_becomes_one_contact(twilio, anon, login, db: Session) -> None:
    member = db.scalars(select(Member).order_by(Member.id).limit(1)).one()
    alice = login(Role.TIER1_AGENT, username="alice-tw")
    ws = Workspace()
    events = ws.call(
        T0, "tier1", answered=11, talk=300, wrap=49, worker="alice-tw", member=member.member_number
    )
    rng = random.Random(2)
    sent = events + events[::-1]  # everything twice, the second time backwards
    for e in sent[: len(events) // 2]:
        assert post(anon, e).status_code == 200
    assert _contacts(db, member.id) == []  # not yet ended
    for e in sent[len(events) // 2 :]:
        assert post(anon, e).status_code == 200
    rng.shuffle(sent)
    for e in sent:
        assert post(anon, e).status_code == 200
    [contact] = _contacts(db, member.id)
    assert (contact.channel, contact.direction) == ("phone", "inbound")
    assert contact.agent_id == alice.user.id
    assert contact.started_at == T0 + timedelta(seconds=11)
    assert contact.ended_at == T0 + timedelta(seconds=311)
    assert (contact.talk_seconds, contact.hold_seconds, contact.resolved) == (300, 0, False)
    assert contact.call_ref == events[0]["TaskSid"]
    [entry] = _logged(db, contact.id)
    assert entry.action == AuditAction.CONTACT_LOGGED.value
    assert (entry.actor, entry.role) == ("system", "system")
    # The agent sees it in the member's history, as any contact.
    history = alice.client.get(f"/api/members/{member.id}/contacts").json()
    assert [c["id"] for c in history["items"]] == [contact.id]
    assert history["items"][0]["agent"] == "alice-tw"


def test_only_answered_ended_calls_of_members_on_file_become_contacts(
    twilio, anon, db: Session
) -> None:
    member = db.scalars(select(Member).order_by(Member.id).limit(1)).one()
    ws = Workspace()
    calls = [
        ws.call(T0, "tier1", abandoned=40, member=member.member_number),  # never answered
        ws.call(T0, "tier1", answered=5, member=member.member_number)[:-2],  # still talking
        ws.call(T0, "tier1", answered=5, talk=30, member="ZZ0000000-99"),  # not on file
        ws.call(T0, "tier1", answered=5, talk=30),  # never identified
    ]
    for call in calls:
        for e in call:
            assert post(anon, e).status_code == 200
    assert (
        db.scalar(select(func.count()).select_from(Contact).where(Contact.call_ref.is_not(None)))
        == 0
    )
    # A caller identified only after the call ended (attributes updated) still counts: the
    # member ID on any of the call's events identifies the caller.
    late = ws.call(T0, "tier1", answered=5, talk=30, worker="nobody-here")
    task = late[0]["TaskSid"]
    for e in late:
        assert post(anon, e).status_code == 200
    update = ws.event(
        "task.completed", T0 + timedelta(minutes=1), **ws.task(task, member.member_number)
    )
    assert post(anon, update).status_code == 200
    [contact] = _contacts(db, member.id)
    assert contact.call_ref == task and contact.agent_id is None  # no such user: unattributed


def test_the_json_feed_logs_contacts_too(login, db: Session) -> None:
    member = db.scalars(select(Member).order_by(Member.id.desc()).limit(1)).one()
    agent = login(Role.TIER2_SPECIALIST, username="a-json-7")
    feeder = login(Role.TELEPHONY).client
    events = [
        {
            "id": "j1",
            "type": "offered",
            "at": "2026-11-02T17:00:00Z",
            "call_id": "json-1",
            "queue": "tier1",
        },
        {
            "id": "j2",
            "type": "answered",
            "at": "2026-11-02T17:00:09Z",
            "call_id": "json-1",
            "agent_id": "a-json-7",
            "member_id": member.member_number,
        },
        {
            "id": "j3",
            "type": "ended",
            "at": "2026-11-02T17:04:09Z",
            "call_id": "json-1",
            "wrap_seconds": 30,
        },
    ]
    for batch in (events[::-1], events, events[1:]):
        assert feeder.post("/api/kpi/events", json={"events": batch}).status_code == 200
    [contact] = _contacts(db, member.id)
    assert (contact.call_ref, contact.agent_id) == ("json-1", agent.user.id)
    assert (contact.talk_seconds, contact.wrap_seconds) == (240, 30)
    [entry] = _logged(db, contact.id)
    assert entry.role == "telephony"  # the account that sent the events


def test_a_call_that_just_ended_is_surveyed_like_a_contact_logged_at_the_desk(
    login, db: Session
) -> None:
    member = db.scalars(select(Member).order_by(Member.id.desc()).offset(3).limit(1)).one()
    agent = login(Role.TIER1_AGENT, username="a-survey-3")
    feeder = login(Role.TELEPHONY).client
    start = now() - timedelta(minutes=10)
    events = [
        {"id": "s1", "type": "offered", "at": start, "call_id": "srv-1", "queue": "tier1"},
        {
            "id": "s2",
            "type": "answered",
            "at": start + timedelta(seconds=8),
            "call_id": "srv-1",
            "agent_id": "a-survey-3",
            "member_id": member.member_number,
        },
        {"id": "s3", "type": "ended", "at": start + timedelta(minutes=5), "call_id": "srv-1"},
    ]
    body = {"events": [{**e, "at": e["at"].isoformat()} for e in events]}
    for _ in range(2):  # sent twice: still one contact, one survey decision
        assert feeder.post("/api/kpi/events", json=body).status_code == 200
    [contact] = _contacts(db, member.id)
    [invitation] = db.scalars(
        select(SurveyInvitation).where(SurveyInvitation.contact_id == contact.id)
    ).all()
    assert (invitation.member_id, invitation.agent_id) == (member.id, agent.user.id)
    assert invitation.contact_channel == "phone"
    # Sent (pending) or skipped for a stated reason, exactly as the desk's contacts are.
    assert invitation.state in (InvitationState.PENDING, InvitationState.SKIPPED)


def test_no_phi_in_logs_or_answers(twilio, anon, db: Session, caplog) -> None:
    member = db.scalars(select(Member).limit(1)).one()
    ws = Workspace()
    caplog.set_level(logging.DEBUG)
    events = ws.call(T0, "tier1", answered=5, talk=30, member=member.member_number)
    bad_member = ws.event(
        "task.created",
        T0,
        **{
            **ws.task(sid("WT")),
            "TaskAttributes": json.dumps({"member_id": "<b>" + member.member_number}),
        },
    )
    not_json = ws.event(
        "task.created", T0, **{**ws.task(sid("WT")), "TaskAttributes": "{" + CALLER_PHONE}
    )
    texts = [post(anon, e).text for e in [*events, bad_member, not_json]]
    texts.append(anon.post(PATH, data=events[0]).text)  # unsigned
    notes = [json.loads(t).get("notes") for t in texts[-3:-1]]
    assert notes == [
        ["TaskAttributes.member_id is not a member ID (letters, digits, hyphens)"],
        ["TaskAttributes is not JSON: no member ID taken from it"],
    ]
    for text in [*texts, caplog.text]:
        assert member.member_number not in text
        assert CALLER_PHONE not in text and CALLER_PHONE[2:] not in text
        assert TOKEN not in text
    assert len(_contacts(db, member.id)) == 1


# --- many senders at once ---------------------------------------------------------------------


@pytest.fixture(scope="module", params=BACKENDS)
def twilio_live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp(f"twilio-{request.param}")
    var = Path(tmp) / "var"
    var.mkdir()
    (var / CREDENTIAL_FILE).write_text(TOKEN)  # the token in var/, as an operator may keep it
    with live_server(request.param, var, tmp, members=5) as server:
        yield server


def test_twenty_twilio_senders_at_once_lose_nothing(twilio_live: LiveServer) -> None:
    """Twenty clients deliver the callbacks of the same calls at once, each in its own order
    and some twice (Twilio retries): every call counts once, every identified caller's call is
    one contact."""
    with twilio_live.sessions() as session:
        numbers = [m.member_number for m in session.scalars(select(Member).order_by(Member.id))]
    ws = Workspace()
    calls = [
        ws.call(
            T0 + timedelta(minutes=i),
            "tier1",
            answered=5 + i % 30,
            talk=60 + i,
            member=numbers[i % len(numbers)] if i % 3 == 0 else None,
        )
        if i % 4
        else ws.call(T0 + timedelta(minutes=i), "billing", abandoned=10 + i % 20)
        for i in range(60)
    ]
    events = [e for call in calls for e in call]
    url = twilio_live.url(PATH)

    def work(i: int, client: httpx.Client) -> list[str]:
        rng = random.Random(i)
        mine = events[i % 10 :: 10]  # two senders share each slice
        mine = mine + rng.sample(mine, len(mine) // 4)
        rng.shuffle(mine)
        out = []
        for e in mine:
            headers = {"X-Twilio-Signature": signature(e, url)}
            out.append(str(client.post(PATH, data=e, headers=headers).status_code))
        return out

    outcomes = run_threads(20, work, twilio_live.base_url)
    assert set(outcomes) == {"200"}, outcomes
    boss = twilio_live.add_user(Role.SUPERVISOR)
    total = httpx.get(
        twilio_live.url("/api/kpi/calls"),
        params=DAY,
        headers={"Authorization": f"Bearer {boss.token}"},
    ).json()["total"]
    answered = [c for i, c in enumerate(calls) if i % 4]
    assert (total["offered"], total["answered"]) == (60, len(answered))
    used = sum(1 for e in events if e["EventType"] not in UNUSED)
    identified = sum(1 for i in range(60) if i % 4 and i % 3 == 0)
    with twilio_live.sessions() as session:
        assert session.scalar(select(func.count()).select_from(FeedEvent)) == used
        linked = session.scalars(select(Contact.call_ref).where(Contact.call_ref.is_not(None)))
        assert len(list(linked)) == identified
