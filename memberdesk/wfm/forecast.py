"""Interval forecasts: calls per 30-minute interval from history, with statsmodels.

The model is a quasi-Poisson GLM (log link) on interval counts with time-of-day, weekday,
annual Fourier terms, an open-enrollment surge flag (Oct-Jan), a trend and a day-after-holiday
flag; holidays themselves are closed and forecast as zero. It is judged on a holdout by WAPE
against a seasonal-naive forecast (same interval one week earlier).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from memberdesk.errors import InvalidInput

INTERVAL = pd.Timedelta(minutes=30)
DEFAULT_TZ = "America/Los_Angeles"
SURGE_MONTHS = (10, 11, 12, 1)  # open enrollment and the new plan year (seed: Oct-Jan)
_HARMONICS = 4


# --------------------------------------------------------------------------- demo history


@dataclass(frozen=True)
class DemoProfile:
    """Shape of a synthetic call history (a plan's volume, week, day and year)."""

    members: int = 15_000
    calls_per_member_year: float = 1.6
    open_hour: int = 8
    close_hour: int = 17
    weekday: tuple[float, ...] = (1.25, 1.05, 1.0, 0.95, 0.85)  # Mon..Fri
    surge: float = 0.4  # +30-50% Oct-Jan in the seed; 40% is the middle
    growth_per_year: float = 0.03
    post_holiday_bump: float = 0.3
    day_noise_cv: float = 0.08
    lunch_dip: float = 0.25
    tz: str = DEFAULT_TZ


def demo_assumptions(p: DemoProfile | None = None) -> dict[str, dict[str, object]]:
    """What the synthetic demo history assumes, labelled (only the surge is a seed figure)."""
    p = p or DemoProfile()
    weekday = ", ".join(f"{x:g}" for x in p.weekday)
    return {
        "calls_per_member_year": {
            "label": "calls per member per year (assumption)",
            "value": p.calls_per_member_year,
        },
        "surge": {
            "label": "Oct-Jan surge (middle of the seed's 30-50%)",
            "value": f"+{p.surge:.0%}",
        },
        "growth_per_year": {
            "label": "growth per year (assumption)",
            "value": f"+{p.growth_per_year:.0%}",
        },
        "weekday": {"label": "Mon-Fri volume factors (assumption)", "value": weekday},
        "post_holiday_bump": {
            "label": "extra calls the day after a holiday (assumption)",
            "value": f"+{p.post_holiday_bump:.0%}",
        },
        "hours": {
            "label": "open hours (assumption)",
            "value": f"{p.open_hour:02d}:00-{p.close_hour:02d}:00",
        },
    }


def intraday_profile(slots: int, lunch_dip: float = 0.25) -> np.ndarray:
    """Two humps (late morning, early afternoon) with a lunch dip, normalised to mean 1."""
    x = (np.arange(slots) + 0.5) / slots
    shape = np.exp(-(((x - 0.28) / 0.16) ** 2)) + 0.85 * np.exp(-(((x - 0.66) / 0.17) ** 2))
    shape *= 1 - lunch_dip * np.exp(-(((x - 0.47) / 0.05) ** 2))
    shape += 0.25
    return shape / shape.mean()


def _surge_factor(days: pd.DatetimeIndex, surge: float) -> np.ndarray:
    """A smooth plateau from early October to late January (open enrollment, new plan year)."""
    d = ((days.day_of_year.to_numpy() - 263) % 365).astype(float)  # days since about Sep 20
    up = np.clip(d / 20.0, 0.0, 1.0)
    down = np.clip((145.0 - d) / 20.0, 0.0, 1.0)
    ramp = np.minimum(up, down)
    return 1.0 + surge * ramp * ramp * (3.0 - 2.0 * ramp)  # smoothstep edges


def working_days(start: dt.date, end: dt.date) -> list[dt.date]:
    """Mon-Fri dates from start to end inclusive; holidays stay in, as closed days."""
    return [d.date() for d in pd.date_range(start, end, freq="D") if d.weekday() < 5]


def interval_index(
    days: Iterable[dt.date], open_hour: int, close_hour: int, tz: str = DEFAULT_TZ
) -> pd.DatetimeIndex:
    """Aware 30-minute interval starts within opening hours of each day."""
    slots = int((close_hour - open_hour) * 2)
    stamps = [
        pd.Timestamp(d) + pd.Timedelta(hours=open_hour) + k * INTERVAL
        for d in days
        for k in range(slots)
    ]
    return pd.DatetimeIndex(stamps).tz_localize(tz)


def demo_history(
    start: dt.date,
    end: dt.date,
    *,
    holidays: Iterable[dt.date] = (),
    profile: DemoProfile | None = None,
    seed: int = 1,
) -> pd.Series:
    """Deterministic synthetic calls per 30-minute interval (zero on holidays)."""
    p = profile or DemoProfile()
    closed = set(holidays)
    days = working_days(start, end)
    idx = interval_index(days, p.open_hour, p.close_hour, p.tz)
    slots = (p.close_hour - p.open_hour) * 2
    rng = np.random.default_rng(seed)
    day_ts = pd.DatetimeIndex([pd.Timestamp(d) for d in days])
    per_day = p.members * p.calls_per_member_year / 250.0
    years = (day_ts - day_ts[0]).days.to_numpy() / 365.25
    level = per_day * (1 + p.growth_per_year) ** years
    level *= np.array(p.weekday)[day_ts.day_of_week.to_numpy()] / np.mean(p.weekday)
    level *= _surge_factor(day_ts, p.surge)
    after = np.array([_after_holiday(d, closed) for d in days])
    level *= np.where(after, 1 + p.post_holiday_bump, 1.0)
    shape = p.day_noise_cv**-2
    level *= rng.gamma(shape, 1 / shape, len(days))
    level *= np.array([d not in closed for d in days])
    mean = (
        np.repeat(level, slots) * np.tile(intraday_profile(slots, p.lunch_dip), len(days)) / slots
    )
    return pd.Series(rng.poisson(mean).astype(float), index=idx, name="calls")


def _after_holiday(day: dt.date, closed: set[dt.date]) -> bool:
    """True on the first working day after one or more closed weekdays."""
    prev = day - dt.timedelta(days=1)
    while prev.weekday() >= 5:
        prev -= dt.timedelta(days=1)
    return prev in closed and day not in closed


# --------------------------------------------------------------------------- model


def _design(index: pd.DatetimeIndex, holidays: set[dt.date], origin: pd.Timestamp) -> pd.DataFrame:
    """Regressors for each interval; the columns are the same for any index."""
    local = index
    dates = local.date
    tod = (local.hour * 60 + local.minute).to_numpy()
    cols: dict[str, np.ndarray] = {"const": np.ones(len(index))}
    for m in range(0, 24 * 60, 30):
        cols[f"slot_{m:04d}"] = (tod == m).astype(float)
    wd = local.day_of_week.to_numpy()
    for d in range(1, 7):
        cols[f"wd_{d}"] = (wd == d).astype(float)
    doy = 2 * np.pi * local.day_of_year.to_numpy() / 365.25
    for k in range(1, _HARMONICS + 1):
        cols[f"sin_{k}"] = np.sin(k * doy)
        cols[f"cos_{k}"] = np.cos(k * doy)
    cols["surge"] = np.isin(local.month.to_numpy(), SURGE_MONTHS).astype(float)
    cols["trend"] = (local - origin).days.to_numpy() / 365.25
    cols["after_holiday"] = np.array([_after_holiday(d, holidays) for d in dates], dtype=float)
    return pd.DataFrame(cols, index=index)


@dataclass(frozen=True)
class FittedForecast:
    """A fitted interval model, ready to forecast any index."""

    params: pd.Series
    columns: tuple[str, ...]
    holidays: frozenset[dt.date]
    origin: pd.Timestamp

    def predict(self, index: pd.DatetimeIndex) -> pd.Series:
        """Expected calls per interval; zero on holidays and at never-seen times of day."""
        x = _design(index, set(self.holidays), self.origin)[list(self.columns)]
        mean = np.exp(np.clip(x.to_numpy() @ self.params.to_numpy(), -50, 50))
        closed = np.isin(index.date, np.array(sorted(self.holidays), dtype=object))
        return pd.Series(np.where(closed, 0.0, mean), index=index, name="forecast")


def fit(history: pd.Series, holidays: Iterable[dt.date] = ()) -> FittedForecast:
    """Fit the quasi-Poisson GLM on open, non-holiday intervals of a history."""
    import statsmodels.api as sm

    closed = frozenset(holidays)
    if len(history) < 14 * 2:
        raise InvalidInput("history: at least two weeks of intervals are needed", field="history")
    if bool((history < 0).any()) or not np.isfinite(history.to_numpy()).all():
        raise InvalidInput("history: calls must be finite and >= 0", field="history")
    origin = history.index[0].normalize()
    x = _design(history.index, set(closed), origin)
    keep = ~np.isin(history.index.date, np.array(sorted(closed), dtype=object))
    # Columns that never vary in the fitting data (slots never open, weekends) are dropped, so
    # those times forecast as closed instead of as an arbitrary intercept.
    live = [c for c in x.columns if c == "const" or x.loc[keep, c].std() > 0]
    used = x.loc[keep, live]
    slots = [c for c in live if c.startswith("slot_")]
    if slots:  # one slot is the baseline, so the slot dummies are not collinear with const
        used = used.drop(columns=slots[0])
        live.remove(slots[0])
    model = sm.GLM(history[keep].to_numpy(), used.to_numpy(), family=sm.families.Poisson())
    res = model.fit(scale="X2")
    params = pd.Series(res.params, index=live)
    seen = {c for c in live if c.startswith("slot_")} | {slots[0]} if slots else set()
    never_open = [c for c in x.columns if c.startswith("slot_") and c not in seen]
    for c in never_open:
        params[c] = -50.0  # effectively zero calls at times the centre was never open
    cols = tuple(params.index)
    return FittedForecast(params, cols, closed, origin)


def seasonal_naive(history: pd.Series, index: pd.DatetimeIndex) -> pd.Series:
    """The same interval one week earlier (or earlier still, for forecasts beyond a week)."""
    known = dict(zip(history.index, history.to_numpy(dtype=float), strict=True))
    first = history.index[0]
    week = pd.Timedelta(days=7)
    out = []
    for t in index:
        back = t - week
        while back not in known and back > first:
            back -= week
        out.append(known.get(back, 0.0))
        known[t] = out[-1]
    return pd.Series(out, index=index, name="seasonal_naive")


def wape(actual: pd.Series | np.ndarray, forecast: pd.Series | np.ndarray) -> float:
    """Weighted absolute percentage error: sum |actual - forecast| / sum actual."""
    a, f = np.asarray(actual, dtype=float), np.asarray(forecast, dtype=float)
    total = a.sum()
    return float(np.abs(a - f).sum() / total) if total > 0 else float("nan")


@dataclass(frozen=True)
class Evaluation:
    """Holdout comparison of the model with seasonal-naive."""

    holdout_start: pd.Timestamp
    holdout_end: pd.Timestamp
    intervals: int
    actual_calls: float
    wape_model: float
    wape_seasonal_naive: float
    actual: pd.Series
    model: pd.Series
    naive: pd.Series

    def summary(self) -> dict[str, object]:
        """JSON-ready figures."""
        return {
            "holdout_start": self.holdout_start.isoformat(),
            "holdout_end": self.holdout_end.isoformat(),
            "intervals": self.intervals,
            "actual_calls": self.actual_calls,
            "wape_model": self.wape_model,
            "wape_seasonal_naive": self.wape_seasonal_naive,
            "improvement": 1 - self.wape_model / self.wape_seasonal_naive,
        }


def evaluate(
    history: pd.Series, holidays: Iterable[dt.date] = (), holdout_weeks: int = 13
) -> Evaluation:
    """Fit on all but the last `holdout_weeks` weeks and score both forecasts on them."""
    if holdout_weeks < 1:
        raise InvalidInput("holdout_weeks: must be >= 1", field="holdout_weeks")
    cut = history.index[-1].normalize() - pd.Timedelta(weeks=holdout_weeks) + pd.Timedelta(days=1)
    train, test = history[history.index < cut], history[history.index >= cut]
    if len(train) < len(test):
        raise InvalidInput(
            "holdout_weeks: the holdout is longer than the training data", field="holdout_weeks"
        )
    model = fit(train, holidays).predict(test.index)
    naive = seasonal_naive(train, test.index)
    return Evaluation(
        holdout_start=test.index[0],
        holdout_end=test.index[-1],
        intervals=len(test),
        actual_calls=float(test.sum()),
        wape_model=wape(test, model),
        wape_seasonal_naive=wape(test, naive),
        actual=test,
        model=model,
        naive=naive,
    )


def future_index(
    history: pd.Series, days: int, holidays: Iterable[dt.date] = ()
) -> pd.DatetimeIndex:
    """Intervals of the next `days` open weekdays at the times of day the history shows open."""
    tz = history.index.tz
    closed = set(holidays)
    times = sorted({(t.hour, t.minute) for t in history.index[history.to_numpy() > 0]})
    last = history.index[-1].date()
    dates = [
        d
        for d in working_days(last + dt.timedelta(days=1), last + dt.timedelta(days=days * 2 + 30))
        if d not in closed
    ][:days]
    stamps = [pd.Timestamp(d) + pd.Timedelta(hours=h, minutes=m) for d in dates for h, m in times]
    return pd.DatetimeIndex(stamps).tz_localize(tz)


def read_history_csv(path: str, tz: str = DEFAULT_TZ) -> pd.Series:
    """History from a CSV with `interval_start,calls` (ISO 8601 with offset)."""
    try:
        frame = pd.read_csv(path)
    except FileNotFoundError:
        raise
    except (OSError, ValueError) as exc:  # pandas' ParserError and decode errors are ValueErrors
        raise InvalidInput(
            f"csv: cannot be read as CSV ({type(exc).__name__})", field="csv"
        ) from None
    missing = {"interval_start", "calls"} - set(frame.columns)
    if missing:
        raise InvalidInput(f"csv: missing column(s) {', '.join(sorted(missing))}", field="csv")
    try:
        idx = pd.DatetimeIndex(pd.to_datetime(frame["interval_start"], utc=True)).tz_convert(tz)
    except (ValueError, TypeError):
        msg = "csv: column interval_start: must be ISO 8601 with an offset"
        raise InvalidInput(msg, field="csv") from None
    calls = pd.to_numeric(frame["calls"], errors="coerce")
    bad = calls.isna() | (calls < 0)
    if bad.any():
        line = int(bad.to_numpy().argmax()) + 2
        msg = f"csv: line {line}, column calls: must be a number, zero or more"
        raise InvalidInput(msg, field="csv")
    return pd.Series(calls.to_numpy(dtype=float), index=idx, name="calls").sort_index()
