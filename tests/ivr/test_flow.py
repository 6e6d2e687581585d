"""The phone menu driven by signed Twilio webhooks over HTTP, in English and Spanish, on both
databases: a caller identified by member ID and date of birth hears their ID-card status, asks
for a new card, hears their coverage and their nearest open case, leaves a voicemail (the
callback task) or is transferred with what the menu learned; unexpected keys are re-prompted,
then transferred; failed identification is limited and never says which fact was wrong; a bad
signature is refused and leaves nothing; every call becomes one contact with its path."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.contacts.enums import Channel, Disposition, Reason
from memberdesk.contacts.models import Callback, Contact
from memberdesk.ivr.enums import Outcome
from memberdesk.ivr.models import IvrCall
from memberdesk.members.enums import IdCardReason, IdCardStatus
from memberdesk.members.models import IdCardRequest, Member
from tests import factories as f
from tests.ivr.caller import TOKEN, Caller, languages

T0 = datetime(2026, 11, 2, 18, 0, tzinfo=UTC)  # a Monday, 10:00 in California


@pytest.fixture
def phone(app: Any) -> Any:
    """Anonymous HTTP to an app that knows Twilio's auth token (as Twilio calls it)."""
    app.state.settings = app.state.settings.model_copy(
        update={"twilio_auth_token": SecretStr(TOKEN)}
    )
    with TestClient(app) as c:
        yield c


@pytest.fixture
def caller_member(db: Session) -> Member:
    m = f.member(db, dob=date(1980, 5, 17), spans=((date(2025, 1, 1), date(2026, 12, 31)),))
    db.add(
        IdCardRequest(
            member_id=m.id,
            reason=IdCardReason.DAMAGED,
            status=IdCardStatus.MAILED,
            requested_at=datetime(2026, 10, 20, 17, tzinfo=UTC),
        )
    )
    db.flush()
    return m


def keypad(m: Member) -> str:
    return m.member_number.replace("-", "")


def identify(c: Caller, m: Member, lang: str = "1") -> None:
    assert c.start().status_code == 200
    c.press(lang)
    c.press(keypad(m))
    c.press("05171980")


def ivr_call(db: Session, c: Caller) -> IvrCall:
    db.expire_all()
    found = db.scalar(select(IvrCall).where(IvrCall.call_sid == c.call_sid))
    assert found is not None
    return found


