"""The demo's call history: deterministic, only when the centre is open, with the
open-enrollment surge, believable figures, and imported once through the same rules."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from memberdesk.calendars.loader import get_calendar
from memberdesk.cli import app
from memberdesk.compliance.audit import SYSTEM
from memberdesk.kpi.demo import demo_calls, seed_demo_calls
from memberdesk.kpi.formulas import tally_calls
from memberdesk.kpi.models import CallRow
from memberdesk.kpi.report import By, call_kpis

LAST = date(2026, 11, 30)
runner = CliRunner()


def test_the_history_is_believable_and_the_same_for_a_seed() -> None:
    calls = list(demo_calls(members=15000, last_day=LAST))
    again = list(demo_calls(members=15000, last_day=LAST))
    assert calls == again and len(calls) > 40_000
    cal = get_calendar("california-state")
    assert all(cal.is_open(c.offered_at) for c in calls[::97])
    assert not any(c.offered_at.date() == date(2025, 12, 25) for c in calls)  # closed
    assert calls[0].offered_at.date() == date(2025, 10, 1)  # thirteen months back
    assert calls[-1].offered_at.date() <= LAST
    per_day = Counter(c.offered_at.date() for c in calls)

    def daily(month: int) -> float:
        days = [n for d, n in per_day.items() if d.month == month]
        return sum(days) / len(days)

    assert daily(11) > 1.3 * daily(7)  # the open-enrollment surge
    tally = tally_calls(calls, threshold=20)
    assert 0.7 < (tally.service_level or 0) < 0.98
    assert 0.005 < (tally.abandon_rate or 0) < 0.1
    assert 360 < (tally.aht_seconds or 0) < 480  # the seeds' 6-9 minutes
    assert {c.queue for c in calls} == {"general", "billing", "spanish"}


def test_imported_once_and_reported_by_day(db: Session) -> None:
    made = seed_demo_calls(db, SYSTEM, members=3000, last_day=LAST)
    assert made > 5000
    assert seed_demo_calls(db, SYSTEM, members=3000, last_day=LAST) == 0  # not twice
    assert db.scalar(select(func.count()).select_from(CallRow)) == made
    total, days = call_kpis(db, "calchoice", date(2026, 11, 1), LAST, By.DAY)
    assert total.offered > 0 and all(day.isoweekday() < 6 for day in map(_day, days))
    assert "2026-11-26" not in dict(days)  # Thanksgiving


def _day(row: tuple[str, object]) -> date:
    return date.fromisoformat(row[0])


def test_a_forecast_learns_from_the_stored_calls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, var_dir: Path
) -> None:
    from memberdesk.compliance.crypto import load_and_install
    from memberdesk.config import Settings, get_settings
    from memberdesk.db import make_engine, make_sessionmaker
    from memberdesk.migrate import upgrade

    settings = Settings(database_url=f"sqlite:///{tmp_path / 'f.db'}", var_dir=var_dir)
    monkeypatch.setenv("MEMBERDESK_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MEMBERDESK_VAR_DIR", str(var_dir))
    get_settings.cache_clear()
    load_and_install(var_dir)
    engine = make_engine(settings)
    upgrade(engine)
    empty = runner.invoke(app, ["wfm", "forecast", "--stored"])
    assert empty.exit_code == 2 and "no call records imported for calchoice" in empty.stderr
    no_calls = runner.invoke(app, ["wfm", "plan", "--measured"])
    assert no_calls.exit_code == 2 and "--measured: no answered calls stored" in no_calls.stderr
    with make_sessionmaker(engine)() as session:
        made = seed_demo_calls(session, SYSTEM, members=3000, last_day=LAST)
        session.commit()
    engine.dispose()
    result = runner.invoke(app, ["wfm", "forecast", "--stored", "--days", "1", "--json"])
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["history"]["source"] == "stored calls (calchoice)"
    assert out["history"]["calls"] == made and out["assumptions"] == {}
    # Open half hours without a call count as zeros: 18 a working day.
    assert out["history"]["intervals"] % 18 == 0
    assert out["forecast"] and all(f["calls"] >= 0 for f in out["forecast"])
    both = runner.invoke(app, ["wfm", "forecast", "--stored", "--csv", "x.csv"])
    assert both.exit_code == 2 and "either --csv or --stored" in both.stderr
    # Staffing with the handle time measured over the last four weeks of those calls.
    from memberdesk.clock import now
    from memberdesk.sla.packs import zone_of

    yesterday = now().astimezone(zone_of("calchoice")).date() - timedelta(days=1)
    window = [
        c
        for c in demo_calls(members=3000, last_day=LAST)
        if yesterday - timedelta(days=27)
        <= c.offered_at.astimezone(zone_of("calchoice")).date()
        <= yesterday
    ]
    aht = tally_calls(window, 20).aht_seconds
    measured = runner.invoke(app, ["wfm", "staff", "--calls", "90", "--measured-aht"])
    assert measured.exit_code == 0, measured.output
    assert f"{aht:.0f} s" in measured.stdout and "AHT measured over" in measured.stdout
    given = runner.invoke(app, ["wfm", "staff", "--calls", "90", "--aht", str(aht), "--json"])
    same = runner.invoke(app, ["wfm", "staff", "--calls", "90", "--measured-aht", "--json"])
    assert json.loads(same.stdout) == json.loads(given.stdout)
    clash = runner.invoke(app, ["wfm", "staff", "--calls", "9", "--aht", "300", "--measured-aht"])
    assert clash.exit_code == 2 and "not both" in clash.stderr
    # The yearly plan on the same measured handle time (no contacts or surveys stored here).
    plan = runner.invoke(app, ["wfm", "plan", "--members", "3000", "--measured", "--json"])
    assert plan.exit_code == 0, plan.output
    got = json.loads(plan.stdout)
    assert got["staffing"]["aht_measured"] is True
    assert abs(got["staffing"]["aht_minutes"]["low"] * 60 - aht) < 1e-6
    assert got["measured"]["answered_calls"] == len([c for c in window if c.answered_at])
    assert got["quality"]["fcr"] is None and got["quality"]["csat"] is None
    text = runner.invoke(app, ["wfm", "plan", "--members", "3000", "--measured"]).stdout
    assert f"AHT {aht / 60:.1f} min measured" in text and "Measured on calchoice from" in text
    get_settings.cache_clear()
