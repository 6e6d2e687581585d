"""The senders: SMTP through the standard library against a small SMTP server of the test's
own, retries and give-ups with short error codes, and the outbox's claim and reclaim."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from email import message_from_bytes
from email.message import Message
from email.policy import default

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance.enums import AuditAction, Role
from memberdesk.config import Settings
from memberdesk.surveys.enums import InvitationState, SendChannel
from memberdesk.surveys.models import OutboxMessage, SurveyInvitation, SurveyMember
from memberdesk.surveys.sender import (
    MAX_ATTEMPTS,
    RECLAIM_AFTER,
    SmtpSender,
    claim,
    link,
    send_due,
)
from memberdesk.surveys.sender import (
    Message as Outgoing,
)
from tests.surveys.helpers import (
    LINK,
    audited,
    complete_contact,
    invitation_of,
    send,
    surveyed_member,
)


class _Handler(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) for smtplib: EHLO, MAIL, RCPT, DATA, RSET, QUIT."""

    def handle(self) -> None:
        server: FakeSmtp = self.server  # type: ignore[assignment]
        say = lambda line: self.wfile.write(line.encode() + b"\r\n")  # noqa: E731
        say("220 test ESMTP")
        sender, rcpts = "", []
        while line := self.rfile.readline():
            verb = line.decode().strip()
            upper = verb.upper()
            if upper.startswith(("EHLO", "HELO")):
                say("250-test")
                say("250 8BITMIME")
            elif upper.startswith("MAIL FROM"):
                sender, rcpts = verb, []
                say("250 OK")
            elif upper.startswith("RCPT TO"):
                to = verb.split(":", 1)[1].strip().strip("<>")
                if to in server.refuse:
                    say("550 no such mailbox")
                else:
                    rcpts.append(to)
                    say("250 OK")
            elif upper == "DATA":
                say("354 go on")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk
                server.received.append((sender, rcpts, message_from_bytes(data, policy=default)))
                say("250 queued")
            elif upper in ("RSET", "NOOP"):
                say("250 OK")
            elif upper == "QUIT":
                say("221 bye")
                return
            else:
                say("502 not here")


