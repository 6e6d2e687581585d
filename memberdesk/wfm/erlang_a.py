"""Erlang A (M/M/n+M) performance measures in log space: exact at any load and any target.

Closed forms of Mandelbaum & Zeltyn: the offered wait V of an arriving caller has an atom
1 - P(wait) at 0 and the density pi_n n mu exp(-n mu t + (lambda/theta)(1 - exp(-theta t))) on
t > 0. They are written with scaled incomplete gamma functions, evaluated by scipy where the
regularised value is representable and by convergent series exactly where it would underflow,
so that neither 20,000 Erlangs nor hour-long targets overflow or collapse to 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

FloatArray = NDArray[np.float64]

# Below this a regularised incomplete gamma has lost its relative precision to underflow, and the
# scaled series (which converges fast exactly there) takes over.
_TINY = 1e-280


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
    # np.where evaluates both branches; the one not taken may divide by zero or take log(0)
    # at extreme loads. Those values are discarded, so their warnings are noise.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
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
        log_tail = (
            log_pi_n + log_x + (y - y_t - (x + 1.0) * theta_t) + _log_lower_scaled(x + 1.0, y_t)
        )
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
