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


def test_seed_an_oregon_book_beside_the_california_one(env: Path) -> None:
    ore = runner.invoke(app, ["seed", "--profile", "oregon-medicaid", "--members", "60"])
    assert ore.exit_code == 0, ore.output
    assert "seeded 60 Oregon Health Plan members in" in ore.output
    cal = runner.invoke(app, ["seed", "--members", "40", "--seed", "2"])
    assert cal.exit_code == 0, cal.output
    with create_engine(f"sqlite:///{env}").connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT line_of_business, count(*), count(group_id) FROM members GROUP BY 1 ORDER BY 1"
        ).all()
    assert [tuple(r) for r in rows] == [("calchoice", 40, 40), ("oregon-medicaid", 60, 0)]


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--profile", "texas-medicaid"], "--profile must be one of calchoice, oregon-medicaid"),
        (["--profile", ""], "--profile must be one of"),
        (["--profile", "oregon-medicaid", "--members", "0"], "--members must be a positive"),
        (["--profile", "oregon-medicaid", "--seed", "-1"], "--seed must be zero or positive"),
        (["--profile", "oregon-medicaid", "--members", "many"], "'--members'"),
    ],
)
def test_seed_refuses_bad_input_naming_the_option(env: Path, args: list[str], named: str) -> None:
    result = runner.invoke(app, ["seed", *args])
    assert result.exit_code == 2
    assert named in result.output
    assert not env.exists()  # nothing written, not even an empty database


def test_the_command_lines_profiles_are_the_seeds() -> None:
    from memberdesk.cli import SEED_PROFILES
    from memberdesk.members.seed import PROFILES

    assert SEED_PROFILES == PROFILES


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


# --------------------------------------------------------------------------- start-up

# pydantic too: Typer 0.29 builds a pydantic adapter for every option, which doubled these
# commands' start-up (pyproject pins 0.28).
HEAVY = (
    "fastapi", "sqlalchemy", "pydantic", "scipy", "numpy", "numba", "pandas", "matplotlib",
    "statsmodels",
)  # fmt: skip
PROBE = """
import json, sys
from memberdesk.cli import main
out, args = sys.argv[1], json.loads(sys.argv[2])
sys.argv = ["memberdesk", *args]
code = 0
try:
    main()
except SystemExit as exc:
    code = exc.code or 0
with open(out, "w") as fh:
    json.dump({"code": code, "modules": sorted(sys.modules)}, fh)
"""


def imported_by(tmp_path: Path, *args: str) -> set[str]:
    """Top-level modules imported by a fresh interpreter running `memberdesk ARGS`."""
    import json
    import subprocess
    import sys

    out = tmp_path / "modules.json"
    subprocess.run(
        [sys.executable, "-c", PROBE, str(out), json.dumps(list(args))],
        check=True,
        capture_output=True,
    )
    got = json.loads(out.read_text())
    assert got["code"] == 0, args
    return {m.split(".")[0] for m in got["modules"]}


START = "2026-11-25T18:00:00-08:00"


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["--version"],
        ["wfm", "--help"],
        ["calendars", "list"],
        ["calendars", "show", "oregon-state", "--year", "2027", "--json"],
        ["sla", "policies"],
        ["sla", "due", "--calendar", "california-state", "--clock", "business_days",
         "--amount", "2", "--start", START, "--explain"],
        ["sla", "due", "--pack", "calchoice", "--target", "appeal_ack", "--start", START, "--json"],
    ],
)  # fmt: skip
def test_light_commands_import_no_heavy_library(tmp_path: Path, args: list[str]) -> None:
    assert imported_by(tmp_path, *args).isdisjoint(HEAVY)


def test_kpi_calls_reads_its_csv_with_the_standard_library(tmp_path: Path) -> None:
    calls = tmp_path / "calls.csv"
    calls.write_text(
        "call_id,queue,offered_at,answered_at,abandoned_at,talk_seconds,hold_seconds,"
        "wrap_seconds,agent_id,member_id\n"
        "c1,tier1,2026-11-30T09:00:00-08:00,2026-11-30T09:00:10-08:00,,300,0,30,a1,\n"
    )
    assert imported_by(tmp_path, "kpi", "calls", "--csv", str(calls), "--json").isdisjoint(HEAVY)


def test_staffing_imports_only_what_its_model_needs(tmp_path: Path) -> None:
    # One interval of Erlang C is plain floats; Erlang A needs SciPy's incomplete gammas.
    one = imported_by(tmp_path, "wfm", "staff", "--calls", "100", "--aht", "420", "--json")
    assert one.isdisjoint(HEAVY)
    a = imported_by(tmp_path, "wfm", "staff", "--calls", "100", "--aht", "420", "--patience", "60")
    assert a & set(HEAVY) == {"numpy", "scipy"}


def test_help_lists_every_command_with_its_help_text() -> None:
    from memberdesk.cli import LAZY_APPS

    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    words = " ".join(result.output.split())  # wrapped to the terminal: compare words
    for name in ("seed", "serve", "demo", "db", *LAZY_APPS):
        assert f" {name} " in words
    for name, lazy in LAZY_APPS.items():
        # The help text kept beside the lazy registration is the sub-app's own, shown whole.
        assert lazy.load(name).help == lazy.help
        assert lazy.help in words
    assert (
        "Create a deterministic synthetic book of business: the California small-group book, "
        "or an Oregon Health Plan (Medicaid) book beside it." in words
    )
    wfm = " ".join(runner.invoke(app, ["wfm", "--help"]).output.split())
    assert "naive on a holdout." in wfm and "unmet ones listed." in wfm  # no summary cut off


def test_lazy_sub_apps_run_and_suggest() -> None:
    listed = runner.invoke(app, ["calendars", "list"])
    assert listed.exit_code == 0 and "california-state" in listed.stdout
    sub_help = runner.invoke(app, ["users", "--help"], env={"COLUMNS": "200"})
    assert sub_help.exit_code == 0 and "set-role" in sub_help.output
    typo = runner.invoke(app, ["wfn"])
    assert typo.exit_code == 2 and "Did you mean 'wfm'?" in typo.output


def test_version() -> None:
    from memberdesk import __version__

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"memberdesk {__version__}"
