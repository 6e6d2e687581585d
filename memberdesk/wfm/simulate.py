"""Event-driven contact-centre simulation: validate a staffing plan before it is published.

Calls arrive as a Poisson process whose rate changes every interval; each call has a skill
(a language); agent groups log in and out as a schedule says and serve the skills they have;
callers give up after a patience drawn from a distribution. Service level, ASA and abandonment
are reported per interval with confidence intervals over independent replications: Wilson score
intervals for the two proportions (so they stay inside [0, 1]), Student-t for the mean wait.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats as sps

from memberdesk.errors import InvalidInput
from memberdesk.wfm import _simcore
from memberdesk.wfm.erlang_c import MAX_AGENTS

FloatArray = NDArray[np.float64]
# A bound on one request's work (about ten seconds on one core), so no input can run for hours.
MAX_SIMULATED_CALLS = 100_000_000


class Distribution(StrEnum):
    """Shape of a service-time or patience distribution."""

    EXPONENTIAL = "exponential"
    LOGNORMAL = "lognormal"
    DETERMINISTIC = "deterministic"
    NEVER = "never"  # patience only: nobody abandons


_CODES = {
    Distribution.EXPONENTIAL: _simcore.EXPONENTIAL,
    Distribution.LOGNORMAL: _simcore.LOGNORMAL,
    Distribution.DETERMINISTIC: _simcore.DETERMINISTIC,
    Distribution.NEVER: _simcore.NEVER,
}


@dataclass(frozen=True)
class AgentGroup:
    """Agents with the same skills; `staffing` is agents on the phones per staffing step."""

    name: str
    skills: tuple[str, ...]
    staffing: tuple[int, ...]


@dataclass(frozen=True)
class Scenario:
    """What to simulate: demand per interval and skill, agents per staffing step and group."""

    interval_seconds: float
    skills: tuple[str, ...]
    calls: FloatArray  # (intervals, skills) expected arrivals
    aht_seconds: FloatArray  # (intervals, skills)
    groups: tuple[AgentGroup, ...]
    staff_step_seconds: float
    within_seconds: float = 20.0
    patience_seconds: tuple[float, ...] | None = None  # per skill; None: nobody abandons
    patience: Distribution = Distribution.EXPONENTIAL
    patience_cv: float = 1.0
    service: Distribution = Distribution.EXPONENTIAL
    service_cv: float = 1.0


@dataclass(frozen=True)
class Estimate:
    """Mean over replications with a confidence interval."""

    mean: FloatArray
    low: FloatArray
    high: FloatArray


@dataclass(frozen=True)
class SimulationResult:
    """Per-interval and whole-horizon results, pooled over skills."""

    replications: int
    confidence: float
    offered: FloatArray  # mean calls offered per interval
    service_level: Estimate  # share of all offered answered within the target
    asa_seconds: Estimate  # mean wait of answered calls
    abandon_rate: Estimate
    total_service_level: Estimate
    total_asa_seconds: Estimate
    total_abandon_rate: Estimate
    calls_simulated: int
    by_skill: dict[str, dict[str, float]] = field(default_factory=dict)


def _sigma(kind: Distribution, cv: float) -> float:
    # A lognormal with coefficient of variation cv has log-space sd sqrt(log(1 + cv^2)).
    return math.sqrt(math.log1p(cv * cv)) if kind is Distribution.LOGNORMAL else 0.0


def _estimate(samples: FloatArray, confidence: float) -> Estimate:
    """Replication mean and Student-t interval along axis 0, ignoring empty replications."""
    with warnings.catch_warnings(), np.errstate(invalid="ignore"):
        # Intervals with no calls in some replications are NaN there: skipped, not an error.
        warnings.simplefilter("ignore", RuntimeWarning)
        count = np.sum(np.isfinite(samples), axis=0)
        mean = np.nanmean(np.where(np.isfinite(samples), samples, np.nan), axis=0)
        sd = np.nanstd(samples, axis=0, ddof=1) if samples.shape[0] > 1 else np.zeros_like(mean)
        half = sps.t.ppf(0.5 + confidence / 2, np.maximum(count - 1, 1)) * sd / np.sqrt(count)
    half = np.where(count > 1, half, np.nan)
    return Estimate(mean, mean - half, mean + half)


def _proportion(samples: FloatArray, offered: FloatArray, confidence: float) -> Estimate:
    """Replication mean of a proportion with a Wilson score interval (always inside [0, 1]).

    Calls within one replication are not independent (a queue carries its backlog from call to
    call), so the binomial n of all simulated calls would overstate what is known; the spread
    across replications is the honest measure. The effective n is the one whose binomial
    variance p(1 - p)/n equals the variance of the replication mean (at most the calls
    simulated; all of them when every replication agrees, as at 0% or 100%). Wilson's interval
    depends on z and n only through z^2/n, so n is scaled by (z/t)^2 to keep the Student-t
    quantile of a small number of replications.
    """
    from statsmodels.stats.proportion import proportion_confint

    finite = np.isfinite(samples)
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        count = finite.sum(axis=0)
        mean = np.nanmean(np.where(finite, samples, np.nan), axis=0)
        var_mean = np.nanvar(samples, axis=0, ddof=1) / count
        calls = np.where(finite, offered, 0.0).sum(axis=0)
        n_eff = np.where(var_mean > 0, mean * (1 - mean) / var_mean, calls)
        n_eff = np.minimum(np.where(n_eff > 0, n_eff, calls), calls)
        z = sps.norm.ppf(0.5 + confidence / 2)
        t = sps.t.ppf(0.5 + confidence / 2, np.maximum(count - 1, 1))
        n_eff = n_eff * (z / t) ** 2
    ok = np.atleast_1d((count > 1) & (n_eff > 0) & np.isfinite(mean))
    low = np.full(ok.shape, np.nan)
    high = np.full(ok.shape, np.nan)
    if ok.any():
        n = np.atleast_1d(n_eff)[ok]
        lo, hi = proportion_confint(
            np.atleast_1d(mean)[ok] * n, n, alpha=1 - confidence, method="wilson"
        )
        low[ok], high[ok] = lo, hi
    shape = np.shape(mean)
    return Estimate(mean, low.reshape(shape), high.reshape(shape))


def _ratio(num: FloatArray, den: FloatArray) -> FloatArray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def validate(sc: Scenario) -> None:
    """Raise InvalidInput naming the first inconsistent part of a scenario."""
    n_int = sc.calls.shape[0]

    def need(ok: bool, name: str, reason: str) -> None:
        if not ok:
            raise InvalidInput(f"{name}: {reason}", field=name)

    need(sc.interval_seconds > 0, "interval", "must be > 0 seconds")
    need(sc.staff_step_seconds > 0, "staff_step", "must be > 0 seconds")
    need(sc.calls.shape == (n_int, len(sc.skills)), "calls", "must be intervals x skills")
    need(sc.aht_seconds.shape == sc.calls.shape, "aht", "must be intervals x skills")
    need(bool(np.all(sc.calls >= 0)), "calls", "must be >= 0")
    need(bool(np.all(sc.aht_seconds > 0)), "aht", "must be > 0 seconds")
    need(len(sc.groups) > 0, "groups", "at least one agent group is needed")
    steps = {len(g.staffing) for g in sc.groups}
    need(len(steps) == 1, "staffing", "every group needs the same number of steps")
    for g in sc.groups:
        known = all(s in sc.skills for s in g.skills)
        need(known, "skills", f"group {g.name} has an unknown skill")
        need(all(x >= 0 for x in g.staffing), "staffing", "agents must be >= 0")
        need(all(x <= MAX_AGENTS for x in g.staffing), "staffing", f"at most {MAX_AGENTS:,}")
    if sc.patience_seconds is not None:
        need(len(sc.patience_seconds) == len(sc.skills), "patience", "one value per skill")
        need(all(p > 0 for p in sc.patience_seconds), "patience", "must be > 0 seconds")


def simulate(
    sc: Scenario, *, replications: int = 20, seed: int = 1, confidence: float = 0.95
) -> SimulationResult:
    """Run independent replications and summarise SL, ASA and abandonment with CIs."""
    validate(sc)
    if replications < 2:
        msg = "replications: at least 2 are needed for a confidence interval"
        raise InvalidInput(msg, field="replications")
    if float(sc.calls.sum()) * replications > MAX_SIMULATED_CALLS:
        msg = f"calls: at most {MAX_SIMULATED_CALLS:,} calls over all replications"
        raise InvalidInput(msg, field="calls")
    skills_idx = {s: i for i, s in enumerate(sc.skills)}
    group_skills = np.zeros((len(sc.groups), len(sc.skills)), dtype=np.bool_)
    for gi, g in enumerate(sc.groups):
        for s in g.skills:
            group_skills[gi, skills_idx[s]] = True
    # Specialists first, so multi-skilled agents stay free for the calls only they can take.
    order = np.argsort(group_skills.sum(axis=1), kind="stable").astype(np.int64)
    staffing = np.array([g.staffing for g in sc.groups], dtype=np.int64).T.copy()
    never = sc.patience_seconds is None or sc.patience is Distribution.NEVER
    patience = np.array(sc.patience_seconds if sc.patience_seconds else [1.0] * len(sc.skills))
    raw = _simcore.run(
        seed,
        replications,
        float(sc.interval_seconds),
        np.ascontiguousarray(sc.calls, dtype=np.float64),
        np.ascontiguousarray(sc.aht_seconds, dtype=np.float64),
        _CODES[sc.service],
        _sigma(sc.service, sc.service_cv),
        _simcore.NEVER if never else _CODES[sc.patience],
        patience.astype(np.float64),
        _sigma(sc.patience, sc.patience_cv),
        float(sc.staff_step_seconds),
        staffing,
        group_skills,
        order,
        float(sc.within_seconds),
    )
    return summarise(raw, sc.skills, confidence)


def summarise(raw: FloatArray, skills: tuple[str, ...], confidence: float) -> SimulationResult:
    """Turn raw per-replication counts into estimates with confidence intervals."""
    c = _simcore
    pooled = raw.sum(axis=2)  # over skills: (replications, intervals, stats)
    off, ans = pooled[..., c.OFFERED], pooled[..., c.ANSWERED]
    tot = pooled.sum(axis=1)  # (replications, stats)
    by_skill = {}
    for si, name in enumerate(skills):
        s = raw[:, :, si, :].sum(axis=1)
        by_skill[name] = {
            "offered": float(s[:, c.OFFERED].mean()),
            "service_level": float(np.nanmean(_ratio(s[:, c.WITHIN], s[:, c.OFFERED]))),
            "abandon_rate": float(np.nanmean(_ratio(s[:, c.ABANDONED], s[:, c.OFFERED]))),
        }
    return SimulationResult(
        replications=raw.shape[0],
        confidence=confidence,
        offered=off.mean(axis=0),
        service_level=_proportion(_ratio(pooled[..., c.WITHIN], off), off, confidence),
        asa_seconds=_estimate(_ratio(pooled[..., c.WAIT_SUM], ans), confidence),
        abandon_rate=_proportion(_ratio(pooled[..., c.ABANDONED], off), off, confidence),
        total_service_level=_proportion(
            _ratio(tot[:, c.WITHIN], tot[:, c.OFFERED]), tot[:, c.OFFERED], confidence
        ),
        total_asa_seconds=_estimate(_ratio(tot[:, c.WAIT_SUM], tot[:, c.ANSWERED]), confidence),
        total_abandon_rate=_proportion(
            _ratio(tot[:, c.ABANDONED], tot[:, c.OFFERED]), tot[:, c.OFFERED], confidence
        ),
        calls_simulated=int(tot[:, c.OFFERED].sum()),
        by_skill=by_skill,
    )


_warm = False


def warm_up() -> float:
    """Compile the event loop, or load it from numba's cache; seconds spent (0 once warm).

    Callers that report a speed run this first, so compilation never counts as simulation.
    """
    global _warm
    if _warm:
        return 0.0
    t0 = time.perf_counter()
    # The same argument types as every real run, so the signature compiled here is the one used.
    simulate(single_queue([1.0], 60.0, 1, patience_seconds=60.0), replications=2)
    _warm = True
    return time.perf_counter() - t0


def single_queue(
    calls: ArrayLike,
    aht_seconds: float,
    agents: ArrayLike,
    *,
    interval_seconds: float = 1800.0,
    within_seconds: float = 20.0,
    patience_seconds: float | None = None,
) -> Scenario:
    """One skill, one agent group, staffing changing each interval: the common case."""
    c = np.atleast_1d(np.asarray(calls, dtype=float))
    n = np.broadcast_to(np.atleast_1d(np.asarray(agents, dtype=np.int64)), c.shape)
    return Scenario(
        interval_seconds=interval_seconds,
        skills=("en",),
        calls=c.reshape(-1, 1),
        aht_seconds=np.full((c.size, 1), float(aht_seconds)),
        groups=(AgentGroup("agents", ("en",), tuple(int(x) for x in n)),),
        staff_step_seconds=interval_seconds,
        within_seconds=within_seconds,
        patience_seconds=None if patience_seconds is None else (patience_seconds,),
    )


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _est(e: Estimate, i: int | None = None) -> dict[str, float | None]:
    pick = (lambda a: float(a)) if i is None else (lambda a: float(a[i]))
    return {
        "mean": _finite(pick(e.mean)),
        "low": _finite(pick(e.low)),
        "high": _finite(pick(e.high)),
    }


def result_as_dict(res: SimulationResult, labels: list[str]) -> dict[str, Any]:
    """JSON-ready results: totals, per skill and per labelled interval (NaN becomes None)."""
    rows = []
    for i, label in enumerate(labels):
        sl, ab = _est(res.service_level, i), _est(res.abandon_rate, i)
        rows.append(
            {
                "interval": label,
                "offered": float(res.offered[i]),
                "service_level": sl["mean"],
                "service_level_low": sl["low"],
                "service_level_high": sl["high"],
                "abandon_rate": ab["mean"],
                "abandon_low": ab["low"],
                "abandon_high": ab["high"],
                "asa_seconds": _est(res.asa_seconds, i)["mean"],
            }
        )
    return {
        "replications": res.replications,
        "confidence": res.confidence,
        "calls_simulated": res.calls_simulated,
        "total": {
            "service_level": _est(res.total_service_level),
            "abandon_rate": _est(res.total_abandon_rate),
            "asa_seconds": _est(res.total_asa_seconds),
        },
        "by_skill": res.by_skill,
        "intervals": rows,
    }
