"""Shift schedules: the cheapest set of shifts covering each interval's requirement.

Shifts come from templates (8 and 10 paid hours by default) starting every 30 minutes, each
with two paid 15-minute breaks and an unpaid 30-minute lunch placed inside windows. Every
placement is a column of an integer programme solved by HiGHS through `scipy.optimize.milp`;
shortfall variables with a large penalty keep it feasible, so intervals that the templates (or
a headcount cap) cannot cover are reported instead of making the solve fail.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from memberdesk.errors import InvalidInput

SLOT = pd.Timedelta(minutes=30)
BREAK_COVER = 0.5  # a 15-minute break takes half of a 30-minute interval


@dataclass(frozen=True)
class ShiftTemplate:
    """A kind of shift: paid hours, unpaid lunch, paid breaks, cost per paid hour."""

    name: str
    paid_hours: float
    lunch_minutes: int = 30
    breaks: int = 2
    cost_per_hour: float = 1.0
    # offsets from the shift start, in 30-minute slots, where each item may begin
    first_break: tuple[int, ...] = (3, 4, 5)
    lunch: tuple[int, ...] = (7, 8, 9)
    second_break_after_lunch: tuple[int, ...] = (3, 4, 5)
    earliest_start: dt.time | None = None
    latest_start: dt.time | None = None

    @property
    def slots(self) -> int:
        """Length in 30-minute slots including the unpaid lunch."""
        return round(self.paid_hours * 2) + self.lunch_minutes // 30


DEFAULT_TEMPLATES = (
    ShiftTemplate("8h", 8.0),
    ShiftTemplate("10h", 10.0, lunch=(8, 9, 10), second_break_after_lunch=(4, 5, 6)),
)


@dataclass(frozen=True)
class Shift:
    """Agents working one placement of a template on one day."""

    template: str
    start: pd.Timestamp
    end: pd.Timestamp
    lunch: pd.Timestamp | None
    breaks: tuple[pd.Timestamp, ...]
    agents: int
    paid_hours: float
    cost: float


@dataclass(frozen=True)
class Schedule:
    """The solved schedule and how well it covers the requirement."""

    shifts: tuple[Shift, ...]
    requirement: pd.Series  # agents needed per 30-minute interval
    coverage: pd.Series  # agents on the phones per 30-minute interval (breaks count half)
    on_phones_15min: pd.Series  # whole agents on the phones per 15 minutes, for the simulator
    unmet: pd.Series  # shortfall per interval, only where > 0
    paid_hours: float
    cost: float
    status: str

    def summary(self) -> dict[str, object]:
        """JSON-ready description."""
        return {
            "status": self.status,
            "paid_hours": self.paid_hours,
            "cost": self.cost,
            "agents": sum(s.agents for s in self.shifts),
            "shifts": [
                {
                    "template": s.template,
                    "start": s.start.isoformat(),
                    "end": s.end.isoformat(),
                    "lunch": s.lunch.isoformat() if s.lunch is not None else None,
                    "breaks": [b.isoformat() for b in s.breaks],
                    "agents": s.agents,
                }
                for s in self.shifts
            ],
            "unmet_intervals": [
                {"interval_start": t.isoformat(), "shortfall": float(v)}
                for t, v in self.unmet.items()
            ],
        }


@dataclass(frozen=True)
class _Column:
    template: ShiftTemplate
    start: int  # slot index within the day window
    lunch: int | None
    breaks: tuple[int, ...]
    cover: np.ndarray  # per 30-minute slot of the window


def _columns(templates: tuple[ShiftTemplate, ...], window: pd.DatetimeIndex) -> list[_Column]:
    """Every placement of every template that fits inside the day's window."""
    n = len(window)
    cols: list[_Column] = []
    for tpl in templates:
        for start in range(0, n - tpl.slots + 1):
            t0 = window[start].time()
            if tpl.earliest_start and t0 < tpl.earliest_start:
                continue
            if tpl.latest_start and t0 > tpl.latest_start:
                continue
            lunches: list[int | None] = (
                [start + x for x in tpl.lunch] if tpl.lunch_minutes else [None]
            )
            for lunch in lunches:
                for b in _break_options(tpl, start, lunch):
                    cover = np.zeros(n)
                    cover[start : start + tpl.slots] = 1.0
                    if lunch is not None:
                        if not start < lunch < start + tpl.slots - 1:
                            continue
                        cover[lunch] = 0.0
                    if any(not start < x < start + tpl.slots or cover[x] < 1 for x in b):
                        continue
                    for x in b:
                        cover[x] -= BREAK_COVER
                    cols.append(_Column(tpl, start, lunch, b, cover))
    return cols


