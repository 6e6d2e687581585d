"""``memberdesk training ...`` and ``memberdesk wfm plan --training-from`` on a real database
file: the catalogue, who is due, recording (bad input named by its option, exit 2, nothing
saved), the hours staff train a month, and training's share of the planner's shrinkage."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from sqlalchemy import func, select
from typer.testing import CliRunner

from memberdesk.cli import app
from memberdesk.clock import now
from memberdesk.compliance import accounts
from memberdesk.compliance.audit import SYSTEM
from memberdesk.compliance.enums import Role
from memberdesk.config import get_settings
from memberdesk.db import make_engine, make_sessionmaker
from memberdesk.migrate import upgrade
from memberdesk.training.demo import seed_demo_training
from memberdesk.training.models import Completion

runner = CliRunner()
NOW = "2026-12-04T10:00:00-08:00"


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, var_dir: Path) -> Iterator[Any]:
    """A migrated SQLite file with four demo staff and the demo training history."""
    monkeypatch.setenv("MEMBERDESK_DATABASE_URL", f"sqlite:///{tmp_path / 'training.db'}")
    monkeypatch.setenv("MEMBERDESK_VAR_DIR", str(var_dir))
    get_settings.cache_clear()
    settings = get_settings()
    engine = make_engine(settings)
    upgrade(engine)
    with time_machine.travel(NOW, tick=False), make_sessionmaker(engine)() as session:
        for name, role in [
            ("agent", Role.TIER1_AGENT),
            ("ben.okafor", Role.TIER1_AGENT),
            ("supervisor", Role.SUPERVISOR),
            ("qa", Role.QA_ANALYST),
        ]:
            accounts.create_user(
                session, settings, SYSTEM, username=name, display_name=name, role=role,
                password="correct horse battery staple", team="Tier 1 — Team A",
            )  # fmt: skip
        seed_demo_training(session, now())
        session.commit()
    yield make_sessionmaker(engine)
    engine.dispose()
    get_settings.cache_clear()


def _json(args: list[str]) -> Any:
    got = runner.invoke(app, args)
    assert got.exit_code == 0, got.output
    return json.loads(got.output)


def test_training_commands(cli_db: Any) -> None:
    with time_machine.travel(NOW, tick=False):
        courses = _json(["training", "courses", "--json"])["courses"]
        assert len(courses) == 20
        hipaa = next(c for c in courses if c["code"] == "hipaa-annual")
        assert hipaa["renew_months"] == 12 and hipaa["pass_mark"] == 80
        due = {p["username"]: p for p in _json(["training", "due", "--json"])["people"]}
        assert "qa" not in due  # nothing due
        ben = {d["title"]: d["status"] for d in due["ben.okafor"]["dues"]}
        assert ben["New-hire programme (40 hours)"] == "due"
        with cli_db() as s:
            before = s.scalar(select(func.count()).select_from(Completion))
        bad = [
            (["call-review", "--on", "2026-12-05"], "--on: cannot be after today"),
            (["call-review", "--on", "2001-01-02"], "--on: is before the person's start date"),
            (["call-review", "--on", "4 Dec"], "--on:"),
            (["hipaa-annual", "--on", "2026-12-03", "--score", "120"], "--score:"),
            (["hipaa-annual", "--on", "2026-12-03"], "--score: this course has a knowledge check"),
            (["no-such-course", "--on", "2026-12-03"], "course: no course with this code"),
        ]
        for args, message in bad:
            got = runner.invoke(app, ["training", "record", "agent", *args])
            assert got.exit_code == 2 and message in " ".join(got.output.split()), (
                args,
                got.output,
            )
        ok = runner.invoke(
            app, ["training", "record", "agent", "call-review", "--on", "2026-12-03"]
        )
        assert ok.exit_code == 0 and "passed" in ok.output
        again = runner.invoke(
            app, ["training", "record", "agent", "call-review", "--on", "2026-12-03"]
        )
        assert again.exit_code == 2 and "--on: this course is already recorded" in again.output
        with cli_db() as s:
            assert s.scalar(select(func.count()).select_from(Completion)) == before + 1
        record = _json(["training", "person", "agent", "--json"])
        assert record["completions"][0]["course_title"] == "Monitored-call review with a coach"
        moved = runner.invoke(app, ["training", "start", "agent", "2026-12-04"])
        assert moved.exit_code == 2 and "STARTED_ON: a recorded completion" in moved.output
        hours = _json(["training", "hours", "--json"])
        assert hours["person_months"] == 6  # agent and supervisor, Sep-Nov; the new hire not yet
        assert hours["share"] == pytest.approx(hours["hours_per_month"] * 12 / 2080)
        assert 5 <= hours["hours_per_month"] <= 12

        planned = _json(["wfm", "plan", "--training-from", "plan", "--json"])
        t = planned["training_shrinkage"]
        assert t["hours_per_month"] == 10 and t["share"] == pytest.approx(120 / 2080)
        assert planned["staffing"]["shrinkage"] == pytest.approx(0.30)  # the same 30% in all
        recorded = _json(
            ["wfm", "plan", "--training-from", "records", "--shrinkage", "0.2", "--json"]
        )
        r = recorded["training_shrinkage"]
        assert r["from"] == "records" and r["hours_per_month"] == pytest.approx(
            hours["hours_per_month"]
        )
        assert recorded["staffing"]["shrinkage"] == pytest.approx(0.2 + hours["share"])
        plain = _json(["wfm", "plan", "--json"])
        assert plain["staffing"]["shrinkage"] == 0.3 and "training_shrinkage" not in plain
        wrong = runner.invoke(app, ["wfm", "plan", "--training-from", "guess"])
        assert (
            wrong.exit_code == 2 and "--training-from: must be 'plan' or 'records'" in wrong.output
        )
        text = runner.invoke(app, ["wfm", "plan", "--training-from", "plan"])
        assert "Training: 10.0 h a month (plan) is 5.8% of paid time" in text.output
