"""Audit search over 1,000,000 entries on PostgreSQL: one filtered page, as the compliance console
and ``GET /api/compliance/audit`` ask for it (``reports.search_audit``, keyset paging), against
the same query with PostgreSQL's index scans turned off (a sequential scan of the log), in the
same run.

The log is a year of a busy centre: 1,000,000 entries over 365 days by 300 users, four in five
touching one of 100,000 members (``audit_member_access``), actions in realistic shares (most are
record views). It is written straight in SQL (the chain's hashes are not what is measured here;
``bench_audit.py`` measures the chain). Filters measured, each a page of 50, newest first:

- one member over one month (who looked at this member in March?),
- one user (everything they did, newest first), and one user over a month,
- one action (every change of a member's record), a rare action over a month, and the
  commonest action (record views) over a month,
- one month, every action,
- one user, a page deep in their history (``before_id`` half-way down).

The target is under 200 ms a page; each figure is printed beside the unindexed scan measured on
the same data in the same session, as a ratio, because this machine is shared and absolute
numbers are noisy. PostgreSQL only (``MEMBERDESK_BENCH_DATABASE_URL``, a throwaway schema).
Usage:

    python bench/bench_audit_search.py [--entries 1000000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from memberdesk.compliance import reports
from memberdesk.compliance.crypto import KeyRing, install_keyring
from memberdesk.compliance.models import AuditEntry
from memberdesk.config import Settings
from memberdesk.db import make_engine, make_sessionmaker
from memberdesk.migrate import upgrade

USERS = 300
MEMBERS = 100_000
START = datetime(2025, 12, 1, tzinfo=UTC)
TARGET_MS = 200.0
PAGE = 50
# Shares of the year's actions (out of 100), most of them record views.
ACTIONS = [
    (60, "member.read"),
    (15, "member.search"),
    (10, "contact.logged"),
    (6, "case.read"),
    (5, "auth.login"),
    (3, "member.updated"),
    (1, "compliance.access_report"),
]


def _action_case() -> str:
    """A SQL CASE giving entry g its action by the shares above."""
    arms, upto = [], 0
    for share, action in ACTIONS:
        upto += share
        arms.append(f"WHEN a < {upto} THEN '{action}'")
    return "CASE " + " ".join(arms) + " END"


def build(engine: Engine, entries: int) -> float:
    """Write the year's log and its member index in SQL; returns seconds taken."""
    seconds = 365 * 86400 / entries
    t0 = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(
            text(
                f"""
                INSERT INTO audit_log (id, at, actor_id, actor, role, action, object_type,
                    object_id, purpose, request_id, client_addr, detail, changes, prev_hash, hash)
                SELECT g,
                    :start + (g * :seconds) * interval '1 second',
                    u,
                    'user-' || u,
                    'tier1_agent',
                    {_action_case()},
                    CASE WHEN a < 91 OR a = 99 THEN 'member' ELSE 'session' END,
                    CASE WHEN (a < 91 OR a = 99) AND g % 5 < 4 THEN m::text END,
                    'treatment',
                    md5(g::text),
                    '10.0.' || (g % 250) || '.' || (g % 200),
                    NULL, NULL, repeat('0', 64), md5(g::text) || md5((g + 1)::text)
                FROM (
                    -- Independent pseudo-random user, action and member for each entry.
                    SELECT g,
                        (hashint4(g) & 2147483647) % {USERS} + 1 AS u,
                        (hashint4(g + 1000000007) & 2147483647) % 100 AS a,
                        (hashint4(g + 2000000011) & 2147483647) % {MEMBERS} + 1 AS m
                    FROM generate_series(1, :n) AS g
                ) AS r
                """
            ),
            {"start": START, "seconds": seconds, "n": entries},
        )
        conn.execute(
            text(
                """
                INSERT INTO audit_member_access (audit_id, member_id, at)
                SELECT id, object_id::int, at FROM audit_log
                WHERE object_id IS NOT NULL AND object_type = 'member'
                """
            )
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE audit_log"))
        conn.execute(text("VACUUM ANALYZE audit_member_access"))
    return time.perf_counter() - t0


def _median_ms(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm the cache: both sides are measured warm
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples) * 1000


@contextmanager
def unindexed(session: Session) -> Iterator[None]:
    """The baseline: the planner may not use an index, so every filter reads the whole log."""
    for knob in ("enable_indexscan", "enable_bitmapscan", "enable_indexonlyscan"):
        session.execute(text(f"SET {knob} = off"))
    try:
        yield
    finally:
        for knob in ("enable_indexscan", "enable_bitmapscan", "enable_indexonlyscan"):
            session.execute(text(f"RESET {knob}"))


def cases(session: Session) -> list[tuple[str, reports.AuditFilter, int | None]]:
    """The filtered pages measured: (what, filter, before_id)."""
    march = (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
    member = session.scalar(
        text(
            "SELECT member_id FROM audit_member_access WHERE at >= :a AND at < :b "
            "GROUP BY member_id ORDER BY count(*) DESC, member_id LIMIT 1"
        ),
        {"a": march[0], "b": march[1]},
    )
    user = "user-17"
    half = session.scalar(
        select(AuditEntry.id)
        .where(AuditEntry.actor == user)
        .order_by(AuditEntry.id)
        .offset(session.scalar(select(func.count()).where(AuditEntry.actor == user)) // 2)
        .limit(1)
    )
    f, month = reports.AuditFilter, {"start": march[0], "end": march[1]}
    return [
        ("a member over a month", f(member_id=member, **month), None),
        ("a member, any time", f(member_id=member), None),
        ("a user", f(username=user), None),
        ("a user over a month", f(username=user, **month), None),
        ("an action (record changes)", f(action="member.updated"), None),
        ("a rare action over a month", f(action="compliance.access_report", **month), None),
        ("record views (60% of the log) over a month", f(action="member.read", **month), None),
        ("a month, every action", f(**month), None),
        ("a user, half-way down their pages", f(username=user), half),
    ]


def measure(engine: Engine, repeat: int) -> list[bool]:
    """Each filtered page, indexed and unindexed, printed side by side; True where < 200 ms."""
    sessions = make_sessionmaker(engine)
    met = []
    with sessions() as session:
        total = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
        for what, f, before in cases(session):
            rows = reports.search_audit(session, f, PAGE, before)

            def page(f: reports.AuditFilter = f, before: int | None = before) -> None:
                reports.search_audit(session, f, PAGE, before)

            k = _median_ms(page, repeat)
            with unindexed(session):
                assert [e.id for e in reports.search_audit(session, f, PAGE, before)] == [
                    e.id for e in rows
                ]
                s = _median_ms(page, max(3, repeat // 2))
            met.append(k < TARGET_MS)
            print(
                f"[postgresql] audit search over {total:,} entries, {what} "
                f"({min(len(rows), PAGE)} on the page): indexed {k:,.1f} ms "
                f"({'under' if k < TARGET_MS else 'OVER'} {TARGET_MS:.0f} ms); baseline, "
                f"unindexed scan {s:,.1f} ms ({s / k:,.0f}x)"
            )
    return met


@contextmanager
def pg_schema(url: str) -> Iterator[str]:
    """A throwaway schema, dropped afterwards."""
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
    parser.add_argument("--entries", type=int, default=1_000_000, help="entries in the log")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per page")
    args = parser.parse_args()
    url = os.environ.get("MEMBERDESK_BENCH_DATABASE_URL")
    if not url:
        print("PostgreSQL skipped: set MEMBERDESK_BENCH_DATABASE_URL")
        return
    install_keyring(KeyRing.generate())
    with pg_schema(url) as schema:
        engine = make_engine(Settings(database_url=url, database_schema=schema))
        try:
            upgrade(engine)
            built = build(engine, args.entries)
            print(f"[postgresql] wrote {args.entries:,} audit entries in SQL in {built:.1f} s")
            met = measure(engine, args.repeat)
            print(
                f"[postgresql] {sum(met)} of {len(met)} filtered pages under "
                f"{TARGET_MS:.0f} ms at {timedelta(days=365).days} days of log"
            )
        finally:
            engine.dispose()


if __name__ == "__main__":
    main()
