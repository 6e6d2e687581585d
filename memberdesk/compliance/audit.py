"""The tamper-evident audit log (Civil Code 56.101, 45 CFR 164.312(b)).

Each entry's SHA-256 covers its canonical form and the previous entry's hash. Sealing an entry
into the chain locks the single ``audit_head`` row, so the chain never forks across app servers.
Every ``CHECKPOINT_EVERY`` entries an HMAC-signed checkpoint records the tip, so a tail cut off
behind a checkpoint is detectable too.

Three ways in, one chain:
- *inline* (the default: commands, SQLite, tests): the entry is sealed in the caller's
  transaction. On SQLite the transaction already holds the database's only write lock, so the
  head lock costs nothing more.
- *group-committed* (reading routes on SQLite, ``audit_batch.BATCHER`` in the session's info):
  a read's entries go to one writer thread that seals everything waiting in one transaction;
  the route answers only once they are committed.
- *deferred* (request sessions on PostgreSQL, ``DEFER_SEALING`` in the session's info): the
  entry is written to ``audit_pending`` in the caller's transaction, atomically with whatever it
  records, without touching the head, so concurrent requests never queue behind one lock. The
  sequencer (``seal_pending``, run by ``memberdesk serve`` and ``memberdesk worker``) seals
  committed pending entries into the chain in order, in batches, within about a second; anything
  that reads the log (reports, search, verify) seals first. Until sealed, an entry is protected
  by the database's privileges only: that window is bounded by the sequencer's interval, and
  ``audit verify`` reports entries left unsealed longer than ``UNSEALED_LIMIT``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance.audit_batch import BATCHER
from memberdesk.compliance.crypto import decrypt_any, keyring
from memberdesk.compliance.enums import AuditAction, PurposeOfUse
from memberdesk.compliance.models import (
    AuditCheckpoint,
    AuditEntry,
    AuditHead,
    AuditMemberAccess,
    AuditPending,
)
from memberdesk.db import begin_writing, still_reading, table_of

GENESIS = "0" * 64
CHECKPOINT_EVERY = 1000
CHANGES_CONTEXT = "audit_log.changes"
DEFER_SEALING = "memberdesk_audit_deferred"
WROTE_PENDING = "memberdesk_audit_pending_written"
SEAL_BATCH = 5000
UNSEALED_LIMIT = timedelta(seconds=60)


@dataclass(frozen=True)
class AuditContext:
    """Who is acting, why, and from where; carried from the request or command."""

    actor_id: int | None
    actor: str
    role: str
    purpose: str = PurposeOfUse.OPERATIONS.value
    request_id: str | None = None
    client_addr: str | None = None


SYSTEM = AuditContext(actor_id=None, actor="system", role="system")


@dataclass
class Event:
    """One thing to record."""

    action: AuditAction
    object_type: str | None = None
    object_id: str | int | None = None
    member_ids: Sequence[int] = ()
    detail: dict[str, Any] | None = None
    changes: dict[str, Any] | None = None
    at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def canonical(row: dict[str, Any]) -> bytes:
    """The bytes an entry's hash covers: its fields in a fixed order, as JSON."""
    changes = row.get("changes")
    fields = [
        row["id"],
        row["at"].isoformat(timespec="microseconds"),
        row["actor_id"],
        row["actor"],
        row["role"],
        row["action"],
        row["object_type"],
        row["object_id"],
        row["purpose"],
        row["request_id"],
        row["client_addr"],
        row["detail"],
        bytes(changes).hex() if changes is not None else None,
        row["prev_hash"],
    ]
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str).encode()


def entry_hash(row: dict[str, Any]) -> str:
    """SHA-256 over the canonical form (which includes the previous hash)."""
    return hashlib.sha256(canonical(row)).hexdigest()


