"""SLA deadline throughput: single and batch API against a naive per-deadline Python walk.

One million deadlines of each clock kind on `california-state`, random receipt times over
2026–2028. Every figure is printed beside the naive baseline measured in the same run, as a
ratio, because this machine is shared and absolute numbers are noisy. The naive baselines are
the straightforward plain-Python computation: a day-by-day walk for the business kinds, direct
date/UTC arithmetic for calendar days and clock hours (those need no walk). Run:

    python bench/bench_sla.py [--n 1000000] [--seed 1]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime

import numpy as np

from memberdesk.calendars import get_calendar
from memberdesk.sla import compute_due, compute_due_batch, to_datetimes

CAL = get_calendar("california-state")
TZ = CAL.tz
OPEN, CLOSE, EOD = dtime(8), dtime(17), dtime(23, 59, 59)
HOLIDAYS = {c.date for y in range(2025, 2032) for c in CAL.closures(y) if c.is_full}
AMOUNTS = {"business_days": 5, "business_hours": 8, "calendar_days": 30, "clock_hours": 72}
ONE_DAY = timedelta(days=1)


def working(d: date) -> bool:
    return d.weekday() < 5 and d not in HOLIDAYS


def naive_business_days(start: datetime, n: int) -> datetime:
    local = start.astimezone(TZ)
    d = local.date()
    if not (working(d) and local.time() < CLOSE):
        d += ONE_DAY
        while not working(d):
            d += ONE_DAY
    counted = 0
    while counted < n:
        d += ONE_DAY
        if working(d):
            counted += 1
    return datetime.combine(d, CLOSE, tzinfo=TZ)


def naive_business_hours(start: datetime, n: int) -> datetime:
    remaining = timedelta(hours=n)
    t = start.astimezone(UTC)
    d = start.astimezone(TZ).date()
    while True:
        if working(d):
            opens = datetime.combine(d, OPEN, tzinfo=TZ).astimezone(UTC)
            closes = datetime.combine(d, CLOSE, tzinfo=TZ).astimezone(UTC)
            lo = max(opens, t)
            if closes > lo:
                if closes - lo >= remaining:
                    return (lo + remaining).astimezone(TZ)
                remaining -= closes - lo
        d += ONE_DAY


def naive_calendar_days(start: datetime, n: int) -> datetime:
    return datetime.combine(start.astimezone(TZ).date() + timedelta(days=n), EOD, tzinfo=TZ)


def naive_clock_hours(start: datetime, n: int) -> datetime:
    return (start.astimezone(UTC) + timedelta(hours=n)).astimezone(TZ)


NAIVE: dict[str, Callable[[datetime, int], datetime]] = {
    "business_days": naive_business_days,
    "business_hours": naive_business_hours,
    "calendar_days": naive_calendar_days,
    "clock_hours": naive_clock_hours,
}


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="deadlines per kind")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    n = args.n
    rng = np.random.default_rng(args.seed)
    lo = np.datetime64("2026-01-01T00:00:00", "us").astype(np.int64)
    hi = np.datetime64("2029-01-01T00:00:00", "us").astype(np.int64)
    # Whole seconds: clocks start at recorded receipt times, not at random microseconds.
    starts64 = (rng.integers(lo // 10**6, hi // 10**6, n) * 10**6).astype("datetime64[us]")
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    starts = [epoch + timedelta(microseconds=int(v)) for v in starts64.view(np.int64)]
    build, _ = timed(lambda: CAL.timeline.covering(CAL, int(hi // 10**6) + 400 * 86400))

    print(f"SLA deadlines on california-state, {n:,} random receipts 2026–2028 per kind")
    print(f"timeline precompute (one-off, per calendar): {build * 1000:.1f} ms")
    header = f"{'kind':<16}{'amount':>7}{'naive/s':>12}{'single/s':>12}{'batch/s':>14}"
    print(header + f"{'single÷naive':>14}{'batch÷naive':>13}")
    for kind, amount in AMOUNTS.items():
        naive = NAIVE[kind]
        t_naive, naive_out = timed(
            lambda naive=naive, amount=amount: [naive(s, amount) for s in starts]
        )
        t_single, single_out = timed(
            lambda kind=kind, amount=amount: [compute_due(CAL, kind, amount, s).due for s in starts]
        )
        compute_due_batch(CAL, kind, amount, starts64)  # warm-up: NumPy views, page faults
        t_batch, batch_out = timed(
            lambda kind=kind, amount=amount: compute_due_batch(CAL, kind, amount, starts64)
        )
        # The three must agree, or the speed means nothing.
        sample = rng.choice(n, size=min(n, 20_000), replace=False)
        batch_dt = to_datetimes(batch_out[sample], CAL)  # type: ignore[index]
        for j, i in enumerate(sample):
            assert naive_out[i] == single_out[i] == batch_dt[j], (kind, starts[i])  # type: ignore[index]
        r_naive, r_single, r_batch = n / t_naive, n / t_single, n / t_batch
        print(
            f"{kind:<16}{amount:>7}{r_naive:>12,.0f}{r_single:>12,.0f}{r_batch:>14,.0f}"
            f"{r_single / r_naive:>13.1f}×{r_batch / r_naive:>12.1f}×"
        )
    print("(20,000 sampled deadlines per kind checked equal across naive, single and batch)")


if __name__ == "__main__":
    main()
