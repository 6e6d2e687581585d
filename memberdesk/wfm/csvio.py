"""CSV inputs of the wfm commands: interval requirements and simulation plans.

Errors are InvalidInput with field "csv", so every caller reports them the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from memberdesk.errors import InvalidInput
from memberdesk.wfm import erlang
from memberdesk.wfm import simulate as sim


def _bad(reason: str) -> InvalidInput:
    return InvalidInput(f"csv: {reason}", field="csv")


def read_frame(path: Path, need: set[str]) -> pd.DataFrame:
    """A CSV with at least the `need` columns, with a clear error otherwise."""
    try:
        frame = pd.read_csv(path)
    except FileNotFoundError:
        raise _bad(f"no such file {path}") from None
    except (OSError, ValueError) as exc:
        raise _bad(f"cannot read {path}: {exc}") from None
    missing = need - set(frame.columns)
    if missing:
        raise _bad(f"{path} lacks column(s) {', '.join(sorted(missing))}")
    return frame


def _index(frame: pd.DataFrame, tz: str) -> pd.DatetimeIndex:
    try:
        idx = pd.DatetimeIndex(pd.to_datetime(frame["interval_start"], utc=True))
    except (ValueError, TypeError):
        raise _bad("interval_start must be ISO 8601 with an offset") from None
    return idx.tz_convert(tz)


def _numbers(frame: pd.DataFrame, column: str) -> Any:
    values = pd.to_numeric(frame[column], errors="coerce")
    if values.isna().any():
        line = int(values.isna().to_numpy().argmax()) + 2
        raise _bad(f"line {line}: {column} must be a number")
    return values.to_numpy(float)


def read_requirement(path: Path, *, tz: str, **staffing: Any) -> pd.Series:
    """Agents per interval: an `agents` column, or staffed from `calls,aht_seconds`."""
    frame = read_frame(path, {"interval_start"})
    idx = _index(frame, tz)
    if "agents" in frame.columns:
        return pd.Series(_numbers(frame, "agents"), index=idx)
    if not {"calls", "aht_seconds"} <= set(frame.columns):
        raise _bad("needs an agents column, or calls and aht_seconds")
    got = erlang.staff_intervals(
        _numbers(frame, "calls"), _numbers(frame, "aht_seconds"), **staffing
    )
    return pd.Series(got.scheduled.astype(float), index=idx)


def read_scenario(
    path: Path, *, interval: float, within: float, patience: float | None
) -> tuple[sim.Scenario, list[str]]:
    """One-skill simulation plan from `interval_start,calls,aht_seconds,agents`."""
    frame = read_frame(path, {"interval_start", "calls", "aht_seconds", "agents"})
    agents = _numbers(frame, "agents")
    sc = sim.Scenario(
        interval_seconds=interval,
        skills=("en",),
        calls=_numbers(frame, "calls").reshape(-1, 1),
        aht_seconds=_numbers(frame, "aht_seconds").reshape(-1, 1),
        groups=(sim.AgentGroup("agents", ("en",), tuple(int(x) for x in agents)),),
        staff_step_seconds=interval,
        within_seconds=within,
        patience_seconds=None if patience is None else (patience,),
    )
    return sc, [str(x) for x in frame["interval_start"]]
