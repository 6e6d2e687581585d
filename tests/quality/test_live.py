"""The evaluate route under 16 clients at once on a live server (uvicorn, real HTTP), on each
database: every contact is evaluated exactly once however many analysts race for it (the rest
told 409), distinct contacts are all saved, and each score under 80% opens exactly one
corrective assignment. Counts, not timings; each saved evaluation is audited once and the
chain verifies."""

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
from memberdesk.quality.demo import ensure_default_scorecard
from memberdesk.quality.models import CorrectiveAssignment, Evaluation
from memberdesk.quality.service import get_scorecard
from tests.dbutil import BACKENDS
from tests.livesrv import Account, LiveServer, live_server
from tests.quality.conftest import contact, full_marks, weak
from tests.test_concurrency import run_threads

CLIENTS = 16
ATTEMPTS = 8


@pytest.fixture(scope="module", params=BACKENDS)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp(f"qa-{request.param}")
    with live_server(request.param, Path(tmp) / "var", tmp, members=20) as server:
        yield server


@pytest.fixture(scope="module")
def floor(live: LiveServer) -> dict[str, Any]:
    """Four QA analysts, an agent with 20 contacts of this week, the default scorecard."""
    analysts = [live.add_user(Role.QA_ANALYST) for _ in range(4)]
    agent = live.add_user(Role.TIER1_AGENT, team="Team A")
    with live.sessions() as session:
        ensure_default_scorecard(session)
        card = get_scorecard(session, None, "card")
        at = now() - timedelta(days=1)
        ids = [
            contact(session, agent.user_id, None, at - timedelta(minutes=i)).id for i in range(20)
        ]
        scores = {"full": full_marks(card), "weak": weak(card)}
        session.commit()
    return {"analysts": analysts, "agent": agent, "contacts": ids, "scores": scores}


def send(client: httpx.Client, account: Account, body: dict[str, Any]) -> str:
    """The answer's status, asking again after a 503 as its Retry-After says."""
    for _ in range(ATTEMPTS):
        try:
            r = client.post(
                "/api/qa/evaluations",
                json=body,
                headers={"Authorization": f"Bearer {account.token}"},
            )
        except httpx.TransportError as exc:
            return type(exc).__name__
        if r.status_code != 503:
            return str(r.status_code)
        time.sleep(min(float(r.headers.get("Retry-After", "1")), 2.0))
    return "gave up"


def test_each_contact_is_evaluated_once_under_a_race(
    live: LiveServer, floor: dict[str, Any]
) -> None:
    contested = floor["contacts"][:4]  # four contacts, four analysts racing for each

    def work(i: int, client: httpx.Client) -> list[str]:
        body = {"contact_id": contested[i % 4], "scores": floor["scores"]["weak"]}
        return [send(client, floor["analysts"][i // 4], body)]

    outcomes = run_threads(CLIENTS, work, live.base_url)
    assert outcomes == {"201": 4, "409": CLIENTS - 4}, outcomes
    with live.sessions() as session:
        evs = session.scalars(select(Evaluation).where(Evaluation.contact_id.in_(contested))).all()
        assert sorted(e.contact_id for e in evs) == sorted(contested)
        opened = session.scalar(
            select(func.count())
            .select_from(CorrectiveAssignment)
            .where(CorrectiveAssignment.evaluation_id.in_([e.id for e in evs]))
        )
        assert opened == 4  # one corrective assignment per score under 80%, no more


def test_distinct_contacts_all_saved_and_the_chain_verifies(
    live: LiveServer, floor: dict[str, Any]
) -> None:
    spare = floor["contacts"][4 : 4 + CLIENTS]

    def work(i: int, client: httpx.Client) -> list[str]:
        kind = "weak" if i % 4 == 0 else "full"
        return [
            send(
                client,
                floor["analysts"][i % 4],
                {"contact_id": spare[i], "scores": floor["scores"][kind]},
            )
        ]

    outcomes = run_threads(CLIENTS, work, live.base_url)
    assert outcomes == {"201": CLIENTS}, outcomes
    with live.sessions() as session:
        saved = session.scalar(
            select(func.count()).select_from(Evaluation).where(Evaluation.contact_id.in_(spare))
        )
        assert saved == CLIENTS
        assigned = session.scalar(
            select(func.count())
            .select_from(CorrectiveAssignment)
            .join(Evaluation, Evaluation.id == CorrectiveAssignment.evaluation_id)
            .where(Evaluation.contact_id.in_(spare))
        )
        assert assigned == CLIENTS // 4
    with live.sessions() as session:
        audit.seal_all(session)
        session.commit()
        evaluated = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == AuditAction.QA_EVALUATED)
        )
        assert evaluated == 4 + CLIENTS  # one entry per evaluation saved, none for a refusal
    with read_only_connection(live.engine) as conn:
        result = verify_chain(conn)
    assert result.ok, result.problem
