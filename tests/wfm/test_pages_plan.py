"""The simulated day and the staff and budget plan through the app on each database: figures
agree with the simulator and the planner for the same input; bad input is refused beside its
field."""

from __future__ import annotations

import pytest
import time_machine
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance.enums import Role
from memberdesk.members.models import Member
from memberdesk.training.demo import seed_demo_training
from memberdesk.training.service import local_day, recorded_monthly_hours
from memberdesk.wfm import erlang
from memberdesk.wfm import forecast as fc
from memberdesk.wfm import simulate as sim
from memberdesk.wfm.plan import PlanInputs, build_plan, training_share
from memberdesk.wfm.service import closed_days, history_years
from tests.wfm.pagekit import error_of, text_of

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


def test_the_plan_adds_training_by_the_guides_hours(analyst) -> None:  # type: ignore[no-untyped-def]
    page = analyst.get(
        "/wfm/plan",
        params={"members": "15000", "shrinkage": "20", "training": "plan", "year": "2027"},
    )
    assert page.status_code == 200, page.text
    share = training_share(10, 2080)
    assert text_of(page.text, "training-shrinkage") == (
        f"Training: 10.0 hours a month per person (the guide's 8 to 12 hours) is {share:.1%} of "
        f"paid time. With 20.0% besides, shrinkage is {0.2 + share:.1%} in all."
    )
    want = build_plan(PlanInputs(members=15_000, shrinkage=0.2 + share, open_enrollment_year=2027))[
        "budget"
    ]["in_house_annual"]
    assert f"${want['low']:,.0f} – ${want['high']:,.0f}" in page.text


def test_the_plan_adds_training_from_the_records(login, analyst, db: Session) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel("2026-12-04T10:00:00-08:00", tick=False):
        for name, role, team in [
            ("supervisor", Role.SUPERVISOR, "Tier 1 — Team A"),
            ("agent", Role.TIER1_AGENT, "Tier 1 — Team A"),
            ("ana.reyes", Role.TIER1_AGENT, "Tier 1 — Team A"),
        ]:
            login(role, team=team, username=name)
        assert seed_demo_training(db, now()) is not None
        db.flush()
        hours, person_months = recorded_monthly_hours(db, local_day(now()))
        page = analyst.get(
            "/wfm/plan", params={"members": "15000", "shrinkage": "20", "training": "records"}
        )
    assert page.status_code == 200, page.text
    share = training_share(hours, 2080)
    assert text_of(page.text, "training-shrinkage") == (
        f"Training: {hours:.1f} hours a month per person (recorded, over {person_months} "
        f"person-months) is {share:.1%} of paid time. With 20.0% besides, shrinkage is "
        f"{0.2 + share:.1%} in all."
    )


@pytest.mark.parametrize(
    ("training", "words"),
    [
        ("records", "No training hours are recorded for front-line staff"),
        ("guess", "Choose how training is counted from the list."),
    ],
)
def test_the_plan_refuses_training_it_cannot_count(analyst, training, words) -> None:  # type: ignore[no-untyped-def]
    page = analyst.get("/wfm/plan", params={"members": "15000", "training": training})
    assert page.status_code == 422
    assert words in error_of(page.text, "training")
