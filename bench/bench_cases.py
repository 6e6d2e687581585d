"""Cases at scale: get-next under 50 concurrent agents, and the SLA sweep over a million open
cases.

(a) Get-next: 50 agents (threads, each with its own database session) ask for work at once,
    several times each, through ``memberdesk.cases.work.next_item`` (what ``POST
    /api/work/next`` runs: callbacks first, skills, capacity, breach risk, priority, age, the
    hand-off record and the audit entry) -> median and p95 latency per call; the baseline is a
    bare ``SELECT ... ORDER BY queued_at LIMIT 1 FOR UPDATE SKIP LOCKED`` + ``UPDATE`` + commit
    on the same table in the same run. Both check that no case was handed out twice.
(b) The SLA sweep: N open cases, each with a running clock, 1% of them past their deadline
    (loaded with COPY on PostgreSQL, executemany on SQLite: not through the API). The sweep
    (``memberdesk.sla.sweep.sweep``, batches of 500, audit entries deferred to the sequencer as
    the worker does on PostgreSQL) against a row-by-row baseline: list the due rows, then for
    each select it, update it, write its audit entry and commit. The sequencer's sealing of the
    sweep's entries is timed on its own, and an idle sweep (nothing due) too.

SQLite (temporary file; 100,000 cases for the sweep) always; PostgreSQL (throwaway schema;
1,000,000 cases) when MEMBERDESK_BENCH_DATABASE_URL is set. Usage:

    python bench/bench_cases.py [--cases 1000000] [--sqlite-cases 100000] [--agents 50]
"""

from __future__ import annotations

import argparse
import io
import os
import secrets
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, func, insert, select, text, update
from sqlalchemy.orm import Session

from memberdesk.cases import work
from memberdesk.cases.models import Case, CaseClock, Queue
from memberdesk.clock import now
from memberdesk.compliance import accounts, audit
from memberdesk.compliance.audit import SYSTEM, AuditContext
from memberdesk.compliance.crypto import KeyRing, install_keyring, keyring
from memberdesk.compliance.enums import AuditAction, Role
from memberdesk.compliance.models import AuditPending, User
from memberdesk.config import Settings
from memberdesk.db import make_engine, make_sessionmaker, table_of
from memberdesk.members.models import Member
from memberdesk.members.seed import run_seed
from memberdesk.migrate import upgrade
from memberdesk.sla.sweep import SWEEPER, sweep

CALLS_PER_AGENT = 6
CASE_COLS = [
    "id", "member_id", "case_type", "priority", "summary", "state", "tier", "queue_id",
    "queued_at", "language", "pack", "created_at", "updated_at",
]  # fmt: skip
CLOCK_COLS = [
    "id", "case_id", "pack", "target", "kind", "amount", "started_at", "due_at", "warn_at",
    "state", "warned_at", "data",
]  # fmt: skip


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def _copy(engine: Engine, table: str, cols: list[str], rows: Iterator[tuple[Any, ...]]) -> None:
    """PostgreSQL COPY in text format (bytea as \\x hex, NULL as \\N)."""
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            buf = io.StringIO()
            for n, row in enumerate(rows, 1):
                buf.write("\t".join(_pg_text(v) for v in row) + "\n")
                if n % 50_000 == 0:
                    copy.write(buf.getvalue())
                    buf = io.StringIO()
            copy.write(buf.getvalue())
        raw.commit()
    finally:
        raw.close()


def _pg_text(v: Any) -> str:
    if v is None:
        return "\\N"
    if isinstance(v, bytes):
        return "\\\\x" + v.hex()
    if isinstance(v, datetime):
        return v.isoformat()
    return str(v)


