"""Erlang C and Erlang A (M/M/n+M) staffing, exact at any load and vectorised over intervals.

Erlang C follows the staffing contract in docs/wfm.md: P(wait) from the Erlang B recursion,
never factorials. Erlang A's performance measures live in `erlang_a.py` (SciPy's incomplete
gamma functions), imported only when Erlang A is asked for, so Erlang C needs NumPy alone; this
module searches both for the smallest staff meeting a target and wraps the answers.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from memberdesk.errors import InvalidInput
from memberdesk.wfm.erlang_c import MAX_AGENTS, check_inputs

if TYPE_CHECKING:
    from memberdesk.wfm.erlang_a import ErlangAMetrics, erlang_a_metrics, log_erlang_b

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


__all__ = [
    "ErlangAMetrics",
    "IntervalStaffing",
    "Model",
    "Staffing",
    "chat_staff",
    "erlang_a_metrics",
    "erlang_b",
    "log_erlang_b",
    "scheduled_staff",
    "service_level_for",
    "staff",
    "staff_intervals",
]


def __getattr__(name: str) -> Any:
    # Erlang A's names are re-exported here, imported on first use (SciPy costs start-up time).
    if name in ("ErlangAMetrics", "erlang_a_metrics", "log_erlang_b"):
        from memberdesk.wfm import erlang_a

        return getattr(erlang_a, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class Model(StrEnum):
    """Queueing model used for a staffing answer."""

    ERLANG_C = "erlang_c"
    ERLANG_A = "erlang_a"


@dataclass(frozen=True)
class Staffing:
    """Staffing answer for one interval (the `wfm staff --json` object)."""

    model: Model
    intensity: float
    agents: float
    scheduled: int
    service_level: float
    asa_seconds: float
    occupancy: float
    p_wait: float
    p_abandon: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dict; `p_abandon` only for Erlang A."""
        out = asdict(self)
        out["model"] = str(self.model)
        if self.model is Model.ERLANG_C:
            del out["p_abandon"]
        if float(self.agents).is_integer():
            out["agents"] = int(self.agents)
        return out


@dataclass(frozen=True)
class IntervalStaffing:
    """Staffing answers for many intervals, one array entry per interval."""

    model: Model
    intensity: FloatArray
    agents: FloatArray  # integers unless a fractional requirement was asked for
    scheduled: IntArray
    service_level: FloatArray
    asa_seconds: FloatArray
    occupancy: FloatArray
    p_wait: FloatArray
    p_abandon: FloatArray | None

    def row(self, i: int) -> Staffing:
        """The answer for interval ``i``."""
        return Staffing(
            model=self.model,
            intensity=float(self.intensity[i]),
            agents=float(self.agents[i]),
            scheduled=int(self.scheduled[i]),
            service_level=float(self.service_level[i]),
            asa_seconds=float(self.asa_seconds[i]),
            occupancy=float(self.occupancy[i]),
            p_wait=float(self.p_wait[i]),
            p_abandon=None if self.p_abandon is None else float(self.p_abandon[i]),
        )


# --------------------------------------------------------------------------- validation


def _check(ok: bool, field: str, reason: str) -> None:
    if not ok:
        raise InvalidInput(f"{field}: {reason}", field=field)


def _validate(
    calls: FloatArray,
    aht: FloatArray,
    interval: float,
    target: float,
    within: float,
    patience: float | None,
    max_occupancy: float,
    shrinkage: float,
) -> None:
    # The rules themselves live in erlang_c (free of NumPy); here only the reductions.
    calls_ok = bool(np.all(np.isfinite(calls)) and np.all(calls >= 0))
    aht_ok = bool(np.all(np.isfinite(aht)) and np.all(aht > 0))
    sane = calls_ok and aht_ok and calls.size > 0 and interval > 0
    check_inputs(
        calls_ok=calls_ok,
        aht_ok=aht_ok,
        aht_min=float(aht.min()) if aht.size else 1.0,
        aht_max=float(aht.max()) if aht.size else 1.0,
        interval=interval,
        target=target,
        within=within,
        patience=patience,
        max_occupancy=max_occupancy,
        shrinkage=shrinkage,
        peak_load=float((calls * aht).max()) / interval if sane else 0.0,
        peak_arrivals_per_second=float(calls.max()) / interval if sane else 0.0,
    )


