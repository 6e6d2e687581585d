"""Forecast vs actual and the schedule builders through the app on each database: figures agree
with the forecast model and the solver for the same stored calls, a forecast without history
says so, and bad input is refused beside its field."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.kpi.models import CallRow
from memberdesk.wfm import erlang
from memberdesk.wfm import forecast as fc
from memberdesk.wfm.schedule import build_schedule
from memberdesk.wfm.service import closed_days, history_years
from tests.wfm.pagekit import error_of, text_of

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
