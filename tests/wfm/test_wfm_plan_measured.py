"""The yearly plan on measured figures: a measured AHT replaces the seed's 6-9 minutes, and a
one-contact resolution below target shows the repeat calls (and Tier 1 time) reaching the
target would save, worked out independently here."""

from __future__ import annotations

from typing import Any

import pytest

from memberdesk.errors import InvalidInput
from memberdesk.wfm.plan import PlanInputs, Span, build_plan, plan_text


def plan(**inputs: Any) -> Any:
    """The plan as JSON would give it (nested dicts, typed loosely)."""
    return build_plan(PlanInputs(**inputs))


def test_a_measured_handle_time_replaces_the_seed_range() -> None:
    measured = plan(measured_aht_seconds=480)
    fixed = plan(aht_minutes=Span(8.0, 8.0))
    assert (
        measured["staffing"]["tier1_fte_from_demand"] == fixed["staffing"]["tier1_fte_from_demand"]
    )
    assert measured["staffing"]["aht_minutes"] == {"low": 8.0, "high": 8.0}
    assert "AHT 8.0 min measured" in plan_text(measured)
    assert "AHT 6-9 min" in plan_text(plan())


def test_fcr_below_target_counts_the_repeat_calls_it_costs() -> None:
    # 60% against 80%: calls per need fall from 1/0.6 to 1/0.8, a quarter fewer calls.
    p = plan(measured_fcr=0.60, fcr_target=0.80)
    q, v = p["quality"], p["volume"]
    calls = v["agent_calls_per_year"]
    avoidable = q["repeat_calls_avoidable_per_year"]
    assert avoidable == pytest.approx({"low": calls["low"] / 4, "high": calls["high"] / 4})
    # The Tier 1 FTE at target equal a plan whose members simply contact us a quarter less.
    fewer = plan(contacts_per_member_year=2.0 * 0.75)
    assert q["tier1_fte_at_fcr_target"] == pytest.approx(fewer["staffing"]["tier1_fte_from_demand"])
    freed = q["tier1_fte_freed"]
    assert freed["low"] > 0 and freed["high"] > 0
    text = plan_text(p)
    assert "one-contact resolution 60% measured (target 80%): reaching the target" in text


def test_on_target_quality_adds_no_savings_and_low_csat_warns() -> None:
    p = plan(measured_fcr=0.85, measured_csat=0.80, csat_target=0.85)
    q = p["quality"]
    assert "repeat_calls_avoidable_per_year" not in q
    assert q["csat_below_target"] is True
    assert "below target, so staff to the top of the range" in plan_text(p)
    assert "Measured quality" not in plan_text(plan())


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"measured_fcr": 0.0}, "measured_fcr"),
        ({"measured_fcr": 1.2}, "measured_fcr"),
        ({"measured_aht_seconds": -5.0}, "measured_aht_seconds"),
        ({"fcr_target": 0.0}, "fcr_target"),
    ],
)
def test_impossible_measured_figures_name_the_field(over: dict[str, float], field: str) -> None:
    with pytest.raises(InvalidInput) as err:
        plan(**over)
    assert err.value.field == field
