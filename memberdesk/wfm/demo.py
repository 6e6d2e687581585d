"""The demo plan's pipeline: history, forecast, staffing, schedule, simulation scenario.

One deterministic chain (15,000 members, three years of synthetic history ending yesterday) that
the CLI and the docs share, so their figures agree. The history is dated relative to the day the
demo runs, so its forecasts, schedules and simulations are always for the coming days; for one
`today` and seed the figures are the same on every run. Holidays are passed in (from a
calendar), and `today` too, so this module stays pure.

The demo scenario's language mix, bilingual share and interpreted-call handle time are
assumptions for illustration, not seed figures; `ASSUMPTIONS` lists them for the output.
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

HISTORY_WEEKS = 156  # three years: enough for the yearly terms and a 13-week holdout
SPANISH_SHARE = 0.15
BILINGUAL_SHARE = 0.25
INTERPRETED_AHT_FACTOR = 1.15
DEMO_AHT_SECONDS = 420.0  # 7 minutes, inside the seed guide's 6-9 minutes for common inquiries
ASSUMPTIONS = {
    "spanish_share": (SPANISH_SHARE, f"{SPANISH_SHARE:.0%} of demo calls in Spanish"),
    "bilingual_share": (BILINGUAL_SHARE, f"{BILINGUAL_SHARE:.0%} of demo agents bilingual"),
    "interpreted_aht_factor": (
        INTERPRETED_AHT_FACTOR,
        f"Spanish calls take {INTERPRETED_AHT_FACTOR - 1:.0%} longer",
    ),
    "aht_seconds": (
        DEMO_AHT_SECONDS,
        f"AHT {DEMO_AHT_SECONDS:g} s (within the seed's 6-9 minutes)",
    ),
}


def window(today: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the demo history: three years ending the day before `today`."""
    end = today - dt.timedelta(days=1)
    start = end - dt.timedelta(weeks=HISTORY_WEEKS)
    return start + dt.timedelta(days=(7 - start.weekday()) % 7), end  # start on a Monday


def years(today: dt.date) -> range:
    """Calendar years whose holidays the demo needs (the history's, and the year after it)."""
    start, end = window(today)
    return range(start.year, end.year + 2)


def history(
    holidays: Iterable[dt.date], today: dt.date, *, members: int = 15_000, seed: int = 1
) -> pd.Series:
    """The demo plan's calls per 30-minute interval, up to the day before `today`."""
    start, end = window(today)
    profile = fc.DemoProfile(members=members)
    return fc.demo_history(start, end, holidays=holidays, profile=profile, seed=seed)


def forecast_ahead(holidays: Iterable[dt.date], today: dt.date, days: int) -> pd.Series:
    """Forecast calls for the next `days` open days from `today` on."""
    closed = set(holidays)
    past = history(closed, today)
    return fc.fit(past, closed).predict(fc.future_index(past, days, closed))


def requirement(
    holidays: Iterable[dt.date],
    today: dt.date,
    *,
    days: int,
    aht: float,
    **staffing: float | None,
) -> pd.Series:
    """Scheduled staff per interval for the demo's next days (Erlang C or A per `staffing`)."""
    ahead = forecast_ahead(holidays, today, days)
    got = staff_intervals(ahead.to_numpy(), aht, **staffing)  # type: ignore[arg-type]
    return pd.Series(got.scheduled.astype(float), index=ahead.index)


def scenario(
    holidays: Iterable[dt.date],
    today: dt.date,
    *,
    within: float = 20.0,
    patience: float | None = 120.0,
) -> tuple[sim.Scenario, list[str]]:
    """Next open day's schedule as a simulation: English and Spanish calls, some agents
    bilingual (the shares in `ASSUMPTIONS`)."""
    aht = DEMO_AHT_SECONDS
    ahead = forecast_ahead(holidays, today, 1)
    need = staff_intervals(ahead.to_numpy(), aht, interval=1800.0, target=0.8, within=within)
    on = build_schedule(pd.Series(need.agents, index=ahead.index)).on_phones_15min.to_numpy()
    bilingual = np.ceil(on * BILINGUAL_SHARE).astype(int)
    calls = ahead.to_numpy()
    spanish_aht = aht * INTERPRETED_AHT_FACTOR  # interpreted or bilingual calls run longer
    sc = sim.Scenario(
        interval_seconds=1800.0,
        skills=("en", "es"),
        calls=np.column_stack([calls * (1 - SPANISH_SHARE), calls * SPANISH_SHARE]),
        aht_seconds=np.column_stack([np.full(calls.size, aht), np.full(calls.size, spanish_aht)]),
        groups=(
            sim.AgentGroup("english", ("en",), tuple(int(x) for x in on - bilingual)),
            sim.AgentGroup("bilingual", ("en", "es"), tuple(int(x) for x in bilingual)),
        ),
        staff_step_seconds=900.0,
        within_seconds=within,
        patience_seconds=None if patience is None else (patience, patience),
    )
    return sc, [t.isoformat() for t in ahead.index]
