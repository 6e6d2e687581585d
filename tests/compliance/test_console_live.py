"""The console against a live server on both databases, many clients at once: the search page
and the API answer every request with exactly the known entries, and "Verify the chain" pressed
by many at once never walks two runs at a time; the chain stays intact."""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2 as httpx
import pytest
import time_machine
from sqlalchemy import select

from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction, Role, VerifyRunState
from memberdesk.compliance.models import AuditVerifyRun
from memberdesk.compliance.verify import verify_chain
from memberdesk.db import read_only_connection
from memberdesk.members.models import Member
from tests.dbutil import BACKENDS
from tests.livesrv import Account, LiveServer, live_server
from tests.test_concurrency import run_threads

THREADS = 12
DONE_LIMIT_SECONDS = 120.0  # a guard against a run that never ends, not a timing check
ENTRY_ID = re.compile(r'data-label="Entry" class="num">(\d+)<')


@pytest.fixture(scope="module", params=BACKENDS)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp(f"console-{request.param}")
    with live_server(request.param, Path(tmp) / "var", tmp, members=200) as server:
        yield server


def _known_views(live: LiveServer, agent: Account, n: int) -> tuple[str, list[int]]:
    """The agent viewed one member ``n`` times in November; (member ID, entry ids)."""
    ctx = AuditContext(agent.user_id, agent.username, agent.role.value)
    ids = []
    with live.sessions() as session:
        member = session.scalars(select(Member).order_by(Member.id).limit(1)).one()
        for i in range(n):
            at = datetime(2026, 11, 3, 17, 0, tzinfo=UTC) + timedelta(hours=i)
            with time_machine.travel(at, tick=False):
                ids.append(
                    audit.record(
                        session,
                        ctx,
                        AuditAction.MEMBER_READ,
                        object_type="member",
                        object_id=member.id,
                        member_ids=[member.id],
                    )
                )
        session.commit()
        return member.member_number, [i for i in ids if i is not None]


def test_many_officers_search_and_verify_at_once(live: LiveServer) -> None:
    officer = live.add_user(Role.COMPLIANCE_OFFICER)
    agent = live.add_user(Role.TIER1_AGENT, team="Live")
    number, written = _known_views(live, agent, 30)
    expected = sorted(written, reverse=True)
    auth = {"Authorization": f"Bearer {officer.token}"}

    def work(i: int, client: httpx.Client) -> list[str]:
        out = []
        page = client.get(
            "/compliance/audit",
            params={"member": number, "user": agent.username, "from": "2026-11-01"},
            headers=auth,
        )
        ids = [int(x) for x in ENTRY_ID.findall(page.text)]
        out.append(f"page {page.status_code} {'right' if ids == expected else 'wrong'}")
        api = client.get(
            "/api/compliance/audit",
            params={"username": agent.username, "action": "member.read", "limit": 100},
            headers=auth,
        )
        got = [e["id"] for e in api.json()["items"]] if api.status_code == 200 else []
        out.append(f"api {api.status_code} {'right' if got == expected else 'wrong'}")
        verify = client.post("/compliance/chain/verify", headers=auth)
        out.append(f"verify {verify.status_code}")
        progress = client.get("/compliance/chain/progress", headers=auth)
        out.append(f"progress {progress.status_code}")
        return out

    outcomes = run_threads(THREADS, work, live.base_url)
    assert outcomes == {
        "page 200 right": THREADS,
        "api 200 right": THREADS,
        "verify 303": THREADS,
        "progress 200": THREADS,
    }

    deadline = time.monotonic() + DONE_LIMIT_SECONDS
    while True:
        with live.sessions() as session:
            runs = list(session.scalars(select(AuditVerifyRun).order_by(AuditVerifyRun.id)))
        if all(r.active is None for r in runs) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert 1 <= len(runs) <= THREADS
    assert {r.state for r in runs} == {VerifyRunState.PASSED}
    # Never two at once: each run started walking after the one before it had finished (its
    # finish freed the one active slot, which the next run's insert needed).
    for before, after in itertools.pairwise(runs):
        assert before.finished_at is not None and after.started_at is not None
        assert after.started_at >= before.finished_at
    with read_only_connection(live.engine) as conn:
        assert verify_chain(conn).ok
