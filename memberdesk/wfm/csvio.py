"""CSV inputs of the wfm commands: interval requirements and simulation plans.

Errors are InvalidInput with field "csv" naming the line and column and the rule, never the
value (a CSV exported from a contact system could hold anything), so every caller reports them
the same way. `read_intervals` uses the standard library only, so `wfm staff --csv` starts
without pandas; the other readers import pandas when they run.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from memberdesk.errors import InvalidInput

if TYPE_CHECKING:
    import pandas as pd

    from memberdesk.wfm import simulate as sim


def _bad(reason: str) -> InvalidInput:
    return InvalidInput(f"csv: {reason}", field="csv")


# The rule each numeric column must meet: (test, words for the message).
_RULES = {
    "calls": (lambda x: x >= 0, "must be zero or more"),
    "aht_seconds": (lambda x: x > 0, "must be more than 0 seconds"),
    "agents": (lambda x: x >= 0 and x.is_integer(), "must be a whole number, zero or more"),
    "requirement": (lambda x: x >= 0, "must be zero or more"),
}


def _check(value: float, line: int, column: str, rule_of: str | None = None) -> float:
    if not math.isfinite(value):
        raise _bad(f"line {line}, column {column}: must be a finite number")
    ok, rule = _RULES[rule_of or column]
    if not ok(value):
        raise _bad(f"line {line}, column {column}: {rule}")
    return value


@dataclass(frozen=True)
class Intervals:
    """Rows of an `interval_start,calls,aht_seconds` CSV, checked, in file order."""

    starts: list[str]
    calls: list[float]
    aht_seconds: list[float]


def read_intervals(path: Path) -> Intervals:
    """The `wfm staff --csv` input: every row checked, a bad cell named by line and column."""
    need = ("interval_start", "calls", "aht_seconds")
    try:
        with path.open(newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None or any(c not in header for c in need):
                raise _bad(f"the first line must be the header {','.join(need)}")
            at = {c: header.index(c) for c in need}
            out = Intervals([], [], [])
            for row in reader:
                if not any(cell.strip() for cell in row):
                    continue  # blank lines carry no interval
                line = reader.line_num
                if len(row) < len(header):
                    raise _bad(f"line {line}: expected {len(header)} columns")
                values = {}
                for column in ("calls", "aht_seconds"):
                    try:
                        number = float(row[at[column]])
                    except ValueError:
                        raise _bad(f"line {line}, column {column}: must be a number") from None
                    values[column] = _check(number, line, column)
                out.starts.append(row[at["interval_start"]])
                out.calls.append(values["calls"])
                out.aht_seconds.append(values["aht_seconds"])
    except FileNotFoundError:
        raise _bad("no such file") from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise _bad(f"cannot be read as CSV ({type(exc).__name__})") from None
    if not out.starts:
        raise _bad("has a header but no intervals")
    return out


def read_frame(path: Path, need: set[str]) -> pd.DataFrame:
    """A CSV with at least the `need` columns, with a clear error otherwise."""
    import pandas as pd

    try:
        frame = pd.read_csv(path)
    except FileNotFoundError:
        raise _bad("no such file") from None
    except (OSError, ValueError) as exc:
        raise _bad(f"cannot be read as CSV ({type(exc).__name__})") from None
    missing = need - set(frame.columns)
    if missing:
        raise _bad(f"lacks column(s) {', '.join(sorted(missing))}")
    return frame


def _index(frame: pd.DataFrame, tz: str) -> pd.DatetimeIndex:
    import pandas as pd

    try:
        idx = pd.DatetimeIndex(pd.to_datetime(frame["interval_start"], utc=True))
    except (ValueError, TypeError):
        raise _bad("column interval_start: must be ISO 8601 with an offset") from None
    return idx.tz_convert(tz)


def _numbers(frame: pd.DataFrame, column: str, rule_of: str | None = None) -> Any:
    import pandas as pd

    values = pd.to_numeric(frame[column], errors="coerce")
    if values.isna().any():
        line = int(values.isna().to_numpy().argmax()) + 2
        raise _bad(f"line {line}, column {column}: must be a number")
    out = values.to_numpy(float)
    for i, x in enumerate(out):
        _check(float(x), i + 2, column, rule_of)
    return out


def read_requirement(path: Path, *, tz: str, **staffing: Any) -> pd.Series:
    """Agents per interval: an `agents` column, or staffed from `calls,aht_seconds`."""
    import pandas as pd

    from memberdesk.wfm import erlang

    frame = read_frame(path, {"interval_start"})
    idx = _index(frame, tz)
    if "agents" in frame.columns:
        return pd.Series(_numbers(frame, "agents", "requirement"), index=idx)
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
    from memberdesk.wfm import simulate as sim

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
