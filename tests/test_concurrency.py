"""Many clients at once against a live server, on both databases: no errors, no lost writes,
an intact audit chain, and signed-in users served while unauthenticated traffic floods in.

Real threads, real HTTP, a real uvicorn server (tests/livesrv.py), counts not timings.
"""

from __future__ import annotations

import random
import secrets
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy import func, select

from memberdesk.clock import today_utc
from memberdesk.compliance import audit
from memberdesk.compliance.enums import Role
from memberdesk.compliance.models import AuditPending
from memberdesk.compliance.verify import verify_chain
from memberdesk.db import read_only_connection
from memberdesk.members.enums import Relationship
from memberdesk.members.models import LifeEvent, Member
from tests.dbutil import BACKENDS
from tests.livesrv import Account, LiveServer, live_server

# Fifty to two hundred clients at once: run with the machine to themselves (tests/conftest.py).
pytestmark = pytest.mark.alone


@pytest.fixture(scope="module", params=BACKENDS)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp(f"load-{request.param}")
    with live_server(request.param, Path(tmp) / "var", tmp, members=400) as server:
        yield server


@pytest.fixture(scope="module")
def agent(live: LiveServer) -> Account:
    return live.add_user(Role.TIER1_AGENT, team="Load")


@pytest.fixture(scope="module")
def subscribers(live: LiveServer) -> list[tuple[int, str]]:
    with live.sessions() as session:
        rows = session.scalars(select(Member).where(Member.relationship == Relationship.SELF))
        return [(m.id, m.member_number) for m in rows][:200]


def run_threads(n: int, work: Callable[[int, httpx.Client], list[str]], base: str) -> Counter:
    """Run ``work`` in ``n`` threads at once (each with its own keep-alive client); returns
    the outcomes counted."""
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    start = threading.Barrier(n)

    def body(i: int) -> None:
        # A hang guard, not a timing check: a CI machine shared with other work can be slow.
        with httpx.Client(base_url=base, timeout=120) as client:
            start.wait()
            try:
                got = work(i, client)
            except httpx.HTTPError as exc:
                got = [type(exc).__name__]
        with lock:
            outcomes.update(got)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    return outcomes


def test_fifty_clients_reading_at_once_all_get_answers(
    live: LiveServer, agent: Account, subscribers: list[tuple[int, str]]
) -> None:
    auth = {"Authorization": f"Bearer {agent.token}"}

    def work(i: int, client: httpx.Client) -> list[str]:
        rng = random.Random(i)
        got = []
        for k in range(8):
            member_id, number = rng.choice(subscribers)
            if k % 2:
                r = client.get(f"/api/members/{member_id}", headers=auth)
            else:
                r = client.post("/api/members/search", json={"member_number": number}, headers=auth)
            got.append(str(r.status_code))
        return got

    outcomes = run_threads(50, work, live.base_url)
    assert outcomes == Counter({"200": 400})


def test_twenty_writers_lose_nothing_and_the_chain_verifies(
    live: LiveServer, agent: Account, subscribers: list[tuple[int, str]]
) -> None:
    auth = {"Authorization": f"Bearer {agent.token}"}
    acked: list[int] = []
    acked_lock = threading.Lock()
    with live.sessions() as session:
        before = session.scalar(select(func.count()).select_from(LifeEvent)) or 0

    def work(i: int, client: httpx.Client) -> list[str]:
        got = []
        for k in range(10):
            member_id = subscribers[i][0]
            when = today_utc() - timedelta(days=1 + k)
            r = client.post(
                f"/api/members/{member_id}/life-events",
                json={"event_type": "permanent_move", "event_date": when.isoformat()},
                headers={**auth, "Idempotency-Key": f"w{i}-{k}"},
            )
            got.append(str(r.status_code))
            if r.status_code == 201:
                with acked_lock:
                    acked.append(r.json()["id"])
        return got

    outcomes = run_threads(20, work, live.base_url)
    assert outcomes == Counter({"201": 200})
    with live.sessions() as session:
        stored = session.scalars(select(LifeEvent.id).where(LifeEvent.id.in_(acked))).all()
        assert len(stored) == len(set(acked)) == 200
        assert (session.scalar(select(func.count()).select_from(LifeEvent)) or 0) == before + 200
        # PostgreSQL requests leave entries for the sequencer; seal what it has not yet.
        audit.seal_all(session)
        session.commit()
        assert session.scalar(select(func.count()).select_from(AuditPending)) == 0
    with read_only_connection(live.engine) as conn:
        result = verify_chain(conn)
    assert result.ok, result.problem


def test_signed_in_users_are_served_through_an_unauthenticated_flood(
    live: LiveServer, agent: Account, subscribers: list[tuple[int, str]]
) -> None:
    auth = {"Authorization": f"Bearer {agent.token}"}

    def work(i: int, client: httpx.Client) -> list[str]:
        got = []
        for k in range(10):
            member_id = subscribers[(i * 10 + k) % len(subscribers)][0]
            if i < 5:  # five agents at work
                r = client.get(f"/api/members/{member_id}", headers=auth)
                got.append(f"agent {r.status_code}")
            elif i % 2:  # health checks, far faster than any load balancer sends them
                got.append(f"healthz {client.get('/healthz').status_code}")
            else:  # guessed tokens
                bogus = {"Authorization": f"Bearer mdt_{secrets.token_urlsafe(32)}"}
                r = client.get(f"/api/members/{member_id}", headers=bogus)
                got.append(f"guess {r.status_code}")
        return got

    outcomes = run_threads(45, work, live.base_url)
    assert outcomes["agent 200"] == 50
    assert outcomes["guess 401"] + outcomes["guess 503"] == 200
    assert outcomes["healthz 200"] + outcomes["healthz 503"] == 200
    assert not [k for k in outcomes if k.endswith("500")]


def test_a_forged_forwarded_for_changes_nothing(live: LiveServer, agent: Account) -> None:
    """No proxy is trusted by default: X-Forwarded-For neither moves the caller to another
    address (to dodge the sign-in limits) nor lands in the audit log."""
    from memberdesk.compliance.models import AuditEntry

    with httpx.Client(base_url=live.base_url) as client:
        r = client.post(
            "/api/auth/token",
            json={"username": agent.username, "password": "not the password at all"},
            headers={"X-Forwarded-For": "203.0.113.9"},
        )
    assert r.status_code == 401
    with live.sessions() as session:
        audit.seal_all(session)
        session.commit()
        addr = session.scalars(
            select(AuditEntry.client_addr)
            .where(AuditEntry.action == "auth.login_failed")
            .order_by(AuditEntry.id.desc())
        ).first()
    assert addr == "127.0.0.1"
