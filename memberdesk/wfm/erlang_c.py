"""Erlang C for one interval in plain floats, and the input rules every staffing answer obeys.

`wfm staff` for one interval is the command people run most; answering it in plain floats lets
it start without importing NumPy. The recursion, the formulas and the search are those of
`erlang.staff_intervals` (which works on arrays of intervals); a property test holds the two to
the same answers. The input rules live here, free of NumPy, and both paths apply them.
"""

from __future__ import annotations

import math
from typing import Any

from memberdesk.errors import InvalidInput

# Beyond any contact centre, and the bounds that keep one answer well under a second: the
# searches walk one agent at a time up to A / max occupancy.
MAX_ERLANGS = 100_000.0
MAX_AGENTS = 200_000
YEAR = 365 * 86_400.0
# Callers arriving within one mean patience: past this Erlang A is Erlang C to many digits, and
# its incomplete gammas (arguments of that size) turn slow.
MAX_PATIENT_ARRIVALS = 1e8


def _check(ok: bool, field: str, reason: str) -> None:
    if not ok:
        raise InvalidInput(f"{field}: {reason}", field=field)


def check_inputs(
    *,
    calls_ok: bool,
    aht_ok: bool,
    aht_min: float,
    aht_max: float,
    interval: float,
    target: float,
    within: float,
    patience: float | None,
    max_occupancy: float,
    shrinkage: float,
    peak_load: float,
    peak_arrivals_per_second: float,
) -> None:
    """Raise InvalidInput naming the first input outside the rules (the answer is by field)."""
    _check(calls_ok, "calls", "must be >= 0")
    _check(aht_ok, "aht", "must be > 0 seconds")
    # Below a second (or above a year) no contact centre works; the bounds also keep the
    # Erlang A functions' arguments where they are fast and exact.
    _check(aht_min >= 1 and aht_max <= YEAR, "aht", "must be 1 second to a year")
    _check(math.isfinite(interval) and interval > 0, "interval", "must be > 0 seconds")
    _check(1 <= interval <= YEAR, "interval", "must be 1 second to a year")
    _check(0 < target < 1, "target", "must be a fraction strictly between 0 and 1")
    _check(math.isfinite(within) and within >= 0, "within", "must be >= 0 seconds")
    _check(within <= YEAR, "within", "must be at most a year")
    if patience is not None:
        _check(math.isfinite(patience) and patience > 0, "patience", "must be > 0 seconds")
        _check(patience >= 1, "patience", "must be at least 1 second")
        _check(
            peak_arrivals_per_second * patience <= MAX_PATIENT_ARRIVALS,
            "patience",
            "too long for this load: nobody would hang up; leave it out (Erlang C)",
        )
    _check(0 < max_occupancy <= 1, "max_occupancy", "must be in (0, 1]")
    _check(0 <= shrinkage < 1, "shrinkage", "must be in [0, 1)")
    _check(
        peak_load <= MAX_ERLANGS,
        "calls",
        f"calls x AHT / interval must be at most {MAX_ERLANGS:,.0f} Erlangs",
    )
    _check(
        peak_load / max_occupancy <= MAX_AGENTS,
        "max_occupancy",
        f"too low for this load: it would need more than {MAX_AGENTS:,} agents",
    )


def staff_one(
    calls: float,
    aht: float,
    *,
    interval: float,
    target: float,
    within: float,
    max_occupancy: float = 1.0,
    shrinkage: float = 0.0,
) -> dict[str, Any]:
    """Erlang C staffing of one interval: the `wfm staff --json` object (model erlang_c)."""
    finite = math.isfinite(calls) and math.isfinite(aht)
    a = calls * aht / interval if finite and interval > 0 else math.inf
    check_inputs(
        calls_ok=math.isfinite(calls) and calls >= 0,
        aht_ok=math.isfinite(aht) and aht > 0,
        aht_min=aht,
        aht_max=aht,
        interval=interval,
        target=target,
        within=within,
        patience=None,
        max_occupancy=max_occupancy,
        shrinkage=shrinkage,
        peak_load=a,
        peak_arrivals_per_second=calls / interval if interval > 0 else math.inf,
    )
    if a == 0:  # zero calls need zero agents
        n, p_wait, sl, asa, occ = 0, 0.0, 1.0, 0.0, 0.0
    else:
        n, p_wait = _search(a, within / aht, target, max_occupancy)
        sl = 1.0 - p_wait * math.exp(-(n - a) * within / aht)
        asa = p_wait * aht / (n - a)
        occ = a / n
    # The tiny tolerance stops 14 / 0.7 = 20.000000000000004 from becoming 21.
    scheduled = math.ceil(n / (1.0 - shrinkage) - 1e-9)
    return {
        "model": "erlang_c",
        "intensity": a,
        "agents": n,
        "scheduled": scheduled,
        "service_level": sl,
        "asa_seconds": asa,
        "occupancy": occ,
        "p_wait": p_wait,
    }


def _search(a: float, ratio: float, target: float, max_occupancy: float) -> tuple[int, float]:
    """Smallest n > A with SL >= target and A/n <= max occupancy, walking the B recursion."""
    floor_n = max(math.floor(a) + 1, math.ceil(a / max_occupancy - 1e-12))
    b = 1.0
    k = 0
    while True:
        k += 1
        ab = a * b
        b = ab / (k + ab)
        if k < floor_n:
            continue
        p_wait = k * b / (k - a * (1.0 - b))
        if 1.0 - p_wait * math.exp(-max(k - a, 0.0) * ratio) >= target:
            return k, p_wait
