"""The planner reproduces the seed's 15,000-member example; charts are SVG."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from memberdesk.errors import InvalidInput
from memberdesk.wfm.charts import forecast_vs_actual_svg, requirement_vs_scheduled_svg
from memberdesk.wfm.plan import PlanInputs, build_plan, next_open_enrollment_year


def test_seed_example_for_15000_members() -> None:
    p = build_plan(PlanInputs(members=15_000))
    s, b = p["staffing"], p["budget"]
    assert s["tier1_reps"] == {"low": 4, "high": 6}  # "roughly 4-6 Tier 1 reps"
    assert s["tier2_specialists"] == {"low": 1, "high": 2}
    assert s["tier3_fte"] == 0.5
    assert b["tech_setup_one_time"] == {"low": 50_000, "high": 120_000}
    assert b["tech_annual"] == {"low": 60_000, "high": 180_000}
    staffing = b["staffing_loaded"]
    assert staffing["low"] >= 300_000 and staffing["high"] <= 500_000  # "$300,000-$500,000"
    c = b["contingency"]
    assert c["low"] == pytest.approx(0.10 * (60_000 + staffing["low"]))
    assert c["high"] == pytest.approx(0.20 * (180_000 + staffing["high"]))
    assert b["outsourced_pmpm_annual"] == {"low": 270_000, "high": 720_000}
    assert p["surge"]["hire_by"] == {"earliest": "2026-08-06", "latest": "2026-08-20"}
    assert s["ratio_check"] == "demand overlaps the ratio range"


def test_ratio_check_flags_a_mismatch() -> None:
    p = build_plan(PlanInputs(members=15_000, contacts_per_member_year=12.0))
    assert "understaff" in p["staffing"]["ratio_check"]
    with pytest.raises(InvalidInput):
        build_plan(PlanInputs(members=0))


def test_charts_are_svg() -> None:
    idx = pd.date_range(dt.datetime(2025, 10, 6, 8), periods=36, freq="30min", tz="UTC")
    a = pd.Series(range(36), index=idx, dtype=float)
    svg = forecast_vs_actual_svg(a, a * 1.1, naive=a * 0.9)
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "<svg" in requirement_vs_scheduled_svg(a, a + 1)


def test_ivr_answers_routine_requests_only() -> None:
    p = PlanInputs(members=15_000)
    v = build_plan(p)["volume"]
    voice = v["voice_calls_per_year"]
    # The seed's IVR answers 25-30% of routine requests, not 25-30% of all calls.
    assert v["ivr_contained_per_year"]["low"] == pytest.approx(voice["low"] * 0.5 * 0.25)
    assert v["ivr_contained_per_year"]["high"] == pytest.approx(voice["high"] * 0.5 * 0.30)
    assert v["agent_calls_per_year"]["low"] == pytest.approx(voice["low"] * (1 - 0.5 * 0.30))
    everything = build_plan(PlanInputs(routine_share=1.0))["volume"]["agent_calls_per_year"]
    assert everything["low"] == pytest.approx(voice["low"] * 0.70)
    with pytest.raises(InvalidInput):
        build_plan(PlanInputs(routine_share=1.5))


def test_assumptions_are_listed_with_their_values() -> None:
    p = build_plan(PlanInputs(shrinkage=0.25))
    got = {a["name"]: a["value"] for a in p["assumptions"]}
    assert got["shrinkage"] == 0.25 and got["contacts_per_member_year"] == 2.0
    assert got["routine_share"] == 0.5 and got["tier3_fte"] == 0.5


@pytest.mark.parametrize(
    ("today", "year"),
    [
        (dt.date(2026, 12, 1), 2027),
        (dt.date(2027, 1, 15), 2027),
        (dt.date(2027, 8, 20), 2027),  # the last day to hire for October 1
        (dt.date(2027, 8, 21), 2028),
    ],
)
def test_next_open_enrollment_year(today: dt.date, year: int) -> None:
    assert next_open_enrollment_year(today) == year
