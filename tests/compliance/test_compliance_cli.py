"""The security and compliance commands, as an operator runs them."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import time_machine
from typer.testing import CliRunner

from memberdesk.cli import app
from memberdesk.config import get_settings

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, var_dir: Path) -> Path:
    monkeypatch.setenv("MEMBERDESK_DATABASE_URL", f"sqlite:///{tmp_path / 'ops.db'}")
    monkeypatch.setenv("MEMBERDESK_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    assert runner.invoke(app, ["seed", "--members", "60", "--seed", "4"]).exit_code == 0
    yield tmp_path / "var"
    get_settings.cache_clear()


def run(*args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), input=stdin)


def test_user_administration(env: Path) -> None:
    no_team = run(
        "users",
        "create",
        "dana",
        "--role",
        "supervisor",
        "--team",
        "Tier 1 — Team A",
        "--password-stdin",
        stdin="a long enough passphrase\n",
    )
    assert no_team.exit_code == 2 and "--team: no team with this name" in no_team.output
    made = run(
        "users",
        "create",
        "dana",
        "--role",
        "supervisor",
        "--name",
        "Dana S",
        "--password-stdin",
        stdin="a long enough passphrase\n",
    )
    assert made.exit_code == 0 and "created dana (supervisor)" in made.output
    again = run(
        "users",
        "create",
        "dana",
        "--role",
        "supervisor",
        "--password-stdin",
        stdin="a long enough passphrase\n",
    )
    assert again.exit_code == 2 and "USERNAME: this username is taken" in again.output
    assert "'dana'" not in again.output
    weak = run(
        "users", "create", "eli", "--role", "tier1_agent", "--password-stdin", stdin="short\n"
    )
    assert weak.exit_code == 2 and "password: password must be at least 15" in weak.output
    common = run(
        "users",
        "create",
        "eli",
        "--role",
        "tier1_agent",
        "--password-stdin",
        stdin="passwordpassword\n",
    )
    assert common.exit_code == 2 and "common or breached" in common.output
    bad_role = run("users", "create", "eli", "--role", "wizard", "--password-stdin", stdin="x\n")
    assert bad_role.exit_code == 2 and "wizard" in bad_role.output  # Typer's own choice error
    portal = run(
        "users", "create", "mo", "--role", "member", "--password-stdin", stdin="x" * 20 + "\n"
    )
    assert portal.exit_code == 2 and "--role: member portal accounts" in portal.output
    assert run("users", "set-role", "dana", "compliance_officer").exit_code == 0
    assert run("users", "disable", "dana").exit_code == 0
    missing = run("users", "disable", "x' OR '1'='1")
    assert missing.exit_code == 2 and "USERNAME: no user with this username" in missing.output
    assert "OR" not in missing.output
    listing = run("users", "list")
    assert "dana" in listing.output and "compliance_officer" in listing.output
    assert "disabled" in listing.output


def test_audit_commands(env: Path) -> None:
    verified = run("audit", "verify", "--json")
    assert verified.exit_code == 0
    assert json.loads(verified.output)["ok"] is True
    assert json.loads(verified.output)["entries"] >= 60  # every seeded member's creation
    cp = run("audit", "checkpoint")
    assert cp.exit_code == 0 and "checkpoint #1" in cp.output
    assert json.loads((env / "audit_anchor.json").read_text())["checkpoint"] == 1
    report = run(
        "audit", "access", "--member-id", "1", "--start", "2000-01-01", "--end", "2030-12-31"
    )
    assert report.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(report.output)))
    assert rows and rows[0]["action"] == "member.created" and rows[0]["member_id"] == "1"
    both = run("audit", "access", "--start", "2000-01-01", "--end", "2030-12-31")
    assert both.exit_code == 2 and "exactly one of --member-id or --user" in both.output
    backwards = run(
        "audit", "access", "--member-id", "1", "--start", "2030-01-01", "--end", "2000-01-01"
    )
    assert backwards.exit_code == 2 and "end is before start" in backwards.output
    bad_date = run(
        "audit", "access", "--member-id", "1", "--start", "2030-02-30", "--end", "2030-03-01"
    )
    assert bad_date.exit_code == 2 and "--start" in bad_date.output


@time_machine.travel("2026-11-27T12:00:00+00:00", tick=False)
def test_retention_commands(env: Path) -> None:
    dry = run("retention", "run", "--dry-run")
    assert dry.exit_code == 0 and "dry run: nothing changed" in dry.output
    member_line = next(line for line in dry.output.splitlines() if " member " in line)
    assert "2016-11-27" in member_line  # ten years back
    hold = run("retention", "hold", "--matter", "Doe v. Plan", "--member-id", "1")
    assert hold.exit_code == 0 and "legal hold #1 placed" in hold.output
    neither = run("retention", "hold", "--matter", "x")
    assert neither.exit_code == 2 and "--member-id: name exactly one" in neither.output
    assert run("retention", "release", "1").exit_code == 0
    twice = run("retention", "release", "1")
    assert twice.exit_code == 2 and "already released" in twice.output
    real = run("retention", "run")
    assert real.exit_code == 0 and "retention applied" in real.output
