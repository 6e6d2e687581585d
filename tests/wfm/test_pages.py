"""The WFM workspace through the app on each database: every page with good input shows what
the pure core answers for the same input, bad input is refused beside its field (422, nothing
stored), a forecast without stored calls says so, and the pages are the WFM analyst's only."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pandas as pd
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance.audit import SYSTEM
from memberdesk.compliance.enums import Role
from memberdesk.kpi.demo import seed_demo_calls
from memberdesk.kpi.models import CallRow
from memberdesk.members.models import Member
from memberdesk.sla.packs import zone_of
from memberdesk.wfm import erlang
from memberdesk.wfm import forecast as fc
from memberdesk.wfm import simulate as sim
from memberdesk.wfm.plan import PlanInputs, build_plan
from memberdesk.wfm.schedule import build_schedule
from memberdesk.wfm.service import closed_days, history_years, stored_history

PAGES = (
    "/wfm",
    "/wfm/staff",
    "/wfm/forecast",
    "/wfm/schedule",
    "/wfm/simulate",
    "/wfm/plan",
    "/wfm/staff/intervals",
    "/wfm/schedule/file",
)
MEMBERS = 1200  # about 15 calls a working day: enough for a forecast to learn from


def yesterday() -> date:
    return now().astimezone(zone_of("calchoice")).date() - timedelta(days=1)


@pytest.fixture
def analyst(login):  # type: ignore[no-untyped-def]
    return login(Role.WFM_ANALYST).client


@pytest.fixture
def calls(db: Session) -> pd.Series:
    """Thirteen months of demo calls to yesterday, stored as the call import stores them."""
    assert seed_demo_calls(db, SYSTEM, members=MEMBERS, last_day=yesterday()) > 0
    db.flush()
    history = stored_history(db, "calchoice")
    assert history is not None
    return history


def text_of(page: str, ident: str) -> str:
    """The text inside the element with id ``ident``, tags stripped."""
    found = re.search(rf'id="{ident}"[^>]*>(.*?)</', page, re.S)
    assert found, ident
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip()


def error_of(page: str, field: str) -> str:
    return text_of(page, f"{field}-error")


# ----------------------------------------------------------------------------- calculator


@pytest.mark.parametrize(
    ("typed", "core"),
    [
        (
            {"calls": "100", "aht": "420", "interval": "30", "target": "80", "within": "20"},
            {"calls": 100, "aht": 420, "interval": 1800, "target": 0.8, "within": 20},
        ),
        (
            {
                "calls": "640",
                "aht": "380",
                "interval": "15",
                "target": "90",
                "within": "30",
                "model": "erlang_a",
                "patience": "90",
                "shrinkage": "30",
                "max_occupancy": "85",
            },
            {
                "calls": 640,
                "aht": 380,
                "interval": 900,
                "target": 0.9,
                "within": 30,
                "patience": 90,
                "shrinkage": 0.3,
                "max_occupancy": 0.85,
            },
        ),
    ],
)
def test_the_calculator_agrees_with_erlang(analyst, typed, core) -> None:  # type: ignore[no-untyped-def]
    page = analyst.get("/wfm/staff", params=typed)
    assert page.status_code == 200
    core = dict(core)  # the parameters are shared by both databases' runs
    want = erlang.staff(core.pop("calls"), core.pop("aht"), **core)
    assert text_of(page.text, "agents-needed") == f"{int(want.agents)} agents"
    assert f"{want.service_level:.1%} answered within" in page.text
    if want.scheduled != want.agents:
        assert f"{want.scheduled} to schedule" in page.text
    if want.p_abandon is not None:
        assert f"{want.p_abandon:.1%}" in page.text
    # the table of staff either side names the answer
    assert "(the answer)" in page.text


def test_the_calculator_for_chats_and_fractional_staff(analyst) -> None:  # type: ignore[no-untyped-def]
    chats = analyst.get(
        "/wfm/staff",
        params={
            "calls": "300",
            "aht": "600",
            "interval": "30",
            "target": "80",
            "within": "60",
            "concurrency": "3",
        },
    )
    want = erlang.chat_staff(300, 600, concurrency=3, interval=1800, target=0.8, within=60)
    assert text_of(chats.text, "agents-needed") == f"{want.agents} agents"
    part = analyst.get(
        "/wfm/staff",
        params={
            "calls": "100",
            "aht": "420",
            "interval": "30",
            "target": "80",
            "within": "20",
            "fractional": "1",
        },
    )
    frac = erlang.staff(100, 420, interval=1800, target=0.8, within=20, fractional=True)
    assert text_of(part.text, "agents-needed") == f"{frac.agents:.2f} agents"


def test_the_first_visit_shows_an_example_answer(analyst) -> None:  # type: ignore[no-untyped-def]
    page = analyst.get("/wfm/staff")
    want = erlang.staff(100, 420, interval=1800, target=0.8, within=20)
    assert page.status_code == 200
    assert text_of(page.text, "agents-needed") == f"{int(want.agents)} agents"
    assert 'hx-get="/wfm/staff"' in page.text and "delay:400ms" in page.text


GOOD = {"calls": "100", "aht": "420", "interval": "30", "target": "80", "within": "20"}


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"calls": "-5"}, "calls", "from 0 to 10,000,000 calls"),
        ({"calls": "many"}, "calls", "Enter a number"),
        ({"aht": "0"}, "aht", "from 1 to 86,400 seconds"),
        ({"aht": ""}, "aht", "Enter a value"),
        ({"target": "100"}, "target", "more than 0 and less than 100"),
        ({"interval": "0"}, "interval", "from 1 to 1,440 minutes"),
        ({"shrinkage": "100"}, "shrinkage", "up to (not including) 100"),
        ({"concurrency": "1.5"}, "concurrency", "whole number"),
        ({"model": "erlang_a", "patience": ""}, "patience", "Enter a value"),
        ({"model": "erlang_x"}, "model", "Choose Erlang C or Erlang A"),
        # in range field by field, but past the core's bound on the load (calls x AHT / interval)
        ({"calls": "10000000", "aht": "86400"}, "calls", "at most 100,000 Erlangs"),
    ],
)
def test_the_calculator_names_the_field_it_refuses(analyst, change, field, words) -> None:  # type: ignore[no-untyped-def]
    page = analyst.get("/wfm/staff", params=GOOD | change)
    assert page.status_code == 422
    assert words in error_of(page.text, field)
    assert 'aria-invalid="true"' in page.text
    assert 'id="agents-needed"' not in page.text
    # htmx swaps only what comes back 2xx, so it is told the same with 200
    swapped = analyst.get("/wfm/staff", params=GOOD | change, headers={"HX-Request": "true"})
    assert swapped.status_code == 200 and words in error_of(swapped.text, field)


def test_the_api_refuses_the_same_inputs(analyst) -> None:  # type: ignore[no-untyped-def]
    for body, field in (
        ({"calls": -5, "aht_seconds": 420}, "calls"),
        ({"calls": 100, "aht_seconds": 0}, "aht_seconds"),
        ({"calls": 100, "aht_seconds": 420, "target": 1.0}, "target"),
        ({"calls": 10_000_000, "aht_seconds": 86_400}, "calls"),
    ):
        r = analyst.post("/api/wfm/staff", json=body)
        assert r.status_code == 422, body
        assert field in r.text


# ----------------------------------------------------------------------------- many intervals

INTERVALS_CSV = (
    "interval_start,calls,aht_seconds\n"
    "2026-12-07T08:00:00-08:00,42,410\n"
    "2026-12-07T08:30:00-08:00,96.5,395\n"
    "2026-12-07T09:00:00-08:00,0,400\n"
    "2026-12-07T09:30:00-08:00,180,420\n"
)
RULES = {
    "interval": "30",
    "target": "80",
    "within": "20",
    "patience": "",
    "max_occupancy": "100",
    "shrinkage": "25",
}


def test_many_intervals_from_a_file_agree_with_the_command(analyst, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from memberdesk.cli import app as cli

    files = {"file": ("forecast.csv", INTERVALS_CSV.encode(), "text/csv")}
    page = analyst.post("/wfm/staff/intervals", data=RULES, files=files)
    assert page.status_code == 200, page.text
    got = erlang.staff_intervals(
        [42, 96.5, 0, 180],
        [410, 395, 400, 420],
        interval=1800,
        target=0.8,
        within=20,
        shrinkage=0.25,
    )
    assert text_of(page.text, "peak") == str(int(got.scheduled.max()))
    assert "4 intervals staffed (Erlang C)" in page.text
    for k, sched in enumerate(got.scheduled):
        assert f'data-label="To schedule">{int(sched)}<' in page.text, k
    download = analyst.post("/wfm/staff/intervals", data=RULES | {"download": "1"}, files=files)
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    path = tmp_path / "forecast.csv"
    path.write_text(INTERVALS_CSV)
    command = CliRunner().invoke(
        cli,
        [
            "wfm",
            "staff",
            "--csv",
            str(path),
            "--target",
            "0.8",
            "--within",
            "20",
            "--shrinkage",
            "0.25",
        ],
    )
    assert command.exit_code == 0, command.output
    assert download.text == command.output
    pasted = analyst.post("/wfm/staff/intervals", data=RULES | {"rows": INTERVALS_CSV})
    assert pasted.status_code == 200 and text_of(pasted.text, "peak") == str(
        int(got.scheduled.max())
    )


@pytest.mark.parametrize(
    ("rows", "change", "field", "words"),
    [
        (
            INTERVALS_CSV.replace(",96.5,", ",-2,"),
            {},
            "csv",
            "Line 3, column calls: must be zero or more",
        ),
        ("calls,aht\n1,2\n", {}, "csv", "The first line must be the header"),
        ("", {}, "csv", "Choose a CSV file, or paste its lines"),
        (INTERVALS_CSV, {"target": "100"}, "target", "less than 100"),
        (INTERVALS_CSV, {"patience": "0"}, "patience", "from 1 to"),
    ],
)
def test_many_intervals_name_what_they_refuse(analyst, rows, change, field, words) -> None:  # type: ignore[no-untyped-def]
    page = analyst.post("/wfm/staff/intervals", data=RULES | change | {"rows": rows})
    assert page.status_code == 422
    assert words in error_of(page.text, field)
    assert "intervals staffed" not in page.text


# ----------------------------------------------------------------------------- forecast


def test_a_forecast_without_history_says_so(analyst, db: Session) -> None:  # type: ignore[no-untyped-def]
    assert not db.scalar(select(func.count()).select_from(CallRow))
    page = analyst.get("/wfm/forecast", params={"pack": "calchoice"})
    assert page.status_code == 422
    assert "No calls are stored for California small-employer plans" in error_of(page.text, "pack")
    built = analyst.get(
        "/wfm/schedule",
        params={
            "pack": "calchoice",
            "days": "1",
            "build": "1",
            "aht": "420",
            "target": "80",
            "within": "20",
            "shrinkage": "15",
            "templates": "8, 10",
        },
    )
    assert built.status_code == 422 and "No calls are stored" in error_of(built.text, "pack")


@pytest.mark.parametrize("by", ["interval", "day", "month"])
def test_forecast_vs_actual_shows_the_models_accuracy(analyst, calls, by) -> None:  # type: ignore[no-untyped-def]
    page = analyst.get("/wfm/forecast", params={"pack": "calchoice", "by": by, "weeks": "8"})
    assert page.status_code == 200, page.text
    closed = closed_days("calchoice", history_years(calls))
    ev = fc.evaluate(calls, closed, 8)
    if by == "interval":
        level = ev.wape_model
    else:
        key = "%Y-%m" if by == "month" else "%Y-%m-%d"
        groups = [t.strftime(key) for t in ev.actual.index]
        level = fc.wape(ev.actual.groupby(groups).sum(), ev.model.groupby(groups).sum())
        assert f"by {ev.wape_model:.1%} counted half hour by half hour" in page.text
    assert text_of(page.text, "accuracy-figure").startswith(f"{1 - level:.0%} accurate")
    assert f"off by {level:.1%} of the calls" in page.text
    assert f"would have been off by {ev.wape_seasonal_naive:.1%}" in page.text
    assert page.text.count('src="data:image/svg+xml;base64,') == 1
    assert "<table" in page.text
    if by == "month":
        months = sorted({t.strftime("%Y-%m") for t in ev.actual.index})
        for m in months:
            assert f'data-label="Month">{m}<' in page.text
        total = ev.actual[[t.strftime("%Y-%m") == months[-1] for t in ev.actual.index]].sum()
        assert f'data-label="Actual calls">{total:,.0f}<' in page.text
    ahead = fc.fit(calls, closed).predict(fc.future_index(calls, 5, closed))
    first = ahead[[t.date() == ahead.index[0].date() for t in ahead.index]].sum()
    assert f"{first:,.1f}" in page.text
    assert "/wfm/schedule?pack=calchoice&amp;days=5" in page.text
    if by == "day":
        got = analyst.get(
            "/wfm/forecast",
            params={"pack": "calchoice", "weeks": "8", "days": "5", "download": "1"},
        )
        assert got.headers["content-type"].startswith("text/csv")
        lines = got.text.splitlines()
        assert lines[0] == "interval_start,calls" and len(lines) == len(ahead) + 1
        assert lines[1] == f"{ahead.index[0].isoformat()},{round(float(ahead.iloc[0]), 3)}"


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"weeks": "0"}, "weeks", "from 1 to 26 weeks"),
        ({"weeks": "52"}, "weeks", "from 1 to 26 weeks"),
        ({"days": "x"}, "days", "Enter a whole number"),
        ({"by": "year"}, "by", "Choose half hour, day or month"),
        ({"pack": "texas"}, "pack", "Choose a line of business"),
    ],
)
def test_the_forecast_names_the_field_it_refuses(analyst, change, field, words) -> None:  # type: ignore[no-untyped-def]
    page = analyst.get("/wfm/forecast", params={"pack": "calchoice", "weeks": "8"} | change)
    assert page.status_code == 422
    assert words in error_of(page.text, field)


# ----------------------------------------------------------------------------- schedule

BUILD = {
    "pack": "calchoice",
    "days": "1",
    "aht": "420",
    "target": "80",
    "within": "20",
    "patience": "",
    "shrinkage": "15",
    "templates": "8, 10",
    "max_agents": "",
    "build": "1",
}


def core_schedule(calls: pd.Series, max_agents: int | None = None):  # type: ignore[no-untyped-def]
    closed = closed_days("calchoice", history_years(calls))
    ahead = fc.fit(calls, closed).predict(fc.future_index(calls, 1, closed))
    need = erlang.staff_intervals(
        ahead.to_numpy(), 420, interval=1800, target=0.8, within=20, shrinkage=0.15
    )
    return build_schedule(
        pd.Series(need.scheduled.astype(float), index=ahead.index), max_agents_per_day=max_agents
    )


def test_the_schedule_builder_agrees_with_the_solver(analyst, calls) -> None:  # type: ignore[no-untyped-def]
    page = analyst.get("/wfm/schedule", params=BUILD)
    assert page.status_code == 200, page.text
    want = core_schedule(calls)
    agents = sum(s.agents for s in want.shifts)
    assert (
        f"{agents} {'shift' if agents == 1 else 'shifts'}, {want.paid_hours:,.0f} paid hours"
        in page.text
    )
    assert page.text.count('src="data:image/svg+xml;base64,') == 1
    for s in want.shifts:
        assert f"{s.start:%H:%M}–{s.end:%H:%M}" in page.text
        for b in s.breaks:
            assert f"{b:%H:%M}" in page.text
    assert ("Every half hour is covered." in page.text) == want.unmet.empty


def test_a_headcount_cap_leaves_intervals_uncovered_and_lists_them(analyst, calls) -> None:  # type: ignore[no-untyped-def]
    page = analyst.get("/wfm/schedule", params=BUILD | {"max_agents": "1"})
    assert page.status_code == 200
    want = core_schedule(calls, max_agents=1)
    assert not want.unmet.empty
    assert "Half hours not fully covered" in page.text
    for t, short in want.unmet.items():
        words = f"{short:g} agent{'' if short == 1 else 's'}"
        assert f"{t:%a %d %b %H:%M}: short by {words}<" in page.text


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"templates": "13"}, "templates", "each from 2 to 12 hours"),
        ({"templates": "eight"}, "templates", "separated by commas"),
        ({"days": "6"}, "days", "from 1 to 5"),
        ({"aht": ""}, "aht", "Enter a value"),
        ({"target": "0"}, "target", "more than 0"),
        ({"max_agents": "-1"}, "max_agents", "from 0 to 10,000"),
        ({"patience": "0"}, "patience", "from 1 to 86,400"),
    ],
)
def test_the_schedule_builder_names_the_field_it_refuses(analyst, change, field, words) -> None:  # type: ignore[no-untyped-def]
    page = analyst.get("/wfm/schedule", params=BUILD | change)
    assert page.status_code == 422
    assert words in error_of(page.text, field)
    assert "The shifts" not in page.text


def test_the_measured_handle_time_without_calls_is_refused(analyst) -> None:  # type: ignore[no-untyped-def]
    page = analyst.get("/wfm/schedule", params=BUILD | {"measured": "1"})
    assert page.status_code == 422
    assert "No answered calls are stored" in error_of(page.text, "measured")


NEED_CSV = "interval_start,agents\n" + "".join(
    f"2026-12-07T{8 + k // 2:02d}:{30 * (k % 2):02d}:00-08:00,{[2, 3, 5, 6, 6, 4][k % 6]}\n"
    for k in range(18)
)
NEED = {
    "pack": "calchoice",
    "target": "80",
    "within": "20",
    "patience": "",
    "shrinkage": "15",
    "templates": "8, 10",
    "max_agents": "",
}


def test_a_need_from_a_file_is_scheduled_as_the_command_does(analyst) -> None:  # type: ignore[no-untyped-def]
    files = {"file": ("need.csv", NEED_CSV.encode(), "text/csv")}
    page = analyst.post("/wfm/schedule/file", data=NEED, files=files)
    assert page.status_code == 200, page.text
    rows = [line.split(",") for line in NEED_CSV.splitlines()[1:]]
    need = pd.Series(
        [float(a) for _, a in rows],
        index=pd.DatetimeIndex([t for t, _ in rows]).tz_convert("America/Los_Angeles"),
    )
    want = build_schedule(need)
    agents = sum(s.agents for s in want.shifts)
    assert f"{agents} shifts, {want.paid_hours:,.0f} paid hours" in page.text
    assert page.text.count('src="data:image/svg+xml;base64,') == 1
    capped = analyst.post("/wfm/schedule/file", data=NEED | {"max_agents": "2", "rows": NEED_CSV})
    assert capped.status_code == 200 and "Half hours not fully covered" in capped.text


@pytest.mark.parametrize(
    ("rows", "change", "field"),
    [
        (NEED_CSV.replace(",5\n", ",-5\n", 1), {}, "csv"),
        ("interval_start,staff\n2026-12-07T08:00:00-08:00,3\n", {}, "csv"),
        ("", {}, "csv"),
        (NEED_CSV, {"templates": "1"}, "templates"),
        (NEED_CSV, {"pack": "texas"}, "pack"),
    ],
)
def test_a_need_from_a_file_names_what_it_refuses(analyst, rows, change, field) -> None:  # type: ignore[no-untyped-def]
    page = analyst.post("/wfm/schedule/file", data=NEED | change | {"rows": rows})
    assert page.status_code == 422
    assert error_of(page.text, field)
    assert "The shifts" not in page.text


# ----------------------------------------------------------------------------- simulate


def test_a_steady_simulation_agrees_with_the_simulator(analyst) -> None:  # type: ignore[no-untyped-def]
    typed = {
        "source": "steady",
        "calls": "100",
        "agents": "25",
        "intervals": "4",
        "aht": "420",
        "within": "20",
        "patience": "120",
        "replications": "10",
        "seed": "3",
        "run": "1",
    }
    page = analyst.get("/wfm/simulate", params=typed)
    assert page.status_code == 200, page.text
    res = sim.simulate(
        sim.single_queue([100.0] * 4, 420, 25, within_seconds=20, patience_seconds=120),
        replications=10,
        seed=3,
    )
    sl = res.total_service_level
    assert (
        f"{float(sl.mean):.1%} (95% range {float(sl.low):.1%} to {float(sl.high):.1%})" in page.text
    )
    assert page.text.count('src="data:image/svg+xml;base64,') == 1
    assert page.text.count('data-label="Interval">Interval ') == 4


def test_a_simulated_day_from_the_forecast(analyst, calls) -> None:  # type: ignore[no-untyped-def]
    typed = {
        "source": "forecast",
        "pack": "calchoice",
        "target": "80",
        "short": "1",
        "aht": "420",
        "within": "20",
        "patience": "120",
        "replications": "8",
        "seed": "1",
        "run": "1",
    }
    page = analyst.get("/wfm/simulate", params=typed)
    assert page.status_code == 200, page.text
    closed = closed_days("calchoice", history_years(calls))
    ahead = fc.fit(calls, closed).predict(fc.future_index(calls, 1, closed))
    need = erlang.staff_intervals(ahead.to_numpy(), 420, interval=1800, target=0.8, within=20)
    agents = (need.agents.astype(int) - 1).clip(min=0)
    res = sim.simulate(
        sim.single_queue(ahead.to_numpy(), 420, agents, within_seconds=20, patience_seconds=120),
        replications=8,
        seed=1,
    )
    assert f"{float(res.total_service_level.mean):.1%} (95% range" in page.text
    assert ahead.index[0].strftime("%A %d %B %Y") in page.text


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"replications": "1"}, "replications", "from 2 to 500"),
        ({"agents": "-1"}, "agents", "from 0 to 10,000"),
        ({"intervals": "49"}, "intervals", "from 1 to 48"),
        ({"patience": "0"}, "patience", "from 1 to 86,400"),
        ({"source": "both"}, "source", "Choose what to simulate"),
    ],
)
def test_the_simulation_names_the_field_it_refuses(analyst, change, field, words) -> None:  # type: ignore[no-untyped-def]
    typed = {
        "source": "steady",
        "calls": "100",
        "agents": "25",
        "intervals": "4",
        "aht": "420",
        "within": "20",
        "patience": "120",
        "replications": "10",
        "seed": "3",
        "run": "1",
    }
    page = analyst.get("/wfm/simulate", params=typed | change)
    assert page.status_code == 422
    assert words in error_of(page.text, field)


# ----------------------------------------------------------------------------- plan


def test_the_plan_agrees_with_the_planner(analyst) -> None:  # type: ignore[no-untyped-def]
    page = analyst.get(
        "/wfm/plan",
        params={
            "members": "15000",
            "contacts": "2",
            "routine": "50",
            "shrinkage": "30",
            "year": "2027",
        },
    )
    assert page.status_code == 200, page.text
    want = build_plan(
        PlanInputs(
            members=15_000,
            contacts_per_member_year=2,
            routine_share=0.5,
            shrinkage=0.3,
            open_enrollment_year=2027,
        )
    )
    g, b = want["surge"], want["budget"]
    assert text_of(page.text, "hire-by") == (
        f"between {g['hire_by']['earliest']} and {g['hire_by']['latest']} "
        "(6 to 8 weeks ahead, for 40 hours of training)"
    )
    inhouse = b["in_house_annual"]
    assert f"${inhouse['low']:,.0f} – ${inhouse['high']:,.0f}" in page.text
    pmpm = b["outsourced_pmpm_annual"]
    assert f"${pmpm['low']:,.0f} – ${pmpm['high']:,.0f}" in page.text
    assert text_of(page.text, "cheapest").startswith(
        {
            "in_house": "in-house",
            "outsourced_pmpm": "outsourced, paid per member",
            "outsourced_per_call": "outsourced, paid per call",
        }[b["cheapest_annual"]]
    )
    assert page.text.count('src="data:image/svg+xml;base64,') == 1


def test_the_plan_starts_from_the_members_on_file(analyst, db: Session) -> None:  # type: ignore[no-untyped-def]
    on_file = db.scalar(
        select(func.count()).select_from(Member).where(Member.line_of_business == "calchoice")
    )
    page = analyst.get("/wfm/plan")
    assert page.status_code == 200
    assert f'value="{on_file}"' in page.text
    assert f"{on_file:,} members of this line are on file" in page.text


def test_the_plan_on_measured_figures(analyst, calls) -> None:  # type: ignore[no-untyped-def]
    page = analyst.get("/wfm/plan", params={"members": "15000", "measured": "1"})
    assert page.status_code == 200, page.text
    assert "minutes measured" in page.text
    assert "answered calls" in page.text


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"members": "0"}, "members", "from 1 to 10,000,000"),
        ({"members": "12.5"}, "members", "whole number"),
        ({"routine": "150"}, "routine", "from 0 to 100"),
        ({"contacts": "0"}, "contacts", "more than 0"),
        ({"year": "3000"}, "year", "from 1,900 to 2,199"),
        ({"measured": "1"}, "measured", "No answered calls are stored"),
    ],
)
def test_the_plan_names_the_field_it_refuses(analyst, change, field, words) -> None:  # type: ignore[no-untyped-def]
    page = analyst.get("/wfm/plan", params={"members": "15000"} | change)
    assert page.status_code == 422
    assert words in error_of(page.text, field)
    assert "Budget: in-house beside outsourced" not in page.text


# ----------------------------------------------------------------------------- who may


def test_only_the_wfm_role_opens_the_pages(login) -> None:  # type: ignore[no-untyped-def]
    for role in (Role.TIER1_AGENT, Role.SUPERVISOR, Role.COMPLIANCE_OFFICER):
        client = login(role, team="Team A").client
        for path in PAGES:
            assert client.get(path).status_code == 403, (role, path)
    analyst = login(Role.WFM_ANALYST).client
    for path in PAGES:
        assert analyst.get(path).status_code == 200, path


def test_wfm_analysts_see_no_member_data(login, db: Session) -> None:  # type: ignore[no-untyped-def]
    member = db.scalars(select(Member).order_by(Member.id)).first()
    assert member is not None
    analyst = login(Role.WFM_ANALYST).client
    assert analyst.get(f"/api/members/{member.id}").status_code == 403
    assert analyst.get(f"/members/{member.id}").status_code == 403
    home = analyst.get("/")
    assert home.status_code == 200
    for path in PAGES[1:-2]:
        assert f'href="{path}"' in home.text
    assert "memberdesk wfm" not in home.text  # links, not commands
    assert '<a href="/wfm">Workforce</a>' in home.text
    for path in ("/", *PAGES):
        text = analyst.get(path).text
        assert member.member_number not in text
        assert member.last_name not in text


def test_nothing_is_stored_by_the_pages(analyst, db: Session) -> None:  # type: ignore[no-untyped-def]
    from memberdesk.compliance.models import AuditEntry

    def counts() -> tuple[int, int]:
        return (
            db.scalar(select(func.count()).select_from(AuditEntry)) or 0,
            db.scalar(select(func.count()).select_from(CallRow)) or 0,
        )

    before = counts()
    analyst.get("/wfm/staff", params=GOOD | {"calls": "-1"})
    analyst.get("/wfm/plan", params={"members": "0"})
    analyst.get("/wfm/staff", params=GOOD)
    assert counts() == before
