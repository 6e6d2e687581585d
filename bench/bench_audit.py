"""Audit log cost: what the tamper-evident chain adds per event, and `audit verify` speed.

(a) Write overhead per event: ``audit.record`` + commit (head row lock, SHA-256 chain, head
    update) against inserting the same row shape into a plain table with no hashing and no
    lock, one event per transaction and in batches of 1,000 (``record_many``). On PostgreSQL
    also several writers at once, where the head lock serialises appends.
(b) ``verify_chain`` over 1,000,000 entries (built with ``record_many`` in batches), in
    entries/s, against streaming the same rows without hashing.
(c) Audit search over that chain: one page of 50 (unfiltered, and filtered by action) at the
    top, in the middle and at the far end of the log, with keyset paging (``before_id``, what
    ``GET /api/compliance/audit`` does) against the OFFSET paging with a total count that the
    route did before.

SQLite (temporary file) always; PostgreSQL (throwaway schema) when MEMBERDESK_BENCH_DATABASE_URL
is set. Every figure is printed beside its baseline measured in the same run, as a ratio,
because this machine is shared and absolute numbers are noisy. Usage:

    python bench/bench_audit.py [--events 2000] [--entries 1000000] [--writers 4]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Column, Engine, Integer, MetaData, Table, func, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext, Event
from memberdesk.compliance.crypto import KeyRing, install_keyring, keyring
from memberdesk.compliance.enums import AuditAction, PurposeOfUse
from memberdesk.compliance.models import AuditEntry
from memberdesk.compliance.verify import verify_chain
from memberdesk.config import Settings
from memberdesk.db import make_engine, make_sessionmaker
from memberdesk.migrate import upgrade

CTX = AuditContext(
    actor_id=7,
    actor="tier1-alex",
    role="tier1_agent",
    purpose=PurposeOfUse.TREATMENT.value,
    request_id="req-0123456789abcdef",
    client_addr="10.1.2.3",
)
COLUMNS = list(cast(Table, AuditEntry.__table__).columns)

# The baseline table: audit_log's columns, an ordinary auto-increment id, no triggers.
PLAIN = Table(
    "bench_plain_log",
    MetaData(),
    Column("id", Integer, primary_key=True, autoincrement=True),
    *(Column(c.name, c.type, nullable=c.nullable) for c in COLUMNS if c.name != "id"),
)


def event(i: int) -> Event:
    """A typical access event: a member read, a search with a hashed term, now and then an
    update whose old and new values are encrypted."""
    if i % 10 == 0:
        return Event(
            AuditAction.MEMBER_UPDATED,
            object_type="member",
            object_id=i,
            changes={
                "old": {"phone": "415-555-0100"},
                "new": {"phone": f"415-555-{i % 10_000:04d}"},
            },
        )
    if i % 3 == 0:
        return Event(
            AuditAction.MEMBER_SEARCH,
            object_type="member",
            detail={"results": i % 7, "term_hash": f"{i:064x}"[:64]},
        )
    return Event(AuditAction.MEMBER_READ, object_type="member", object_id=i)


def plain_row(ev: Event) -> dict[str, Any]:
    """The same row shape an audited event gets, with fixed strings instead of hashes."""
    return {
        "at": now(),
        "actor_id": CTX.actor_id,
        "actor": CTX.actor,
        "role": CTX.role,
        "action": ev.action.value,
        "object_type": ev.object_type,
        "object_id": None if ev.object_id is None else str(ev.object_id),
        "purpose": CTX.purpose,
        "request_id": CTX.request_id,
        "client_addr": CTX.client_addr,
        "detail": ev.detail,
        # Encrypted as the audited row's changes are, so only the chain differs.
        "changes": keyring().encrypt(json.dumps(ev.changes, sort_keys=True), audit.CHANGES_CONTEXT)
        if ev.changes
        else None,
        "prev_hash": "0" * 64,
        "hash": "f" * 64,
    }


def per_event_us(n: int, one: Callable[[int], None]) -> float:
    """Median microseconds per call over n calls (after a short warm-up)."""
    for i in range(min(50, n)):
        one(i)
    samples = []
    for i in range(n):
        t0 = time.perf_counter()
        one(i)
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples) * 1e6


def bench_writes(label: str, engine: Engine, sessions: sessionmaker[Session], n: int) -> None:
    """(a) per event, one transaction each, then in batches of 1,000."""

    def chained(i: int) -> None:
        with sessions() as session:
            audit.record(session, CTX, **_kwargs(event(i)))
            session.commit()

    def plain(i: int) -> None:
        with sessions() as session:
            session.execute(insert(PLAIN), plain_row(event(i)))
            session.commit()

    # Interleave the two so that drift on a shared machine hits both alike.
    chain_us, plain_us = [], []
    for _ in range(3):
        chain_us.append(per_event_us(n // 3, chained))
        plain_us.append(per_event_us(n // 3, plain))
    c, p = statistics.median(chain_us), statistics.median(plain_us)
    print(
        f"[{label}] write, 1 event per transaction: audit.record+commit {c:,.0f} µs/event, "
        f"plain insert+commit {p:,.0f} µs/event -> chain adds {c - p:,.0f} µs ({c / p:.2f}x)"
    )

    batch = 1_000
    rounds = max(3, n // batch)
    t_chain = t_plain = 0.0
    for r in range(rounds):
        events = [event(r * batch + i) for i in range(batch)]
        t0 = time.perf_counter()
        with sessions() as session:
            audit.record_many(session, CTX, events)
            session.commit()
        t_chain += time.perf_counter() - t0
        t0 = time.perf_counter()
        with sessions() as session:
            session.execute(insert(PLAIN), [plain_row(ev) for ev in events])
            session.commit()
        t_plain += time.perf_counter() - t0
    c, p = t_chain / (rounds * batch) * 1e6, t_plain / (rounds * batch) * 1e6
    print(
        f"[{label}] write, batches of {batch:,}: record_many+commit {c:,.1f} µs/event, "
        f"plain executemany+commit {p:,.1f} µs/event ({c / p:.2f}x)"
    )


def _kwargs(ev: Event) -> dict[str, Any]:
    return {
        "action": ev.action,
        "object_type": ev.object_type,
        "object_id": ev.object_id,
        "detail": ev.detail,
        "changes": ev.changes,
    }


def bench_concurrent(label: str, sessions: sessionmaker[Session], writers: int, n: int) -> None:
    """Several writers at once: appends serialise on the head row lock; plain inserts do not."""

    def run(one: Callable[[int], None]) -> float:
        barrier = threading.Barrier(writers)

        def worker(w: int) -> None:
            barrier.wait()
            for i in range(n):
                one(w * n + i)

        threads = [threading.Thread(target=worker, args=(w,)) for w in range(writers)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return writers * n / (time.perf_counter() - t0)

    def chained(i: int) -> None:
        with sessions() as session:
            audit.record(session, CTX, **_kwargs(event(i)))
            session.commit()

    def plain(i: int) -> None:
        with sessions() as session:
            session.execute(insert(PLAIN), plain_row(event(i)))
            session.commit()

    c, p = run(chained), run(plain)
    print(
        f"[{label}] {writers} writers at once: audit.record {c:,.0f} events/s, "
        f"plain insert {p:,.0f} events/s ({c / p:.2f}x)"
    )


def build_chain(sessions: sessionmaker[Session], target: int, batch: int = 10_000) -> int:
    """Append entries with record_many until the chain holds ``target``; returns how many."""
    with sessions() as session:
        have = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    for start in range(have, target, batch):
        k = min(batch, target - start)
        with sessions() as session:
            audit.record_many(session, CTX, (event(start + j) for j in range(k)))
            session.commit()
    return max(0, target - have)


def stream_only(engine: Engine, batch: int = 20_000) -> tuple[int, float]:
    """The baseline: read every entry as verify does (same query, same dicts), no hashing."""
    t0 = time.perf_counter()
    count = 0
    with engine.connect() as conn:
        result = conn.execute(
            select(*COLUMNS).order_by(AuditEntry.id).execution_options(yield_per=batch)
        )
        for row in result:
            entry = dict(row._mapping)
            count += entry["id"] > 0
    return count, time.perf_counter() - t0


def bench_verify(label: str, engine: Engine, sessions: sessionmaker[Session], n: int) -> None:
    """(b) verify_chain over n entries, against streaming them (before and after: the faster
    read is the baseline, so a cold cache never flatters verify)."""
    t0 = time.perf_counter()
    added = build_chain(sessions, n)
    built = time.perf_counter() - t0
    print(
        f"[{label}] built the chain to {n:,} entries: {added:,} appended with record_many in "
        f"{built:.1f} s ({added / built:,.0f} entries/s)"
    )
    counted, t_before = stream_only(engine)
    t0 = time.perf_counter()
    with engine.connect() as conn:
        result = verify_chain(conn)
    t_verify = time.perf_counter() - t0
    _, t_after = stream_only(engine)
    t_stream = min(t_before, t_after)
    assert result.ok and result.entries == counted, result
    print(
        f"[{label}] verify_chain over {counted:,} entries and {result.checkpoints:,} signed "
        f"checkpoints: {t_verify:.1f} s = {counted / t_verify:,.0f} entries/s; baseline, "
        f"streaming the same rows without hashing: {t_stream:.1f} s = "
        f"{counted / t_stream:,.0f} rows/s -> verify takes {t_verify / t_stream:.2f}x the read"
    )


def _median_ms(fn: Callable[[], object], repeat: int = 7) -> float:
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples) * 1000


def bench_search(label: str, sessions: sessionmaker[Session], page: int = 50) -> None:
    """(c) one page of the audit search, deep in a long log: keyset vs OFFSET + COUNT."""
    from memberdesk.compliance import reports

    with sessions() as session:
        top = session.scalar(select(func.max(AuditEntry.id))) or 0
        for action in (None, AuditAction.MEMBER_UPDATED.value):
            where = [] if action is None else [AuditEntry.action == action]
            f = reports.AuditFilter(action=action)
            for name, depth in (("top", 0), ("middle", top // 2), ("far end", top - 2 * page)):
                cursor = top - depth + 1
                # The page before: count every match, then skip `skipped` of them.
                skipped = (
                    session.scalar(
                        select(func.count())
                        .select_from(AuditEntry)
                        .where(*where, AuditEntry.id >= cursor)
                    )
                    or 0
                )

                def offset_page(where: list[Any] = where, skipped: int = skipped) -> None:
                    session.scalar(select(func.count()).select_from(AuditEntry).where(*where))
                    session.scalars(
                        select(AuditEntry)
                        .where(*where)
                        .order_by(AuditEntry.id.desc())
                        .limit(page)
                        .offset(skipped)
                    ).all()

                def keyset_page(
                    f: reports.AuditFilter = f, before: int | None = cursor if depth else None
                ) -> None:
                    reports.search_audit(session, f, page, before)

                k, o = _median_ms(keyset_page), _median_ms(offset_page)
                print(
                    f"[{label}] audit search, {'all actions' if action is None else action}, "
                    f"page of {page} at the {name} of {top:,} entries: keyset {k:,.1f} ms; "
                    f"baseline OFFSET {skipped:,} + COUNT {o:,.1f} ms ({o / k:,.0f}x)"
                )


def run(label: str, settings: Settings, events: int, entries: int, writers: int) -> None:
    engine = make_engine(settings)
    upgrade(engine)
    PLAIN.create(engine)
    sessions = make_sessionmaker(engine)
    try:
        bench_writes(label, engine, sessions, events)
        if writers > 1 and engine.dialect.name == "postgresql":
            bench_concurrent(label, sessions, writers, max(50, events // writers))
        bench_verify(label, engine, sessions, entries)
        bench_search(label, sessions)
    finally:
        engine.dispose()


@contextmanager
def pg_schema(url: str) -> Iterator[str]:
    schema = f"bench_{secrets.token_hex(3)}"
    admin = make_engine(Settings(database_url=url))
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield schema
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2_000, help="timed single writes")
    parser.add_argument("--entries", type=int, default=1_000_000, help="chain length verified")
    parser.add_argument("--writers", type=int, default=4, help="concurrent writers (PostgreSQL)")
    args = parser.parse_args()
    install_keyring(KeyRing.generate())
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = Settings(database_url=f"sqlite:///{tmp}/bench.db", var_dir=Path(tmp))
        run("sqlite", sqlite, args.events, args.entries, args.writers)
        pg = os.environ.get("MEMBERDESK_BENCH_DATABASE_URL")
        if not pg:
            print("PostgreSQL skipped: set MEMBERDESK_BENCH_DATABASE_URL")
            return
        with pg_schema(pg) as schema:
            settings = Settings(database_url=pg, database_schema=schema, var_dir=Path(tmp))
            run("postgresql", settings, args.events, args.entries, args.writers)


if __name__ == "__main__":
    main()