def intensity(calls: ArrayLike, aht: ArrayLike, interval: float) -> FloatArray:
    """Traffic intensity in Erlangs: calls x AHT / interval length."""
    return np.asarray(calls, dtype=float) * np.asarray(aht, dtype=float) / float(interval)


def scheduled_staff(agents: ArrayLike, shrinkage: float) -> IntArray:
    """Scheduled staff = ceil(agents / (1 - shrinkage))."""
    # The tiny tolerance stops 14 / 0.7 = 20.000000000000004 from becoming 21.
    raw = np.asarray(agents, dtype=float) / (1.0 - shrinkage)
    return np.ceil(raw - 1e-9).astype(np.int64)


# --------------------------------------------------------------------------- Erlang C


def _erlang_b_step(a: FloatArray, b: FloatArray, k: int) -> FloatArray:
    """One step of the Erlang B recursion B(k) = A B(k-1) / (k + A B(k-1))."""
    ab = a * b
    return ab / (k + ab)


def erlang_b(n: int, a: float) -> float:
    """Erlang B blocking probability by the recursion (stable at any n)."""
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c_wait(n: ArrayLike, a: ArrayLike, b: ArrayLike) -> FloatArray:
    """Erlang C P(wait) from n agents, load A and Erlang B value B(n, A); needs n > A."""
    n_, a_, b_ = (np.asarray(v, dtype=float) for v in (n, a, b))
    return n_ * b_ / (n_ - a_ * (1.0 - b_))


def erlang_c_service_level(
    n: ArrayLike, a: ArrayLike, p_wait: ArrayLike, within: float, aht: ArrayLike
) -> FloatArray:
    """SL(n) = 1 - P(wait) exp(-(n - A) T / AHT)."""
    n_, a_, pw = (np.asarray(v, dtype=float) for v in (n, a, p_wait))
    # exp underflowing to 0 for long targets is the true limit (SL -> 1), not a precision loss.
    return 1.0 - pw * np.exp(-(n_ - a_) * within / np.asarray(aht, dtype=float))


def _erlang_c_search(
    a: FloatArray, ratio: FloatArray, target: float, max_occupancy: float
) -> tuple[IntArray, FloatArray, FloatArray]:
    """Smallest n > A with SL >= target and A/n <= max occupancy, walking the B recursion."""
    size = a.size
    agents = np.zeros(size, dtype=np.int64)
    p_wait = np.zeros(size)
    prev_sl = np.zeros(size)  # SL(n - 1), for the fractional requirement
    idx = np.flatnonzero(a > 0)
    aa, rr = a[idx], ratio[idx]
    floor_n = np.maximum(np.floor(aa) + 1, np.ceil(aa / max_occupancy - 1e-12))
    b = np.ones(idx.size)
    sl_prev = np.zeros(idx.size)
    k = 0
    while idx.size:
        k += 1
        if idx.size <= 4 and k < floor_n.min():
            # Plain floats for the long climb to a huge load (20,000+ Erlangs): a numpy call per
            # step would cost microseconds, a float multiply costs nanoseconds.
            stop = int(floor_n.min())
            bl, al = b.tolist(), aa.tolist()
            for kk in range(k, stop):
                bl = [x * y / (kk + x * y) for x, y in zip(al, bl, strict=True)]
            b, k = np.array(bl), stop
        b = _erlang_b_step(aa, b, k)
        eligible = k >= floor_n
        if not eligible.any():
            continue
        pw = erlang_c_wait(k, aa, b)
        sl = np.where(eligible, 1.0 - pw * np.exp(-np.maximum(k - aa, 0.0) * rr), 0.0)
        done = eligible & (sl >= target)
        if done.any():
            agents[idx[done]] = k
            p_wait[idx[done]] = pw[done]
            prev_sl[idx[done]] = sl_prev[done]
            keep = ~done
            idx, aa, rr, b, floor_n = idx[keep], aa[keep], rr[keep], b[keep], floor_n[keep]
            sl = sl[keep]
        sl_prev = sl
    return agents, p_wait, prev_sl


