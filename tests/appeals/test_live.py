"""The appeal routes under 40 clients at once on a live server (uvicorn, real HTTP), on each
database: every intake stored once with its case and clocks, reads answered, and one appeal
extended or decided by 40 people at once taken exactly once (the rest told 409). Counts, not
timings; the audit chain verifies afterwards.

The clients behave as the API asks (its description): a busy server answers 503 with
``Retry-After`` and nothing changed, so they wait and send again; a create carries an
``Idempotency-Key``, so one whose answer was lost on the way is sent again safely. On a machine
shared with other work, SQLite's one writer at a time makes 40 writers wait past the pool's
timeout now and then: the test holds the server to answering every client correctly in the end,
and to storing each change exactly once."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import func, select, update

from memberdesk.appeals.models import Appeal, AppealExtension
from memberdesk.cases.models import Case, CaseClock
from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.enums import AuditAction, Role
from memberdesk.compliance.models import AuditEntry, AuditPending
from memberdesk.compliance.verify import verify_chain
from memberdesk.db import read_only_connection
from memberdesk.members.enums import LineOfBusiness, Relationship
from memberdesk.members.models import Member
from tests.appeals.conftest import body
from tests.dbutil import BACKENDS
from tests.livesrv import Account, LiveServer, live_server
from tests.test_concurrency import run_threads

CLIENTS = 40


@pytest.fixture(scope="module", params=BACKENDS)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp(f"appeals-{request.param}")
    with live_server(request.param, Path(tmp) / "var", tmp, members=120) as server:
        yield server


@pytest.fixture(scope="module")
def analyst(live: LiveServer) -> Account:
    return live.add_user(Role.TIER3_APPEALS, team="Appeals")


@pytest.fixture(scope="module")
def members(live: LiveServer) -> list[int]:
    with live.sessions() as session:
        return list(
            session.scalars(
                select(Member.id)
                .where(Member.relationship == Relationship.SELF)
                .order_by(Member.id)
            )
        )[:CLIENTS]


@pytest.fixture
def oregon(live: LiveServer, members: list[int]) -> Iterator[set[int]]:
    """Half the members moved to the Oregon Health Plan line (their appeals run on the
    oregon-medicaid pack), and back afterwards."""
    chosen = set(members[::2])
    with live.sessions() as session:
        session.execute(
            update(Member)
            .where(Member.id.in_(chosen))
            .values(line_of_business=LineOfBusiness.OREGON_MEDICAID)
        )
        session.commit()
    yield chosen
    with live.sessions() as session:
        session.execute(
            update(Member)
            .where(Member.id.in_(chosen))
            .values(line_of_business=LineOfBusiness.CALCHOICE)
        )
        session.commit()


def _auth(account: Account) -> dict[str, str]:
    return {"Authorization": f"Bearer {account.token}"}


ATTEMPTS = 8


def send(client: httpx.Client, method: str, url: str, *, safe: bool, **kw: Any) -> str:
    """The final status of a request sent as a well-behaved client does: again after a 503
    (when Retry-After says), and again after a lost answer when sending twice is safe (a read,
    or a create with its Idempotency-Key). A lost answer of an unsafe request is reported."""
    for _ in range(ATTEMPTS):
        try:
            r = client.request(method, url, **kw)
        except httpx.TransportError as exc:
            if not safe:
                return type(exc).__name__
            continue
        if r.status_code != 503:
            return str(r.status_code)
        time.sleep(min(float(r.headers.get("Retry-After", "1")), 2.0))
    return "gave up"


def _verified(live: LiveServer) -> None:
    with live.sessions() as session:
        audit.seal_all(session)
        session.commit()
        assert session.scalar(select(func.count()).select_from(AuditPending)) == 0
    with read_only_connection(live.engine) as conn:
        result = verify_chain(conn)
    assert result.ok, result.problem


def test_forty_clients_receiving_and_reading_appeals(
    live: LiveServer, analyst: Account, members: list[int], oregon: set[int]
) -> None:
    received = (now() - timedelta(hours=2)).isoformat()
    made: list[int] = []

    def work(i: int, client: httpx.Client) -> list[str]:
        member_id = members[i % len(members)]
        kind = "grievance" if i % 3 == 0 else "appeal"
        r = client.post(
            "/api/appeals",
            json=body(
                member_id, received, kind=kind, urgency="expedited" if i % 4 == 0 else "standard"
            ),
            headers={**_auth(analyst), "Idempotency-Key": f"intake-{i}"},
        )
        got = [f"post {r.status_code}"]
        if r.status_code == 201:
            made.append(r.json()["id"])
            want = "oregon-medicaid" if member_id in oregon else "calchoice"
            got.append("pack ok" if r.json()["pack"] == want else "pack wrong")
            one = client.get(f"/api/appeals/{r.json()['id']}", headers=_auth(analyst))
            got.append(f"get {one.status_code}")
        page = client.get("/api/appeals", params={"limit": 20}, headers=_auth(analyst))
        got.append(f"list {page.status_code}")
        return got

    outcomes = run_threads(CLIENTS, work, live.base_url)
    assert outcomes == Counter(
        {"post 201": CLIENTS, "pack ok": CLIENTS, "get 200": CLIENTS, "list 200": CLIENTS}
    )
    with live.sessions() as session:
        rows = session.scalars(select(Appeal).where(Appeal.id.in_(made))).all()
        assert len(rows) == len(set(made)) == CLIENTS
        cases = session.scalar(
            select(func.count()).select_from(Case).where(Case.id.in_([a.case_id for a in rows]))
        )
        assert cases == CLIENTS
        clocks = session.scalar(
            select(func.count())
            .select_from(CaseClock)
            .where(
                CaseClock.case_id.in_([a.case_id for a in rows]),
                CaseClock.target != "tier3_assignment",
            )
        )
        assert clocks >= CLIENTS
    _verified(live)


def _one_appeal(live: LiveServer, analyst: Account, member_id: int) -> dict[str, Any]:
    with httpx.Client(base_url=live.base_url, timeout=60) as client:
        r = client.post(
            "/api/appeals",
            json=body(member_id, (now() - timedelta(hours=1)).isoformat()),
            headers=_auth(analyst),
        )
        assert r.status_code == 201, r.text
        return dict(r.json())


def test_forty_clients_extending_one_appeal_extend_it_once(
    live: LiveServer, analyst: Account, members: list[int], oregon: set[int]
) -> None:
    appeal = _one_appeal(live, analyst, members[0])  # an Oregon member: one 14-day extension
    assert appeal["pack"] == "oregon-medicaid"

    def work(i: int, client: httpx.Client) -> list[str]:
        r = client.post(
            f"/api/appeals/{appeal['id']}/extension",
            json={
                "reason": f"Records awaited ({i})",
                "requested_by": "plan",
                "notice_method": "letter",
            },
            headers=_auth(analyst),
        )
        return [str(r.status_code)]

    outcomes = run_threads(CLIENTS, work, live.base_url)
    assert outcomes == Counter({"201": 1, "409": CLIENTS - 1})
    with live.sessions() as session:
        assert (
            session.scalar(
                select(func.count())
                .select_from(AppealExtension)
                .where(AppealExtension.appeal_id == appeal["id"])
            )
            == 1
        )
    _verified(live)


def test_forty_clients_deciding_one_appeal_decide_it_once(
    live: LiveServer, analyst: Account, members: list[int], oregon: set[int]
) -> None:
    appeal = _one_appeal(live, analyst, members[1])

    def work(i: int, client: httpx.Client) -> list[str]:
        url = f"/api/appeals/{appeal['id']}/decision"
        decision = {"outcome": "upheld" if i % 2 else "overturned", "rationale": f"Reviewer {i}"}
        return [send(client, "POST", url, safe=False, json=decision, headers=_auth(analyst))]

    outcomes = run_threads(CLIENTS, work, live.base_url)
    assert outcomes["200"] <= 1 and set(outcomes) <= {"200", "409", "ReadError"}
    assert outcomes["200"] + outcomes["409"] + outcomes["ReadError"] == CLIENTS
    with httpx.Client(base_url=live.base_url) as client:
        final = client.get(f"/api/appeals/{appeal['id']}", headers=_auth(analyst)).json()
    assert final["state"] == "decided" and {c["state"] for c in final["clocks"]} == {"met"}
    _verified(live)
    with live.sessions() as session:
        decided = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(
                AuditEntry.action == AuditAction.APPEAL_DECIDED.value,
                AuditEntry.object_id == str(appeal["id"]),
            )
        )
    assert decided == 1
