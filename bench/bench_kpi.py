"""KPIs from call records: `memberdesk kpi calls` over 1,000,000 rows, as a whole process.

Baselines in the same run: the same file read row by row with the standard library's csv
module and nothing else (the floor any CSV reader pays in Python), and the same plus the two
ISO 8601 time parses each row needs. Rounds interleave the three so that load from other work
on a shared machine hits each alike; medians are printed. Never a pass/fail test.

Run: `make bench`, or `.venv/bin/python bench/bench_kpi.py [--rows 1000000] [--rounds 3]`.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

QUICK = os.environ.get("BENCH_QUICK") == "1"
HEADER = (
    "call_id,queue,offered_at,answered_at,abandoned_at,talk_seconds,hold_seconds,wrap_seconds,"
    "agent_id,member_id"
)
READ_ONLY = """
import csv, sys
with open(sys.argv[1], newline="") as fh:
    for row in csv.reader(fh):
        pass
"""
READ_AND_PARSE_TIMES = """
import csv, sys
from datetime import datetime
with open(sys.argv[1], newline="") as fh:
    reader = csv.reader(fh)
    next(reader)
    for row in reader:
        datetime.fromisoformat(row[2])
        if row[3]:
            datetime.fromisoformat(row[3])
"""


def write_file(path: Path, rows: int) -> None:
    rng = random.Random(7)
    start = datetime(2026, 1, 5, 16, 0, tzinfo=UTC)
    with path.open("w") as fh:
        fh.write(HEADER + "\n")
        for i in range(rows):
            offered = start + timedelta(seconds=i * 3)
            wait = rng.expovariate(1 / 25)
            fate = rng.random()
            done = (offered + timedelta(seconds=wait)).isoformat()
            if fate < 0.85:
                fh.write(
                    f"c{i},tier1,{offered.isoformat()},{done},,{rng.randint(120, 900)},"
                    f"{rng.randint(0, 60)},{rng.randint(0, 120)},a{i % 40},\n"
                )
            elif fate < 0.97:
                fh.write(f"c{i},tier1,{offered.isoformat()},,{done},,,,,\n")
            else:
                fh.write(f"c{i},tier1,{offered.isoformat()},,,,,,,\n")


def timed(argv: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000 if QUICK else 1_000_000)
    parser.add_argument("--rounds", type=int, default=1 if QUICK else 3)
    args = parser.parse_args()
    md = str(Path(sys.executable).with_name("memberdesk"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "calls.csv"
        write_file(path, args.rows)
        runs = {
            "memberdesk kpi calls --json": [md, "kpi", "calls", "--csv", str(path), "--json"],
            "baseline: csv.reader only": [sys.executable, "-c", READ_ONLY, str(path)],
            "baseline: csv.reader + time parsing": [
                sys.executable,
                "-c",
                READ_AND_PARSE_TIMES,
                str(path),
            ],
        }
        times: dict[str, list[float]] = {k: [] for k in runs}
        for _ in range(args.rounds):
            for label, argv in runs.items():
                times[label].append(timed(argv))
    print(f"kpi calls: {args.rows:,} call records, {args.rounds} round(s), medians (whole process)")
    base = statistics.median(times["baseline: csv.reader only"])
    for label, got in times.items():
        m = statistics.median(got)
        print(f"  {label:<40} {m:6.2f} s  {args.rows / m:>10,.0f} rows/s  {m / base:4.1f}x")


if __name__ == "__main__":
    main()