def checkpoint_signature(cp_id: int, last_id: int, last_hash: str, at: datetime, prev: str) -> str:
    """HMAC-SHA-256 with the audit key: only a key holder can forge a checkpoint."""
    msg = f"{cp_id}|{last_id}|{last_hash}|{at.isoformat(timespec='microseconds')}|{prev}"
    return hmac.new(keyring().audit_key, msg.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Tip:
    """The chain's last entry, read under the head lock."""

    last_id: int
    last_hash: str


def _lock_head(session: Session) -> Tip:
    # FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE already holds the write lock. A plain
    # Core read: an ORM head kept in the session's identity map (across a commit, say) could
    # hold a stale tip, and the append would reuse an id another writer has taken.
    # Core, not ORM, statements here and in _append: every audited request runs them, and
    # the ORM's statement handling cost more than the statements themselves.
    head = table_of(AuditHead)
    row = session.execute(
        select(head.c.last_id, head.c.last_hash).where(head.c.id == 1).with_for_update()
    ).first()
    if row is None:  # pragma: no cover - the migration inserts it
        raise RuntimeError("audit_head row missing; run `memberdesk db upgrade`")
    return Tip(row.last_id, row.last_hash)


def _utc(at: datetime) -> datetime:
    # The hash covers the time as written, but the database hands it back in UTC: an entry
    # stamped in another zone (e.g. -08:00) would never verify again. Naive times are refused
    # here, before hashing, as UTCDateTime would refuse them at insert.
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("naive datetime given; audit entries take aware times only")
    return at.astimezone(UTC)


def _encrypt_changes(changes: dict[str, Any] | None) -> bytes | None:
    if not changes:
        return None
    text = json.dumps(changes, sort_keys=True, default=str)
    return keyring().encrypt(text, CHANGES_CONTEXT)


def decrypt_changes(blob: bytes | None) -> dict[str, Any] | None:
    """Old and new values of an entry (compliance officers only)."""
    if blob is None:
        return None
    result: dict[str, Any] = json.loads(decrypt_any(bytes(blob), CHANGES_CONTEXT))
    return result


def _pending_row(ctx: AuditContext, ev: Event, stamp: datetime) -> dict[str, Any]:
    return {
        "at": _utc(ev.at) if ev.at else stamp,
        "actor_id": ctx.actor_id,
        "actor": ctx.actor,
        "role": ctx.role,
        "action": ev.action.value,
        "object_type": ev.object_type,
        "object_id": None if ev.object_id is None else str(ev.object_id),
        "purpose": ctx.purpose,
        "request_id": ctx.request_id,
        "client_addr": ctx.client_addr,
        "detail": ev.detail,
        "changes": _encrypt_changes(ev.changes),
        "member_ids": list(ev.member_ids),
    }


def _append(session: Session, head: Tip, pending: list[dict[str, Any]]) -> list[int]:
    """Chain ``pending`` rows after the locked head, in order; returns their entry ids."""
    last_id, last_hash = head.last_id, head.last_hash
    rows: list[dict[str, Any]] = []
    access: list[dict[str, Any]] = []
    checkpoints: list[tuple[int, str]] = []
    for p in pending:
        last_id += 1
        row = {k: v for k, v in p.items() if k != "member_ids"}
        row["id"], row["prev_hash"] = last_id, last_hash
        last_hash = row["hash"] = entry_hash(row)
        rows.append(row)
        access.extend(
            {"audit_id": last_id, "member_id": m, "at": row["at"]} for m in p["member_ids"] or ()
        )
        if last_id % CHECKPOINT_EVERY == 0:
            checkpoints.append((last_id, last_hash))
    session.execute(insert(table_of(AuditEntry)), rows)
    if access:
        session.execute(insert(table_of(AuditMemberAccess)), access)
    for cp_last_id, cp_hash in checkpoints:
        write_checkpoint(session, cp_last_id, cp_hash)
    tip = table_of(AuditHead)
    session.execute(update(tip).where(tip.c.id == 1).values(last_id=last_id, last_hash=last_hash))
    return [r["id"] for r in rows]


def record_many(session: Session, ctx: AuditContext, events: Iterable[Event]) -> list[int]:
    """Record events in order. Inline or group-committed: sealed now, returns their entry ids.
    Deferred: written for the sequencer, returns []. Never commits a write of the caller's (a
    reading session's snapshot ends, as ``begin_writing`` ends it)."""
    stamp = now()
    pending = [_pending_row(ctx, ev, stamp) for ev in events]
    if not pending:
        return []
    batcher = session.info.get(BATCHER)
    if batcher is not None and still_reading(session):
        # SQLite: the entries of a read go to the group-committing writer (audit_batch.py);
        # the read snapshot ends first, so nothing is held while the request waits.
        if session.in_transaction():
            session.commit()
        ids: list[int] = batcher.append(pending)
        return ids
    begin_writing(session)  # a reading route writes its audit entry in a transaction of its own
    if session.info.get(DEFER_SEALING):
        session.execute(insert(table_of(AuditPending)), pending)
        session.info[WROTE_PENDING] = True
        return []
    return _append(session, _lock_head(session), pending)


def seal_rows(session: Session, pending: list[dict[str, Any]]) -> list[int]:
    """Seal rows made by ``_pending_row`` into the chain now (the group-committing writer's
    transaction); returns their entry ids. Never commits."""
    return _append(session, _lock_head(session), pending)


def seal_pending(session: Session, limit: int = SEAL_BATCH) -> int:
    """Seal up to ``limit`` committed pending entries into the chain, oldest first; returns how
    many. Never commits (the caller commits, which releases the head lock)."""
    begin_writing(session)
    head = _lock_head(session)  # first: a second sequencer waits here, then sees fewer rows
    columns = [c for c in table_of(AuditPending).columns if c.name != "id"]
    found = session.execute(
        select(AuditPending.id, *columns).order_by(AuditPending.id).limit(limit)
    ).all()
    if not found:
        return 0
    _append(session, head, [{c.name: row._mapping[c.name] for c in columns} for row in found])
    session.execute(delete(AuditPending).where(AuditPending.id.in_([row.id for row in found])))
    return len(found)


def seal_all(session: Session) -> int:
    """Seal every pending entry (before reading the log); returns how many. Never commits."""
    total = 0
    while sealed := seal_pending(session):
        total += sealed
    return total


def record(session: Session, ctx: AuditContext, action: AuditAction, **kwargs: Any) -> int | None:
    """Record one event; returns its entry id when sealed inline. Never commits."""
    ids = record_many(session, ctx, [Event(action, **kwargs)])
    return ids[0] if ids else None


def write_checkpoint(session: Session, last_id: int, last_hash: str) -> AuditCheckpoint:
    """Sign the chain tip, chained to the previous checkpoint."""
    prev = session.scalars(
        select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1)
    ).one_or_none()
    cp_id = (prev.id if prev else 0) + 1
    prev_sig = prev.signature if prev else GENESIS
    at = now()
    cp = AuditCheckpoint(
        id=cp_id,
        last_entry_id=last_id,
        last_hash=last_hash,
        at=at,
        prev_signature=prev_sig,
        signature=checkpoint_signature(cp_id, last_id, last_hash, at, prev_sig),
    )
    session.add(cp)
    session.flush()
    return cp


def checkpoint_now(session: Session) -> AuditCheckpoint | None:
    """Checkpoint the current tip (``memberdesk audit checkpoint``; run it from cron)."""
    head = _lock_head(session)
    if head.last_id == 0:
        return None
    last = session.scalars(
        select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1)
    ).one_or_none()
    if last is not None and last.last_entry_id == head.last_id:
        return last
    return write_checkpoint(session, head.last_id, head.last_hash)
