"""The quarterly aging report (grievances and appeals open 30 days or more at a quarter's end,
by pack and kind, in 30-day bands) over 100,000 grievances, beside a baseline measured in the
same run.

The report (``memberdesk.appeals.reports.aging``) is one aggregate query per pack over the
(kind, received_at) index. The baseline is what a report written without it would do: read
every appeal's pack, kind, receipt and end of process (Core rows, nothing decrypted) and count
in Python. Both must give the same figures. The rows are loaded in bulk (executemany on SQLite,
COPY on PostgreSQL), each with its Tier 3 case, received over the last 400 days, two in five
already resolved.

SQLite (temporary file) always; PostgreSQL (throwaway schema) when
MEMBERDESK_BENCH_DATABASE_URL is set. Usage:

    python bench/bench_appeals.py [--grievances 100000] [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_cases import _copy, pg_schema  # the sibling script: COPY and a throwaway schema
from sqlalchemy import Engine, insert, select, text
from sqlalchemy.orm import Session

from memberdesk.appeals import reports
from memberdesk.appeals.models import Appeal
from memberdesk.appeals.rules import APPEAL_PACKS
from memberdesk.cases.models import Case, Queue
from memberdesk.compliance.crypto import KeyRing, install_keyring, keyring
from memberdesk.config import Settings
from memberdesk.db import make_engine, make_sessionmaker, table_of
from memberdesk.members.models import Member
from memberdesk.members.seed import run_seed
from memberdesk.migrate import upgrade

CASE_COLS = [
    "id", "member_id", "case_type", "priority", "summary", "state", "tier", "queue_id",
    "queued_at", "language", "pack", "created_at", "updated_at",
]  # fmt: skip
APPEAL_COLS = [
    "id", "case_id", "member_id", "kind", "urgency", "channel", "received_at", "pack",
    "summary", "filed_by", "state", "resolved_at", "created_at", "updated_at",
]  # fmt: skip
PACK_SHARE = ("calchoice",) * 5 + ("oregon-medicaid",) * 4 + ("erisa-group",)


def rows(n: int, member_ids: list[int], queue_id: int, at: datetime) -> tuple[list[Any], list[Any]]:
    """``n`` appeals (seven in ten grievances) with their cases; deterministic."""
    rng = random.Random(7)
    case_summary = keyring().encrypt("Grievance received", "cases.summary")
    summary = keyring().encrypt("Bench grievance", "appeals.summary")
    cases, appeals = [], []
    for i in range(1, n + 1):
        pack = PACK_SHARE[i % len(PACK_SHARE)]
        kind = "appeal" if pack == "erisa-group" or rng.random() < 0.3 else "grievance"
        received = at - timedelta(days=rng.uniform(0, 400))
        resolved = received + timedelta(days=rng.uniform(1, 90)) if rng.random() < 0.4 else None
        state = "open" if resolved is None else "closed"
        member = member_ids[i % len(member_ids)]
        cases.append(
            (i, member, kind, "high", case_summary, "new" if state == "open" else "closed", 3,
             queue_id, received, "en", pack, received, received)
        )  # fmt: skip
        appeals.append(
            (i, i, member, kind, "standard", "written", received, pack, summary, "member",
             state, resolved, received, received)
        )  # fmt: skip
    return cases, appeals


def load(engine: Engine, n: int) -> None:
    at = datetime.now(UTC)
    with Session(engine) as session:
        member_ids = list(session.scalars(select(Member.id)))
        queue_id = session.scalar(select(Queue.id).where(Queue.tier == 3))
    assert queue_id is not None
    cases, appeals = rows(n, member_ids, queue_id, at)
    if engine.dialect.name == "postgresql":
        _copy(engine, "cases", CASE_COLS, iter(cases))
        _copy(engine, "appeals", APPEAL_COLS, iter(appeals))
        with engine.begin() as conn:
            conn.execute(text("ANALYZE cases"))
            conn.execute(text("ANALYZE appeals"))
        return
    with engine.begin() as conn:
        for table, cols, batch in (
            (table_of(Case), CASE_COLS, cases),
            (table_of(Appeal), APPEAL_COLS, appeals),
        ):
            # The column type encrypts the summary on the way in: give it the text.
            out = [{**dict(zip(cols, r, strict=True)), "summary": "Bench grievance"} for r in batch]
            conn.execute(insert(table), out)


def baseline(session: Session, year: int, q: int) -> dict[tuple[str, str], tuple[int, int, int]]:
    """Every appeal's pack, kind, receipt and end read back, counted in Python."""
    ends = {p: reports.quarter_end(year, q, p).astimezone(UTC) for p in APPEAL_PACKS}
    tally: Counter[tuple[str, str, int]] = Counter()
    for pack, kind, received, resolved in session.execute(
        select(Appeal.pack, Appeal.kind, Appeal.received_at, Appeal.resolved_at)
    ):
        end = ends[pack]
        if resolved is not None and resolved <= end:
            continue
        days = (end - received) / timedelta(days=1)
        if days >= 30:
            tally[(pack, kind.value, 0 if days < 60 else 1 if days < 90 else 2)] += 1
    return {
        (p, k): (tally[(p, k, 0)], tally[(p, k, 1)], tally[(p, k, 2)])
        for p in APPEAL_PACKS
        for k in ("grievance", "appeal")
    }


def timed(fn: Any, runs: int) -> tuple[float, Any]:
    took, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        took.append(time.perf_counter() - start)
    return statistics.median(took), result


def run(label: str, settings: Settings, n: int, runs: int) -> None:
    engine = make_engine(settings)
    upgrade(engine)
    run_seed(make_sessionmaker(engine), members=200, seed=11)
    try:
        start = time.perf_counter()
        load(engine, n)
        print(
            f"[{label}] loaded {n:,} appeals and grievances in {time.perf_counter() - start:.1f} s"
        )
        local = datetime.now(UTC)
        year, q = (local.year, (local.month - 1) // 3) if local.month > 3 else (local.year - 1, 4)
        with Session(engine) as session:
            fast, got = timed(lambda: reports.aging(session, year, q), runs)
            slow, want = timed(lambda: baseline(session, year, q), runs)
        figures = {(r.pack, r.kind): (r.open_30_59, r.open_60_89, r.open_90_plus) for r in got}
        assert figures == want, (figures, want)
        total = sum(r.total for r in got)
        print(
            f"[{label}] aging report {year}-Q{q} over {n:,}: {fast * 1000:,.1f} ms "
            f"(median of {runs}; {total:,} open 30+ days) | baseline, read every row and count "
            "in Python: "
            f"{slow * 1000:,.1f} ms ({slow / fast:,.1f}x)"
        )
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--grievances", type=int, default=100_000, help="appeals to load")
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each (median)")
    args = parser.parse_args()
    install_keyring(KeyRing.generate())
    print(f"started {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = Settings(database_url=f"sqlite:///{tmp}/bench.db", var_dir=Path(tmp))
        run("sqlite", sqlite, args.grievances, args.runs)
        pg = os.environ.get("MEMBERDESK_BENCH_DATABASE_URL")
        if not pg:
            print("PostgreSQL skipped: set MEMBERDESK_BENCH_DATABASE_URL")
            return
        with pg_schema(pg) as schema:
            settings = Settings(database_url=pg, database_schema=schema, var_dir=Path(tmp))
            run("postgresql", settings, args.grievances, args.runs)


if __name__ == "__main__":
    main()
