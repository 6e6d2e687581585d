"""WFM benchmarks, each side by side in one run (figures and same-run ratios, never pass/fail).

1. A year of 30-minute intervals (17,520) of Erlang C: memberdesk vs pyworkforce 0.5.1.
2. A year of Erlang A intervals: memberdesk (goal < 5 s), against the same run's Erlang C.
3. The simulator vs a SimPy model of the same M/M/n+M day: calls simulated per second.

Run: `make bench` (installs bench/requirements.txt), or `.venv/bin/python bench/bench_wfm.py`.
The machine is shared, so absolute seconds are noisy; the ratios are what count.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from memberdesk.wfm import simulate as sim
from memberdesk.wfm.erlang import service_level_for, staff_intervals

INTERVALS = 17_520
QUICK = os.environ.get("BENCH_QUICK") == "1"  # smoke-run the script in seconds


def year_of_calls(seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """A year of half-hours: intraday and weekly cycles, an Oct-Jan surge, some noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(INTERVALS)
    day = np.sin(np.pi * ((t % 48) - 14) / 22).clip(0, None)  # open about 07:00-18:00
    week = np.where((t // 48) % 7 < 5, 1.0, 0.25)
    season = 1 + 0.4 * (np.cos(2 * np.pi * (t / INTERVALS - 0.95)) > 0.5)
    calls = np.round(120 * day * week * season + rng.normal(0, 3, t.size).clip(0, None))
    calls = np.maximum(calls, 1.0)  # pyworkforce rejects zero transactions
    aht = np.round(rng.uniform(300, 540, t.size))  # seed: AHT 6-9 minutes
    return calls, aht


def best_of(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def bench_erlang_c(calls: np.ndarray, aht: np.ndarray) -> float:
    from pyworkforce.queuing import ErlangC

    n = 500 if QUICK else INTERVALS
    c, h = calls[:n], aht[:n]
    ours_s, ours = best_of(
        lambda: staff_intervals(c, h, interval=1800, target=0.8, within=20, shrinkage=0.3)
    )
    t0 = time.perf_counter()
    theirs = [
        ErlangC(
            transactions=float(x), aht=float(y) / 60, asa=20 / 60, interval=30, shrinkage=0.3
        ).required_positions(service_level=0.8)["raw_positions"]
        for x, y in zip(c, h, strict=True)
    ]
    pw_s = time.perf_counter() - t0
    same = int(np.sum(ours.agents == np.array(theirs)))
    print(f"Erlang C, {n:,} intervals (80/20, mean {float((c * h / 1800).mean()):.1f} Erlangs)")
    print(f"  memberdesk   {ours_s * 1000:9.1f} ms   ({n / ours_s:,.0f} intervals/s)")
    print(f"  pyworkforce  {pw_s * 1000:9.1f} ms   ({n / pw_s:,.0f} intervals/s)")
    print(
        f"  ratio        {pw_s / ours_s:9.1f}x faster (goal >= 10x); same agents in {same:,}/{n:,}"
    )
    return pw_s / ours_s


def bench_erlang_a(calls: np.ndarray, aht: np.ndarray) -> None:
    n = 500 if QUICK else INTERVALS
    c, h = calls[:n], aht[:n]
    c_s, _ = best_of(lambda: staff_intervals(c, h, interval=1800, target=0.8, within=20))
    a_s, got = best_of(
        lambda: staff_intervals(c, h, interval=1800, target=0.8, within=20, patience=120.0)
    )
    scale = 20_000 / float((c * h / 1800).max())  # the busiest half-hour at 20,000 Erlangs
    big_s, big = best_of(
        lambda: staff_intervals(c * scale, h, interval=1800, target=0.8, within=20, patience=120.0),
        repeat=1,
    )
    big_c_s, big_c = best_of(
        lambda: staff_intervals(c * scale, h, interval=1800, target=0.8, within=20), repeat=1
    )
    email_s, email = best_of(
        lambda: staff_intervals(
            c / 10, h * 3, interval=1800, target=0.9, within=8 * 3600, patience=3 * 86400.0
        ),
        repeat=1,
    )
    print(f"Erlang A (patience 120 s), {n:,} intervals")
    print(
        f"  memberdesk   {a_s:9.3f} s    (goal < 5 s); same run's Erlang C {c_s:.3f} s,"
        f" ratio A/C {a_s / c_s:.1f}"
    )
    print(f"  below the offered load in {int(np.sum(got.agents < got.intensity)):,} intervals")
    print(
        f"  same year scaled to a 20,000-Erlang peak: Erlang A {big_s:.3f} s"
        f" (SL min {float(big.service_level.min()):.4f}), Erlang C {big_c_s:.3f} s"
        f" (SL min {float(big_c.service_level.min()):.4f}, peak {int(big_c.agents.max()):,} agents)"
    )
    print(
        f"  e-mail-like (8 h target, 3-day patience): {email_s:.3f} s,"
        f" SL min {float(email.service_level.min()):.4f}"
    )


def simpy_day(
    calls: float, aht: float, agents: int, patience: float, within: float, intervals: int, seed: int
) -> tuple[int, int, int]:
    """The same M/M/n+M day in SimPy: offered, answered within T, abandoned."""
    import simpy

    rng = random.Random(seed)
    env = simpy.Environment()
    desk = simpy.Resource(env, capacity=agents)
    horizon = intervals * 1800.0
    lam = calls / 1800.0
    count = [0, 0, 0]

    def caller(env: simpy.Environment) -> Any:
        t0 = env.now
        with desk.request() as req:
            got = yield req | env.timeout(rng.expovariate(1 / patience))
            if req in got:
                if env.now - t0 <= within:
                    count[1] += 1
                yield env.timeout(rng.expovariate(1 / aht))
            else:
                count[2] += 1

    def source(env: simpy.Environment) -> Any:
        while True:
            yield env.timeout(rng.expovariate(lam))
            if env.now >= horizon:
                return
            count[0] += 1
            env.process(caller(env))

    env.process(source(env))
    env.run()
    return count[0], count[1], count[2]


def bench_simulator() -> float:
    calls, aht, agents, patience, within, intervals = 100.0, 180.0, 12, 120.0, 20.0, 48
    scenario = sim.single_queue(
        np.full(intervals, calls), aht, agents, patience_seconds=patience, within_seconds=within
    )
    # Compilation (or loading numba's cache) is paid once per process, before any timing.
    compile_s = sim.warm_up()
    reps = 20 if QUICK else 400
    ours_s, res = best_of(lambda: sim.simulate(scenario, replications=reps, seed=1))
    ours_rate = res.calls_simulated / ours_s
    simpy_reps = 2 if QUICK else 10
    t0 = time.perf_counter()
    runs = [
        simpy_day(calls, aht, agents, patience, within, intervals, s) for s in range(simpy_reps)
    ]
    simpy_s = time.perf_counter() - t0
    offered = sum(r[0] for r in runs)
    simpy_rate = offered / simpy_s
    sl_simpy = statistics.mean(r[1] / r[0] for r in runs)
    ab_simpy = statistics.mean(r[2] / r[0] for r in runs)
    ref = service_level_for(agents, calls, aht, interval=1800, within=within, patience=patience)
    print(
        f"Simulator: M/M/{agents}+M, {calls:g} calls/30 min, AHT {aht:g} s,"
        f" patience {patience:g} s, {intervals} intervals"
    )
    print(
        f"  memberdesk   {res.calls_simulated:>10,} calls in {ours_s:6.2f} s ="
        f" {ours_rate:12,.0f} calls/s (goal >= 1,000,000, one core)"
    )
    print(f"  (compiling or loading the compiled simulator first: {compile_s:.2f} s, not counted)")
    print(f"  SimPy 4.1.2  {offered:>10,} calls in {simpy_s:6.2f} s = {simpy_rate:12,.0f} calls/s")
    print(f"  ratio        {ours_rate / simpy_rate:9.1f}x (goal >= 10x)")
    sl = res.total_service_level
    ab = res.total_abandon_rate
    print(
        f"  SL: memberdesk {float(sl.mean):.4f} [{float(sl.low):.4f}, {float(sl.high):.4f}],"
        f" SimPy {sl_simpy:.4f}, Erlang A formula {ref.service_level:.4f}"
    )
    print(
        f"  abandon: memberdesk {float(ab.mean):.4f} [{float(ab.low):.4f}, {float(ab.high):.4f}],"
        f" SimPy {ab_simpy:.4f}, Erlang A formula {ref.p_abandon:.4f}"
    )
    return ours_rate / simpy_rate


def main() -> None:
    try:
        import pyworkforce  # noqa: F401
        import simpy  # noqa: F401
    except ImportError:
        sys.exit("install the baselines first: .venv/bin/pip install -r bench/requirements.txt")
    calls, aht = year_of_calls()
    print(
        f"python {sys.version.split()[0]}, numpy {np.__version__}, {os.cpu_count()} cores"
        f"{' (QUICK)' if QUICK else ''}"
    )
    bench_erlang_c(calls, aht)
    bench_erlang_a(calls, aht)
    bench_simulator()


if __name__ == "__main__":
    main()