@time_machine.travel(T0, tick=False)
def test_english_self_service_contained(
    phone: TestClient, db: Session, caller_member: Member, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    c = Caller(phone)
    r = c.start()
    assert r.headers["content-type"].startswith("application/xml")
    assert languages(c.last) == {"en-US", "es-US"}
    c.press("1")
    assert "member ID" in c.heard()
    c.press(keypad(caller_member))
    assert "date of birth" in c.heard()
    c.press("05171980")
    assert "For your ID card, press 1" in c.heard()
    c.press("1")
    assert "made on October 20, 2026, is in the mail" in c.heard()
    c.press("1")  # a new card
    assert "We have asked for a new ID card" in c.heard()
    c.press("2")
    assert "You are covered today, through December 31, 2026." in c.heard()
    c.press("3")
    assert "You have no open cases with us." in c.heard()
    assert languages(c.last) == {"en-US"}
    assert c.hang_up().json() == {"outcome": "contained"}
    call = ivr_call(db, c)
    assert call.outcome == Outcome.CONTAINED and call.member_id == caller_member.id
    contact = db.get(Contact, call.contact_id)
    assert contact is not None and contact.channel == Channel.PHONE and contact.resolved
    assert contact.member_id == caller_member.id and contact.agent_id is None
    assert set(contact.reason_codes) == {Reason.ID_CARD, Reason.ELIGIBILITY}
    assert contact.notes is not None and "heard their ID card status" in contact.notes
    cards = db.scalars(select(IdCardRequest).where(IdCardRequest.member_id == caller_member.id))
    assert sorted(c.status for c in cards) == [IdCardStatus.MAILED, IdCardStatus.REQUESTED]
    # Nothing keyed reaches a log: not the member ID, not the date of birth, not the phone.
    text = caplog.text
    assert keypad(caller_member) not in text and "05171980" not in text
    assert caller_member.member_number not in text and "5550142" not in text
    # Hanging up again changes nothing (Twilio may send the status more than once).
    assert c.hang_up().json() == {"outcome": "contained"}
    assert (
        db.scalar(
            select(func.count()).select_from(Contact).where(Contact.call_ref == "ivr:" + c.call_sid)
        )
        == 1
    )


@time_machine.travel(T0, tick=False)
def test_spanish_voicemail_becomes_the_callback_task(
    phone: TestClient, db: Session, caller_member: Member
) -> None:
    c = Caller(phone)
    identify(c, caller_member, lang="2")
    assert languages(c.last) == {"es-US"}
    assert "Para su tarjeta de identificación, oprima 1" in c.heard()
    c.press("1")
    assert "del 20 de octubre de 2026, está enviada por correo" in c.heard()
    c.press("9")
    c.press("4")
    assert "Después del tono" in c.heard() and "<Record" in c.last
    c.record()
    assert "Recibimos su mensaje y le llamaremos hoy mismo." in c.heard()
    assert "<Hangup" in c.last
    call = ivr_call(db, c)
    assert call.outcome == Outcome.VOICEMAIL and call.language == "es"
    cb = db.get(Callback, call.callback_id)
    assert cb is not None and cb.member_id == caller_member.id and cb.phone == c.phone
    assert cb.due_at == datetime(2026, 11, 3, 1, 0, tzinfo=UTC)  # 17:00 the same business day
    contact = db.get(Contact, call.contact_id)
    assert contact is not None and contact.disposition == Disposition.VOICEMAIL_LEFT
    assert not contact.resolved and contact.language == "es"
    c.hang_up()
    assert ivr_call(db, c).outcome == Outcome.VOICEMAIL


@time_machine.travel(T0, tick=False)
def test_transfer_carries_what_the_menu_learned(
    phone: TestClient, app: Any, db: Session, caller_member: Member
) -> None:
    app.state.settings = app.state.settings.model_copy(
        update={"twilio_ivr_workflow_sid": "WW" + "0" * 32}
    )
    c = Caller(phone)
    identify(c, caller_member, lang="2")
    c.press("2")
    c.press("0")
    assert '<Enqueue workflowSid="WW' in c.last
    task = json.loads(c.last.split("<Task>")[1].split("</Task>")[0].replace("&quot;", '"'))
    assert task["call_sid"] == c.call_sid and task["language"] == "es"
    assert task["reason"] == "eligibility" and task["queue"] == "eligibility-es"
    assert task["member_id"] == caller_member.member_number and task["identified"] is True
    assert task["ivr_path"] == ["spanish", "identified", "eligibility", "agent"]
    call = ivr_call(db, c)
    assert call.outcome == Outcome.TRANSFERRED
    contact = db.get(Contact, call.contact_id)
    assert contact is not None and contact.disposition == Disposition.TRANSFERRED
    assert not contact.resolved


@time_machine.travel(T0, tick=False)
def test_unexpected_keys_reprompt_then_transfer(phone: TestClient, db: Session) -> None:
    c = Caller(phone)
    c.start()
    c.press("7")
    assert c.heard().startswith("Sorry, that is not one of the choices.")
    assert "For English, press 1." in c.heard()
    c.press("")  # no answer at all: asked again
    assert "not one of the choices" in c.heard()
    c.press("8")
    assert "<Enqueue>member-services-en</Enqueue>" in c.last
    call = ivr_call(db, c)
    assert call.outcome == Outcome.TRANSFERRED
    assert call.path == ["retry", "retry", "retry", "too_many_retries"]


@time_machine.travel(T0, tick=False)
def test_failed_identification_is_limited_and_says_nothing_of_which(
    phone: TestClient, db: Session, caller_member: Member
) -> None:
    c = Caller(phone)
    c.start()
    c.press("1")
    heard = []
    for digits in (keypad(caller_member), "99999999901", keypad(caller_member)):
        c.press(digits)
        c.press("01011990")
        heard.append(c.heard())
    # The right ID with a wrong date sounds exactly like a wrong ID.
    assert heard[0] == heard[1]
    assert "could not match that member ID and date of birth" in heard[0]
    assert "could not find your record" in heard[2] and "<Enqueue>" in c.last
    call = ivr_call(db, c)
    assert call.member_id is None and call.outcome == Outcome.TRANSFERRED
    assert call.path == ["english", "not_identified"] and call.failed_ids == 3
    assert "1980" not in " ".join(heard) and "Testperson" not in " ".join(heard)


def test_bad_signature_is_refused_and_records_nothing(phone: TestClient, db: Session) -> None:
    before = db.scalar(select(func.count()).select_from(IvrCall))
    c = Caller(phone)
    r = c.post("/api/ivr/twilio/voice", {}, token="f" * 32)
    assert r.status_code == 403
    assert "X-Twilio-Signature" in r.json()["detail"][0]["msg"]
    unsigned = phone.post("/api/ivr/twilio/voice", data={"CallSid": c.call_sid})
    assert unsigned.status_code == 401
    assert db.scalar(select(func.count()).select_from(IvrCall)) == before


@time_machine.travel(T0, tick=False)
def test_hanging_up_to_end_a_message_keeps_it(
    phone: TestClient, db: Session, caller_member: Member
) -> None:
    """Twilio may send the call's end before the recording: the message still becomes the
    callback; a caller who hangs up before saying anything leaves no callback."""
    for words, outcome in ((True, Outcome.VOICEMAIL), (False, Outcome.CONTAINED)):
        c = Caller(phone)
        identify(c, caller_member)
        c.press("2")  # coverage: something answered
        c.press("4")
        assert c.hang_up().json() == {"outcome": "in_menu"}
        c.record(seconds=12 if words else 0)
        call = ivr_call(db, c)
        assert call.outcome == outcome and (call.callback_id is not None) == words
        assert call.contact_id is not None


@time_machine.travel(T0, tick=False)
def test_guessing_a_date_of_birth_over_many_calls_stops_working(
    phone: TestClient, db: Session, caller_member: Member
) -> None:
    """Five wrong dates of birth for one member ID within a day, over any number of calls:
    then even the right one is answered as a miss, with the same words, and the caller goes
    to a representative."""
    wrong = ["01011990", "02021991", "03031992", "04041993", "05051994"]
    for chunk in (wrong[:3], wrong[3:]):
        c = Caller(phone)
        c.start()
        c.press("1")
        for born in chunk:
            c.press(keypad(caller_member))
            c.press(born)
    c = Caller(phone)
    identify(c, caller_member)  # the right date of birth, now too late
    assert "could not match that member ID and date of birth" in c.heard()
    assert ivr_call(db, c).member_id is None
    with time_machine.travel(T0 + timedelta(hours=25), tick=False):
        later = Caller(phone)
        identify(later, caller_member)
        assert ivr_call(db, later).member_id == caller_member.id


def test_today_is_the_plans_day(phone: TestClient, db: Session, caller_member: Member) -> None:
    """At 8 pm in California on the last day of coverage (already tomorrow in UTC) the caller
    is still covered today."""
    with time_machine.travel(datetime(2027, 1, 1, 4, 0, tzinfo=UTC), tick=False):
        c = Caller(phone)
        identify(c, caller_member)
        c.press("2")
        assert "You are covered today, through December 31, 2026." in c.heard()
