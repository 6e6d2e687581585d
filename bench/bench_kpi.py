"""KPIs from call records: 1,000,000 calls (a month of a busy centre), three ways.

1. `memberdesk kpi calls` on the CSV, as a whole process, beside the same file read with the
   standard library's csv module alone, and with the two time parses each row needs (rounds
   interleaved, medians).
2. `kpi import` (checked rows, stored, rollups added, one transaction) on SQLite, and on
   PostgreSQL when MEMBERDESK_BENCH_DATABASE_URL is set, beside a bare executemany of the same
   rows into the same table.
3. The month's KPIs by queue and by agent from the rollups, beside a full scan of the month's
   call records tallied in Python (what a report without rollups does).
Never a pass/fail test: it prints figures.

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
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

QUICK = os.environ.get("BENCH_QUICK") == "1"
QUEUES = ("tier1", "tier2", "billing", "spanish")
FIRST_DAY, LAST_DAY = date(2026, 1, 5), date(2026, 2, 8)
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
            queue = QUEUES[i % len(QUEUES)]
            if fate < 0.85:
                fh.write(
                    f"c{i},{queue},{offered.isoformat()},{done},,{rng.randint(120, 900)},"
                    f"{rng.randint(0, 60)},{rng.randint(0, 120)},a{i % 40},\n"
                )
            elif fate < 0.97:
                fh.write(f"c{i},{queue},{offered.isoformat()},,{done},,,,,\n")
            else:
                fh.write(f"c{i},{queue},{offered.isoformat()},,,,,,,\n")


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
        print(
            f"kpi calls: {args.rows:,} call records, {args.rounds} round(s), "
            "medians (whole process)"
        )
        base = statistics.median(times["baseline: csv.reader only"])
        for label, got in times.items():
            m = statistics.median(got)
            print(f"  {label:<40} {m:6.2f} s  {args.rows / m:>10,.0f} rows/s  {m / base:4.1f}x")
        databases(path, Path(tmp), args.rows)


def databases(path: Path, tmp: Path, rows: int) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from sqlalchemy import text

    from memberdesk.compliance.crypto import load_and_install
    from memberdesk.config import Settings
    from memberdesk.db import make_engine

    load_and_install(tmp / "var")
    sqlite = Settings(database_url=f"sqlite:///{tmp}/kpi.db", var_dir=tmp / "var")
    on_db(path, "SQLite", sqlite, rows)
    pg = os.environ.get("MEMBERDESK_BENCH_DATABASE_URL")
    if not pg:
        print("PostgreSQL skipped: set MEMBERDESK_BENCH_DATABASE_URL")
        return
    schema = f"kpi_{os.getpid()}"
    admin = make_engine(Settings(database_url=pg))
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        settings = Settings(database_url=pg, database_schema=schema, var_dir=tmp / "var")
        on_db(path, "PostgreSQL", settings, rows)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def on_db(path: Path, label: str, settings: Any, rows: int) -> None:
    from sqlalchemy import delete, insert, select

    from memberdesk.compliance.audit import SYSTEM
    from memberdesk.db import make_engine, make_sessionmaker, table_of
    from memberdesk.kpi.calls import RowError, parse_calls
    from memberdesk.kpi.formulas import CallRecord, CallTally
    from memberdesk.kpi.ingest import _row, import_calls
    from memberdesk.kpi.models import CallImport, CallRow
    from memberdesk.kpi.report import By, call_kpis, period
    from memberdesk.migrate import upgrade

    engine = make_engine(settings)
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    # Baseline first: the same rows, already parsed, inserted bare (then removed again).
    with path.open(newline="") as fh:
        parsed = [item[1] for item in parse_calls(fh) if not isinstance(item, RowError)]
    with sessions() as s:
        job = CallImport(pack="calchoice", threshold_seconds=20, short_abandon_seconds=5,
                         calls=0, imported_by="bench")  # fmt: skip
        s.add(job)
        s.flush()
        t0 = time.perf_counter()
        table = table_of(CallRow)
        for i in range(0, len(parsed), 5000):
            s.execute(insert(table), [_row(job.id, "calchoice", c) for c in parsed[i : i + 5000]])
        s.commit()
        bare = time.perf_counter() - t0
        s.execute(delete(table))
        s.commit()
    del parsed
    with sessions() as s, path.open(newline="") as fh:
        t0 = time.perf_counter()
        result = import_calls(s, SYSTEM, parse_calls(fh), pack="calchoice", threshold=20,
                              short_abandon=5)  # fmt: skip
        s.commit()
        took = time.perf_counter() - t0
    assert result.error_count == 0 and result.calls == rows
    print(f"{label}: import {rows:,} calls")
    print(
        f"  kpi import (parse, check, store, rollups)  {took:7.2f} s  {rows / took:>9,.0f} rows/s"
    )
    print(
        f"  baseline: bare executemany, pre-parsed     {bare:7.2f} s  {rows / bare:>9,.0f} rows/s"
    )
    start, end = period("calchoice", FIRST_DAY, LAST_DAY)
    with sessions() as s:
        t0 = time.perf_counter()
        for by in (By.QUEUE, By.AGENT):
            call_kpis(s, "calchoice", FIRST_DAY, LAST_DAY, by)
        rolled = time.perf_counter() - t0
        t0 = time.perf_counter()
        columns = [getattr(CallRow, c) for c in ("call_id", "queue", "offered_at",
                   "answered_at", "abandoned_at", "talk_seconds", "hold_seconds",
                   "wrap_seconds", "agent_ref")]  # fmt: skip
        by_queue: dict[str, CallTally] = {}
        by_agent: dict[str, CallTally] = {}
        month = select(*columns).where(CallRow.offered_at >= start, CallRow.offered_at < end)
        for row in s.execute(month.execution_options(yield_per=20_000)):
            call = CallRecord(*row)
            by_queue.setdefault(call.queue, CallTally()).count(call, 20, 5)
            by_agent.setdefault(call.agent_id or "", CallTally()).count(call, 20, 5)
        scanned = time.perf_counter() - t0
    print("  a month's KPIs by queue and by agent")
    print(f"    from the rollups                         {rolled * 1000:8.1f} ms")
    print(f"    baseline: full scan of the calls         {scanned * 1000:8.1f} ms "
          f"({scanned / rolled:,.0f}x)")  # fmt: skip
    engine.dispose()


if __name__ == "__main__":
    main()
