"""Containment per month: the API, the page (and its line on the call figures page) and the
command line count calls that left the phone menu by how they left it, in the pack's time zone,
against the 25–30% goal; bad periods are refused naming the field."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from memberdesk.cli import app
from memberdesk.compliance.enums import Role
from memberdesk.config import get_settings
from memberdesk.ivr.enums import Outcome
from memberdesk.ivr.models import IvrCall
from tests import factories as f
from tests.conftest import Persona

runner = CliRunner()
# (started, outcome): October has 1 of 4 contained (25%), November 1 of 2 (50%); the call at
# 06:30 UTC on 1 November is still 31 October in California.
CALLS = [
    (datetime(2026, 10, 5, 17, tzinfo=UTC), Outcome.CONTAINED),
    (datetime(2026, 10, 6, 17, tzinfo=UTC), Outcome.TRANSFERRED),
    (datetime(2026, 10, 7, 17, tzinfo=UTC), Outcome.VOICEMAIL),
    (datetime(2026, 11, 1, 6, 30, tzinfo=UTC), Outcome.ABANDONED),
    (datetime(2026, 11, 2, 17, tzinfo=UTC), Outcome.CONTAINED),
    (datetime(2026, 11, 3, 17, tzinfo=UTC), Outcome.TRANSFERRED),
    (datetime(2026, 11, 3, 18, tzinfo=UTC), Outcome.IN_MENU),  # not counted: still in the menu
]


def add_calls(session: Session) -> None:
    for i, (at, outcome) in enumerate(CALLS):
        session.add(
            IvrCall(
                call_sid=f"CAreport{i:02d}{at:%m%d%H%M}",
                pack="calchoice",
                language="en",
                step="done",
                failed_ids=0,
                retries=0,
                path=[],
                outcome=outcome,
                started_at=at,
            )
        )
    session.flush()


def test_api_and_page(db: Session, agent: Persona, login) -> None:  # type: ignore[no-untyped-def]
    add_calls(db)
    r = agent.client.get("/api/ivr/containment", params={"from": "2026-10-01", "to": "2026-11-30"})
    assert r.status_code == 200, r.text
    out = r.json()
    assert [(m["month"], m["calls"], m["contained"], m["standing"]) for m in out["months"]] == [
        ("2026-10", 4, 1, "within"),
        ("2026-11", 2, 1, "above"),
    ]
    assert out["months"][0]["abandoned"] == 1 and out["months"][0]["voicemail"] == 1
    assert out["total"]["calls"] == 6 and out["total"]["containment"] == pytest.approx(2 / 6)
    assert (out["goal_low"], out["goal_high"]) == (0.25, 0.30)
    bad = agent.client.get(
        "/api/ivr/containment", params={"from": "2026-12-01", "to": "2026-11-01"}
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "from"]
    assert agent.client.get("/api/ivr/containment", params={"pack": "nope"}).status_code == 422
    # The WFM analyst reads KPIs (counts, no member data); a member does not.
    assert login("wfm_analyst").client.get("/api/ivr/containment").status_code == 200
    member = login("member", member_id=f.member(db).id)
    assert member.client.get("/api/ivr/containment").status_code == 403
    page = agent.client.get("/ivr")
    assert page.status_code == 200 and "Phone menu: calls it answered" in page.text
    # The line on the call figures page, over the days it shows.
    kpi = agent.client.get("/kpi", params={"from": "2026-10-01", "to": "2026-11-30"}).text
    assert "Phone menu: it answered 2 of 6 calls on its own for these days (33.3%, above" in kpi
    assert '<a href="/ivr">' in kpi


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, var_dir: Path) -> Iterator[Path]:
    db = tmp_path / "cli.db"
    monkeypatch.setenv("MEMBERDESK_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("MEMBERDESK_VAR_DIR", str(var_dir))
    get_settings.cache_clear()
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    yield db
    get_settings.cache_clear()


def test_command_line(env: Path) -> None:
    with Session(create_engine(f"sqlite:///{env}")) as s:
        add_calls(s)
        s.commit()
    args = ["ivr", "containment", "--from", "2026-10-01", "--to", "2026-11-30"]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert [(m["month"], m["calls"], m["contained"]) for m in out["months"]] == [
        ("2026-10", 4, 1),
        ("2026-11", 2, 1),
    ]
    text = runner.invoke(app, args)
    assert text.exit_code == 0 and "25.0% within" in text.output and "50.0% above" in text.output
    bad = runner.invoke(app, ["ivr", "containment", "--from", "October"])
    assert bad.exit_code == 2 and "--from" in bad.output


def fuzz_one(operation: Any, token: str, known: set[str]) -> None:
    from hypothesis import given

    from tests.test_fuzz_api import FUZZ, run

    @given(case=operation.as_strategy())
    @FUZZ
    def check(case: Any) -> None:
        run(case, token, known)

    check()


def test_fuzz_the_report(app: Any, login: Any, db: Session) -> None:
    """The API fuzz (tests/test_fuzz_api.py) on this package's operations, staff and member."""
    import schemathesis

    from tests.test_fuzz_api import enum_values

    api = schemathesis.openapi.from_asgi("/openapi.json", app)
    known = enum_values(app.openapi())
    tokens = [
        login(Role.SUPERVISOR, team="Team A").token,
        login(Role.MEMBER, member_id=f.member(db).id).token,
    ]
    ran = 0
    for result in api.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith("/api/ivr/"):
            continue
        for token in tokens:
            fuzz_one(operation, token, known)
        ran += 1
    assert ran == 1
