"""Get-next and the automatic escalation under real concurrency: a live server (real threads,
real HTTP) on each database; no item is handed out twice and no case escalates twice."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy import select

from memberdesk.cases import service
from memberdesk.cases.enums import CaseType, HandoffKind
from memberdesk.cases.models import CaseHandoff
from memberdesk.clock import now
from memberdesk.compliance.audit import SYSTEM
from memberdesk.compliance.enums import Role
from memberdesk.members.models import Member
from tests.dbutil import BACKENDS
from tests.livesrv import LiveServer, live_server
from tests.test_concurrency import run_threads

CASES = 40
AGENTS = 10
CALLS = 50


@pytest.fixture(scope="module", params=BACKENDS)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp(f"cases-{request.param}")
    with live_server(request.param, Path(tmp) / "var", tmp, members=60) as server:
        yield server


def _open_cases(live: LiveServer, n: int, hours_ago: float = 0) -> list[int]:
    with live.sessions() as session:
        # English speakers: their cases wait in Tier 1 General, which every Tier 1 agent works.
        members = session.scalars(
            select(Member.id).where(Member.spoken_language == "en").order_by(Member.id).limit(n)
        ).all()
        at = now() - timedelta(hours=hours_ago)
        ids = []
        for i in range(n):
            case = service.create_case(
                session,
                SYSTEM,
                member_id=members[i % len(members)],
                case_type=CaseType.ELIGIBILITY,
                summary=f"Load case {i}",
                priority=service.Priority.NORMAL,
                contact_id=None,
                at=at,
            )
            ids.append(case.id)
        session.commit()
    return ids


def test_fifty_parallel_get_next_calls_never_hand_out_one_case_twice(live: LiveServer) -> None:
    opened = set(_open_cases(live, CASES))
    agents = [live.add_user(Role.TIER1_AGENT, team="Load") for _ in range(AGENTS)]
    got: list[int] = []
    lock = threading.Lock()

    def work(i: int, client: httpx.Client) -> list[str]:
        auth = {"Authorization": f"Bearer {agents[i % AGENTS].token}"}
        r = client.post("/api/work/next", headers=auth)
        if r.status_code == 200:
            with lock:
                got.append(r.json()["id"])
        return [str(r.status_code)]

    outcomes = run_threads(CALLS, work, live.base_url)
    assert outcomes == Counter({"200": CASES, "204": CALLS - CASES})
    assert len(got) == len(set(got)) == CASES and set(got) == opened
    with live.sessions() as session:
        handoffs = session.scalars(
            select(CaseHandoff).where(CaseHandoff.kind == HandoffKind.ASSIGNED)
        ).all()
        assert sorted(h.case_id for h in handoffs) == sorted(got)


def test_four_sweepers_escalate_an_overdue_case_exactly_once(live: LiveServer) -> None:
    (case_id,) = _open_cases(live, 1, hours_ago=49)
    barrier = threading.Barrier(4)
    results: list[bool] = []
    lock = threading.Lock()

    def sweep() -> None:
        with live.sessions() as session:
            barrier.wait()
            moved = service.escalate_overdue(session, case_id, now(), SYSTEM)
            session.commit()
        with lock:
            results.append(moved)

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results) == [False, False, False, True]
    with live.sessions() as session:
        autos = session.scalars(
            select(CaseHandoff).where(
                CaseHandoff.case_id == case_id, CaseHandoff.kind == HandoffKind.AUTO_ESCALATED
            )
        ).all()
        assert len(autos) == 1