def _fractional(
    agents: IntArray, a: FloatArray, sl_n: FloatArray, sl_prev: FloatArray, target: float
) -> FloatArray:
    """Linear interpolation of SL between n - 1 (or A, where SL is 0) and n."""
    n = agents.astype(float)
    lo = np.maximum(n - 1.0, a)
    s0 = np.where(n - 1.0 > a, sl_prev, 0.0)
    span = np.where(sl_n > s0, sl_n - s0, 1.0)
    frac = lo + np.clip((target - s0) / span, 0.0, 1.0) * (n - lo)
    return np.where(agents > 0, frac, 0.0)


# --------------------------------------------------------------------------- Erlang A search


def _erlang_a_search(
    calls: FloatArray,
    aht: FloatArray,
    interval: float,
    patience: float,
    within: float,
    target: float,
    max_occupancy: float,
) -> IntArray:
    """Smallest n (possibly below A) meeting SL and occupancy: doubling, then bisection."""
    from memberdesk.wfm.erlang_a import erlang_a_metrics

    def meets(n: FloatArray, sel: NDArray[np.bool_]) -> NDArray[np.bool_]:
        got = erlang_a_metrics(n, calls[sel], aht[sel], interval, patience, within, with_asa=False)
        return (got.service_level >= target) & (got.occupancy <= max_occupancy)

    busy = calls > 0
    a = intensity(calls, aht, interval)
    hi = np.where(busy, np.maximum(1.0, np.ceil(a)), 0.0)
    short = busy.copy()
    while short.any():
        ok = meets(hi[short], short)
        idx = np.flatnonzero(short)
        hi[idx[~ok]] *= 2.0
        short[idx[ok]] = False
        # A target so close to 1 that no staff reaches it in floating point must not double
        # forever.
        if np.any(hi[short] > 2 * MAX_AGENTS):
            msg = f"target: not reachable with {MAX_AGENTS:,} agents or fewer; lower it"
            raise InvalidInput(msg, field="target")
    lo = np.zeros_like(hi)  # SL(0) = 0 < target: lo never meets
    open_ = busy & (hi - lo > 1)
    while open_.any():
        mid = np.floor((lo + hi) / 2.0)
        ok = meets(mid[open_], open_)
        idx = np.flatnonzero(open_)
        hi[idx[ok]] = mid[idx[ok]]
        lo[idx[~ok]] = mid[idx[~ok]]
        open_ = busy & (hi - lo > 1)
    return hi.astype(np.int64)


# --------------------------------------------------------------------------- public API


def staff_intervals(
    calls: ArrayLike,
    aht: ArrayLike,
    *,
    interval: float,
    target: float,
    within: float,
    patience: float | None = None,
    max_occupancy: float = 1.0,
    shrinkage: float = 0.0,
    fractional: bool = False,
) -> IntervalStaffing:
    """Agents and scheduled staff for every interval (Erlang C, or Erlang A with patience)."""
    c, h = np.broadcast_arrays(
        np.atleast_1d(np.asarray(calls, dtype=float)), np.atleast_1d(np.asarray(aht, dtype=float))
    )
    c, h = c.astype(float), h.astype(float)
    _validate(c, h, interval, target, within, patience, max_occupancy, shrinkage)
    a = intensity(c, h, interval)
    if patience is None:
        n, p_wait, sl_prev = _erlang_c_search(a, within / h, target, max_occupancy)
        pos = n > 0
        sl = np.ones_like(a)
        sl[pos] = erlang_c_service_level(n[pos], a[pos], p_wait[pos], within, h[pos])
        asa = np.zeros_like(a)
        asa[pos] = p_wait[pos] * h[pos] / (n[pos] - a[pos])
        occ = np.divide(a, n, out=np.zeros_like(a), where=pos)
        agents = _fractional(n, a, sl, sl_prev, target) if fractional else n.astype(float)
        sched = scheduled_staff(agents, shrinkage)
        return IntervalStaffing(Model.ERLANG_C, a, agents, sched, sl, asa, occ, p_wait, None)
    from memberdesk.wfm.erlang_a import erlang_a_metrics

    n = _erlang_a_search(c, h, interval, patience, within, target, max_occupancy)
    got = erlang_a_metrics(n, c, h, interval, patience, within)
    agents = n.astype(float)
    if fractional:
        below = erlang_a_metrics(np.maximum(n - 1, 0), c, h, interval, patience, within)
        s0, s1 = below.service_level, got.service_level
        span = np.where(s1 > s0, s1 - s0, 1.0)
        agents = np.where(n > 0, n - 1 + np.clip((target - s0) / span, 0.0, 1.0), 0.0)
    return IntervalStaffing(
        Model.ERLANG_A,
        a,
        agents,
        scheduled_staff(agents, shrinkage),
        got.service_level,
        got.asa_seconds,
        got.occupancy,
        got.p_wait,
        got.p_abandon,
    )


