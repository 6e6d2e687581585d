"""The demo plan's pipeline: history, forecast, staffing, schedule, simulation scenario.

One deterministic chain (15,000 members, history Jan 2023 - Dec 2025) that the CLI, the web
pages and the docs share, so their figures agree. Holidays are passed in (from a calendar).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
import pandas as pd

from memberdesk.wfm import forecast as fc
from memberdesk.wfm import simulate as sim
from memberdesk.wfm.erlang import staff_intervals
from memberdesk.wfm.schedule import build_schedule

START = dt.date(2023, 1, 2)
END = dt.date(2025, 12, 31)  # fixed, so the demo prints the same figures every day
YEARS = range(START.year, END.year + 2)  # the year after END too: forecasts run into it
SPANISH_SHARE = 0.15
BILINGUAL_SHARE = 0.25


def history(holidays: Iterable[dt.date], *, members: int = 15_000, seed: int = 1) -> pd.Series:
    """The demo plan's calls per 30-minute interval."""
    profile = fc.DemoProfile(members=members)
    return fc.demo_history(START, END, holidays=holidays, profile=profile, seed=seed)


def forecast_ahead(holidays: Iterable[dt.date], days: int) -> pd.Series:
    """Forecast calls for the next `days` open days after the demo history."""
    closed = set(holidays)
    past = history(closed)
    return fc.fit(past, closed).predict(fc.future_index(past, days, closed))


def requirement(
    holidays: Iterable[dt.date], *, days: int, aht: float, **staffing: float | None
) -> pd.Series:
    """Scheduled staff per interval for the demo's next days (Erlang C or A per `staffing`)."""
    ahead = forecast_ahead(holidays, days)
    got = staff_intervals(ahead.to_numpy(), aht, **staffing)  # type: ignore[arg-type]
    return pd.Series(got.scheduled.astype(float), index=ahead.index)


def scenario(
    holidays: Iterable[dt.date], *, within: float = 20.0, patience: float | None = 120.0
) -> tuple[sim.Scenario, list[str]]:
    """Next day's schedule as a simulation: 85% English and 15% Spanish calls, a quarter of
    the agents on the phones bilingual."""
    aht = 420.0
    ahead = forecast_ahead(holidays, 1)
    need = staff_intervals(ahead.to_numpy(), aht, interval=1800.0, target=0.8, within=within)
    on = build_schedule(pd.Series(need.agents, index=ahead.index)).on_phones_15min.to_numpy()
    bilingual = np.ceil(on * BILINGUAL_SHARE).astype(int)
    calls = ahead.to_numpy()
    sc = sim.Scenario(
        interval_seconds=1800.0,
        skills=("en", "es"),
        calls=np.column_stack([calls * (1 - SPANISH_SHARE), calls * SPANISH_SHARE]),
        # interpreted or bilingual calls run longer
        aht_seconds=np.column_stack([np.full(calls.size, aht), np.full(calls.size, aht * 1.15)]),
        groups=(
            sim.AgentGroup("english", ("en",), tuple(int(x) for x in on - bilingual)),
            sim.AgentGroup("bilingual", ("en", "es"), tuple(int(x) for x in bilingual)),
        ),
        staff_step_seconds=900.0,
        within_seconds=within,
        patience_seconds=None if patience is None else (patience, patience),
    )
    return sc, [t.isoformat() for t in ahead.index]
