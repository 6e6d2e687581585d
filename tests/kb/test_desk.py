"""The knowledge base on the agent desktop, agents' feedback and the knowledge-gap report,
through real HTTP on SQLite and PostgreSQL: a Spanish-speaking member's call suggests the
ID-card articles with the Spanish one first and their verification shown; the desktop's search
puts Spanish first; marks are kept one per agent, contact and article; repeat contacts and
"none answered" reports make a gap per reason (page, API, CLI, monthly team review)."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from memberdesk.cli import app as cli_app
from memberdesk.compliance.enums import AuditAction, Role
from memberdesk.compliance.models import AuditEntry, AuditPending
from memberdesk.config import get_settings
from memberdesk.db import make_engine
from memberdesk.kb.models import KbArticle, KbFeedback
from memberdesk.migrate import upgrade
from tests import factories as f
from tests.contacts.test_desktop_pages import person, start_call, text_of
from tests.kb.conftest import publish_through_api

# Tuesday 8 December 2026, 10:00 Pacific.
MORNING = datetime(2026, 12, 8, 18, 0, tzinfo=UTC)
ES_TITLE = "Reposición de la tarjeta de identificación del miembro"
EN_TITLE = "Replacing a member's ID card"


def _slug_id(db: Session, slug: str) -> int:
    found = db.scalar(select(KbArticle.id).where(KbArticle.slug == slug))
    assert found is not None
    return found


def _contact(client, member_id: int, when: datetime, reason: str) -> int:  # type: ignore[no-untyped-def]
    r = client.post(
        "/api/contacts",
        json={
            "member_id": member_id,
            "channel": "phone",
            "direction": "inbound",
            "reasons": [reason],
            "started_at": when.isoformat(),
            "ended_at": (when + timedelta(minutes=6)).isoformat(),
            "resolved": True,
        },
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_a_spanish_speakers_call_suggests_spanish_first_and_feedback_is_kept(
    app, login, agent, library, db: Session
) -> None:
    m = f.member(db, last_name="Espinoza", dob=date(1984, 2, 9), spoken_language="es")
    with time_machine.travel(MORNING, tick=False):
        # Their last call was about the ID card: it is among the member's usual reasons.
        _contact(agent.client, m.id, MORNING - timedelta(days=20), "id_card")
        desk, _ = person(app, login, Role.TIER1_AGENT)
        call_id = start_call(desk, m.id)
        desk.post(f"/desktop/calls/{call_id}/verify", {"facts": ["name", "date_of_birth"]})
        page = desk.get(f"/desktop/calls/{call_id}")
    assert page.status_code == 200
    panel = text_of(page.text.split('id="kb-help"', 1)[1])
    assert "Search the knowledge base (Spanish first)" in panel
    assert ES_TITLE in panel and EN_TITLE in panel
    assert panel.index(ES_TITLE) < panel.index(EN_TITLE)
    assert "Spanish · Procedure · in force since" in panel
    es_id = _slug_id(db, "id-card-replacement-es")
    assert f'href="/kb/articles/{es_id}?contact={call_id}"' in page.text

    # The desktop's search: Spanish first for this member; unknown language falls back.
    found = desk.get(f"/kb/desk?q=tarjeta+de+identificacion&prefer=es&contact={call_id}")
    assert found.status_code == 200
    items = re.findall(r'<h3><a href="/kb/articles/(\d+)\?contact=', found.text)
    assert items and int(items[0]) == es_id
    assert desk.get("/kb/desk?q=card&prefer=xx").status_code == 200

    # "Did it help?" on the article opened from the call: kept once, changed when marked again.
    article = desk.get(f"/kb/articles/{es_id}?contact={call_id}")
    assert "Did this article help?" in article.text
    for kind in ("not_helpful", "helpful"):
        r = desk.post(f"/kb/articles/{es_id}/feedback", {"kind": kind, "contact": str(call_id)})
        assert r.status_code == 303
        assert r.headers["location"] == f"/kb/articles/{es_id}?done={kind}&contact={call_id}"
    marks = db.scalars(select(KbFeedback).where(KbFeedback.contact_id == call_id)).all()
    assert [(x.kind.value, x.article_id) for x in marks] == [("helpful", es_id)]
    bad = desk.post(f"/kb/articles/{es_id}/feedback", {"kind": "maybe"})
    assert bad.status_code == 422
    assert db.scalar(select(func.count()).select_from(KbFeedback)) == 1

    # None answered, from the call's panel: back to the call, said on the page.
    r = desk.post("/kb/feedback/none", {"contact": str(call_id), "back": "https://evil.example"})
    assert r.status_code == 303 and r.headers["location"].startswith(f"/desktop/calls/{call_id}?")
    assert "Recorded that no article answered" in desk.get(r.headers["location"]).text
    audited = (
        db.scalar(
            select(func.count())
            .select_from(AuditPending)
            .where(AuditPending.action == AuditAction.KB_FEEDBACK_RECORDED)
        )
        or 0
    )
    audited += (
        db.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == AuditAction.KB_FEEDBACK_RECORDED)
        )
        or 0
    )
    assert audited == 3


def test_feedback_api_refuses_what_does_not_fit(agent, library, db: Session) -> None:
    es_id = _slug_id(db, "id-card-replacement-es")
    cases = [
        ({"kind": "helpful"}, ["body", "article_id"]),
        ({"kind": "none_answered"}, ["body", "contact_id"]),
        ({"kind": "none_answered", "article_id": es_id, "contact_id": 1}, ["body", "article_id"]),
        ({"kind": "helpful", "article_id": es_id, "contact_id": 999999}, ["body", "contact_id"]),
        ({"kind": "helpful", "article_id": 2**63}, ["body", "article_id"]),
    ]
    for body, loc in cases:
        r = agent.client.post("/api/kb/feedback", json=body)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["detail"][0]["loc"] == loc, body
    ok = agent.client.post("/api/kb/feedback", json={"kind": "helpful", "article_id": es_id})
    assert ok.status_code == 201 and ok.json()["contact_id"] is None
    assert db.scalar(select(func.count()).select_from(KbFeedback)) == 1


@pytest.fixture
def december(writer, officer, agent, db: Session) -> dict[str, int]:
    """December 2026: member A calls twice on the ID card (a repeat) and no article answered;
    member B calls twice on billing (a repeat) and the billing article helped."""
    with time_machine.travel(MORNING, tick=False):
        made = publish_through_api(
            writer,
            officer,
            slug="billing-fix-en",
            translation_key="billing-fix",
            title="Correcting a premium bill",
            reasons=["billing"],
            case_types=["billing"],
        )
        a, b = f.member(db), f.member(db)
        _contact(agent.client, a.id, datetime(2026, 12, 1, 17, tzinfo=UTC), "id_card")
        again = _contact(agent.client, a.id, datetime(2026, 12, 4, 17, tzinfo=UTC), "id_card")
        _contact(agent.client, b.id, datetime(2026, 12, 2, 17, tzinfo=UTC), "billing")
        bill = _contact(agent.client, b.id, datetime(2026, 12, 7, 17, tzinfo=UTC), "billing")
        # Not a repeat: a month apart.
        _contact(agent.client, b.id, datetime(2026, 11, 2, 17, tzinfo=UTC), "eligibility")
        _contact(agent.client, b.id, datetime(2026, 12, 3, 17, tzinfo=UTC), "eligibility")
        for body in (
            {"kind": "none_answered", "contact_id": again},
            {"kind": "helpful", "article_id": made["id"], "contact_id": bill},
        ):
            r = agent.client.post("/api/kb/feedback", json=body)
            assert r.status_code == 201, r.text
    return {"billing_article": made["id"]}


def test_gap_report_page_api_and_review(december, writer, login, agent) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(MORNING, tick=False):
        got = writer.client.get("/api/kb/gaps", params={"month": "2026-12"})
        bad = writer.client.get("/api/kb/gaps", params={"month": "2026-13"})
        refused = agent.client.get("/api/kb/gaps")
    assert got.status_code == 200, got.text
    rows = {i["reason"]: i for i in got.json()["items"]}
    assert got.json()["items"][0]["reason"] == "id_card"  # gaps first
    assert rows["id_card"] == {
        "reason": "id_card",
        "reason_name": rows["id_card"]["reason_name"],
        "repeat_contacts": 1,
        "none_answered": 1,
        "helpful": 0,
        "not_helpful": 0,
        "gap": True,
    }
    assert (rows["billing"]["repeat_contacts"], rows["billing"]["helpful"]) == (1, 1)
    assert rows["billing"]["gap"] is False
    assert "eligibility" not in rows
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "month"]
    assert refused.status_code == 403

    page = writer.client.get("/kb/gaps?month=2026-12")
    assert page.status_code == 200
    words = text_of(page.text)
    assert "Knowledge gaps, December 2026" in words
    assert "Yes: no article helped" in words and "id_card" not in page.text
    wrong = writer.client.get("/kb/gaps?month=2026-13")
    assert wrong.status_code == 422
    assert "The month must be a month from 01 to 12" in text_of(wrong.text)

    supervisor = login(Role.SUPERVISOR, team="Team A")
    review = supervisor.client.get("/kpi/review?month=2026-12&pack=calchoice")
    assert review.status_code == 200
    section = text_of(review.text.split('id="r-gaps"', 1)[1])
    assert "Knowledge gaps" in text_of(review.text) and "Yes: no article helped" in section


def test_gaps_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, var_dir: Path) -> None:
    monkeypatch.setenv("MEMBERDESK_DATABASE_URL", f"sqlite:///{tmp_path / 'kb.db'}")
    monkeypatch.setenv("MEMBERDESK_VAR_DIR", str(var_dir))
    get_settings.cache_clear()
    engine = make_engine(get_settings())
    upgrade(engine)
    engine.dispose()
    try:
        runner = CliRunner()
        r = runner.invoke(cli_app, ["kb", "gaps", "--month", "2026-12", "--json"])
        assert r.exit_code == 0, r.output
        assert json.loads(r.output) == {"month": "2026-12", "items": []}
        r = runner.invoke(cli_app, ["kb", "gaps", "--month", "2026-12"])
        assert r.exit_code == 0 and "Knowledge gaps, December 2026" in r.output
        r = runner.invoke(cli_app, ["kb", "gaps", "--month", "December"])
        assert r.exit_code == 2 and "--month" in r.output
        r = runner.invoke(cli_app, ["kb", "gaps", "--line", "nope"])
        assert r.exit_code == 2 and "--line" in r.output
    finally:
        get_settings.cache_clear()


def test_a_case_page_suggests_by_its_type_in_the_members_language(
    agent, library, db: Session
) -> None:
    m = f.member(db, last_name="Ortega", spoken_language="es")
    with time_machine.travel(MORNING, tick=False):
        made = agent.client.post(
            "/api/cases",
            json={"member_id": m.id, "case_type": "id_card", "summary": "Card never arrived"},
        )
        assert made.status_code == 201, made.text
        page = agent.client.get(f"/cases/{made.json()['id']}")
    assert page.status_code == 200
    panel = text_of(page.text.split('id="kb-help"', 1)[1])
    assert panel.index(ES_TITLE) < panel.index(EN_TITLE)
    # No call is linked to the case: nothing to file "none answered" on.
    assert "No article answered this case" not in panel
