"""Importing call records: every row stored, and the half-hour rollups added to in the same
transaction, so reports never rescan calls. All or nothing: the caller commits only when the
result has no errors (a service never commits)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction
from memberdesk.db import insert_on_conflict, table_of
from memberdesk.errors import Conflict
from memberdesk.kpi.calls import RowError
from memberdesk.kpi.formulas import NO_AGENT, CallRecord, CallTally, interval_of
from memberdesk.kpi.models import CallImport, CallRow, CallStats

BATCH = 5000
COUNTERS = (
    "offered",
    "answered",
    "abandoned",
    "short_abandoned",
    "answered_within",
    "wait_seconds",
    "handle_seconds",
    "transferred",
    "warm_transferred",
)
Key = tuple[str, str, datetime]  # queue, agent, interval start (UTC)


@dataclass
class ImportResult:
    """What an import stored, or why it stored nothing (``errors``: the first ones shown)."""

    import_id: int | None = None
    calls: int = 0
    intervals: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0


def import_calls(
    session: Session,
    ctx: AuditContext,
    items: Iterable[tuple[int, CallRecord] | RowError],
    *,
    pack: str,
    threshold: float,
    short_abandon: float,
    keep_errors: int = 50,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Store parsed call records (``calls.parse_calls``) and add them to the rollups.

    Stops writing at the first problem but reads on, so that every problem is reported; a call
    ID already stored is one ("already imported"). Roll back when ``errors`` is not empty.
    """
    result = ImportResult()
    batch: list[tuple[int, CallRecord]] = []
    tallies: dict[Key, CallTally] = {}
    job = CallImport(
        pack=pack,
        threshold_seconds=threshold,
        short_abandon_seconds=short_abandon,
        calls=0,
        imported_by=ctx.actor[:64],
    )
    session.add(job)
    session.flush()

    def problem(error: RowError) -> None:
        result.error_count += 1
        if len(result.errors) < keep_errors:
            result.errors.append(error)

    def write(rows: list[tuple[int, CallRecord]]) -> None:
        stored = _stored_ids(session, [c.call_id for _, c in rows])
        for line, c in rows:
            if c.call_id in stored:
                problem(RowError(line, "call_id", "already imported"))
        if result.error_count:
            return
        store_calls(session, [_row(job.id, pack, c) for _, c in rows])
        for _, c in rows:
            key = (c.queue, c.agent_id or NO_AGENT, interval_of(c.offered_at))
            tallies.setdefault(key, CallTally()).count(c, threshold, short_abandon)
        if progress is not None:
            progress(len(rows))

    for item in items:
        if isinstance(item, RowError):
            problem(item)
            continue
        result.calls += 1
        batch.append(item)
        if len(batch) >= BATCH:
            write(batch)
            batch = []
    if batch:
        write(batch)
    if result.error_count:
        return result
    add_to_rollups(session, pack, tallies)
    job.calls = result.calls
    result.import_id, result.intervals = job.id, len(tallies)
    audit.record(
        session,
        ctx,
        AuditAction.CALLS_IMPORTED,
        object_type="call_import",
        object_id=job.id,
        detail={"calls": result.calls, "pack": pack, "intervals": len(tallies)},
    )
    return result


def _stored_ids(session: Session, ids: list[str]) -> set[str]:
    """Which of ``ids`` are stored already (PostgreSQL: one array parameter, not thousands)."""
    if session.get_bind().dialect.name == "postgresql":
        found = session.execute(
            text("SELECT call_id FROM call_records WHERE call_id = ANY(:ids)"), {"ids": ids}
        )
        return {row[0] for row in found}
    marks = ", ".join("?" * len(ids))  # placeholders only: the IDs go as parameters
    sql = f"SELECT call_id FROM call_records WHERE call_id IN ({marks})"  # noqa: S608
    return {row[0] for row in _raw(session).execute(sql, ids)}


RACED = "call_id: another import stored some of these calls at the same time; nothing was imported"


