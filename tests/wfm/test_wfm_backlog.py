"""Backlog staffing to business-hours targets."""

from __future__ import annotations

import numpy as np
import pytest

from memberdesk.errors import InvalidInput
from memberdesk.wfm.backlog import staff_backlog


def _week() -> tuple[np.ndarray, np.ndarray]:
    hours = np.arange(24 * 7)
    is_open = ((hours % 24) >= 8) & ((hours % 24) < 17) & (hours // 24 < 5)
    arrivals = np.where((hours % 24 >= 7) & (hours % 24 < 22), 6.0, 1.0)  # e-mail never sleeps
    return arrivals, is_open


def test_one_business_day_target() -> None:
    arrivals, is_open = _week()
    plan = staff_backlog(
        arrivals,
        is_open,
        handle_seconds=600,
        interval_seconds=3600,
        target_business_seconds=9 * 3600,
    )
    # weekend mail lands on Monday morning, so the team is sized above the weekday average
    weekday_work = arrivals.sum() * 600 / 3600 / (9 * 5)
    assert plan.agents >= np.ceil(weekday_work)
    assert plan.oldest_due_met
    fewer = staff_backlog(
        arrivals,
        is_open,
        handle_seconds=600,
        interval_seconds=3600,
        target_business_seconds=9 * 3600 * 3,
    )
    assert fewer.agents <= plan.agents


def test_bad_target() -> None:
    arrivals, is_open = _week()
    with pytest.raises(InvalidInput) as err:
        staff_backlog(
            arrivals, is_open, handle_seconds=600, interval_seconds=3600, target_business_seconds=60
        )
    assert err.value.field == "target"