def bulk_load(
    engine: Engine, n: int, due_share: float, start_id: int, queue_id: int, member_ids: list[int]
) -> int:
    """Insert ``n`` open Tier 1 cases, each with one running claim_research clock; every
    ``1/due_share``-th one is past its deadline (already warned). Returns how many are due."""
    at = now()
    summary = keyring().encrypt("Bench case: premium question", "cases.summary")
    every = round(1 / due_share) if due_share else 0
    due = 0

    def cases() -> Iterator[tuple[Any, ...]]:
        for i in range(n):
            cid = start_id + i
            yield (
                cid, member_ids[i % len(member_ids)], "billing", "normal", summary, "new", 1,
                queue_id, at - timedelta(minutes=i % 5000), "en", "calchoice", at, at,
            )  # fmt: skip

    def clocks() -> Iterator[tuple[Any, ...]]:
        nonlocal due
        for i in range(n):
            cid = start_id + i
            if every and i % every == 0:
                due += 1
                due_at, warn_at, warned = at - timedelta(hours=1), at - timedelta(days=1), at
            else:
                due_at = at + timedelta(days=1 + i % 5, minutes=i % 600)
                warn_at, warned = due_at - timedelta(hours=12), None
            yield (
                cid, cid, "calchoice", "claim_research", "business_days", 5,
                at - timedelta(days=6), due_at, warn_at, "running", warned, "{}",
            )  # fmt: skip

    if engine.dialect.name == "postgresql":
        _copy(engine, "cases", CASE_COLS, cases())
        _copy(engine, "case_clocks", CLOCK_COLS, clocks())
        with engine.begin() as conn:
            conn.execute(text("ANALYZE cases"))
            conn.execute(text("ANALYZE case_clocks"))
    else:
        for table, cols, rows in (
            (table_of(Case), CASE_COLS, cases()),
            (table_of(CaseClock), CLOCK_COLS, clocks()),
        ):
            chunk: list[dict[str, Any]] = []
            with engine.begin() as conn:
                for row in rows:
                    d = dict(zip(cols, row, strict=True))
                    if "data" in d:
                        d["data"] = {}
                    if "summary" in d:  # the column type encrypts it on the way in
                        d["summary"] = "Bench case: premium question"
                    chunk.append(d)
                    if len(chunk) == 20_000:
                        conn.execute(insert(table), chunk)
                        chunk = []
                if chunk:
                    conn.execute(insert(table), chunk)
    return due


def deferred(engine: Engine) -> Session:
    """A session as the app and the worker use on PostgreSQL: audit entries for the sequencer."""
    return Session(engine, info={audit.DEFER_SEALING: engine.dialect.name == "postgresql"})


def concurrent(agents: int, one: Callable[[int], bool]) -> tuple[list[float], int]:
    """``agents`` threads each calling ``one(agent)`` CALLS_PER_AGENT times at once; returns
    per-call seconds and how many calls got an item."""
    barrier = threading.Barrier(agents)
    samples: list[float] = []
    got = 0
    lock = threading.Lock()
    errors: list[BaseException] = []

    def run(a: int) -> None:
        nonlocal got
        try:
            barrier.wait()
            for _ in range(CALLS_PER_AGENT):
                t0 = time.perf_counter()
                hit = one(a)
                dt = time.perf_counter() - t0
                with lock:
                    samples.append(dt)
                    got += hit
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(a,)) for a in range(agents)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return samples, got


