"""Recording completions under 24 clients at once on a live server (uvicorn, real HTTP), on
each database: distinct completions all saved while the team page is read (none lost, hours
add up), and one completion sent by many trainers at once saved exactly once (the rest told
409). Counts, not timings; the audit chain verifies afterwards."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import func, select

from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.enums import AuditAction, Role
from memberdesk.compliance.models import AuditEntry
from memberdesk.compliance.verify import verify_chain
from memberdesk.db import read_only_connection
from memberdesk.training.demo import seed_demo_catalogue
from memberdesk.training.models import Completion, Course
from memberdesk.training.service import local_day
from tests.dbutil import BACKENDS
from tests.livesrv import Account, LiveServer, live_server
from tests.test_concurrency import run_threads

CLIENTS = 24
ATTEMPTS = 8


@pytest.fixture(scope="module", params=BACKENDS)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp(f"training-{request.param}")
    with live_server(request.param, Path(tmp) / "var", tmp, members=10) as server:
        yield server


@pytest.fixture(scope="module")
def people(live: LiveServer) -> dict[str, Any]:
    """Two trainers, a supervisor and four agents of Team A who started two years ago."""
    made: dict[str, Any] = {
        "trainer": live.add_user(Role.QA_ANALYST),
        "trainer2": live.add_user(Role.QA_ANALYST),
        "supervisor": live.add_user(Role.SUPERVISOR, team="Team A"),
        "agents": [live.add_user(Role.TIER1_AGENT, team="Team A") for _ in range(4)],
    }
    with live.sessions() as session:
        seed_demo_catalogue(session, now())
        session.commit()
        made["courses"] = {c.code: c.id for c in session.scalars(select(Course))}
    start = (local_day(now()) - timedelta(days=730)).isoformat()
    with httpx.Client(base_url=live.base_url, timeout=60) as c:
        for a in made["agents"]:
            r = c.put(
                f"/api/training/people/{a.user_id}/start",
                json={"started_on": start},
                headers=_auth(made["trainer"]),
            )
            assert r.status_code == 200, r.text
    return made


def _auth(account: Account) -> dict[str, str]:
    return {"Authorization": f"Bearer {account.token}"}


def send(client: httpx.Client, method: str, url: str, **kw: Any) -> httpx.Response | str:
    """The answer, asking again after a 503 as its Retry-After says."""
    for _ in range(ATTEMPTS):
        try:
            r = client.request(method, url, **kw)
        except httpx.TransportError as exc:
            return type(exc).__name__
        if r.status_code != 503:
            return r
        time.sleep(min(float(r.headers.get("Retry-After", "1")), 2.0))
    return "gave up"


def _count(live: LiveServer) -> int:
    with live.sessions() as session:
        return session.scalar(select(func.count()).select_from(Completion)) or 0


def test_distinct_completions_at_once_are_all_saved(
    live: LiveServer, people: dict[str, Any]
) -> None:
    before = _count(live)
    today = local_day(now())
    review = people["courses"]["call-review"]

    def work(i: int, client: httpx.Client) -> list[str]:
        if i % 3 == 0:
            r = send(client, "GET", "/api/training/team", headers=_auth(people["supervisor"]))
            if isinstance(r, str):
                return [r]
            return [f"team {r.status_code} {len(r.json()) if r.status_code == 200 else 0}"]
        agent = people["agents"][i % 4]
        trainer = people["trainer"] if i % 2 else people["trainer2"]
        r = send(
            client,
            "POST",
            f"/api/training/people/{agent.user_id}/completions",
            json={"course_id": review, "completed_on": (today - timedelta(days=i)).isoformat()},
            headers=_auth(trainer),
        )
        return [r if isinstance(r, str) else f"record {r.status_code}"]

    outcomes = run_threads(CLIENTS, work, live.base_url)
    readers = len(range(0, CLIENTS, 3))
    assert outcomes == {"team 200 5": readers, "record 201": CLIENTS - readers}, outcomes
    assert _count(live) == before + CLIENTS - readers
    with httpx.Client(base_url=live.base_url, timeout=60) as c:
        team = c.get("/api/training/team", headers=_auth(people["supervisor"])).json()
    hours = 0.0
    for a in people["agents"]:
        with httpx.Client(base_url=live.base_url, timeout=60) as c:
            record = c.get(f"/api/training/people/{a.user_id}", headers=_auth(people["trainer"]))
        hours += sum(x["hours"] for x in record.json()["completions"])
    assert hours == CLIENTS - readers  # one hour each, none lost
    assert len(team) == 5


def test_one_completion_sent_by_many_is_saved_once(
    live: LiveServer, people: dict[str, Any]
) -> None:
    agent = people["agents"][0]
    day = (local_day(now()) - timedelta(days=40)).isoformat()
    body = {"course_id": people["courses"]["hipaa-annual"], "completed_on": day, "quiz_score": 91}

    def work(i: int, client: httpx.Client) -> list[str]:
        trainer = people["trainer"] if i % 2 else people["trainer2"]
        r = send(
            client,
            "POST",
            f"/api/training/people/{agent.user_id}/completions",
            json=body,
            headers=_auth(trainer),
        )
        return [r if isinstance(r, str) else str(r.status_code)]

    outcomes = run_threads(CLIENTS, work, live.base_url)
    assert outcomes == {"201": 1, "409": CLIENTS - 1}, outcomes
    with live.sessions() as session:
        audit.seal_all(session)
        session.commit()
        saved = session.scalar(
            select(func.count())
            .select_from(Completion)
            .where(Completion.user_id == agent.user_id, Completion.course_id == body["course_id"])
        )
        assert saved == 1
        audited = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(
                AuditEntry.action == AuditAction.TRAINING_COMPLETION_RECORDED,
                AuditEntry.object_id == str(agent.user_id),
            )
        )
        rows = session.scalar(
            select(func.count()).select_from(Completion).where(Completion.user_id == agent.user_id)
        )
        assert audited == rows  # each saved completion audited once, the refused ones not
    with read_only_connection(live.engine) as conn:
        result = verify_chain(conn)
    assert result.ok, result.problem
