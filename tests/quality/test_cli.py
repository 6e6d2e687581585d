"""``memberdesk qa ...`` on a real database file: a scorecard whose weights do not sum to 100 is
refused naming the field (exit 2); the sample is the same for the same seed; an out-of-range
score is refused naming the item; results and the audit as JSON."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete
from typer.testing import CliRunner

from memberdesk.cli import app
from memberdesk.compliance import accounts
from memberdesk.compliance.audit import SYSTEM
from memberdesk.compliance.enums import Role
from memberdesk.config import get_settings
from memberdesk.db import make_engine, make_sessionmaker
from memberdesk.migrate import upgrade
from memberdesk.quality.demo import default_scorecard_in, ensure_default_scorecard
from memberdesk.quality.models import Evaluation
from tests.quality.conftest import contact

runner = CliRunner()
MAY = datetime.fromisoformat("2026-05-04T09:00:00-07:00")


@pytest.fixture
def cli_db(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, var_dir: Path
) -> Iterator[dict[str, int]]:
    """A migrated SQLite file with a QA analyst, two agents with eight May contacts each and
    the default scorecard."""
    monkeypatch.setenv("MEMBERDESK_DATABASE_URL", f"sqlite:///{tmp_path / 'qa.db'}")
    monkeypatch.setenv("MEMBERDESK_VAR_DIR", str(var_dir))
    get_settings.cache_clear()
    settings = get_settings()
    engine = make_engine(settings)
    upgrade(engine)
    with make_sessionmaker(engine)() as session:
        ids = {}
        for name, role in (
            ("qa1", Role.QA_ANALYST),
            ("ann", Role.TIER1_AGENT),
            ("bo", Role.TIER1_AGENT),
        ):
            team = None if role == Role.QA_ANALYST else "Team A"
            user = accounts.create_user(
                session, settings, SYSTEM, username=name, display_name=name.title(), role=role,
                password="correct horse battery staple", team=team,
            )  # fmt: skip
            ids[name] = user.id
        for agent in ("ann", "bo"):
            for i in range(8):
                contact(session, ids[agent], None, MAY + timedelta(days=i))
        ensure_default_scorecard(session)
        session.commit()
    yield ids
    engine.dispose()
    get_settings.cache_clear()


def test_qa_commands(cli_db: dict[str, int], tmp_path: Path) -> None:
    card = default_scorecard_in().model_dump()
    card["name"] = "Lopsided"
    card["items"][2]["weight"] = 50
    bad = tmp_path / "card.json"
    bad.write_text(json.dumps(card))
    refused = runner.invoke(app, ["qa", "add-scorecard", str(bad)])
    assert refused.exit_code == 2 and "sum to 100 (they sum to 145)" in refused.output
    assert "body.items" in refused.output

    listed = json.loads(runner.invoke(app, ["qa", "scorecards", "--json"]).output)
    assert [c["name"] for c in listed["scorecards"]] == ["Member call guide"]
    assert sum(i["weight"] for i in listed["scorecards"][0]["items"]) == 100

    def draw() -> list[int]:
        got = runner.invoke(
            app,
            ["qa", "sample", "--period", "2026-05", "--per-agent", "3", "--seed", "9", "--json"],
        )
        assert got.exit_code == 0, got.output
        out = json.loads(got.output)
        assert out["drawn"] == 6 and out["agents"] == 2
        engine = make_engine(get_settings())
        with make_sessionmaker(engine)() as session:
            picked = sorted(session.get(Evaluation, i).contact_id for i in out["evaluation_ids"])  # type: ignore[union-attr]
            session.execute(delete(Evaluation))
            session.commit()
        engine.dispose()
        return picked

    assert draw() == draw()  # the same seed draws the same contacts
    assert runner.invoke(app, ["qa", "sample", "--period", "May"]).exit_code == 2

    full = [
        f"--score={i['key']}={'na' if i['allow_na'] else i['max_score']}"
        for i in listed["scorecards"][0]["items"]
    ]
    too_high = runner.invoke(
        app, ["qa", "evaluate", "--by", "qa1", "--contact", "1", *full, "--score=accuracy=5"]
    )
    assert too_high.exit_code == 2 and "body.scores.accuracy" in too_high.output
    low = runner.invoke(
        app,
        ["qa", "evaluate", "--by", "qa1", "--contact", "1", *full, "--score=accuracy=0", "--json"],
    )
    assert low.exit_code == 0, low.output
    ev = json.loads(low.output)
    assert ev["score"] == 73.68 and ev["corrective"]["target"] == "qa_corrective_training"
    results = json.loads(
        runner.invoke(
            app, ["qa", "results", "--start", "2026-05", "--end", "2026-05", "--json"]
        ).output
    )
    assert results["agents"][0]["average"] == 73.68 and results["goal"] == 90.0
    audit = json.loads(
        runner.invoke(app, ["qa", "audit", "--year", "2026", "--half", "1", "--json"]).output
    )
    assert audit["rows"][0]["below_80"] == 1 and audit["rows"][0]["corrective"] == 1
    owed = json.loads(runner.invoke(app, ["qa", "corrective", "--json"]).output)
    assert len(owed["assignments"]) == 1
