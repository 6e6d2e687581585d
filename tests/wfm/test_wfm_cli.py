"""`memberdesk wfm ...` through typer's CliRunner: the JSON and CSV contracts."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from memberdesk.cli import app

runner = CliRunner()
STAFF = ["wfm", "staff", "--calls", "100", "--aht", "180", "--interval", "1800",
         "--target", "0.8", "--within", "20"]  # fmt: skip


def test_staff_json_known_value() -> None:
    res = runner.invoke(app, [*STAFF, "--shrinkage", "0.3", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert set(d) == {"model", "intensity", "agents", "scheduled", "service_level",
                      "asa_seconds", "occupancy", "p_wait"}  # fmt: skip
    assert d["model"] == "erlang_c"
    assert (d["intensity"], d["agents"], d["scheduled"]) == (10.0, 14, 20)


def test_staff_json_erlang_a() -> None:
    res = runner.invoke(app, [*STAFF, "--patience", "120", "--max-occupancy", "0.9", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["model"] == "erlang_a"
    assert {"p_abandon", "p_wait", "asa_seconds", "occupancy"} <= set(d)
    assert d["service_level"] >= 0.8 and d["occupancy"] <= 0.9


def test_staff_csv(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text(
        "interval_start,calls,aht_seconds\n"
        "2026-01-05T08:00:00-08:00,100,180\n"
        "2026-01-05T08:30:00-08:00,0,180\n"
        "2026-01-05T09:00:00-08:00,250,300\n"
    )
    res = runner.invoke(
        app,
        [
            "wfm",
            "staff",
            "--csv",
            str(src),
            "--interval",
            "1800",
            "--target",
            "0.8",
            "--within",
            "20",
            "--shrinkage",
            "0.3",
        ],
    )
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert list(rows[0]) == ["interval_start", "calls", "agents", "scheduled", "service_level"]
    assert (rows[0]["agents"], rows[0]["scheduled"]) == ("14", "20")
    assert rows[1]["agents"] == "0"
    assert rows[2]["interval_start"] == "2026-01-05T09:00:00-08:00"
    assert float(rows[2]["service_level"]) >= 0.8


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--calls", "-5"], "--calls"),
        (["--calls", "10", "--target", "1.5"], "--target"),
        (["--calls", "10", "--shrinkage", "1"], "--shrinkage"),
        (["--calls", "10", "--patience", "0"], "--patience"),
        (["--calls", "10", "--max-occupancy", "0"], "--max-occupancy"),
        (["--calls", "10", "--aht", "0"], "--aht"),
        ([], "--calls"),
    ],
)
def test_staff_bad_input_names_the_option(args: list[str], option: str) -> None:
    res = runner.invoke(app, ["wfm", "staff", *args, "--json"])
    assert res.exit_code != 0
    assert option in res.output
    assert "Traceback" not in res.output


def test_staff_csv_errors(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["wfm", "staff", "--csv", str(tmp_path / "nope.csv")])
    assert missing.exit_code != 0 and "--csv" in missing.output
    bad = tmp_path / "bad.csv"
    bad.write_text("interval_start,calls,aht_seconds\n2026-01-05T08:00:00-08:00,ten,180\n")
    res = runner.invoke(app, ["wfm", "staff", "--csv", str(bad)])
    assert res.exit_code != 0 and "line 2" in res.output


def test_plan_json() -> None:
    res = runner.invoke(app, ["wfm", "plan", "--members", "15000", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["staffing"]["tier1_reps"] == {"low": 4, "high": 6}
    assert d["budget"]["staffing_loaded"]["low"] >= 300_000
    text = runner.invoke(app, ["wfm", "plan", "--members", "15000"])
    assert text.exit_code == 0 and "outsourced at PMPM" in text.stdout
    bad = runner.invoke(app, ["wfm", "plan", "--members", "0"])
    assert bad.exit_code != 0 and "--members" in bad.output


def test_forecast_json_reports_wape_of_both(tmp_path: Path) -> None:
    hol = tmp_path / "holidays.txt"
    hol.write_text("2025-11-27\n2025-11-28\n2025-12-25\n2026-01-01\n")
    res = runner.invoke(
        app,
        [
            "wfm",
            "forecast",
            "--holidays",
            str(hol),
            "--days",
            "2",
            "--json",
            "--svg",
            str(tmp_path / "f.svg"),
        ],
    )
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    ev = d["evaluation"]
    assert ev["wape_model"] < ev["wape_seasonal_naive"]
    assert len(d["forecast"]) == 2 * 18
    assert d["forecast"][0]["interval_start"].startswith("2026-01-02T08:00:00")
    assert "<svg" in (tmp_path / "f.svg").read_text()


def test_schedule_and_simulate_from_csv(tmp_path: Path) -> None:
    src = tmp_path / "need.csv"
    rows = ["interval_start,calls,aht_seconds,agents"]
    for i in range(18):
        h, m = 8 + i // 2, 30 * (i % 2)
        rows.append(f"2026-01-05T{h:02d}:{m:02d}:00-08:00,{40 + 3 * i},300,{9 + i // 3}")
    src.write_text("\n".join(rows) + "\n")
    res = runner.invoke(app, ["wfm", "schedule", "--csv", str(src), "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["status"] == "optimal" and d["unmet_intervals"] == [] and d["shifts"]
    sim = runner.invoke(
        app, ["wfm", "simulate", "--csv", str(src), "--replications", "5", "--json"]
    )
    assert sim.exit_code == 0, sim.output
    s = json.loads(sim.stdout)
    assert len(s["intervals"]) == 18
    assert 0 <= s["total"]["service_level"]["mean"] <= 1


def test_simulate_constant_against_formula() -> None:
    res = runner.invoke(
        app,
        [
            "wfm",
            "simulate",
            "--calls",
            "100",
            "--agents",
            "12",
            "--aht",
            "180",
            "--patience",
            "120",
            "--intervals",
            "4",
            "--replications",
            "10",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["steady_state_formula"]["model"] == "erlang_a"
    bad = runner.invoke(app, ["wfm", "simulate", "--calls", "100", "--agents", "-1"])
    assert bad.exit_code != 0 and "--agents" in bad.output and "Traceback" not in bad.output