def staff(
    calls: float,
    aht: float,
    *,
    interval: float,
    target: float,
    within: float,
    patience: float | None = None,
    max_occupancy: float = 1.0,
    shrinkage: float = 0.0,
    fractional: bool = False,
) -> Staffing:
    """Staffing for one interval; the `wfm staff` answer."""
    return staff_intervals(
        [calls],
        [aht],
        interval=interval,
        target=target,
        within=within,
        patience=patience,
        max_occupancy=max_occupancy,
        shrinkage=shrinkage,
        fractional=fractional,
    ).row(0)


def service_level_for(
    agents: int,
    calls: float,
    aht: float,
    *,
    interval: float,
    within: float,
    patience: float | None = None,
) -> Staffing:
    """Performance of a given number of agents (SL, ASA, P(wait), occupancy)."""
    _validate(np.array([calls]), np.array([aht]), interval, 0.5, within, patience, 1.0, 0.0)
    _check(0 <= agents <= MAX_AGENTS, "agents", f"must be 0 to {MAX_AGENTS:,}")
    a = float(intensity(calls, aht, interval))
    if patience is not None:
        from memberdesk.wfm.erlang_a import erlang_a_metrics

        got = erlang_a_metrics(agents, calls, aht, interval, patience, within)
        return Staffing(
            Model.ERLANG_A,
            a,
            agents,
            agents,
            float(got.service_level),
            float(got.asa_seconds),
            float(got.occupancy),
            float(got.p_wait),
            float(got.p_abandon),
        )
    if a == 0:
        return Staffing(Model.ERLANG_C, 0.0, agents, agents, 1.0, 0.0, 0.0, 0.0)
    if agents <= a:  # unstable queue: everyone waits, forever on average
        return Staffing(Model.ERLANG_C, a, agents, agents, 0.0, math.inf, 1.0, 1.0)
    pw = float(erlang_c_wait(agents, a, erlang_b(agents, a)))
    sl = float(erlang_c_service_level(agents, a, pw, within, aht))
    return Staffing(Model.ERLANG_C, a, agents, agents, sl, pw * aht / (agents - a), a / agents, pw)


def chat_staff(
    chats: float,
    aht: float,
    *,
    concurrency: int,
    interval: float,
    target: float,
    within: float,
    patience: float | None = None,
    shrinkage: float = 0.0,
) -> Staffing:
    """Chat staffing: each agent is `concurrency` slots; AHT is the elapsed time of one chat."""
    _check(concurrency >= 1, "concurrency", "must be a whole number >= 1")
    slots = staff(chats, aht, interval=interval, target=target, within=within, patience=patience)
    agents = math.ceil(slots.agents / concurrency)
    return Staffing(
        slots.model,
        slots.intensity,
        agents,
        int(scheduled_staff(agents, shrinkage)),
        slots.service_level,
        slots.asa_seconds,
        slots.occupancy,
        slots.p_wait,
        slots.p_abandon,
    )
