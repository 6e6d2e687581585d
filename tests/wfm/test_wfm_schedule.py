"""Shift schedules with scipy.optimize.milp."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from memberdesk.wfm.forecast import interval_index
from memberdesk.wfm.schedule import ShiftTemplate, build_schedule


def _requirement(open_hour: int = 7, close_hour: int = 19) -> pd.Series:
    idx = interval_index([dt.date(2025, 10, 6)], open_hour, close_hour)
    x = np.linspace(0, 1, len(idx))
    need = np.round(
        4 + 10 * np.exp(-(((x - 0.35) / 0.2) ** 2)) + 7 * np.exp(-(((x - 0.7) / 0.2) ** 2))
    )
    return pd.Series(need, index=idx)


def test_covers_every_interval_at_least_cost() -> None:
    req = _requirement()
    sched = build_schedule(req)
    assert sched.status == "optimal"
    assert sched.unmet.empty
    assert (sched.coverage >= req - 1e-9).all()
    # a lower bound: the requirement's agent-hours
    assert sched.paid_hours >= req.sum() * 0.5
    assert sched.paid_hours == sum(s.paid_hours for s in sched.shifts)
    for s in sched.shifts:
        assert s.template in {"8h", "10h"}
        assert s.start.minute in (0, 30)
        assert s.lunch is not None and s.start < s.lunch < s.end
        assert len(s.breaks) == 2


def test_on_phones_quarter_hours_match_coverage() -> None:
    sched = build_schedule(_requirement())
    quarter = sched.on_phones_15min.to_numpy().reshape(-1, 2).mean(axis=1)
    assert np.allclose(quarter, sched.coverage.to_numpy())


def test_unmet_intervals_reported_when_templates_cannot_cover() -> None:
    req = _requirement()
    late = (ShiftTemplate("8h", 8.0, earliest_start=dt.time(9, 0)),)
    sched = build_schedule(req, templates=late)
    assert not sched.unmet.empty
    assert sched.unmet.index.min().time() < dt.time(9, 0)
    capped = build_schedule(req, max_agents_per_day=5)
    assert capped.unmet.sum() > 0 and sum(s.agents for s in capped.shifts) <= 5
    short_day = pd.Series([3.0] * 6, index=interval_index([dt.date(2025, 10, 7)], 9, 12))
    assert build_schedule(short_day).unmet.sum() == 18.0  # no 8-hour shift fits in 3 hours


def test_cost_objective_prefers_cheaper_template() -> None:
    req = _requirement()
    cheap10 = (
        ShiftTemplate("8h", 8.0, cost_per_hour=30.0),
        ShiftTemplate(
            "10h", 10.0, cost_per_hour=20.0, lunch=(8, 9, 10), second_break_after_lunch=(4, 5, 6)
        ),
    )
    sched = build_schedule(req, templates=cheap10)
    assert sum(s.agents for s in sched.shifts if s.template == "10h") > 0
    assert sched.cost == sum(s.cost for s in sched.shifts)