def _break_options(tpl: ShiftTemplate, start: int, lunch: int | None) -> list[tuple[int, ...]]:
    first = [start + x for x in tpl.first_break]
    after = (lunch if lunch is not None else start + tpl.slots // 2) + 1
    second = [after + x - 1 for x in tpl.second_break_after_lunch]
    options = [first, second][: tpl.breaks]
    return [tuple(c) for c in itertools.product(*options)] if options else [()]


def _solve_day(
    req: pd.Series,
    templates: tuple[ShiftTemplate, ...],
    max_agents: int | None,
    time_limit: float,
) -> tuple[list[tuple[_Column, int]], np.ndarray, np.ndarray, str]:
    """Integer programme for one day: shift counts, coverage, shortfall, solver status."""
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import csr_array, hstack, identity

    window = pd.DatetimeIndex(req.index)
    r = req.to_numpy(dtype=float)
    cols = _columns(templates, window)
    n, m = len(window), len(cols)
    if m == 0:
        return [], np.zeros(n), r.copy(), "no template fits the opening hours"
    cover = csr_array(np.column_stack([c.cover for c in cols]))
    cost = np.array([c.template.paid_hours * c.template.cost_per_hour for c in cols])
    penalty = 1000.0 * cost.max()
    # x (integer shift counts) then u (continuous shortfall per interval)
    a = hstack([cover, identity(n, format="csr")]).tocsr()
    constraints = [LinearConstraint(a, lb=r, ub=np.inf)]
    if max_agents is not None:
        head = np.concatenate([np.ones(m), np.zeros(n)])
        constraints.append(LinearConstraint(head.reshape(1, -1), lb=0, ub=max_agents))
    res = milp(
        np.concatenate([cost, np.full(n, penalty)]),
        integrality=np.concatenate([np.ones(m), np.zeros(n)]),
        bounds=Bounds(0, np.inf),
        constraints=constraints,
        options={"time_limit": time_limit},
    )
    if res.x is None:
        return [], np.zeros(n), r.copy(), f"solver: {res.message}"
    x = np.round(res.x[:m]).astype(int)
    coverage = cover @ x
    status = "optimal" if res.status == 0 else f"best found ({res.message})"
    chosen = [(cols[j], int(x[j])) for j in np.flatnonzero(x)]
    return chosen, coverage, np.maximum(r - coverage, 0.0), status


def build_schedule(
    requirement: pd.Series,
    *,
    templates: tuple[ShiftTemplate, ...] = DEFAULT_TEMPLATES,
    max_agents_per_day: int | None = None,
    time_limit: float = 30.0,
) -> Schedule:
    """Cheapest shifts covering a requirement indexed by aware 30-minute interval starts."""
    if requirement.empty:
        raise InvalidInput("requirement: no intervals to schedule", field="requirement")
    if bool((requirement < 0).any()) or not np.isfinite(requirement.to_numpy(float)).all():
        raise InvalidInput("requirement: agents must be finite and >= 0", field="requirement")
    if max_agents_per_day is not None and max_agents_per_day < 0:
        raise InvalidInput("max_agents: must be >= 0", field="max_agents")
    req = requirement.sort_index().astype(float)
    shifts: list[Shift] = []
    cov_parts, unmet_parts, fine_parts, statuses = [], [], [], set()
    for _, day in req.groupby(req.index.date):
        # the day's window runs from its first to last interval, gaps filled as closed (0)
        idx = pd.date_range(day.index[0], day.index[-1], freq=SLOT)
        day = day.reindex(idx, fill_value=0.0)
        chosen, coverage, short, status = _solve_day(day, templates, max_agents_per_day, time_limit)
        statuses.add(status)
        cov_parts.append(pd.Series(coverage, index=idx))
        unmet_parts.append(pd.Series(short, index=idx))
        fine = np.zeros(2 * len(idx), dtype=np.int64)
        for col, k in chosen:
            fine[2 * col.start : 2 * (col.start + col.template.slots)] += k
            if col.lunch is not None:
                fine[2 * col.lunch : 2 * col.lunch + 2] -= k
            for b in col.breaks:
                fine[2 * b] -= k  # breaks take the first quarter-hour
            shifts.append(_shift(col, k, idx))
        fine_idx = pd.date_range(idx[0], periods=2 * len(idx), freq=pd.Timedelta(minutes=15))
        fine_parts.append(pd.Series(fine, index=fine_idx))
    coverage = pd.concat(cov_parts).reindex(req.index)
    unmet = pd.concat(unmet_parts).reindex(req.index)
    paid = sum(s.paid_hours for s in shifts)
    return Schedule(
        shifts=tuple(sorted(shifts, key=lambda s: (s.start, s.template))),
        requirement=req,
        coverage=coverage,
        on_phones_15min=pd.concat(fine_parts),
        unmet=unmet[unmet > 1e-6],
        paid_hours=paid,
        cost=sum(s.cost for s in shifts),
        status="optimal" if statuses == {"optimal"} else "; ".join(sorted(statuses)),
    )


def _shift(col: _Column, agents: int, idx: pd.DatetimeIndex) -> Shift:
    tpl = col.template
    start = idx[col.start]
    return Shift(
        template=tpl.name,
        start=start,
        end=start + tpl.slots * SLOT,
        lunch=idx[col.lunch] if col.lunch is not None else None,
        breaks=tuple(idx[b] for b in col.breaks),
        agents=agents,
        paid_hours=tpl.paid_hours * agents,
        cost=tpl.paid_hours * tpl.cost_per_hour * agents,
    )
