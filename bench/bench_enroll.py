"""Importing an 834 of N Oregon Health Plan members, beside the seeder's own rate for the same
number of members in the same run, and 271 answers per second beside the eligibility look-up
alone. Never a pass/fail test: it prints figures.

- ``import``: ``import_834`` on a sample 834 of N additions (what ``memberdesk enroll import``
  runs): pyx12's validation and parse, the plan (a look-up per chunk of members), the bulk
  insert with encryption and blind indexes, an audit entry per member, one commit. The parse
  alone is timed too, to show how much of it is pyx12.
- ``seed``: ``run_seed`` of N members of the same profile into another empty schema: the
  generator, the same encryption, the same audit entries, committed per batch.
- ``271``: ``answer_270`` for one-member inquiries (parse, look-up, eligibility, the 271, an
  audit entry, a commit) beside the look-up and eligibility alone for the same members.

PostgreSQL (a throwaway schema) when MEMBERDESK_BENCH_DATABASE_URL is set, else SQLite in a
temporary file. Usage:

    python bench/bench_enroll.py [--members 5000] [--inquiries 500]
    python bench/bench_enroll.py --members 240000      # the Oregon plan's size
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_cases import pg_schema  # the sibling script: a throwaway schema
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.crypto import KeyRing, install_keyring
from memberdesk.config import Settings
from memberdesk.db import make_engine, make_sessionmaker
from memberdesk.enroll.inquiry import answer_270
from memberdesk.enroll.sample import sample_834
from memberdesk.enroll.service import import_834
from memberdesk.enroll.x12_270 import build_270
from memberdesk.enroll.x12_834 import parse_834
from memberdesk.members import service as members
from memberdesk.members.models import Member
from memberdesk.members.seed import ensure_oregon_reference_data, run_seed
from memberdesk.migrate import upgrade

PROFILE = "oregon-medicaid"
CTX = AuditContext(actor_id=None, actor="bench", role="system")


@contextmanager
def database(tmp: str, name: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on a migrated, empty database (a schema of its own on PostgreSQL)."""
    pg = os.environ.get("MEMBERDESK_BENCH_DATABASE_URL")
    if pg:
        with pg_schema(pg) as schema:
            engine = make_engine(
                Settings(database_url=pg, database_schema=schema, var_dir=Path(tmp))
            )
            upgrade(engine)
            yield make_sessionmaker(engine)
            engine.dispose()
    else:
        engine = make_engine(Settings(database_url=f"sqlite:///{tmp}/{name}.db", var_dir=Path(tmp)))
        upgrade(engine)
        yield make_sessionmaker(engine)
        engine.dispose()


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:>10,.0f}/s  ({seconds:.1f} s)"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=5_000, help="members in the 834")
    parser.add_argument("--inquiries", type=int, default=500, help="270s answered")
    args = parser.parse_args()
    install_keyring(KeyRing.generate())
    engine_name = "postgresql" if os.environ.get("MEMBERDESK_BENCH_DATABASE_URL") else "sqlite"
    print(f"started {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {engine_name}; N = {args.members:,}")
    n = args.members
    with tempfile.TemporaryDirectory() as tmp:
        with database(tmp, "import") as sessions:
            with sessions() as session:
                ensure_oregon_reference_data(session)
                raw = sample_834(session, profile=PROFILE, members=n, seed=1).encode("latin-1")
                session.commit()
            print(f"834 of {n:,} members: {len(raw) / 1e6:.1f} MB")
            started = time.perf_counter()
            parsed_file = parse_834(raw)
            parsed = time.perf_counter() - started
            started = time.perf_counter()
            with sessions() as session:
                report = import_834(session, raw, parsed=parsed_file)
                session.commit()
            imported = parsed + time.perf_counter() - started
            assert report.counts == {"member_added": n}, report.counts
            with sessions() as session:
                people = [
                    (m.member_number, m.last_name, m.first_name, m.date_of_birth)
                    for m in session.scalars(select(Member).limit(args.inquiries))
                ]
            at = datetime.now(UTC)
            asked = [
                build_270("CLINIC", "MEMBERDESK", [p], at, control=i) for i, p in enumerate(people)
            ]
            started = time.perf_counter()
            for raw270 in asked:
                with sessions() as session:
                    answer_270(session, raw270.encode(), CTX)
                    session.commit()
            answered = time.perf_counter() - started
            started = time.perf_counter()
            for number, *_ in people:
                with sessions() as session:
                    found, _ = members.search_members(session, member_number=number)
                    members.eligibility(found[0], at.date())
            looked_up = time.perf_counter() - started
        with database(tmp, "seed") as sessions:
            started = time.perf_counter()
            run_seed(sessions, members=n, seed=2, profile=PROFILE)
            seeded = time.perf_counter() - started
    print(
        f"834 import (members)   {rate(n, imported)}   of which pyx12 parse {parsed / imported:.0%}"
    )
    print(f"seed (members)         {rate(n, seeded)}")
    print(f"import / seed          {seeded / imported:>10.2f}x the seeder's rate")
    q = len(people)
    print(f"271 answers            {rate(q, answered)}")
    print(f"look-up + eligibility  {rate(q, looked_up)}")
    print(f"271 / look-up          {looked_up / answered:>10.2f}x")


if __name__ == "__main__":
    main()