def bench_get_next(label: str, engine: Engine, settings: Settings, agents: int) -> None:
    """(a) get-next with ``agents`` concurrent agents against the bare SKIP LOCKED claim."""
    with Session(engine) as session:
        users = [
            accounts.create_user(
                session,
                settings,
                SYSTEM,
                username=f"bench-agent-{i}",
                display_name=f"Bench agent {i}",
                role=Role.TIER1_AGENT,
                password=secrets.token_urlsafe(16),
                team="Bench",
            )
            for i in range(agents)
        ]
        session.commit()
        user_ids = [u.id for u in users]
        queue_id = session.scalars(select(Queue.id).where(Queue.name == "Tier 1 General")).one()
        members = list(session.scalars(select(Member.id).limit(200)))
    bulk_load(engine, agents * CALLS_PER_AGENT * 4, 0.0, 1, queue_id, members)
    cases = table_of(Case)

    def product(a: int) -> bool:
        with deferred(engine) as session:
            user = session.get(User, user_ids[a])
            assert user is not None
            ctx = AuditContext(actor_id=user.id, actor=user.username, role=user.role.value)
            item = work.next_item(session, ctx, user, now(), settings.case_default_capacity)
            session.commit()
        return item is not None

    def baseline(a: int) -> bool:
        with Session(engine) as session:
            pick = (
                select(cases.c.id)
                .where(cases.c.queue_id == queue_id, cases.c.assignee_id.is_(None))
                .where(cases.c.state.in_(["new", "reopened"]))
                .order_by(cases.c.queued_at)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            cid = session.scalar(pick)
            if cid is not None:
                session.execute(
                    update(cases)
                    .where(cases.c.id == cid)
                    .values(assignee_id=user_ids[a], state="in_progress")
                )
            session.commit()
        return cid is not None

    def handed_out_once() -> int:
        with engine.connect() as conn:
            held = conn.execute(select(cases.c.id).where(cases.c.assignee_id.is_not(None))).all()
        return len(held)

    def reset() -> None:
        with engine.begin() as conn:
            conn.execute(update(cases).values(assignee_id=None, state="new"))

    results = {}
    for name, fn in (("get-next", product), ("baseline", baseline)):
        reset()
        samples, got = concurrent(agents, fn)
        assert got == agents * CALLS_PER_AGENT == handed_out_once(), (name, got)
        results[name] = (statistics.median(samples) * 1e3, pct(samples, 0.95) * 1e3)
    (pm, pp), (bm, bp) = results["get-next"], results["baseline"]
    print(
        f"[{label}] get-next, {agents} agents x {CALLS_PER_AGENT} calls at once: median "
        f"{pm:,.1f} ms, p95 {pp:,.1f} ms; baseline SKIP LOCKED + UPDATE: median {bm:,.1f} ms, "
        f"p95 {bp:,.1f} ms ({pm / bm:.1f}x / {pp / bp:.1f}x); nothing handed out twice"
    )
    with engine.begin() as conn:  # leave the cases to the sweep bench as plain open work
        conn.execute(update(cases).values(assignee_id=None, state="new"))


def row_by_row(engine: Engine, at: datetime) -> int:
    """The baseline sweep: find the due rows, then select, update, audit and commit each."""
    clocks = table_of(CaseClock)
    with engine.connect() as conn:
        ids = conn.scalars(
            select(clocks.c.id).where(clocks.c.state == "running", clocks.c.due_at <= at)
        ).all()
    done = 0
    for cid in ids:
        with deferred(engine) as session:
            row = session.execute(
                select(clocks.c.id, clocks.c.case_id, clocks.c.due_at, clocks.c.breached_at)
                .where(clocks.c.id == cid)
                .with_for_update()
            ).one()
            if row.breached_at is None:
                session.execute(
                    update(clocks)
                    .where(clocks.c.id == cid)
                    .values(state="breached", breached_at=at)
                )
                audit.record(
                    session,
                    SWEEPER,
                    AuditAction.SLA_BREACHED,
                    object_type="case",
                    object_id=row.case_id,
                    detail={"target": "claim_research", "due_at": row.due_at.isoformat()},
                )
                done += 1
            session.commit()
    return done


def bench_sweep(label: str, engine: Engine, n: int) -> None:
    """(b) the sweep over ``n`` open cases with 1% due, against the row-by-row baseline."""
    with Session(engine) as session:
        queue_id = session.scalars(select(Queue.id).where(Queue.name == "Tier 1 General")).one()
        members = list(session.scalars(select(Member.id).limit(200)))
        start = (session.scalar(select(func.max(Case.id))) or 0) + 1
    t0 = time.perf_counter()
    due = bulk_load(engine, n, 0.01, start, queue_id, members)
    took = time.perf_counter() - t0
    print(f"[{label}] loaded {n:,} open cases with clocks ({due:,} due) in {took:,.1f} s")
    clocks = table_of(CaseClock)

    def reset() -> None:
        with engine.begin() as conn:
            conn.execute(
                update(clocks)
                .where(clocks.c.state == "breached")
                .values(state="running", breached_at=None)
            )
            conn.execute(text("DELETE FROM audit_pending"))
        if engine.dialect.name == "postgresql":
            with engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(
                    text("VACUUM ANALYZE case_clocks")
                )

    def run_sweep() -> tuple[float, int]:
        with deferred(engine) as session:
            t = time.perf_counter()
            result = sweep(session, now(), batch=500)
            return time.perf_counter() - t, result.fired["case clock breaches"]

    timings = []
    for _ in range(2):
        reset()
        seconds, fired = run_sweep()
        assert fired == due, (fired, due)
        timings.append(seconds)
    with Session(engine) as session:
        t = time.perf_counter()
        sealed = audit.seal_all(session)
        session.commit()
        seal_s = time.perf_counter() - t
    with deferred(engine) as session:
        t = time.perf_counter()
        idle = sweep(session, now(), batch=500)
        idle_s = time.perf_counter() - t
    assert idle.total == 0
    reset()
    t = time.perf_counter()
    base = row_by_row(engine, now())
    base_s = time.perf_counter() - t
    assert base == due
    best = min(timings)
    sealing = (
        f"; the sequencer then sealed its {sealed:,} audit entries in {seal_s:,.2f} s"
        if sealed
        else " (audit entries sealed inline)"
    )
    print(
        f"[{label}] SLA sweep, {n:,} open cases, {due:,} due: {best:,.2f} s "
        f"(runs: {', '.join(f'{s:,.2f}' for s in timings)} s; {due / best:,.0f} events/s)"
        f"{sealing}; "
        f"an idle sweep (nothing due) {idle_s * 1e3:,.1f} ms; baseline row by row "
        f"{base_s:,.2f} s ({base_s / best:,.1f}x)"
    )
    pending = 0
    with engine.connect() as conn:
        pending = conn.scalar(select(func.count()).select_from(AuditPending)) or 0
    assert pending == base or engine.dialect.name != "postgresql"


def run(label: str, settings: Settings, cases: int, agents: int) -> None:
    engine = make_engine(settings)
    upgrade(engine)
    run_seed(make_sessionmaker(engine), members=200, seed=11)
    try:
        bench_get_next(label, engine, settings, agents)
        bench_sweep(label, engine, cases)
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
    parser.add_argument("--cases", type=int, default=1_000_000, help="open cases (PostgreSQL)")
    parser.add_argument("--sqlite-cases", type=int, default=100_000, help="open cases (SQLite)")
    parser.add_argument("--agents", type=int, default=50, help="concurrent get-next callers")
    args = parser.parse_args()
    install_keyring(KeyRing.generate())
    # Accounts are created for the agents; their password hashing is not what is measured.
    cheap = {"argon2_time_cost": 1, "argon2_memory_kib": 8, "argon2_parallelism": 1}
    pool = {"pool_size": args.agents + 5, "pool_max_overflow": 5}  # one connection per agent
    print(f"started {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = Settings(
            database_url=f"sqlite:///{tmp}/bench.db", var_dir=Path(tmp), **cheap, **pool
        )
        # SQLite has one writer at a time: 50 agents queue past its busy timeout, so it gets 10.
        run("sqlite", sqlite, args.sqlite_cases, min(args.agents, 10))
        pg = os.environ.get("MEMBERDESK_BENCH_DATABASE_URL")
        if not pg:
            print("PostgreSQL skipped: set MEMBERDESK_BENCH_DATABASE_URL")
            return
        with pg_schema(pg) as schema:
            settings = Settings(
                database_url=pg, database_schema=schema, var_dir=Path(tmp), **cheap, **pool
            )
            run("postgresql", settings, args.cases, args.agents)


if __name__ == "__main__":
    main()
