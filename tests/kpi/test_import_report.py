"""`memberdesk kpi import` and `kpi report` on real databases: imports are all or nothing,
add up in the rollups, and reports from the rollups agree with the calls themselves."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from memberdesk.cli import app
from memberdesk.compliance.models import AuditEntry
from memberdesk.config import Settings, get_settings
from memberdesk.db import Base, make_engine, make_sessionmaker
from memberdesk.kpi.models import CallRow, CallStats
from memberdesk.models import import_all_models
from tests.dbutil import BACKENDS, fresh_database
from tests.kpi.test_kpi_cli import generated, independent, write_calls

runner = CliRunner()
DAY = ["--from", "2026-11-02", "--to", "2026-11-02"]


@pytest.fixture(params=BACKENDS)
def db_env(
    request: pytest.FixtureRequest, var_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    with fresh_database(request.param, var_dir, tmp_path) as settings:
        monkeypatch.setenv("MEMBERDESK_DATABASE_URL", settings.database_url)
        monkeypatch.setenv("MEMBERDESK_VAR_DIR", str(var_dir))
        if settings.database_schema:
            monkeypatch.setenv("MEMBERDESK_DATABASE_SCHEMA", settings.database_schema)
        get_settings.cache_clear()
        yield settings
        get_settings.cache_clear()


def kpi(*args: str) -> dict:  # type: ignore[type-arg]
    result = runner.invoke(app, ["kpi", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout) if "--json" in args else {"output": result.stdout}


def counts(settings: Settings) -> tuple[int, int, int]:
    engine = make_engine(settings)
    with make_sessionmaker(engine)() as s:
        out = (
            s.scalar(select(func.count()).select_from(CallRow)) or 0,
            s.scalar(select(func.count()).select_from(CallStats)) or 0,
            s.scalar(select(func.count()).where(AuditEntry.action == "kpi.calls_imported")) or 0,
        )
    engine.dispose()
    return out


def test_imports_add_up_and_the_report_agrees_with_the_calls(
    db_env: Settings, tmp_path: Path
) -> None:
    rows = generated(2000, 11)
    for i, row in enumerate(rows):
        row["member_id"] = f"M{100000000 + i}" if i % 3 == 0 else ""
    whole = write_calls(tmp_path / "whole.csv", rows)
    first = write_calls(tmp_path / "first.csv", rows[:1200])
    second = write_calls(tmp_path / "second.csv", rows[1200:])
    said = kpi("import", "--csv", str(first))["output"]
    assert "imported 1,200 calls into" in said
    kpi("import", "--csv", str(second))
    assert counts(db_env)[0] == 2000 and counts(db_env)[2] == 2

    reported = kpi("report", *DAY, "--by", "queue", "--json")
    direct = kpi("calls", "--csv", str(whole), "--json")
    for key in ("offered", "answered", "abandoned", "short_abandoned"):
        assert reported["total"][key] == direct[key], key
    for key in ("service_level", "abandon_rate", "asa_seconds", "aht_seconds"):
        assert reported["total"][key] == pytest.approx(direct[key]), key
    assert reported["total"]["status"] == direct["status"]
    by_queue = {r["key"]: r for r in reported["rows"]}
    assert set(by_queue) == {"billing", "tier1"}
    for queue, got in by_queue.items():
        want = independent([r for r in rows if r["queue"] == queue], 20, 5.0)
        assert got["offered"] == want["offered"]
        assert got["service_level"] == pytest.approx(want["service_level"])
        assert got["aht_seconds"] == pytest.approx(want["aht_seconds"])
    agents = kpi("report", *DAY, "--by", "agent", "--json")["rows"]
    assert sum(r["offered"] for r in agents) == 2000 and agents[0]["key"] == ""  # no agent
    days = kpi("report", "--from", "2026-11-01", "--to", "2026-11-03", "--by", "day", "--json")
    assert [(d["key"], d["offered"]) for d in days["rows"]] == [("2026-11-02", 2000)]
    assert (
        kpi("report", "--from", "2026-11-03", "--to", "2026-11-03", "--json")["total"][
            "service_level"
        ]
        is None
    )
    # Contacts by channel on the command line: the phone's speed is the same service level.
    channels = kpi("channels", *DAY, "--json")
    [phone] = [r for r in channels["rows"] if r["channel"] == "phone"]
    assert phone["calls"]["offered"] == 2000
    assert phone["speed"]["on_time_rate"] == pytest.approx(direct["service_level"])
    assert phone["handle_seconds"] == pytest.approx(direct["aht_seconds"])  # all calls' AHT
    assert "Phone: 0 in, 0 out" in kpi("channels", *DAY)["output"]

    # The caller's member ID is PHI: stored encrypted, never as its text.
    engine = make_engine(db_env)
    with engine.connect() as conn:
        stored = conn.execute(
            text("SELECT member_ref FROM call_records WHERE member_ref IS NOT NULL")
        )
        raw = [bytes(r[0]) for r in stored]
    engine.dispose()
    assert len(raw) == 667 and not any(b"M1000" in r for r in raw)
    with make_sessionmaker(make_engine(db_env))() as s:
        first_call = s.scalars(select(CallRow).where(CallRow.call_id == "call-0")).one()
        assert first_call.member_ref == "M100000000"  # and it reads back
        sent = datetime.fromisoformat(rows[0]["offered_at"].replace("Z", "+00:00"))
        assert first_call.offered_at == sent and first_call.offered_at.tzinfo is not None


def test_a_bad_or_repeated_file_stores_nothing(db_env: Settings, tmp_path: Path) -> None:
    rows = generated(300, 12)
    good = write_calls(tmp_path / "good.csv", rows)
    kpi("import", "--csv", str(good))
    before = counts(db_env)

    again = runner.invoke(app, ["kpi", "import", "--csv", str(good)])
    assert again.exit_code == 2
    assert "line 2, call_id: already imported" in again.stderr
    assert "300 problem(s) (250 more not shown); nothing was imported" in again.stderr

    fresh = generated(300, 13)
    for row in fresh:
        row["call_id"] = "new-" + row["call_id"]
    fresh[250]["offered_at"] = "yesterday"
    bad = write_calls(tmp_path / "bad.csv", fresh)
    refused = runner.invoke(app, ["kpi", "import", "--csv", str(bad)])
    assert refused.exit_code == 2 and "line 252, offered_at: must be a time" in refused.stderr
    assert counts(db_env) == before  # neither file left a row, a rollup or an audit entry


def test_report_options_are_checked(db_env: Settings) -> None:
    for args, said in [
        (["--from", "2026-11-05", "--to", "2026-11-01"], "--to: must not be before --from"),
        ([*DAY, "--by", "shift"], "--by: must be queue, agent, team, interval, day, week or month"),
        (["--from", "11/02/2026", "--to", "2026-11-02"], "--from: must be a date"),
        (["--from", "0001-01-01", "--to", "2026-11-02"], "--from: must be between the years"),
        ([*DAY, "--pack", "texas"], "--pack: unknown policy pack"),
    ]:
        for command in ("report", "channels"):
            if command == "channels" and "--by" in args:
                continue
            result = runner.invoke(app, ["kpi", command, *args])
            assert result.exit_code == 2 and said in result.stderr, (command, args)
    long = runner.invoke(app, ["kpi", "channels", "--from", "2025-01-01", "--to", "2026-11-02"])
    assert long.exit_code == 2 and "--to: a report covers at most 400 days" in long.stderr


def test_the_migrated_schema_is_the_models_schema(engine) -> None:  # type: ignore[no-untyped-def]
    import_all_models()
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert [d for d in diffs if "call_" in repr(d)] == []


def test_calls_roll_up_by_the_half_hour_they_were_offered_in() -> None:
    from datetime import timedelta, timezone

    from memberdesk.kpi.formulas import interval_of

    pacific = timezone(timedelta(hours=-8))
    assert interval_of(datetime(2026, 11, 2, 9, 47, 59, 9, tzinfo=pacific)).isoformat() == (
        "2026-11-02T17:30:00+00:00"
    )
    assert interval_of(datetime(2026, 11, 2, 9, 0, tzinfo=pacific)).minute == 0


def test_two_imports_of_the_same_calls_at_once_store_them_once(
    db_env: Settings, tmp_path: Path
) -> None:
    import io
    import threading
    import time

    from memberdesk.compliance.audit import SYSTEM
    from memberdesk.errors import Conflict
    from memberdesk.kpi.calls import parse_calls
    from memberdesk.kpi.ingest import import_calls

    text_ = write_calls(tmp_path / "same.csv", generated(400, 14)).read_text()
    engine = make_engine(db_env)
    sessions = make_sessionmaker(engine)

    def run(session):  # type: ignore[no-untyped-def]
        return import_calls(
            session, SYSTEM, parse_calls(io.StringIO(text_)), pack="calchoice", threshold=20,
            short_abandon=5,
        )  # fmt: skip

    outcome: dict[str, object] = {}

    def second() -> None:
        with sessions() as s:
            try:
                result = run(s)
                outcome["second"] = "refused" if result.error_count else "stored"
                s.rollback() if result.error_count else s.commit()
            except Conflict as exc:
                s.rollback()
                outcome["second"] = f"conflict: {exc.message}"

    with sessions() as first:
        assert run(first).error_count == 0
        other = threading.Thread(target=second)
        other.start()
        time.sleep(0.5)  # the second import is now waiting on the first's rows (or lock)
        first.commit()
    other.join(60)
    engine.dispose()
    assert outcome["second"] != "stored", outcome
    assert counts(db_env)[0] == 400 and counts(db_env)[2] == 1


@settings(max_examples=300, deadline=None)
@given(
    st.datetimes(
        min_value=datetime(2000, 1, 1),
        max_value=datetime(2199, 12, 31),
        timezones=st.sampled_from(
            [UTC, ZoneInfo("America/Los_Angeles"), timezone(timedelta(hours=5, minutes=30))]
        ),
    )
)
def test_the_fast_sqlite_path_stores_times_as_sqlalchemy_does(at: datetime) -> None:
    """Imports on SQLite write times without SQLAlchemy's per-value processing: the text must
    be exactly what SQLAlchemy writes itself, or range queries would miss rows at the bounds."""
    from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert

    from memberdesk.db import UTCDateTime
    from memberdesk.kpi.ingest import sqlite_time

    table = Table(
        "t", MetaData(), Column("id", Integer, primary_key=True), Column("at", UTCDateTime)
    )
    engine = create_engine("sqlite://")
    table.create(engine)
    with engine.begin() as conn:
        conn.execute(insert(table).values(at=at))
        stored = conn.execute(text("SELECT at FROM t")).scalar_one()
    assert sqlite_time(at) == stored
