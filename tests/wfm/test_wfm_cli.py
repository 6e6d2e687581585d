"""`memberdesk wfm ...` through typer's CliRunner: the JSON and CSV contracts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
import time_machine
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
        (["--calls", "-5", "--aht", "420"], "--calls"),
        (["--calls", "10", "--aht", "420", "--target", "1.5"], "--target"),
        (["--calls", "10", "--aht", "420", "--shrinkage", "1"], "--shrinkage"),
        (["--calls", "10", "--aht", "420", "--patience", "0"], "--patience"),
        (["--calls", "10", "--aht", "420", "--max-occupancy", "0"], "--max-occupancy"),
        (["--calls", "10", "--aht", "0"], "--aht"),
        (["--calls", "10"], "--aht"),
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


@time_machine.travel(dt.datetime(2026, 1, 1, 20, 0, tzinfo=dt.UTC), tick=False)
def test_forecast_json_reports_wape_of_both(tmp_path: Path) -> None:
    # On New Year's Day the demo history ends on Dec 31 and the forecast starts on Jan 2.
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
    bad = runner.invoke(
        app, ["wfm", "simulate", "--calls", "100", "--agents", "-1", "--aht", "420"]
    )
    assert bad.exit_code != 0 and "--agents" in bad.output and "Traceback" not in bad.output


# --------------------------------------------------------------------------- issue 9


def test_staff_csv_negative_count_names_line_and_column(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text(
        "interval_start,calls,aht_seconds\n"
        "2026-01-05T08:00:00-08:00,100,420\n"
        "2026-01-05T08:30:00-08:00,-37,420\n"
    )
    res = runner.invoke(app, ["wfm", "staff", "--csv", str(src)])
    assert res.exit_code == 2
    assert "--csv: line 3, column calls: must be zero or more" in res.output
    assert "-37" not in res.output and "Traceback" not in res.output
    src.write_text("interval_start,aht_seconds,calls\n2026-01-05T08:00:00-08:00,0,5\n")
    res = runner.invoke(app, ["wfm", "staff", "--csv", str(src)])
    assert "--csv: line 2, column aht_seconds: must be more than 0 seconds" in res.output
    src.write_text("interval_start,calls,aht_seconds\n2026-01-05T08:00:00-08:00,nan,420\n")
    res = runner.invoke(app, ["wfm", "staff", "--csv", str(src)])
    assert "--csv: line 2, column calls: must be a finite number" in res.output


def test_schedule_and_simulate_csv_name_line_and_column(tmp_path: Path) -> None:
    src = tmp_path / "need.csv"
    src.write_text(
        "interval_start,calls,aht_seconds,agents\n"
        "2026-01-05T08:00:00-08:00,40,300,9\n"
        "2026-01-05T08:30:00-08:00,40,300,-4\n"
    )
    for cmd in (["schedule"], ["simulate", "--replications", "2"]):
        res = runner.invoke(app, ["wfm", *cmd, "--csv", str(src)])
        assert res.exit_code == 2, res.output
        assert "--csv: line 3, column agents:" in res.output and "-4" not in res.output


def test_aht_has_no_silent_default() -> None:
    res = runner.invoke(app, ["wfm", "staff", "--calls", "100", "--json"])
    assert res.exit_code == 2
    assert "--aht: required" in res.output and "6-9 minutes" in res.output
    sim = runner.invoke(app, ["wfm", "simulate", "--calls", "100", "--agents", "12"])
    assert sim.exit_code == 2 and "--aht: required" in sim.output


def test_one_agent_is_singular_everywhere(tmp_path: Path) -> None:
    one = runner.invoke(app, ["wfm", "staff", "--calls", "1", "--aht", "60"])
    assert one.exit_code == 0 and "-> 1 agent," in one.stdout
    src = tmp_path / "need.csv"
    rows = ["interval_start,agents"]
    rows += [f"2026-01-05T{8 + i // 2:02d}:{30 * (i % 2):02d}:00-08:00,{3}" for i in range(18)]
    src.write_text("\n".join(rows) + "\n")
    res = runner.invoke(app, ["wfm", "schedule", "--csv", str(src), "--max-agents", "2"])
    assert res.exit_code == 0, res.output
    assert "short 1 agent\n" in res.stdout
    assert "1 agents" not in res.stdout and "1 unmet intervals" not in res.stdout


@time_machine.travel(dt.datetime(2027, 5, 12, 18, 0, tzinfo=dt.UTC), tick=False)
def test_demos_are_dated_from_today() -> None:
    fc = json.loads(runner.invoke(app, ["wfm", "forecast", "--days", "1", "--json"]).stdout)
    assert fc["history"]["end"].startswith("2027-05-11")
    assert fc["forecast"][0]["interval_start"].startswith("2027-05-12")
    assert fc["assumptions"]["calls_per_member_year"]["value"] == 1.6
    plan = json.loads(runner.invoke(app, ["wfm", "plan", "--json"]).stdout)
    assert plan["surge"]["hire_by"] == {"earliest": "2027-08-06", "latest": "2027-08-20"}
    sim = json.loads(
        runner.invoke(app, ["wfm", "simulate", "--demo", "--replications", "5", "--json"]).stdout
    )
    assert sim["intervals"][0]["interval"].startswith("2027-05-12")


@time_machine.travel(dt.datetime(2027, 9, 1, 18, 0, tzinfo=dt.UTC), tick=False)
def test_plan_after_the_hiring_window_plans_next_year() -> None:
    plan = json.loads(runner.invoke(app, ["wfm", "plan", "--json"]).stdout)
    assert plan["surge"]["hire_by"]["latest"] == "2028-08-20"


def test_simulate_demo_intervals_of_proportions_stay_in_0_1() -> None:
    res = runner.invoke(app, ["wfm", "simulate", "--demo", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    for row in d["intervals"]:
        for key in ("service_level", "abandon"):
            low = row[f"{key}_low"] if key != "service_level" else row["service_level_low"]
            high = row[f"{key}_high"] if key != "service_level" else row["service_level_high"]
            assert 0.0 <= low <= high <= 1.0, row
    text = runner.invoke(app, ["wfm", "simulate", "--demo"]).stdout
    assert "100.1%" not in text and "assumed (not seed figures)" in text


def test_simulate_reports_compilation_apart_from_speed() -> None:
    args = ["wfm", "simulate", "--calls", "100", "--agents", "12", "--aht", "180", "--json"]
    d = json.loads(runner.invoke(app, args).stdout)
    assert d["compile_seconds"] >= 0 and d["seconds"] > 0
    assert d["calls_per_second"] == pytest.approx(d["calls_simulated"] / d["seconds"])
    assert "mean caller patience 120 s (not in the seeds; --patience)" in d["assumptions"]


def test_plan_labels_its_assumptions() -> None:
    d = json.loads(runner.invoke(app, ["wfm", "plan", "--json"]).stdout)
    names = {a["name"] for a in d["assumptions"]}
    assert {"contacts_per_member_year", "routine_share", "shrinkage"} <= names
    text = runner.invoke(app, ["wfm", "plan", "--shrinkage", "0.25"]).stdout
    assert "Assumptions (not in the seed guides)" in text
    assert "shrinkage: 25%" in text and "shrinkage 25% assumed" in text


def test_unreadable_csvs_are_one_line_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.csv"
    broken.write_text('interval_start,calls\n"unterminated\n')
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00")
    for args in (
        ["forecast", "--csv", str(broken)],
        ["staff", "--csv", str(binary)],
        ["schedule", "--csv", str(binary)],
    ):
        res = runner.invoke(app, ["wfm", *args])
        assert res.exit_code == 2, (args, res.output)
        assert "--csv: cannot be read as CSV" in res.output and "Traceback" not in res.output


def test_unknown_time_zone_is_named() -> None:
    res = runner.invoke(app, ["wfm", "schedule", "--tz", "Nowhere/City"])
    assert res.exit_code == 2 and "--tz: must be an IANA time zone" in res.output
    assert "Nowhere" not in res.output
