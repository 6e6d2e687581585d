"""Forecasts beat seasonal-naive on the demo history and on a held-out series."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from memberdesk.errors import InvalidInput
from memberdesk.wfm import forecast as fc

# A fixed set of closures (the tests must not depend on the calendars package).
HOLIDAYS = {
    dt.date(y, m, d)
    for y, m, d in [
        (2023, 1, 2), (2023, 5, 29), (2023, 7, 4), (2023, 9, 4), (2023, 11, 23), (2023, 11, 24),
        (2023, 12, 25), (2024, 1, 1), (2024, 5, 27), (2024, 7, 4), (2024, 9, 2), (2024, 11, 11),
        (2024, 11, 28), (2024, 11, 29), (2024, 12, 25), (2025, 1, 1), (2025, 5, 26),
        (2025, 7, 4), (2025, 9, 1), (2025, 11, 11), (2025, 11, 27), (2025, 11, 28),
        (2025, 12, 25),
    ]
}  # fmt: skip


@pytest.fixture(scope="module")
def demo() -> pd.Series:
    return fc.demo_history(dt.date(2023, 1, 2), dt.date(2025, 12, 31), holidays=HOLIDAYS)


def test_demo_history_is_deterministic_and_realistic(demo: pd.Series) -> None:
    again = fc.demo_history(dt.date(2023, 1, 2), dt.date(2025, 12, 31), holidays=HOLIDAYS)
    assert demo.equals(again)
    assert str(demo.index.tz) == "America/Los_Angeles"
    assert demo[demo.index.date == dt.date(2025, 12, 25)].sum() == 0  # closed
    by_month = demo.groupby(demo.index.month).mean()
    surge = by_month[[10, 11, 12, 1]].mean() / by_month[[3, 4, 5, 6, 7, 8]].mean()
    assert 1.25 < surge < 1.55  # the seed's +30-50% Oct-Jan
    mondays = demo[demo.index.day_of_week == 0].mean() / demo[demo.index.day_of_week == 4].mean()
    assert mondays > 1.2


def test_model_beats_seasonal_naive_on_the_demo_history(demo: pd.Series) -> None:
    ev = fc.evaluate(demo, HOLIDAYS, holdout_weeks=13)
    assert ev.wape_model < ev.wape_seasonal_naive
    assert ev.wape_model < 0.35
    assert ev.intervals == len(ev.actual) == len(ev.model)


def test_model_beats_seasonal_naive_on_a_held_out_series() -> None:
    # A different plan, shape and seed than the one the model was built on: a Medicaid book.
    profile = fc.DemoProfile(
        members=240_000,
        calls_per_member_year=1.1,
        weekday=(1.3, 1.1, 1.0, 1.0, 0.8),
        surge=0.15,
        lunch_dip=0.1,
        day_noise_cv=0.1,
        open_hour=7,
        close_hour=18,
    )
    series = fc.demo_history(
        dt.date(2022, 7, 1), dt.date(2025, 10, 31), holidays=HOLIDAYS, profile=profile, seed=7
    )
    ev = fc.evaluate(series, HOLIDAYS, holdout_weeks=13)
    assert ev.wape_model < ev.wape_seasonal_naive


def test_forecast_ahead_skips_holidays_and_keeps_opening_hours(demo: pd.Series) -> None:
    model = fc.fit(demo, HOLIDAYS | {dt.date(2026, 1, 1)})
    idx = fc.future_index(demo, 3, {dt.date(2026, 1, 1)})
    assert idx[0].date() == dt.date(2026, 1, 2)
    assert {t.hour for t in idx} == set(range(8, 17))
    ahead = model.predict(idx)
    assert (ahead > 0).all()


def test_wape_and_seasonal_naive() -> None:
    assert fc.wape([10, 10], [5, 15]) == 0.5
    idx = pd.date_range("2025-01-06 08:00", periods=3, freq="7D", tz="America/Los_Angeles")
    hist = pd.Series([1.0, 2.0, 3.0], index=idx)
    nxt = pd.DatetimeIndex([idx[-1] + pd.Timedelta(days=7), idx[-1] + pd.Timedelta(days=14)])
    assert list(fc.seasonal_naive(hist, nxt)) == [3.0, 3.0]


def test_csv_round_trip_and_errors(tmp_path, demo: pd.Series) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "h.csv"
    frame = pd.DataFrame(
        {"interval_start": [t.isoformat() for t in demo.index[:50]], "calls": demo.to_numpy()[:50]}
    )
    frame.to_csv(path, index=False)
    back = fc.read_history_csv(str(path))
    assert np.array_equal(back.to_numpy(), demo.to_numpy()[:50])
    (tmp_path / "bad.csv").write_text("when,calls\n1,2\n")
    with pytest.raises(InvalidInput):
        fc.read_history_csv(str(tmp_path / "bad.csv"))