class FakeSmtp(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: list[tuple[str, list[str], Message]] = []
        self.refuse: set[str] = set()


@contextmanager
def smtp_server() -> Iterator[FakeSmtp]:
    server = FakeSmtp()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _smtp(settings: Settings, port: int, **more: object) -> Settings:
    return settings.model_copy(
        update={
            "survey_sender": "smtp",
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_security": "none",
            "smtp_from": "Member Services <surveys@plan.example.org>",
            **more,
        }
    )


@contextmanager
def _same(db: Session) -> Iterator[Session]:
    yield db


def _run(db: Session, settings: Settings, at=None) -> dict[str, int]:  # type: ignore[no-untyped-def]
    write = lambda: _same(db)  # noqa: E731
    return send_due(write, settings, SmtpSender(settings), at=at or now())


def _pending(login, db: Session, channel: str = "email", **member: object) -> SurveyInvitation:  # type: ignore[no-untyped-def]
    agent = login(Role.TIER1_AGENT)
    m = surveyed_member(db, **member)
    inv = invitation_of(db, complete_contact(agent.client, m.id, channel=channel)["id"])
    assert inv is not None and inv.state is InvitationState.PENDING
    return inv


def test_smtp_sends_a_plain_email_with_the_link(app, login, db: Session, backend_settings) -> None:
    inv = _pending(login, db, email="pat@example.com", language="es")
    with smtp_server() as server:
        assert _run(db, _smtp(backend_settings, server.server_address[1])) == {
            "sent": 1,
            "retry": 0,
            "failed": 0,
        }
    ((_, rcpts, mail),) = server.received
    assert rcpts == ["pat@example.com"]
    assert mail["From"] == "Member Services <surveys@plan.example.org>"
    assert mail["Content-Language"] == "es" and "@plan.example.org>" in mail["Message-ID"]
    assert mail["Subject"].startswith("¿Cómo lo atendimos?")
    text = mail.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert LINK.search(text) and text.count("http://127.0.0.1:8000/survey/") == 1
    db.refresh(inv)
    assert inv.state is InvitationState.SENT and inv.token is None and inv.token_bidx
    assert inv.attempts == 1 and inv.last_error is None
    (entry,) = audited(db, AuditAction.SURVEY_SENT)
    assert entry.detail == {"channel": "email", "sender": "smtp"}
    assert "pat@example.com" not in str(entry.detail)


def test_links_start_with_the_servers_public_address(backend_settings) -> None:
    public = backend_settings.model_copy(update={"public_url": "https://md.example.org/desk/"})
    assert link(public, "T" * 43) == "https://md.example.org/desk/survey/" + "T" * 43
    assert link(backend_settings, "t").startswith("http://127.0.0.1:8000/survey/")


def test_texts_go_through_the_email_to_sms_gateway(
    app, login, db: Session, backend_settings
) -> None:
    inv = _pending(login, db, channel="phone", phone="(415) 555-0142")
    assert inv.send_channel is SendChannel.SMS
    with smtp_server() as server:
        settings = _smtp(
            backend_settings, server.server_address[1], smtp_sms_gateway="sms.example.net"
        )
        assert _run(db, settings)["sent"] == 1
    ((_, rcpts, mail),) = server.received
    assert rcpts == ["4155550142@sms.example.net"] and mail["Subject"] is None
    assert len(mail.get_payload(decode=True)) <= 160  # type: ignore[arg-type]


def test_a_refused_address_is_retried_then_fails(app, login, db: Session, backend_settings) -> None:
    inv = _pending(login, db, email="gone@example.com")
    at = now()
    with smtp_server() as server:
        server.refuse.add("gone@example.com")
        settings = _smtp(backend_settings, server.server_address[1])
        for attempt in range(1, MAX_ATTEMPTS + 1):
            counts = _run(db, settings, at)
            db.refresh(inv)
            assert inv.attempts == attempt and inv.last_error == "smtp_refused"
            if attempt < MAX_ATTEMPTS:
                assert counts["retry"] == 1 and inv.state is InvitationState.PENDING
                assert _run(db, settings, at) == {"sent": 0, "retry": 0, "failed": 0}  # not yet
                assert inv.next_attempt_at is not None and inv.next_attempt_at > at
                at = inv.next_attempt_at
        assert counts["failed"] == 1 and inv.state is InvitationState.FAILED
        assert inv.next_attempt_at is None and server.received == []
    supervisor = login(Role.SUPERVISOR, team="Team A").client
    listed = supervisor.get("/api/surveys/invitations", params={"state": "failed"}).json()
    assert [(i["id"], i["last_error"], i["attempts"]) for i in listed["items"]] == [
        (inv.id, "smtp_refused", MAX_ATTEMPTS)
    ]
    page = supervisor.get("/surveys/invitations?state=failed")
    assert "The mail server refused the address (3 attempts)" in page.text
    # It never reached the member, so it does not spend their one survey in 30 days.
    again = login(Role.TIER1_AGENT).client
    later = invitation_of(db, complete_contact(again, inv.member_id, channel="email")["id"])
    assert later is not None and later.state is InvitationState.PENDING


def test_an_unreachable_server_is_retried(app, login, db: Session, backend_settings) -> None:
    inv = _pending(login, db)
    with smtp_server() as server:
        port = server.server_address[1]
    assert _run(db, _smtp(backend_settings, port, smtp_timeout_seconds=2)) == {
        "sent": 0,
        "retry": 1,
        "failed": 0,
    }
    db.refresh(inv)
    assert inv.state is InvitationState.PENDING and inv.last_error == "smtp_unavailable"
    assert inv.token is not None  # kept: the next attempt needs it


def test_no_gateway_means_no_text(backend_settings) -> None:
    sender = SmtpSender(_smtp(backend_settings, 1))
    text = Outgoing(1, 1, SendChannel.SMS, "en", "4155550142", None, "hi")
    assert sender._email(text) is None  # the send reports sms_not_configured


def test_a_claim_left_by_a_stopped_worker_is_taken_again(
    app, login, db: Session, backend_settings
) -> None:
    inv = _pending(login, db)
    at = now()
    messages = claim(db, backend_settings, at)  # a worker claimed it, then stopped
    assert [m.invitation_id for m in messages] == [inv.id]
    db.refresh(inv)
    assert inv.state is InvitationState.SENDING
    assert send(db, backend_settings, at + RECLAIM_AFTER - timedelta(seconds=1))["sent"] == 0
    assert send(db, backend_settings, at + RECLAIM_AFTER)["sent"] == 1
    db.refresh(inv)
    assert inv.state is InvitationState.SENT and inv.attempts == 2


def test_an_answer_during_sending_stays_answered(
    anon, app, login, db: Session, backend_settings
) -> None:
    from memberdesk.surveys.sender import record

    inv = _pending(login, db)
    token = inv.token
    (message,) = claim(db, backend_settings, now())
    # The message went out and the member answered before the sender wrote "sent".
    body = {"token": token, "csat": 4, "nps": 8}
    assert anon.post("/api/surveys/answers", json=body).status_code == 201
    record(db, backend_settings, [(message, None)], now())
    db.refresh(inv)
    assert inv.state is InvitationState.ANSWERED


def test_a_member_no_longer_reachable_fails_at_once(
    app, login, db: Session, backend_settings
) -> None:
    inv = _pending(login, db)
    from memberdesk.members.models import Member

    member = db.get(Member, inv.member_id)
    assert member is not None
    member.email = None
    db.flush()
    assert send(db, backend_settings) == {"sent": 0, "retry": 0, "failed": 0}
    db.refresh(inv)
    assert inv.state is InvitationState.FAILED and inv.last_error == "no_address"
    assert db.scalar(select(OutboxMessage)) is None
    pref = db.get(SurveyMember, inv.member_id)
    assert pref is not None
    db.refresh(pref)
    assert pref.last_invited_at is None  # the slot is free for the next contact


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_encrypted_connections_fail_cleanly_against_a_plain_server(
    app, login, db: Session, backend_settings, security: str
) -> None:
    _pending(login, db)
    with smtp_server() as server:
        settings = _smtp(
            backend_settings,
            server.server_address[1],
            smtp_security=security,
            smtp_timeout_seconds=2,
        )
        assert _run(db, settings)["retry"] == 1  # never sent in the clear
    assert server.received == []
