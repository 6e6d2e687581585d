"""Erlang C and Erlang A (M/M/n+M) staffing, exact at any load and vectorised over intervals.

Erlang C follows DESIGN.md to the letter: P(wait) from the Erlang B recursion, never
factorials. Erlang A uses the closed forms of Mandelbaum & Zeltyn (the virtual wait V has the
density pi_n n mu exp(-n mu t + (lambda/theta)(1 - exp(-theta t))) on t > 0), written with
scaled incomplete gamma functions evaluated in log space, so that neither 20,000 Erlangs nor
hour-long targets overflow or underflow where pyworkforce-style code does.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from memberdesk.errors import InvalidInput

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

# Below this a regularised incomplete gamma has lost its relative precision to underflow, and the
# scaled series (which converges fast exactly there) takes over.
_TINY = 1e-280


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
    _check(bool(np.all(np.isfinite(calls)) and np.all(calls >= 0)), "calls", "must be >= 0")
    _check(bool(np.all(np.isfinite(aht)) and np.all(aht > 0)), "aht", "must be > 0 seconds")
    _check(math.isfinite(interval) and interval > 0, "interval", "must be > 0 seconds")
    _check(0 < target < 1, "target", "must be a fraction strictly between 0 and 1")
    _check(math.isfinite(within) and within >= 0, "within", "must be >= 0 seconds")
    if patience is not None:
        _check(math.isfinite(patience) and patience > 0, "patience", "must be > 0 seconds")
    _check(0 < max_occupancy <= 1, "max_occupancy", "must be in (0, 1]")
    _check(0 <= shrinkage < 1, "shrinkage", "must be in [0, 1)")


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


# --------------------------------------------------------------------------- Erlang A


def _log_lower_scaled(s: FloatArray, z: FloatArray) -> FloatArray:
    """log of exp(z) z^-s gamma(s, z) = log sum_j z^j / (s (s+1) ... (s+j))."""
    s, z = np.broadcast_arrays(np.asarray(s, dtype=float), np.asarray(z, dtype=float))
    p = special.gammainc(s, z)
    out = np.empty(s.shape)
    ok = p > _TINY
    with np.errstate(divide="ignore"):
        out[ok] = z[ok] - s[ok] * np.log(z[ok]) + special.gammaln(s[ok]) + np.log(p[ok])
    bad = ~ok
    if bad.any():
        # Underflow happens only for z well below s, where the terms fall geometrically.
        ss, zz = s[bad], z[bad]
        term = 1.0 / ss
        total = term.copy()
        j = 0
        live = np.ones(ss.size, dtype=bool)
        while live.any():
            j += 1
            term = np.where(live, term * zz / (ss + j), 0.0)
            total += term
            live = term > 1e-17 * total
        out[bad] = np.log(total)
    return out


def _log_upper_scaled(s: FloatArray, z: FloatArray) -> FloatArray:
    """log of exp(z) z^-s Gamma(s, z) for integer s >= 1 (a finite sum)."""
    s, z = np.broadcast_arrays(np.asarray(s, dtype=float), np.asarray(z, dtype=float))
    q = special.gammaincc(s, z)
    out = np.empty(s.shape)
    ok = q > _TINY
    out[ok] = z[ok] - s[ok] * np.log(z[ok]) + special.gammaln(s[ok]) + np.log(q[ok])
    bad = ~ok
    if bad.any():
        # Underflow happens only for z well above s: sum_k (s-1)!/(s-1-k)! z^-(k+1), shrinking.
        ss, zz = s[bad], z[bad]
        term = 1.0 / zz
        total = term.copy()
        k = 0
        live = np.ones(ss.size, dtype=bool)
        while live.any():
            k += 1
            term = np.where(live, term * np.maximum(ss - k, 0.0) / zz, 0.0)
            total += term
            live = term > 1e-17 * total
        out[bad] = np.log(total)
    return out


def log_erlang_b(n: ArrayLike, a: ArrayLike) -> FloatArray:
    """log Erlang B for n >= 0 agents and load A > 0, via 1/B = A e^A A^-(n+1) Gamma(n+1, A)."""
    n_, a_ = np.broadcast_arrays(np.asarray(n, dtype=float), np.asarray(a, dtype=float))
    return -np.log(a_) - _log_upper_scaled(n_ + 1.0, a_)


@dataclass(frozen=True)
class ErlangAMetrics:
    """M/M/n+M performance for given staff."""

    service_level: FloatArray
    p_wait: FloatArray
    p_abandon: FloatArray
    asa_seconds: FloatArray  # mean wait of answered calls
    occupancy: FloatArray


def erlang_a_metrics(
    n: ArrayLike,
    calls: ArrayLike,
    aht: ArrayLike,
    interval: float,
    patience: float,
    within: float,
    *,
    with_asa: bool = True,
) -> ErlangAMetrics:
    """Service level (all arrivals), P(wait), P(abandon), ASA and occupancy of M/M/n+M."""
    n_, lam, aht_ = np.broadcast_arrays(
        np.asarray(n, dtype=float),
        np.asarray(calls, dtype=float) / float(interval),
        np.asarray(aht, dtype=float),
    )
    shape = n_.shape
    sl = np.ones(shape)
    pw = np.zeros(shape)
    pab = np.zeros(shape)
    asa = np.zeros(shape)
    occ = np.zeros(shape)
    idle = (lam <= 0) & (n_ >= 0)
    nobody = (lam > 0) & (n_ <= 0)
    sl[nobody], pw[nobody], pab[nobody], occ[nobody] = 0.0, 1.0, 1.0, 1.0
    m = ~(idle | nobody)
    if not m.any():
        return ErlangAMetrics(sl, pw, pab, asa, occ)
    nn, la, h = n_[m], lam[m], aht_[m]
    a = la * h
    r = patience / h  # theta = 1/patience, mu = 1/aht
    x = nn * r  # n mu / theta
    y = a * r  # lambda / theta
    theta_t = within / patience
    log_x = np.log(x)
    log_big_a = log_x + _log_lower_scaled(x, y)  # A(x, y) = 1F1(1; x+1; y) >= 1
    log_l = log_big_a + log_erlang_b(nn, a)
    e = np.exp(-np.abs(log_l))
    inv_a = np.exp(-log_big_a)
    p_wait = np.where(log_l < 0, e / (1.0 + e * (1.0 - inv_a)), 1.0 / (e + 1.0 - inv_a))
    log_pi_n = np.log(p_wait) - log_big_a
    log_s1 = _log_lower_scaled(x + 1.0, y)
    answered_after_wait = np.exp(log_pi_n + log_x + log_s1)
    y_t = y * np.exp(-theta_t)  # underflow to 0 here is harmless: gamma(x+1, 0) = 0 exactly
    log_tail = log_pi_n + log_x + (y - y_t - (x + 1.0) * theta_t) + _log_lower_scaled(x + 1.0, y_t)
    within_after_wait = answered_after_wait - np.exp(log_tail)
    p_ab = np.clip(p_wait - answered_after_wait, 0.0, 1.0)
    sl[m] = np.clip(1.0 - p_wait + within_after_wait, 0.0, 1.0)
    pw[m] = p_wait
    pab[m] = p_ab
    occ[m] = np.minimum(a * (1.0 - p_ab) / nn, 1.0)
    if with_asa:
        # E[V; answered] = -d/dtheta' E[exp(-theta' V)] = pi_n (x/theta) (-dS/ds) at s = x + 1.
        step = 1e-5 * (x + 1.0)
        below = np.exp(_log_lower_scaled(x + 1.0 - step, y))
        above = np.exp(_log_lower_scaled(x + 1.0 + step, y))
        ds = (below - above) / (2.0 * step)
        wait_answered = np.exp(log_pi_n + log_x) * patience * ds
        asa[m] = np.where(1.0 - p_ab > 0, wait_answered / np.maximum(1.0 - p_ab, 1e-300), 0.0)
    return ErlangAMetrics(sl, pw, pab, asa, occ)


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
    _check(agents >= 0, "agents", "must be >= 0")
    a = float(intensity(calls, aht, interval))
    if patience is not None:
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
