"""The regulatory-inquiry and legal-referral pages under 40 clients at once on a live server
(uvicorn, real HTTP), on each database: the lists and an inquiry's page answered to everyone,
and one inquiry answered by 40 people at once answered exactly once (the rest told, in words,
that it was answered already). Counts, not timings; the audit chain verifies afterwards.

Clients behave as the API asks: a busy server's 503 with ``Retry-After`` is waited out and the
request sent again (``send``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import func, select

from memberdesk.appeals.models import RegulatoryInquiry
from memberdesk.clock import now
from memberdesk.compliance.enums import AuditAction, Role
from memberdesk.compliance.models import AuditEntry
from memberdesk.members.enums import Relationship
from memberdesk.members.models import Member
from tests.appeals.test_live import _auth, _verified, send
from tests.dbutil import BACKENDS
from tests.livesrv import Account, LiveServer, live_server
from tests.test_concurrency import run_threads

CLIENTS = 40
INQUIRIES = 12


@pytest.fixture(scope="module", params=BACKENDS)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp(f"tier3-pages-{request.param}")
    with live_server(request.param, Path(tmp) / "var", tmp, members=40) as server:
        yield server


@pytest.fixture(scope="module")
def analyst(live: LiveServer) -> Account:
    return live.add_user(Role.TIER3_APPEALS, team="Appeals")


@pytest.fixture(scope="module")
def made(live: LiveServer, analyst: Account) -> dict[str, list[int]]:
    """Inquiries (some overdue) and referrals made through the API before the crowd arrives."""
    with live.sessions() as session:
        members = list(
            session.scalars(
                select(Member.id).where(Member.relationship == Relationship.SELF).limit(INQUIRIES)
            )
        )
    at = now()
    out: dict[str, list[int]] = {"inquiries": [], "referrals": []}
    with httpx.Client(base_url=live.base_url, timeout=60, headers=_auth(analyst)) as client:
        for n, member_id in enumerate(members):
            late = n % 3 == 0
            r = client.post(
                "/api/regulatory-inquiries",
                json={
                    "member_id": member_id,
                    "regulator": ("dmhc", "oha", "dol")[n % 3],
                    "reference": f"REF-{n}",
                    "received_at": (at - timedelta(days=20 if late else 1)).isoformat(),
                    "response_due_at": (at + timedelta(days=-1 if late else 9)).isoformat(),
                    "summary": f"Complaint {n}",
                },
            )
            assert r.status_code == 201, r.text
            out["inquiries"].append(r.json()["id"])
            r = client.post(
                "/api/legal-referrals",
                json={
                    "member_id": member_id,
                    "matter_number": f"LIT-{n}",
                    "counsel": "Baker & Ruiz LLP",
                    "reason": f"Demand letter {n}",
                    "inquiry_id": out["inquiries"][-1],
                },
            )
            assert r.status_code == 201, r.text
            out["referrals"].append(r.json()["id"])
    return out


def test_forty_clients_reading_the_lists_and_pages(
    live: LiveServer, analyst: Account, made: dict[str, list[int]]
) -> None:
    def work(i: int, client: httpx.Client) -> list[str]:
        headers = _auth(analyst)
        inquiry = made["inquiries"][i % INQUIRIES]
        referral = made["referrals"][i % INQUIRIES]
        got = []
        for path in (
            "/appeals/inquiries",
            "/appeals/referrals",
            f"/appeals/inquiries/{inquiry}",
            f"/appeals/referrals/{referral}",
        ):
            status = send(client, "GET", path, safe=True, headers=headers)
            got.append(f"{path.split('/')[2]} {status}")
        return got

    outcomes = run_threads(CLIENTS, work, live.base_url)
    assert outcomes == Counter({"inquiries 200": 2 * CLIENTS, "referrals 200": 2 * CLIENTS})
    with httpx.Client(base_url=live.base_url, timeout=60, headers=_auth(analyst)) as client:
        page = client.get("/appeals/inquiries").text
    # Overdue first: every late one (REF-0, REF-3, ...) before any on time.
    order = [page.index(f"Their reference REF-{n}<") for n in range(INQUIRIES)]
    late = [order[n] for n in range(INQUIRIES) if n % 3 == 0]
    on_time = [order[n] for n in range(INQUIRIES) if n % 3]
    assert max(late) < min(on_time)
    _verified(live)  # every pending audit entry sealed into the chain, which verifies
    with live.sessions() as session:
        reads = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == AuditAction.INQUIRY_READ.value)
        )
    assert reads is not None and reads >= 2 * CLIENTS  # every list and page read audited


def test_forty_clients_answering_one_inquiry_answer_it_once(
    live: LiveServer, analyst: Account, made: dict[str, list[int]]
) -> None:
    inquiry = made["inquiries"][1]

    def work(i: int, client: httpx.Client) -> list[str]:
        data: dict[str, Any] = {"response": f"Answer {i}"}
        url = f"/appeals/inquiries/{inquiry}/response"
        return [send(client, "POST", url, safe=False, data=data, headers=_auth(analyst))]

    outcomes = run_threads(CLIENTS, work, live.base_url)
    # A lost answer (ReadError) on a loaded machine is counted, never a second response.
    assert outcomes["303"] <= 1 and set(outcomes) <= {"303", "409", "ReadError"}
    assert outcomes["303"] + outcomes["409"] + outcomes["ReadError"] == CLIENTS
    with live.sessions() as session:
        row = session.get(RegulatoryInquiry, inquiry)
        assert row is not None and row.state == "responded"
        assert row.response_summary is not None and row.response_summary.startswith("Answer ")
    _verified(live)
    with live.sessions() as session:
        answered = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(
                AuditEntry.action == AuditAction.INQUIRY_UPDATED.value,
                AuditEntry.object_id == str(inquiry),
            )
        )
    assert answered == 1
