"""`memberdesk kpi calls`: figures that agree with an independent count, and bad files refused
whole, each problem named by line and column (never by its value)."""

from __future__ import annotations

import csv
import json
import random
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from memberdesk.cli import app
from memberdesk.kpi.calls import CALL_COLUMNS

runner = CliRunner()
T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
PACIFIC = timezone(timedelta(hours=-8))


def write_calls(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=CALL_COLUMNS)
        w.writeheader()
        w.writerows(rows)
    return path


def generated(n: int, seed: int) -> list[dict[str, str]]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        offered = T0 + timedelta(seconds=rng.randint(0, 8 * 3600))
        wait = rng.choice([rng.uniform(0, 10), rng.uniform(0, 120), 20.0, 30.0, 5.0])
        fate = rng.choices(["answered", "abandoned", "neither"], [80, 15, 5])[0]
        row = dict.fromkeys(CALL_COLUMNS, "")
        row.update(call_id=f"call-{i}", queue=rng.choice(["tier1", "billing"]))
        # The same instant written three ways: Pacific time, Z, and +00:00.
        written = rng.choice([offered.astimezone(PACIFIC).isoformat(), offered.isoformat()])
        row["offered_at"] = written.replace("+00:00", rng.choice(["Z", "+00:00"]))
        if fate != "neither":
            row[f"{fate}_at"] = (offered + timedelta(seconds=wait)).isoformat()
        if fate == "answered":
            row.update(
                talk_seconds=str(rng.randint(60, 900)),
                hold_seconds=rng.choice(["", "0", "45.5"]),
                wrap_seconds=str(rng.randint(0, 120)),
                agent_id=f"a{rng.randint(1, 30)}",
            )
        rows.append(row)
    return rows


def independent(rows: list[dict[str, str]], threshold: float, short: float) -> dict[str, float]:
    """The DESIGN formulas, computed straight from the text of the file."""

    def at(text: str) -> datetime:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))

    def wait(r: dict[str, str], col: str) -> float:
        return (at(r[col]) - at(r["offered_at"])).total_seconds()

    answered = [r for r in rows if r["answered_at"]]
    abandoned = [r for r in rows if r["abandoned_at"]]
    shorts = [r for r in abandoned if wait(r, "abandoned_at") < short]
    base = len(rows) - len(shorts)
    handle = [
        sum(float(r[c] or 0) for c in ("talk_seconds", "hold_seconds", "wrap_seconds"))
        for r in answered
    ]
    return {
        "offered": len(rows),
        "answered": len(answered),
        "abandoned": len(abandoned),
        "short_abandoned": len(shorts),
        "service_level": sum(wait(r, "answered_at") <= threshold for r in answered) / base,
        "abandon_rate": (len(abandoned) - len(shorts)) / base,
        "asa_seconds": sum(wait(r, "answered_at") for r in answered) / len(answered),
        "aht_seconds": sum(handle) / len(handle),
    }


@pytest.mark.parametrize(
    ("seed", "extra", "threshold"), [(1, [], 20), (2, ["--threshold", "45"], 45)]
)
def test_figures_agree_with_an_independent_count(
    tmp_path: Path, seed: int, extra: list[str], threshold: float
) -> None:
    rows = generated(3000, seed)
    path = write_calls(tmp_path / "calls.csv", rows)
    result = runner.invoke(app, ["kpi", "calls", "--csv", str(path), "--json", *extra])
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    want = independent(rows, threshold, 5.0)
    for key, value in want.items():
        assert got[key] == pytest.approx(value), key
    assert 0 < got["short_abandoned"] < got["abandoned"]  # the file exercises both kinds
    assert got["answered"] + got["abandoned"] < got["offered"]  # and calls with neither


def test_the_pack_sets_the_threshold_and_judges_the_figures(tmp_path: Path) -> None:
    rows = generated(500, 3)
    path = write_calls(tmp_path / "calls.csv", rows)
    cal = json.loads(runner.invoke(app, ["kpi", "calls", "--csv", str(path), "--json"]).stdout)
    ore = json.loads(
        runner.invoke(
            app, ["kpi", "calls", "--csv", str(path), "--json", "--pack", "oregon-medicaid"]
        ).stdout
    )
    assert (cal["threshold_seconds"], ore["threshold_seconds"]) == (20, 30)
    assert ore["service_level"] == pytest.approx(independent(rows, 30, 5.0)["service_level"])
    assert cal["status"]["service_level"] == ("ok" if cal["service_level"] >= 0.8 else "breach")
    # Oregon's abandonment target is "under 3%": the bound itself is a breach.
    assert ore["status"]["abandon_rate"] == ("ok" if ore["abandon_rate"] < 0.03 else "breach")
    words = runner.invoke(app, ["kpi", "calls", "--csv", str(path)]).stdout
    assert f"{cal['offered']:,} calls offered" in words and "answered within 20 s" in words


def test_a_bad_file_is_refused_whole_naming_line_and_column(tmp_path: Path) -> None:
    good = generated(3, 4)
    bad = [dict(r) for r in good]
    bad[0]["offered_at"] = "2026-11-02T08:00:00"  # no offset
    bad[1]["member_id"] = "M445566778"
    bad[1]["answered_at"] = (T0 - timedelta(hours=2)).isoformat()  # before it was offered
    bad[1]["abandoned_at"] = ""
    bad[2]["call_id"] = bad[0]["call_id"]  # a duplicate
    bad[2]["talk_seconds"] = "-5"
    path = write_calls(tmp_path / "bad.csv", bad)
    result = runner.invoke(app, ["kpi", "calls", "--csv", str(path), "--json"])
    assert result.exit_code == 2 and result.stdout == ""  # no figures at all
    said = result.stderr
    assert "line 2, offered_at: must have a UTC offset" in said
    assert "line 3, answered_at: must not be before offered_at" in said
    assert "line 4, call_id: appears on an earlier line" in said
    assert "line 4, talk_seconds: must be from 0 to 604800 seconds" in said
    assert "problem(s); nothing was counted" in said
    assert "M445566778" not in said and "2026-11-02T08:00:00" not in said


def test_file_level_problems(tmp_path: Path) -> None:
    header = tmp_path / "short-header.csv"
    header.write_text("call_id,queue,offered_at\nc1,q,2026-11-02T08:00:00Z\n")
    missing = runner.invoke(app, ["kpi", "calls", "--csv", str(header)])
    assert missing.exit_code == 2 and "the header lacks column(s) answered_at" in missing.stderr
    gone = runner.invoke(app, ["kpi", "calls", "--csv", str(tmp_path / "nope.csv")])
    assert gone.exit_code == 2 and "--csv: no such file" in gone.stderr
    empty = write_calls(tmp_path / "empty.csv", [])
    none = json.loads(runner.invoke(app, ["kpi", "calls", "--csv", str(empty), "--json"]).stdout)
    assert none["offered"] == 0 and none["service_level"] is None and none["status"] == {}
    pack = runner.invoke(app, ["kpi", "calls", "--csv", str(empty), "--pack", "texas"])
    assert pack.exit_code == 2 and "--pack: unknown policy pack" in pack.stderr
