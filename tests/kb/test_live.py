"""The knowledge-base routes under 24 clients at once on a live server (uvicorn, real HTTP), on
each database: searches answered while owners write new versions of one article (each gets its
own number, none lost), and one approved version published by many officers at once exactly
once (the rest told 409). Counts, not timings; the audit chain verifies afterwards."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import func, select

from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction, Role
from memberdesk.compliance.models import AuditEntry, AuditPending
from memberdesk.compliance.verify import verify_chain
from memberdesk.db import read_only_connection
from memberdesk.kb import content
from memberdesk.kb.models import KbArticle, KbVersion
from tests.dbutil import BACKENDS
from tests.livesrv import Account, LiveServer, live_server
from tests.test_concurrency import run_threads

CLIENTS = 24
ATTEMPTS = 8


@pytest.fixture(scope="module", params=BACKENDS)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp(f"kb-{request.param}")
    with live_server(request.param, Path(tmp) / "var", tmp, members=40) as server:
        yield server


@pytest.fixture(scope="module")
def people(live: LiveServer) -> dict[str, Account]:
    """An owner, two compliance officers and an agent; the library imported and published."""
    made = {
        "owner": live.add_user(Role.SUPERVISOR, team="Team A"),
        "officer": live.add_user(Role.COMPLIANCE_OFFICER),
        "officer2": live.add_user(Role.COMPLIANCE_OFFICER),
        "agent": live.add_user(Role.TIER1_AGENT, team="Team A"),
    }
    approver = AuditContext(
        actor_id=made["officer"].user_id, actor="officer", role="compliance_officer"
    )
    with live.sessions() as session:
        content.import_docs(
            session,
            AuditContext(actor_id=None, actor="live", role="system"),
            content.read_dir(content.SHIPPED),
            now(),
            approver,
        )
        session.commit()
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


def _article(live: LiveServer, slug: str) -> int:
    with live.sessions() as session:
        found = session.scalar(select(KbArticle.id).where(KbArticle.slug == slug))
        assert found is not None
        return found


def test_searches_and_new_versions_at_once(live: LiveServer, people: dict[str, Account]) -> None:
    article_id = _article(live, "id-card-replacement-es")

    def work(i: int, client: httpx.Client) -> list[str]:
        if i % 2:
            r = send(
                client,
                "GET",
                "/api/kb/search",
                params={"q": "tarjeta de identificacion"},
                headers=_auth(people["agent"]),
            )
            if isinstance(r, str):
                return [r]
            slugs = [h["slug"] for h in r.json()["items"]] if r.status_code == 200 else []
            return [f"search {r.status_code} {slugs == ['id-card-replacement-es']}"]
        r = send(
            client,
            "POST",
            f"/api/kb/articles/{article_id}/versions",
            json={"title": f"Versión {i}", "body": f"Texto {i}.", "effective_on": "2026-06-01"},
            headers=_auth(people["owner"]),
        )
        return [r if isinstance(r, str) else f"version {r.status_code}"]

    outcomes = run_threads(CLIENTS, work, live.base_url)
    assert outcomes == {"search 200 True": CLIENTS // 2, "version 201": CLIENTS // 2}, outcomes
    with live.sessions() as session:
        numbers = sorted(
            session.scalars(select(KbVersion.number).where(KbVersion.article_id == article_id))
        )
    assert numbers == list(range(1, CLIENTS // 2 + 2))


def test_one_version_published_exactly_once(live: LiveServer, people: dict[str, Account]) -> None:
    article_id = _article(live, "call-guide-en")
    with httpx.Client(base_url=live.base_url, timeout=60) as c:
        made = c.post(
            f"/api/kb/articles/{article_id}/versions",
            json={
                "title": "Call guide",
                "body": "Use the member's name.",
                "effective_on": "2026-02-01",
            },
            headers=_auth(people["owner"]),
        )
        assert made.status_code == 201, made.text
        vid = made.json()["id"]
        assert (
            c.post(f"/api/kb/versions/{vid}/submit", headers=_auth(people["owner"])).status_code
            == 200
        )
        ok = c.post(f"/api/kb/versions/{vid}/approve", json={}, headers=_auth(people["officer"]))
        assert ok.status_code == 200

    def work(i: int, client: httpx.Client) -> list[str]:
        who = people["officer"] if i % 2 else people["officer2"]
        r = send(client, "POST", f"/api/kb/versions/{vid}/publish", headers=_auth(who))
        return [r if isinstance(r, str) else str(r.status_code)]

    outcomes = run_threads(CLIENTS, work, live.base_url)
    assert outcomes == {"200": 1, "409": CLIENTS - 1}, outcomes
    with live.sessions() as session:
        audit.seal_all(session)
        session.commit()
        published = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == AuditAction.KB_PUBLISHED, AuditEntry.object_id == str(vid))
        )
        assert published == 1
        assert session.scalar(select(func.count()).select_from(AuditPending)) == 0
    with read_only_connection(live.engine) as conn:
        result = verify_chain(conn)
    assert result.ok, result.problem


def test_feedback_marks_at_once_leave_one_per_agent_contact_and_article(
    live: LiveServer, people: dict[str, Account]
) -> None:
    """24 marks at once from four agents on one call: every mark is answered 201 and audited,
    and the table keeps one per agent, contact and article (the last word of each)."""
    from memberdesk.kb.models import KbFeedback
    from memberdesk.members.models import Member

    agents = [people["agent"]] + [live.add_user(Role.TIER1_AGENT, team="Team A") for _ in range(3)]
    article_id = _article(live, "id-card-replacement-es")
    with live.sessions() as session:
        member_id = session.scalar(select(Member.id).order_by(Member.id).limit(1))
    with httpx.Client(base_url=live.base_url, timeout=60) as c:
        made = c.post(
            "/api/contacts",
            json={
                "member_id": member_id,
                "channel": "phone",
                "direction": "inbound",
                "reasons": ["id_card"],
                "started_at": now().isoformat(),
                "ended_at": now().isoformat(),
                "resolved": False,
            },
            headers=_auth(people["agent"]),
        )
        assert made.status_code == 201, made.text
        contact_id = made.json()["id"]

    def work(i: int, client: httpx.Client) -> list[str]:
        body: dict[str, Any] = {"contact_id": contact_id}
        if i % 3 == 0:
            body["kind"] = "none_answered"
        else:
            body.update(kind="helpful" if i % 2 else "not_helpful", article_id=article_id)
        r = send(client, "POST", "/api/kb/feedback", json=body, headers=_auth(agents[i % 4]))
        return [r if isinstance(r, str) else f"feedback {r.status_code}"]

    outcomes = run_threads(CLIENTS, work, live.base_url)
    assert outcomes == {"feedback 201": CLIENTS}, outcomes
    with live.sessions() as session:
        rows = session.execute(
            select(KbFeedback.created_by_id, KbFeedback.article_id).where(
                KbFeedback.contact_id == contact_id
            )
        ).all()
        # Thread i is agent i % 4 marking "none" when i % 3 == 0, else the article: each agent
        # reaches both keys within 24 threads, so four agents leave exactly eight marks.
        assert len(rows) == len(set(rows)) == 8
        audit.seal_all(session)
        session.commit()
        marked = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == AuditAction.KB_FEEDBACK_RECORDED)
        )
        assert marked == CLIENTS
    with read_only_connection(live.engine) as conn:
        result = verify_chain(conn)
    assert result.ok, result.problem