def store_calls(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert call-record rows in the session's transaction. PostgreSQL gets them by COPY
    (psycopg sends one statement per row otherwise); the member ID is encrypted by its column
    type either way. A call ID stored meanwhile by an import running alongside is a Conflict
    (the transaction is then spoilt: roll back)."""
    table = table_of(CallRow)
    if session.get_bind().dialect.name != "postgresql":
        _store_sqlite(session, rows)
        return
    from psycopg.errors import UniqueViolation

    columns = list(rows[0])
    encrypt = table.c.member_ref.type.bind_processor(session.get_bind().dialect)
    raw = _raw(session)
    sql = f"COPY call_records ({', '.join(columns)}) FROM STDIN"
    try:
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                if row["member_ref"] is not None and encrypt is not None:
                    row = {**row, "member_ref": encrypt(row["member_ref"])}
                copy.write_row([row[c] for c in columns])
    except UniqueViolation:
        raise Conflict(RACED, field="call_id") from None


def sqlite_time(at: datetime | None) -> str | None:
    """An aware time as SQLAlchemy stores it in SQLite (UTC, "YYYY-MM-DD HH:MM:SS.ffffff"),
    without going through its per-value type machinery (a test holds the two equal)."""
    if at is None:
        return None
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


SQLITE_COLUMNS = (
    "import_id, call_id, pack, queue, offered_at, answered_at, abandoned_at, talk_seconds, "
    "hold_seconds, wrap_seconds, agent_ref, member_ref"
)


def _store_sqlite(session: Session, rows: list[dict[str, Any]]) -> None:
    """SQLite: one executemany on the session's own connection (its transaction), the values
    prepared here; SQLAlchemy's executemany spent three quarters of an import preparing them."""
    import sqlite3

    encrypt = table_of(CallRow).c.member_ref.type.bind_processor(session.get_bind().dialect)
    assert encrypt is not None  # EncryptedString always has one
    t = sqlite_time
    prepared = [
        (
            r["import_id"],
            r["call_id"],
            r["pack"],
            r["queue"],
            t(r["offered_at"]),
            t(r["answered_at"]),
            t(r["abandoned_at"]),
            r["talk_seconds"],
            r["hold_seconds"],
            r["wrap_seconds"],
            r["agent_ref"],
            None if r["member_ref"] is None else encrypt(r["member_ref"]),
        )
        for r in rows
    ]
    sql = f"INSERT INTO call_records ({SQLITE_COLUMNS}) VALUES ({', '.join('?' * 12)})"  # noqa: S608
    try:
        _raw(session).executemany(sql, prepared)
    except sqlite3.IntegrityError:
        raise Conflict(RACED, field="call_id") from None


def _raw(session: Session) -> Any:
    """The driver's connection under the session's (in its transaction)."""
    raw = session.connection().connection.driver_connection
    if raw is None:  # pragma: no cover - a live connection always has its driver's
        raise RuntimeError("no database connection")
    return raw


def _row(import_id: int, pack: str, c: CallRecord) -> dict[str, Any]:
    return {
        "import_id": import_id,
        "call_id": c.call_id,
        "pack": pack,
        "queue": c.queue,
        "offered_at": c.offered_at,
        "answered_at": c.answered_at,
        "abandoned_at": c.abandoned_at,
        "talk_seconds": c.talk_seconds,
        "hold_seconds": c.hold_seconds,
        "wrap_seconds": c.wrap_seconds,
        "agent_ref": c.agent_id,
        "member_ref": c.member_id,
    }


def add_to_rollups(session: Session, pack: str, tallies: dict[Key, CallTally]) -> None:
    """Add each tally to its rollup row, creating it when new. One statement per batch of
    rows; the database adds (ON CONFLICT DO UPDATE), so imports running side by side never
    lose each other's counts."""
    if not tallies:
        return
    table = table_of(CallStats)
    stmt = insert_on_conflict(session)(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=["pack", "queue", "agent_ref", "interval_start"],
        set_={c: table.c[c] + stmt.excluded[c] for c in COUNTERS},
    )
    rows = [
        {
            "pack": pack,
            "queue": queue,
            "agent_ref": agent,
            "interval_start": start,
            **{c: getattr(t, c) for c in COUNTERS},
        }
        # In key order, as every writer does, so that two never wait on each other in a cycle.
        for (queue, agent, start), t in sorted(tallies.items(), key=lambda kv: kv[0])
    ]
    for i in range(0, len(rows), BATCH):
        session.execute(stmt, rows[i : i + BATCH])
