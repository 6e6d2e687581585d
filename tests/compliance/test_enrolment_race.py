"""Simultaneous enrolments, on SQLite and PostgreSQL: a member's portal account and a username
are each taken once, and the others get 409 naming the field, never a 500.

The check in ``enrol`` reads before it writes; on PostgreSQL two requests can both read "no
account yet" and both insert, and the second then meets the unique index. Real threads, a
real server, committed data (tests/livesrv.py), because the race needs two transactions.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy import func, select

from memberdesk.clock import today_utc
from memberdesk.compliance import audit, enrolment
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.models import AuditEntry, User
from memberdesk.db import Sessions
from memberdesk.errors import Conflict
from memberdesk.members.enums import Relationship
from memberdesk.members.models import Member
from tests.dbutil import BACKENDS
from tests.livesrv import LiveServer, live_server

STRONG = "a long enough passphrase"
THREADS = 8


@dataclass(frozen=True)
class Facts:
    """What a member types to enrol (plaintext, from the test's side)."""

    id: int
    member_number: str
    last_name: str
    date_of_birth: date

    def body(self, username: str) -> dict[str, str]:
        return {
            "member_number": self.member_number,
            "last_name": self.last_name,
            "date_of_birth": self.date_of_birth.isoformat(),
            "username": username,
            "password": STRONG,
        }


@pytest.fixture(scope="module", params=BACKENDS)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp(f"enrol-{request.param}")
    with live_server(request.param, Path(tmp) / "var", tmp, members=120) as server:
        yield server


@pytest.fixture(scope="module")
def adults(live: LiveServer) -> list[Facts]:
    """Subscribers old enough for a portal account, none enrolled yet."""
    today = today_utc()
    with live.sessions() as session:
        rows = session.scalars(
            select(Member).where(Member.relationship == Relationship.SELF).order_by(Member.id)
        )
        found = [
            Facts(m.id, m.member_number, m.last_name, m.date_of_birth)
            for m in rows
            if (today - m.date_of_birth).days > 20 * 366
        ]
    assert len(found) >= 7
    return found


def at_once(base_url: str, bodies: list[dict[str, str]]) -> list[httpx.Response]:
    """POST every body to /api/auth/enrol from its own thread, released together."""
    answers: list[httpx.Response | None] = [None] * len(bodies)
    start = threading.Barrier(len(bodies))

    def send(i: int) -> None:
        with httpx.Client(base_url=base_url, timeout=60) as client:
            start.wait()
            answers[i] = client.post("/api/auth/enrol", json=bodies[i])

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(bodies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert all(a is not None for a in answers)
    return [a for a in answers if a is not None]


def portal_accounts(live: LiveServer, member_id: int) -> int:
    with live.sessions() as session:
        return (
            session.scalar(
                select(func.count()).select_from(User).where(User.member_id == member_id)
            )
            or 0
        )


def enrolments(live: LiveServer) -> int:
    """Audit entries of successful enrolments (PostgreSQL's pending ones sealed first)."""
    with live.sessions() as session:
        audit.seal_all(session)
        session.commit()
        return (
            session.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "portal.enrolled")
            )
            or 0
        )


def test_one_member_enrolling_from_many_clients_gets_one_account(
    live: LiveServer, adults: list[Facts]
) -> None:
    member = adults[0]
    answers = at_once(live.base_url, [member.body(f"race-{i}") for i in range(THREADS)])
    assert Counter(a.status_code for a in answers) == Counter({201: 1, 409: THREADS - 1})
    for refused in (a for a in answers if a.status_code == 409):
        detail = refused.json()["detail"][0]
        assert detail["loc"] == ["body", "member_number"]
        assert "already has a portal account" in detail["msg"]
        assert member.member_number not in refused.text and member.last_name not in refused.text
    assert portal_accounts(live, member.id) == 1


def test_one_username_wanted_by_many_members_is_taken_once(
    live: LiveServer, adults: list[Facts]
) -> None:
    wanting = adults[1:5]
    answers = at_once(live.base_url, [m.body("same-name") for m in wanting])
    assert Counter(a.status_code for a in answers) == Counter({201: 1, 409: len(wanting) - 1})
    for refused in (a for a in answers if a.status_code == 409):
        detail = refused.json()["detail"][0]
        assert detail["loc"] == ["body", "username"] and detail["msg"] == "this username is taken"
    assert sum(portal_accounts(live, m.id) for m in wanting) == 1


def test_a_disabled_account_is_taken_over_by_one_re_enrolment_only(
    live: LiveServer, adults: list[Facts]
) -> None:
    """Recovery: member services disabled the account, and the member enrols again from two
    devices at once. One re-enrolment wins; the other must not silently overwrite it."""
    member = adults[6]
    made = httpx.post(live.url("/api/auth/enrol"), json=member.body("before-recovery"))
    assert made.status_code == 201
    with live.sessions() as session:
        user = session.scalars(select(User).where(User.member_id == member.id)).one()
        user.disabled = True
        session.commit()
    answers = at_once(live.base_url, [member.body(f"recovered-{i}") for i in range(THREADS)])
    assert Counter(a.status_code for a in answers) == Counter({201: 1, 409: THREADS - 1})
    winner = next(a for a in answers if a.status_code == 201).json()["username"]
    with live.sessions() as session:
        user = session.scalars(select(User).where(User.member_id == member.id)).one()
        assert user.username == winner and not user.disabled
    token = httpx.post(live.url("/api/auth/token"), json={"username": winner, "password": STRONG})
    assert token.status_code == 201


def test_the_second_transaction_waits_then_gets_409_not_an_integrity_error(
    live: LiveServer, adults: list[Facts]
) -> None:
    """Two transactions, the first holding its new account uncommitted while the second tries:
    on PostgreSQL the second blocks on the unique index and then fails there (the SAVEPOINT
    turns that into 409); on SQLite it waits for the write lock and then sees the account."""
    member = adults[5]
    enrolled_before = enrolments(live)
    pg = live.engine.dialect.name == "postgresql"
    sessions = Sessions(live.engine, info={audit.DEFER_SEALING: pg})
    ctx = AuditContext(None, "anonymous", "-", client_addr="192.0.2.10")
    second: dict[str, object] = {}

    def enrol_second() -> None:
        began = time.monotonic()
        with sessions.write() as session:
            try:
                enrolment.enrol(
                    session,
                    live.settings,
                    ctx,
                    member_number=member.member_number,
                    last_name=member.last_name,
                    date_of_birth=member.date_of_birth,
                    username="second-try",
                    password=STRONG,
                )
            except Conflict as exc:
                second["refused"] = exc
                # The transaction is still usable after the refused insert.
                session.execute(select(func.count()).select_from(User))
            else:
                session.commit()
        second["waited"] = time.monotonic() - began

    with sessions.write() as first:
        enrolment.enrol(
            first,
            live.settings,
            ctx,
            member_number=member.member_number,
            last_name=member.last_name,
            date_of_birth=member.date_of_birth,
            username="first-try",
            password=STRONG,
        )
        other = threading.Thread(target=enrol_second)
        other.start()
        time.sleep(0.5)  # the second reaches its insert (PostgreSQL) or the write lock (SQLite)
        first.commit()
    other.join(60)
    refused = second.get("refused")
    assert isinstance(refused, Conflict) and refused.field == "body.member_number"
    assert float(second["waited"]) >= 0.4  # type: ignore[arg-type]
    assert portal_accounts(live, member.id) == 1
    assert enrolments(live) == enrolled_before + 1  # the refused one left no audit entry
