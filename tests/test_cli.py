"""Command-line behaviour: bad input fails clearly and changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect
from typer.testing import CliRunner

from memberdesk.cli import app
from memberdesk.config import get_settings

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, var_dir: Path) -> Path:
    db = tmp_path / "cli.db"
    monkeypatch.setenv("MEMBERDESK_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("MEMBERDESK_VAR_DIR", str(var_dir))
    get_settings.cache_clear()
    yield db
    get_settings.cache_clear()


def test_db_upgrade_creates_schema(env: Path) -> None:
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    tables = set(inspect(create_engine(f"sqlite:///{env}")).get_table_names())
    assert {"members", "coverage_spans", "plans", "employer_groups"} <= tables


def test_seed_creates_exactly_n_members(env: Path) -> None:
    result = runner.invoke(app, ["seed", "--members", "120", "--seed", "5"])
    assert result.exit_code == 0, result.output
    assert "seeded 120 members" in result.output
    with create_engine(f"sqlite:///{env}").connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM members").scalar() == 120


@pytest.mark.parametrize("members", ["-5", "0"])
def test_seed_rejects_non_positive_members(env: Path, members: str) -> None:
    result = runner.invoke(app, ["seed", "--members", members])
    assert result.exit_code != 0
    assert "--members must be a positive number" in result.output
    assert not env.exists()  # nothing created


def test_unreachable_database_is_named_without_password(
    monkeypatch: pytest.MonkeyPatch, var_dir: Path
) -> None:
    monkeypatch.setenv("MEMBERDESK_DATABASE_URL", "postgresql+psycopg://u:s3cret@127.0.0.1:1/nodb")
    monkeypatch.setenv("MEMBERDESK_VAR_DIR", str(var_dir))
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["db", "upgrade"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "cannot reach the database postgresql+psycopg://u:***@127.0.0.1:1/nodb" in result.output
    assert "s3cret" not in result.output


def test_bad_database_url_scheme(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEMBERDESK_DATABASE_URL", "mysql://x")
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["db", "upgrade"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "MEMBERDESK_DATABASE_URL" in result.output
