"""Seeding the Oregon Health Plan book: 240,000 members (the seed's coordinated care
organisation, at its real size) on PostgreSQL, and the demo's 20,000 on SQLite, each beside
baselines measured in the same run on the same machine:

- generation alone: the same generator drawing the same rows with no database (the floor of
  the seed in Python);
- a bare bulk insert of the same rows: the same tables, indexes and batches, the values already
  encrypted and blind-indexed before the clock starts, no audit entries, one executemany per
  table per batch: what the database itself costs.

The product's figure is ``run_seed`` (what ``memberdesk seed --profile oregon-medicaid`` runs):
generation, encryption, the insert, an audit entry per member created, sequences and ANALYZE.
Each run starts from an empty database holding a California book of 15,000 (the demo's), so the
Oregon book is seeded beside another line of business, as in production.
Never a pass/fail test: it prints figures.

Run: `make bench`, or `.venv/bin/python bench/bench_oregon.py [--sqlite 20000]
[--postgresql 240000]` (PostgreSQL when MEMBERDESK_BENCH_DATABASE_URL is set).
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

from memberdesk.compliance.crypto import KeyRing, install_keyring
from memberdesk.config import Settings
from memberdesk.db import make_engine, make_sessionmaker, table_of
from memberdesk.members.models import CoverageSpan, IdCardRequest, Member
from memberdesk.members.seed import (
    _max_ids,
    _taken_numbers,
    ensure_oregon_reference_data,
    run_seed,
)
from memberdesk.members.synthetic import AS_OF_DEFAULT, BATCH_MEMBERS
from memberdesk.members.synthetic_oregon import OregonGenerator
from memberdesk.migrate import upgrade

SEED = 1
CALIFORNIA = 15_000
TABLES = ((Member, "members"), (CoverageSpan, "spans"), (IdCardRequest, "cards"))


def plain(model: type[Any]) -> tuple[sa.TableClause, dict[str, TypeDecorator[Any]]]:
    """The model's table with the application's column types (encryption, UTC times) taken
    off, and those types, to convert values with before the clock starts."""
    table = table_of(model)
    decorated = {c.name: c.type for c in table.columns if isinstance(c.type, TypeDecorator)}
    columns = [
        sa.column(c.name, c.type.impl_instance if c.name in decorated else c.type)
        for c in table.columns
    ]
    return sa.table(table.name, *columns), decorated


def prepared(rows: list[dict[str, Any]], types: dict[str, Any], dialect: Any) -> list[Any]:
    """Rows as stored: encrypted bytes, UTC times (the column types' own conversion)."""
    return [
        {k: (types[k].process_bind_param(v, dialect) if k in types else v) for k, v in r.items()}
        for r in rows
    ]


def fresh(settings: Settings) -> sa.Engine:
    """An engine on a migrated, empty database holding the demo's California book."""
    engine = make_engine(settings)
    upgrade(engine)
    run_seed(make_sessionmaker(engine), members=CALIFORNIA, seed=SEED)
    return engine


def generation_only(settings: Settings, n: int) -> float:
    """Seconds to draw the book's rows (from the same starting database), none inserted."""
    engine = fresh(settings)
    with make_sessionmaker(engine)() as session:
        plans = ensure_oregon_reference_data(session)
        ids, taken = _max_ids(session), _taken_numbers(session)
        session.rollback()
    start = time.perf_counter()
    for _ in OregonGenerator(SEED, plans, ids, AS_OF_DEFAULT, taken).batches(n, BATCH_MEMBERS):
        pass
    engine.dispose()
    return time.perf_counter() - start


def bare_insert(settings: Settings, n: int) -> tuple[float, int]:
    """Seconds inserting the same rows bare (prepared outside the clock), and the span count."""
    engine = fresh(settings)
    shapes = {name: plain(model) for model, name in TABLES}
    spans = 0
    with make_sessionmaker(engine)() as session:
        plans = ensure_oregon_reference_data(session)
        ids, taken = _max_ids(session), _taken_numbers(session)
        session.commit()
    gen = OregonGenerator(SEED, plans, ids, AS_OF_DEFAULT, taken)
    clock = 0.0
    for batch, _ in gen.batches(n, BATCH_MEMBERS):
        ready = {
            name: prepared(getattr(batch, name), shapes[name][1], engine.dialect)
            for _, name in TABLES
        }
        spans += len(batch.spans)
        start = time.perf_counter()
        with engine.begin() as conn:
            for _, name in TABLES:
                if ready[name]:
                    conn.execute(shapes[name][0].insert(), ready[name])
        clock += time.perf_counter() - start
    engine.dispose()
    return clock, spans


def product(settings: Settings, n: int) -> tuple[float, int]:
    """Seconds for ``run_seed`` of the Oregon book, and its span count."""
    engine = fresh(settings)
    result = run_seed(make_sessionmaker(engine), members=n, seed=SEED, profile="oregon-medicaid")
    engine.dispose()
    return result.seconds, result.coverage_spans


def run(label: str, settings: list[Settings], n: int) -> None:
    gen = generation_only(settings[0], n)
    bare, spans = bare_insert(settings[1], n)
    seeded, spans_again = product(settings[2], n)
    assert spans == spans_again, "the baseline must insert the same rows"
    print(
        f"[{label}] seed {n:,} Oregon members ({spans:,} coverage spans) beside "
        f"{CALIFORNIA:,} California ones: {seeded:.1f} s = {n / seeded:,.0f} members/s, "
        f"every creation audited"
    )
    print(
        f"[{label}]   baselines, same run: generating the rows alone {gen:.1f} s "
        f"({n / gen:,.0f}/s); bare bulk insert of the same rows, already encrypted, no audit "
        f"{bare:.1f} s ({n / bare:,.0f}/s) -> the seed is {seeded / bare:.1f}x the bare insert, "
        f"{seeded / (gen + bare):.2f}x generation + bare insert"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sqlite", type=int, default=20_000, help="the demo's book")
    parser.add_argument("--postgresql", type=int, default=240_000, help="the real plan's size")
    args = parser.parse_args()
    install_keyring(KeyRing.generate())
    with tempfile.TemporaryDirectory() as tmp:
        run(
            "sqlite",
            [
                Settings(database_url=f"sqlite:///{tmp}/{name}.db", var_dir=Path(tmp))
                for name in ("gen", "bare", "seed")
            ],
            args.sqlite,
        )
        pg = os.environ.get("MEMBERDESK_BENCH_DATABASE_URL")
        if not pg:
            print("PostgreSQL skipped: set MEMBERDESK_BENCH_DATABASE_URL for 240,000 members")
            return
        admin = make_engine(Settings(database_url=pg))
        schemas = [f"bench_or_{secrets.token_hex(3)}" for _ in range(3)]
        with admin.begin() as conn:
            for schema in schemas:
                conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
        try:
            run(
                "postgresql",
                [
                    Settings(database_url=pg, database_schema=schema, var_dir=Path(tmp))
                    for schema in schemas
                ],
                args.postgresql,
            )
        finally:
            with admin.begin() as conn:
                for schema in schemas:
                    conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
            admin.dispose()


if __name__ == "__main__":
    main()
