"""Who is invited after a contact, on which channel and in which language, and who is not:
the throttle (one per member per 30 days), opt-outs, minors, confidential communications."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance.enums import AuditAction, Role
from memberdesk.contacts.enums import Channel, Direction
from memberdesk.contacts.models import Contact
from memberdesk.members.enums import ConfidentialScope
from memberdesk.surveys import service
from memberdesk.surveys.enums import InvitationState, Language, SendChannel, SkipReason
from memberdesk.surveys.models import OutboxMessage, SurveyInvitation
from memberdesk.surveys.service import InvitePolicy
from tests.surveys.helpers import (
    T0,
    audited,
    complete_contact,
    invitation_of,
    send,
    surveyed_member,
)

POLICY = InvitePolicy(throttle_days=30, sms=True)


def _contact(db: Session, member_id: int, agent_id: int, at, channel=Channel.PHONE) -> Contact:  # type: ignore[no-untyped-def]
    c = Contact(
        member_id=member_id,
        agent_id=agent_id,
        channel=channel,
        direction=Direction.INBOUND,
        started_at=at - timedelta(minutes=7),
        ended_at=at,
        resolved=True,
    )
    db.add(c)
    db.flush()
    return c


@pytest.fixture
def agent_id(login) -> int:  # type: ignore[no-untyped-def]
    return int(login(Role.TIER1_AGENT).user.id)


def test_one_invitation_per_member_per_30_days(db: Session, agent_id: int) -> None:
    member = surveyed_member(db)
    first = service.invite(db, _contact(db, member.id, agent_id, T0), at=T0, policy=POLICY)
    assert first is not None and first.state is InvitationState.PENDING
    day29 = T0 + timedelta(days=29, hours=23)
    second = service.invite(db, _contact(db, member.id, agent_id, day29), at=day29, policy=POLICY)
    assert second is not None and second.skip_reason is SkipReason.THROTTLED
    assert second.token is None and second.token_bidx is None
    day30 = T0 + timedelta(days=30)
    third = service.invite(db, _contact(db, member.id, agent_id, day30), at=day30, policy=POLICY)
    assert third is not None and third.state is InvitationState.PENDING
    # Another member is not held back by this one.
    other = surveyed_member(db)
    assert service.invite(db, _contact(db, other.id, agent_id, day29), at=day29, policy=POLICY)
    assert service.invite(db, _contact(db, other.id, agent_id, day29), at=day29, policy=POLICY)


def test_the_same_contact_is_decided_once(app, login, db: Session) -> None:
    agent = login(Role.TIER1_AGENT)
    member = surveyed_member(db)
    started = complete_contact(agent.client, member.id)
    patched = agent.client.patch(f"/api/contacts/{started['id']}", json={"notes": "Called back"})
    assert patched.status_code == 200
    count = db.scalar(
        select(func.count())
        .select_from(SurveyInvitation)
        .where(SurveyInvitation.contact_id == started["id"])
    )
    assert count == 1


def test_a_call_ended_at_the_desk_is_invited(app, login, db: Session) -> None:
    agent = login(Role.TIER1_AGENT)
    member = surveyed_member(db)
    body = {
        "member_id": member.id,
        "channel": "phone",
        "direction": "inbound",
        "reasons": ["claims"],
        "started_at": (now() - timedelta(days=1)).isoformat(),
    }
    open_call = agent.client.post("/api/contacts", json=body).json()
    assert invitation_of(db, open_call["id"]) is None  # still going on
    ended = agent.client.patch(
        f"/api/contacts/{open_call['id']}",
        json={"ended_at": (now() - timedelta(days=1, minutes=-5)).isoformat()},
    )
    assert ended.status_code == 200
    # Ended a day before now: recent enough (a contact keyed a week late is not surveyed).
    assert invitation_of(db, open_call["id"]) is not None


@pytest.mark.parametrize(
    ("channel", "phone", "email", "expected"),
    [
        (Channel.PHONE, "(415) 555-0142", "a@example.com", SendChannel.SMS),
        (Channel.SMS, "(415) 555-0142", "a@example.com", SendChannel.SMS),
        (Channel.EMAIL, "(415) 555-0142", "a@example.com", SendChannel.EMAIL),
        (Channel.CHAT, "(415) 555-0142", "a@example.com", SendChannel.EMAIL),
        (Channel.PORTAL, "(415) 555-0142", "a@example.com", SendChannel.EMAIL),
        (Channel.PHONE, None, "a@example.com", SendChannel.EMAIL),  # the other way round
        (Channel.EMAIL, "(415) 555-0142", None, SendChannel.SMS),
        (Channel.PHONE, None, None, None),
    ],
)
def test_the_channel_follows_the_contact(
    db: Session,
    agent_id: int,
    channel: Channel,
    phone,
    email,
    expected,  # type: ignore[no-untyped-def]
) -> None:
    member = surveyed_member(db, phone=phone, email=email)
    inv = service.invite(db, _contact(db, member.id, agent_id, T0, channel), at=T0, policy=POLICY)
    assert inv is not None
    if expected is None:
        assert inv.skip_reason is SkipReason.NO_ADDRESS
    else:
        assert inv.send_channel is expected and inv.state is InvitationState.PENDING


def test_no_text_gateway_means_email(db: Session, agent_id: int) -> None:
    member = surveyed_member(db)
    policy = InvitePolicy(throttle_days=30, sms=False)
    inv = service.invite(db, _contact(db, member.id, agent_id, T0), at=T0, policy=policy)
    assert inv is not None and inv.send_channel is SendChannel.EMAIL


def test_confidential_communications_use_the_confidential_number_only(
    db: Session, agent_id: int
) -> None:
    secret = surveyed_member(db, confidential_scope=ConfidentialScope.ALL)
    secret.confidential_phone = "(510) 555-0199"
    db.flush()
    inv = service.invite(
        db, _contact(db, secret.id, agent_id, T0, Channel.EMAIL), at=T0, policy=POLICY
    )
    assert inv is not None and inv.send_channel is SendChannel.SMS  # never the general e-mail
    assert service.address(secret, SendChannel.SMS) == "(510) 555-0199"
    none_on_file = surveyed_member(db, confidential_scope=ConfidentialScope.SENSITIVE_SERVICES)
    skipped = service.invite(db, _contact(db, none_on_file.id, agent_id, T0), at=T0, policy=POLICY)
    assert skipped is not None and skipped.skip_reason is SkipReason.NO_ADDRESS


def test_minors_voicemails_and_stale_or_unserved_contacts_are_not_surveyed(
    db: Session, agent_id: int
) -> None:
    child = surveyed_member(db, dob=date(T0.year - 12, 1, 1))
    inv = service.invite(db, _contact(db, child.id, agent_id, T0), at=T0, policy=POLICY)
    assert inv is not None and inv.skip_reason is SkipReason.MINOR
    adult = surveyed_member(db)
    vm = _contact(db, adult.id, agent_id, T0, Channel.VOICEMAIL)
    assert service.invite(db, vm, at=T0, policy=POLICY) is None
    stale = _contact(db, adult.id, agent_id, T0 - timedelta(days=8))
    assert service.invite(db, stale, at=T0, policy=POLICY) is None
    unserved = _contact(db, adult.id, agent_id, T0)
    unserved.agent_id = None
    assert service.invite(db, unserved, at=T0, policy=POLICY) is None


@pytest.mark.parametrize(
    ("written", "spoken", "language"),
    [
        ("es", "es", Language.ES),
        ("en", "es", Language.EN),
        ("zh", "es", Language.ES),
        ("vi", "zh", Language.EN),
    ],
)
def test_language_is_the_members(db: Session, written: str, spoken: str, language) -> None:  # type: ignore[no-untyped-def]
    member = surveyed_member(db)
    member.written_language, member.spoken_language = written, spoken
    assert service.language_of(member) is language


def test_spanish_and_english_messages(app, login, db: Session, backend_settings) -> None:
    agent = login(Role.TIER1_AGENT)
    es = surveyed_member(db, language="es")
    en = surveyed_member(db, language="en")
    for m, channel in ((es, "phone"), (es, "email"), (en, "email")):
        if channel == "email" and m is es:
            m = surveyed_member(db, language="es")
        complete_contact(agent.client, m.id, channel=channel)
    send(db, backend_settings)
    messages = list(db.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    assert [(m.channel, m.language) for m in messages] == [
        (SendChannel.SMS, "es"),
        (SendChannel.EMAIL, "es"),
        (SendChannel.EMAIL, "en"),
    ]
    assert messages[0].subject is None and "Díganos en 2 minutos" in messages[0].body
    assert messages[1].subject and messages[1].subject.startswith("¿Cómo lo atendimos?")
    assert messages[2].subject == "How did we do? Two minutes about your contact with us"
    assert all("billing" not in (m.body + (m.subject or "")) for m in messages)  # no topic
    assert all(len(m.body) <= 160 for m in messages if m.channel is SendChannel.SMS)
    assert len(audited(db, AuditAction.SURVEY_SENT)) == 3


def test_opted_out_members_get_none_and_staff_record_the_wish(app, login, db: Session) -> None:
    agent = login(Role.TIER1_AGENT)
    member = surveyed_member(db)
    url = f"/api/members/{member.id}/survey-preference"
    out = agent.client.put(url, json={"opted_out": True})
    assert out.status_code == 200 and out.json()["opted_out"] is True
    assert out.json()["opted_out_via"] == "staff"
    contact = complete_contact(agent.client, member.id)
    inv = invitation_of(db, contact["id"])
    assert inv is not None and inv.skip_reason is SkipReason.OPTED_OUT
    back = agent.client.put(url, json={"opted_out": False})
    assert back.json()["opted_out"] is False
    changes = audited(db, AuditAction.SURVEY_PREFERENCE_CHANGED)
    assert len(changes) == 2 and all(e.object_id == str(member.id) for e in changes)
    assert agent.client.put(url, json={"opted_out": "maybe"}).status_code == 422
    qa = login(Role.QA_ANALYST)
    assert qa.client.put(url, json={"opted_out": True}).status_code == 403
