"""Training dues for a whole centre: ``memberdesk.training.core.standing`` (everything each
person owes on a day) for N staff with thirteen months of history each, beside a same-run
baseline that only sums each person's hours this month (the least any dashboard must do).
Pure: no database (the dashboard's reads are three queries whatever the team's size).

Usage:

    python bench/bench_training.py [--people 500] [--runs 7]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from memberdesk.training import core
from memberdesk.training.demo import CATALOGUE

ON = date(2026, 12, 4)


def catalogue() -> list[core.Course]:
    return [
        core.Course(i, title, kind, frozenset(roles), renew, date(2024, 1, 1))
        for i, (_, title, kind, _h, roles, renew, _m, _d) in enumerate(CATALOGUE, 1)
    ]


def history(rng: random.Random, courses: list[core.Course]) -> list[core.Done]:
    done = []
    for day in range(400):
        if rng.random() < 0.2:  # about 80 completions a person over 13 months
            c = rng.choice(courses)
            done.append(core.Done(c.id, ON - timedelta(days=day), rng.choice((1, 1.5, 2, 3))))
    return done


def timed(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return statistics.median(out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(1)
    courses = catalogue()
    people = [
        (core.Person("tier1_agent", date(2024, 3, 4), date(2024, 3, 20)), history(rng, courses))
        for _ in range(args.people)
    ]
    first, last = core.month_of(ON)

    def baseline() -> None:
        for _, done in people:
            sum(d.hours for d in done if first <= d.on <= last)

    def dues() -> None:
        for person, done in people:
            core.standing(person, courses, done, ON)

    base = timed(baseline, args.runs)
    full = timed(dues, args.runs)
    rows = sum(len(d) for _, d in people)
    print(f"{args.people} staff, {rows:,} completions, {len(courses)} courses")
    print(f"baseline (hours this month only): {base * 1000:8.2f} ms")
    print(f"standing (everything owed):       {full * 1000:8.2f} ms  ({full / base:.1f}x baseline)")


if __name__ == "__main__":
    main()
