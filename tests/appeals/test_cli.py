"""``memberdesk appeals``: the reports as CSV or JSON, one appeal (audited, free text masked),
the deemed-exhaustion sweep, and bad options failing clearly with nothing changed."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from memberdesk.appeals import service
from memberdesk.appeals.enums import AppealKind, IntakeChannel, Urgency
from memberdesk.appeals.schemas import AppealIn
from memberdesk.cli import app
from memberdesk.clock import now
from memberdesk.compliance.audit import SYSTEM
from memberdesk.compliance.enums import AuditAction
from memberdesk.compliance.models import AuditEntry
from memberdesk.config import get_settings
from memberdesk.db import make_engine, make_sessionmaker
from memberdesk.members.enums import LineOfBusiness
from memberdesk.members.models import Member
from memberdesk.members.seed import run_seed
from memberdesk.migrate import upgrade

runner = CliRunner()


@pytest.fixture
def cli_db(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, var_dir: Path
) -> Iterator[dict[str, int]]:
    """A committed SQLite book with a California grievance 40 days old and an Oregon appeal 20
    days old (past its 16 days)."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("MEMBERDESK_DATABASE_URL", url)
    monkeypatch.setenv("MEMBERDESK_VAR_DIR", str(var_dir))
    get_settings.cache_clear()
    engine = make_engine(get_settings())
    upgrade(engine)
    run_seed(make_sessionmaker(engine), members=5, seed=3)
    with Session(engine) as session:
        first, second = session.scalars(select(Member).order_by(Member.id).limit(2)).all()
        second.line_of_business = LineOfBusiness.OREGON_MEDICAID  # an Oregon Health Plan member
        session.flush()
        made = {}
        for name, who, kind, days in (
            ("grievance", first, AppealKind.GRIEVANCE, 40),
            ("oregon", second, AppealKind.APPEAL, 20),
        ):
            received = now() - timedelta(days=days)
            appeal = service.intake(
                session,
                SYSTEM,
                AppealIn(
                    member_id=who.id,
                    kind=kind,
                    urgency=Urgency.STANDARD,
                    channel=IntakeChannel.WRITTEN,
                    received_at=received,
                    summary="Billed for a covered visit",
                ),
                received + timedelta(minutes=1),
            )
            made[name] = appeal.id
        session.commit()
    engine.dispose()
    yield made
    get_settings.cache_clear()


def test_reports_show_and_sweep(cli_db: dict[str, int]) -> None:
    out = runner.invoke(app, ["appeals", "open"])
    assert out.exit_code == 0, out.output
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert {int(r["appeal_id"]) for r in rows} == set(cli_db.values())
    assert {r["standing"] for r in rows} == {"overdue"}
    out = runner.invoke(app, ["appeals", "aging", "--json"])
    assert out.exit_code == 0, out.output
    assert set(json.loads(out.stdout)) == {"quarter", "rows"}
    out = runner.invoke(app, ["appeals", "deadlines"])
    assert out.exit_code == 0 and out.stdout.startswith("month,pack,due,met_on_time")
    out = runner.invoke(app, ["appeals", "show", str(cli_db["grievance"])])
    assert out.exit_code == 0, out.output
    shown = json.loads(out.stdout)
    assert shown["summary"] == "[masked]" and shown["pack"] == "calchoice"
    out = runner.invoke(app, ["appeals", "sweep"])
    assert out.exit_code == 0 and "1 appeal(s) deemed exhausted" in out.stdout
    out = runner.invoke(app, ["appeals", "sweep"])
    assert "0 appeal(s) deemed exhausted" in out.stdout
    engine = make_engine(get_settings())
    with Session(engine) as session:
        actions = dict(
            session.execute(
                select(AuditEntry.action, func.count()).group_by(AuditEntry.action)
            ).all()
        )
    engine.dispose()
    assert actions[AuditAction.APPEAL_REPORT.value] == 3
    assert actions[AuditAction.APPEAL_READ.value] == 1
    assert actions[AuditAction.APPEAL_DEEMED_EXHAUSTED.value] == 1


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["appeals", "aging", "--quarter", "2026-Q9"], "--quarter must be a quarter written"),
        (["appeals", "deadlines", "--from", "2026-13"], "--from must be a month between"),
        (["appeals", "deadlines", "--from", "2026-12", "--to", "2026-01"], "--from must not be"),
        (["appeals", "show", "999"], "APPEAL_ID: no appeal with this id"),
    ],
)
def test_bad_options_fail_clearly(cli_db: dict[str, int], args: list[str], said: str) -> None:
    out = runner.invoke(app, args)
    assert out.exit_code == 2
    assert said in out.output
