"""`memberdesk sla due|policies` and `memberdesk calendars show|list` through Typer's CliRunner."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from memberdesk.cli import app

runner = CliRunner()
CA, BD = "california-state", "business_days"


def run(*args: str):
    return runner.invoke(app, list(args))


def last_line(result) -> str:
    return result.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--calendar", "california-state", "--clock", "business_days", "--amount", "2",
          "--start", "2026-11-25T18:00:00-08:00"], "2026-12-02T17:00:00-08:00"),
        (["--calendar", "oregon-state", "--clock", "business_days", "--amount", "2",
          "--start", "2026-11-25T18:00:00-08:00"], "2026-12-01T17:00:00-08:00"),
        (["--calendar", "california-state", "--clock", "calendar_days", "--amount", "30",
          "--start", "2026-11-25T18:00:00-08:00"], "2026-12-25T23:59:59-08:00"),
        (["--calendar", "california-state", "--clock", "clock_hours", "--amount", "24",
          "--start", "2026-03-07T20:00:00Z"], "2026-03-08T13:00:00-07:00"),
        (["--calendar", "24x7", "--clock", "business_hours", "--amount", "24",
          "--start", "2026-11-01T00:00:00-07:00"], "2026-11-01T23:00:00-08:00"),
        (["--pack", "calchoice", "--target", "appeal_ack", "--start", "2026-11-25T18:00:00-08:00"],
         "2026-12-02T17:00:00-08:00"),
        (["--pack", "oregon-medicaid", "--target", "appeal_resolution",
          "--start", "2026-11-02T09:00:00-08:00"], "2026-11-18T23:59:59-08:00"),
        (["--pack", "calchoice", "--target", "voicemail_return",
          "--start", "2026-11-25T18:00:00-08:00"], "2026-11-30T17:00:00-08:00"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("explain", [False, True])
def test_due_last_line(args: list[str], expected: str, explain: bool) -> None:
    result = run("sla", "due", *args, *(["--explain"] if explain else []))
    assert result.exit_code == 0, result.output
    assert last_line(result) == expected
    lines = result.stdout.strip().splitlines()
    assert (len(lines) > 3) is explain


def test_due_explain_trail() -> None:
    result = run("sla", "due", "--calendar", "california-state", "--clock", "business_days",
                 "--amount", "2", "--start", "2026-11-25T18:00:00-08:00", "--explain")  # fmt: skip
    out = result.stdout
    assert "received after close (17:00) → counted from Mon 2026-11-30" in out
    assert "skipped Thu 2026-11-26 Thanksgiving" in out
    assert "skipped Fri 2026-11-27 Day after Thanksgiving" in out


def test_due_json() -> None:
    result = run("sla", "due", "--pack", "calchoice", "--target", "appeal_ack",
                 "--start", "2026-11-25T18:00:00-08:00", "--json", "--explain")  # fmt: skip
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert payload["due"] == "2026-12-02T17:00:00-08:00"
    assert payload["pack"] == "calchoice" and payload["target"] == "appeal_ack"
    assert payload["clock"] == "business_days" and payload["amount"] == 2
    assert payload["warning_at"] == "2026-12-02T10:15:00-08:00"
    assert payload["policy_version"].startswith("calchoice@2026.1#")
    assert any("Thanksgiving" in line for line in payload["trail"])
    plain = run("sla", "due", "--calendar", "24x7", "--clock", "clock_hours", "--amount", "1",
                "--start", "2026-06-01T00:00:00Z", "--json")  # fmt: skip
    assert json.loads(plain.stdout)["due"] == "2026-05-31T18:00:00-07:00"


@pytest.mark.parametrize(
    ("args", "option", "reason"),
    [
        (["--calendar", "narnia", "--clock", BD, "--amount", "1"], "--calendar", "known calendars"),
        (["--calendar", CA, "--clock", "weeks", "--amount", "1"], "--clock", "unknown clock kind"),
        (["--calendar", CA, "--clock", BD, "--amount", "-1"], "--amount", "zero or more"),
        (["--clock", "business_days", "--amount", "1"], "--calendar", "required"),
        (["--calendar", "california-state", "--amount", "1"], "--clock", "required"),
        (["--pack", "texas", "--target", "x"], "--pack", "unknown policy pack"),
        (["--pack", "calchoice", "--target", "nope"], "--target", "unknown target"),
        (["--pack", "calchoice", "--target", "phone_answer"], "--target", "KPI"),
        (["--pack", "calchoice"], "--target", "go together"),
        (["--pack", "calchoice", "--target", "appeal_ack", "--amount", "3"], "--amount", "either"),
    ],
)  # fmt: skip
def test_due_bad_options(args: list[str], option: str, reason: str) -> None:
    result = run("sla", "due", *args, "--start", "2026-11-25T18:00:00-08:00")
    assert result.exit_code == 2
    assert f"error: {option}:" in result.stderr and reason in result.stderr
    assert "Traceback" not in result.output and result.stdout == ""


@pytest.mark.parametrize(
    ("start", "reason"),
    [
        ("2026-11-25T18:00:00", "no UTC offset"),
        ("2026-11-25", "no UTC offset"),
        ("2026-02-30T10:00:00-08:00", "day is out of range"),
        ("2026-11-25T25:00:00-08:00", "not a valid ISO 8601"),
        ("tomorrow", "not a valid ISO 8601"),
        ("2500-01-01T00:00:00Z", "must be within 1900–2399"),
    ],
)
def test_due_bad_start(start: str, reason: str) -> None:
    result = run("sla", "due", "--calendar", "california-state", "--clock", "business_days",
                 "--amount", "1", "--start", start)  # fmt: skip
    assert result.exit_code == 2
    assert "error: --start:" in result.stderr and reason in result.stderr
    assert "Traceback" not in result.output


def test_policies() -> None:
    result = run("sla", "policies")
    assert result.exit_code == 0
    out = result.stdout
    for needle in ("calchoice 2026.1", "oregon-medicaid 2026.1", "erisa-group", "compliance",
                   "appeal_ack", "business_days 2", "H&S Code § 1368.01(a)", "1×14 days",
                   "breach_notice_california", "(verify)"):  # fmt: skip
        assert needle in out, needle
    data = json.loads(run("sla", "policies", "--pack", "oregon-medicaid", "--json").stdout)
    assert data["oregon-medicaid"]["targets"]["appeal_resolution"]["extension"]["amount"] == 14
    assert run("sla", "policies", "--pack", "texas").exit_code == 2


def test_calendars_show_and_list() -> None:
    result = run("calendars", "show", "california-state", "--year", "2027")
    assert result.exit_code == 0
    out = result.stdout
    assert "Mon 2027-07-05  Independence Day (observed)" in out
    assert "Sat 2027-12-25  Christmas Day" in out and "not moved to Friday" in out
    assert "11 closures; 10 working days closed" in out
    oregon = json.loads(run("calendars", "show", "oregon-state", "--year", "2027", "--json").stdout)
    assert [c["date"] for c in oregon["closures"]][-2:] == ["2027-12-24", "2027-12-31"]
    listing = run("calendars", "list").stdout
    assert "california-state" in listing and "24x7" in listing
    bad = run("calendars", "show", "narnia")
    assert bad.exit_code == 2 and "unknown calendar; known calendars: 24x7" in bad.stderr
    assert "narnia" not in bad.stderr


def test_calendars_show_plan_file(tmp_path) -> None:
    path = tmp_path / "plan.toml"
    path.write_text(
        'name = "plan"\nbase = "oregon-state"\n'
        '[[closures]]\ndate = 2026-12-24\nname = "Christmas Eve"\nclosed = ["12:00-17:00"]\n'
    )
    result = run("calendars", "show", "--file", str(path), "--year", "2026")
    assert result.exit_code == 0
    assert "Thu 2026-12-24  Christmas Eve (closed 12:00–17:00)" in result.stdout
    assert "based on   oregon-state" in result.stdout


@pytest.mark.parametrize(
    ("clock", "amount"),
    [("business_days", "100000"), ("calendar_days", "1000000"), ("clock_hours", "100000000"),
     ("business_hours", "10000000")],
)  # fmt: skip
def test_due_too_large_an_amount_blames_amount(clock: str, amount: str) -> None:
    result = run("sla", "due", "--calendar", CA, "--clock", clock, "--amount", amount,
                 "--start", "2026-11-25T18:00:00-08:00")  # fmt: skip
    assert result.exit_code == 2
    assert "error: --amount: is too large: the deadline would fall after 2399" in result.stderr
    assert "Traceback" not in result.output and amount not in result.stderr


@pytest.mark.parametrize(
    "start", ["2026-11-25T18:00:00", "x' OR 1=1", "2026-13-45T00:00:00Z", "2026-02-30T10:00Z"]
)
def test_due_errors_never_repeat_the_start_sent(start: str) -> None:
    result = run("sla", "due", "--calendar", CA, "--clock", BD, "--amount", "1", "--start", start)
    assert result.exit_code == 2 and "error: --start:" in result.stderr
    assert start not in result.stderr


def test_policies_show_the_seed_kpis() -> None:
    out = run("sla", "policies", "--pack", "calchoice").stdout
    assert "abandon rate ≤ 5–8%: warn above 5%, breach above 8%" in out
    assert "CSAT ≥ 85%" in out and "NPS +25 to +50" in out and "QA scoring averages ≥ 90%" in out
    data = json.loads(run("sla", "policies", "--json").stdout)
    kpi = data["oregon-medicaid"]["targets"]["one_call_resolution"]["kpi"]
    assert kpi == {"measure": "first_contact_resolution", "achieved": 0.83}
