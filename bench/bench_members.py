"""Seeding speed and member search latency (median, p95) per search key.

Runs on SQLite (15,000 members) always; on PostgreSQL (15,000 and 1,000,000 members) when
MEMBERDESK_BENCH_DATABASE_URL is set. Baselines measured in the same run:
- seeding: generating the same rows without touching a database (the floor for inserts);
- search: decrypt-and-compare over every member, what exact search costs without blind indexes.
Usage: python bench/bench_members.py [--sizes 15000,1000000] [--queries 300]
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from memberdesk.compliance.crypto import KeyRing, install_keyring
from memberdesk.config import Settings
from memberdesk.db import make_engine, make_sessionmaker
from memberdesk.members import service
from memberdesk.members.models import Member
from memberdesk.members.seed import ensure_reference_data, run_seed
from memberdesk.members.synthetic import AS_OF_DEFAULT, Generator
from memberdesk.migrate import upgrade


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def generation_only(sessions, n: int) -> float:  # type: ignore[no-untyped-def]
    with sessions() as session:
        plans = ensure_reference_data(session)
        session.rollback()
    ids = dict.fromkeys(
        ("employer_groups", "members", "coverage_spans", "life_events", "id_card_requests"), 0
    )
    start = time.perf_counter()
    for _ in Generator(99, plans, ids, AS_OF_DEFAULT).batches(n, 5000):
        pass
    return n / (time.perf_counter() - start)


def sample_keys(session: Session, k: int) -> list[Member]:
    ids = session.scalars(select(Member.id)).all()
    rng = random.Random(7)
    return [session.get(Member, i) for i in rng.sample(list(ids), min(k, len(ids)))]


def time_search(sessions, probes: list[dict]) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for probe in probes:
        with sessions() as session:
            t0 = time.perf_counter()
            _rows, total = service.search_members(session, **probe, limit=50)
            out.append((time.perf_counter() - t0) * 1000)
            assert total >= 1
    return out


def naive_scan(sessions, probe: dict) -> float:  # type: ignore[no-untyped-def]
    with sessions() as session:
        t0 = time.perf_counter()
        found = [
            m.id
            for m in session.scalars(select(Member).execution_options(yield_per=5000))
            if m.member_number == probe["member_number"]
        ]
        assert found
        return (time.perf_counter() - t0) * 1000


def run(label: str, settings: Settings, n: int, queries: int) -> None:
    engine = make_engine(settings)
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    base = generation_only(sessions, min(n, 50_000))
    result = run_seed(sessions, members=n, seed=1)
    rate = n / result.seconds
    print(
        f"[{label}] seed {n:,} members: {result.seconds:.1f} s = {rate:,.0f} members/s "
        f"(generation alone: {base:,.0f}/s; database share {1 - rate / base:.0%})"
    )
    with sessions() as session:
        picks = sample_keys(session, queries)
        keys = {
            "member_id": [{"member_number": m.member_number} for m in picks],
            "last_name+dob": [
                {"last_name": m.last_name, "date_of_birth": m.date_of_birth} for m in picks
            ],
            "phone": [{"phone": m.phone} for m in picks if m.phone],
        }
    for key, probes in keys.items():
        ms = time_search(sessions, probes)
        print(
            f"[{label}] search by {key:<14} over {n:>9,}: median {statistics.median(ms):.2f} ms, "
            f"p95 {pct(ms, 0.95):.2f} ms ({len(ms)} queries)"
        )
    scans = [naive_scan(sessions, keys["member_id"][i]) for i in range(3 if n <= 20_000 else 1)]
    scan = statistics.median(scans)
    print(
        f"[{label}] baseline decrypt-and-compare scan over {n:,}: {scan:.0f} ms per search"
        f" -> blind index is {scan / statistics.median(ms):,.0f}x faster"
    )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="15000,1000000")
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    install_keyring(KeyRing.generate())
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = Settings(database_url=f"sqlite:///{tmp}/bench.db", var_dir=Path(tmp))
        run("sqlite", sqlite, min(sizes), args.queries)
        pg = os.environ.get("MEMBERDESK_BENCH_DATABASE_URL")
        if not pg:
            print("PostgreSQL skipped: set MEMBERDESK_BENCH_DATABASE_URL for 1,000,000 members")
            return
        for n in sizes:
            schema = f"bench_{secrets.token_hex(3)}"
            admin = make_engine(Settings(database_url=pg))
            with admin.begin() as conn:
                conn.execute(text(f"CREATE SCHEMA {schema}"))
            try:
                run(
                    "postgresql",
                    Settings(database_url=pg, database_schema=schema, var_dir=Path(tmp)),
                    n,
                    args.queries,
                )
            finally:
                with admin.begin() as conn:
                    conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
                admin.dispose()


if __name__ == "__main__":
    main()
