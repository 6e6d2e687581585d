"""270 inquiries from 16 clients at once on a live server (uvicorn, real HTTP), on each
database, with an 834 applied while they ask: every inquiry answered with a well-formed 271,
every answer audited once, the same file sent by three clients at once applied once. Counts,
not timings."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy import func, select

from memberdesk.compliance import audit
from memberdesk.compliance.enums import AuditAction, Role
from memberdesk.compliance.models import AuditEntry
from memberdesk.compliance.verify import verify_chain
from memberdesk.db import read_only_connection
from memberdesk.enroll.models import EnrollmentFile
from memberdesk.enroll.sample import sample_834
from memberdesk.enroll.x12_270 import build_270
from memberdesk.enroll.x12_271 import read_271
from memberdesk.members.models import Member
from tests.dbutil import BACKENDS
from tests.livesrv import LiveServer, live_server
from tests.test_concurrency import run_threads

CLIENTS = 16
ASKED = 4
UPLOADS = 3
EDI = "application/edi-x12"


@pytest.fixture(scope="module", params=BACKENDS)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp(f"x12-{request.param}")
    with live_server(request.param, Path(tmp) / "var", tmp, members=30) as server:
        yield server


def test_inquiries_at_once_beside_an_834(live: LiveServer) -> None:
    gateway = live.add_user(Role.EDI_GATEWAY)
    with live.sessions() as session:
        people = [
            (m.member_number, m.last_name, m.first_name, m.date_of_birth)
            for m in session.scalars(select(Member).order_by(Member.id).limit(ASKED))
        ]
        raw = sample_834(session, profile="calchoice", members=10, seed=77).encode("latin-1")
        session.commit()
    headers = {"Authorization": f"Bearer {gateway.token}", "Content-Type": EDI}
    at = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    def work(i: int, client: httpx.Client) -> list[str]:
        if i < UPLOADS:  # the same file sent by several clients at once: applied once
            r = client.post("/api/enroll/834", content=raw, headers=headers)
            if r.status_code != 200:
                return [f"834 {r.status_code}"]
            return ["834 already" if r.json()["already_applied"] else "834 applied"]
        asked = build_270(f"CLINIC{i}", "MEMBERDESK", people, at, control=i)
        r = client.post("/api/x12/270", content=asked, headers=headers)
        if r.status_code != 200:
            return [f"270 {r.status_code}"]
        problems, answers = read_271(r.content)
        found = sum(1 for a in answers if a.get("eb") in ("1", "6"))
        return [f"270 200 problems={len(problems)} found={found}"]

    outcomes = run_threads(CLIENTS, work, live.base_url)
    assert outcomes == {
        "834 applied": 1,
        "834 already": UPLOADS - 1,
        f"270 200 problems=0 found={ASKED}": CLIENTS - UPLOADS,
    }, outcomes
    with live.sessions() as session:
        audit.seal_all(session)
        session.commit()
        inquiries = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == AuditAction.ELIGIBILITY_INQUIRY)
        )
        assert inquiries == (CLIENTS - UPLOADS) * ASKED
        assert session.scalar(select(func.count()).select_from(EnrollmentFile)) == 1
        assert session.scalar(select(func.count()).select_from(Member)) == 40
    with read_only_connection(live.engine) as conn:
        result = verify_chain(conn)
    assert result.ok, result.problem
