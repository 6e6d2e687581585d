"""``memberdesk breaches`` and ``memberdesk vendors``: the clocks of a discovery (light: no
database, no heavy library), the register and the HHS log read from a database (audited), and
bad options failing clearly."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from memberdesk.breaches import service
from memberdesk.breaches.enums import Outcome
from memberdesk.breaches.schemas import DecisionIn, IncidentIn
from memberdesk.cli import app
from memberdesk.clock import now
from memberdesk.compliance.audit import SYSTEM
from memberdesk.compliance.models import AuditEntry
from memberdesk.config import get_settings
from memberdesk.db import make_engine
from memberdesk.migrate import upgrade
from memberdesk.vendors import service as vendors
from memberdesk.vendors.enums import VendorKind
from memberdesk.vendors.schemas import VendorIn
from tests.test_cli import HEAVY, imported_by

runner = CliRunner()


def test_the_clocks_of_a_discovery() -> None:
    got = runner.invoke(
        app,
        ["breaches", "clocks", "--discovered", "2026-06-01T09:30:00-07:00", "--affected", "499",
         "--state", "CA=499", "--json"],
    )  # fmt: skip
    assert got.exit_code == 0, got.output
    clocks = {c["recipient"]: c for c in json.loads(got.output)["clocks"]}
    assert clocks["individuals"]["due"] == "2026-07-31T23:59:59-07:00"
    assert clocks["california"]["due"] == "2026-07-01T23:59:59-07:00"
    assert clocks["hhs"]["annual_log"] and clocks["hhs"]["due"] == "2027-03-01T23:59:59-08:00"
    assert "media" not in clocks


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--discovered", "2026-06-01T09:30:00", "--affected", "3"], "--discovered needs a UTC"),
        (["--discovered", "soon", "--affected", "3"], "--discovered must be ISO 8601"),
        (["--discovered", "2026-06-01T09:30:00-07:00", "--affected", "3", "--state", "CA=9"],
         "add up to more than --affected"),
        (["--discovered", "2026-06-01T09:30:00-07:00", "--affected", "3", "--state", "XX=1"],
         "two-letter state code"),
        (["--discovered", "2026-06-01T09:30:00-07:00", "--affected", "-3"], "--affected"),
    ],
)  # fmt: skip
def test_bad_clock_options_fail_clearly(args: list[str], words: str) -> None:
    got = runner.invoke(app, ["breaches", "clocks", *args])
    assert got.exit_code == 2
    assert words in got.output


def test_the_clocks_command_is_light(tmp_path: Path) -> None:
    args = ["breaches", "clocks", "--discovered", "2026-06-01T09:30:00-07:00", "--affected", "9"]
    assert imported_by(tmp_path, *args).isdisjoint(HEAVY)


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, var_dir: Path) -> Iterator[int]:
    """A committed SQLite database with one breach (decided) and one vendor."""
    monkeypatch.setenv("MEMBERDESK_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("MEMBERDESK_VAR_DIR", str(var_dir))
    get_settings.cache_clear()
    engine = make_engine(get_settings())
    upgrade(engine)
    at = now()
    with Session(engine) as session:
        inc = service.record_incident(
            session,
            SYSTEM,
            IncidentIn(
                discovered_at=at,
                discovered_by="IT security",
                summary="Laptop stolen",
                phi_kinds=["names"],  # type: ignore[list-item]
                affected_count=12,
                residents_by_state={"CA": 12},
            ),
            at,
        )
        service.decide(
            session, SYSTEM, inc.id, DecisionIn(outcome=Outcome.BREACH, rationale="Unencrypted"), at
        )
        vendors.create(
            session,
            SYSTEM,
            VendorIn(name="Pacific Print", kind=VendorKind.PRINT_MAIL_HOUSE, services="Letters"),
            at,
        )
        session.commit()
        made = inc.id
    engine.dispose()
    yield made
    get_settings.cache_clear()


def test_the_register_and_the_log_from_the_database(cli_db: int) -> None:
    listed = runner.invoke(app, ["breaches", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    [row] = json.loads(listed.output)["incidents"]
    assert row["id"] == cli_db and row["state"] == "notifying"
    assert row["next_notice"] == "california"  # 30 days, the nearest
    log = runner.invoke(app, ["breaches", "hhs-log"])
    assert log.exit_code == 0 and log.output.startswith("incident_id,")
    assert len(log.output.strip().splitlines()) == 2
    assert runner.invoke(app, ["breaches", "hhs-log", "--year", "1990"]).exit_code == 2
    vend = runner.invoke(app, ["vendors", "list", "--attention", "--json"])
    [v] = json.loads(vend.output)["vendors"]
    assert v["name"] == "Pacific Print" and "no_baa" in v["warnings"]
    engine = make_engine(get_settings())
    with Session(engine) as session:
        acts = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    engine.dispose()
    assert acts[-2:] == ["breach.listed", "breach.report"]
