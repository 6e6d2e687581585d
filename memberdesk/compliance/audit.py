"""The tamper-evident audit log (Civil Code 56.101, 45 CFR 164.312(b)).

Each entry's SHA-256 covers its canonical form and the previous entry's hash. Writers lock the
single ``audit_head`` row, so appends are serialised across every app server and the chain
never forks. Every ``CHECKPOINT_EVERY`` entries an HMAC-signed checkpoint records the tip, so a
tail cut off behind a checkpoint is detectable too.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance.crypto import decrypt_any, keyring
from memberdesk.compliance.enums import AuditAction, PurposeOfUse
from memberdesk.compliance.models import (
    AuditCheckpoint,
    AuditEntry,
    AuditHead,
    AuditMemberAccess,
)
from memberdesk.db import table_of

GENESIS = "0" * 64
CHECKPOINT_EVERY = 1000
CHANGES_CONTEXT = "audit_log.changes"


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


def _lock_head(session: Session) -> AuditHead:
    # FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE already holds the write lock.
    # populate_existing: a head already in this session's identity map (loaded before the lock,
    # or kept across a commit with expire_on_commit=False) would otherwise keep its stale tip,
    # and the append would reuse an id another writer has taken.
    head = session.scalars(
        select(AuditHead)
        .where(AuditHead.id == 1)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if head is None:  # pragma: no cover - the migration inserts it
        raise RuntimeError("audit_head row missing; run `memberdesk db upgrade`")
    return head


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


def record_many(session: Session, ctx: AuditContext, events: Iterable[Event]) -> list[int]:
    """Append events to the chain in order; returns their ids. Never commits."""
    head = _lock_head(session)
    last_id, last_hash = head.last_id, head.last_hash
    rows: list[dict[str, Any]] = []
    access: list[dict[str, Any]] = []
    checkpoints: list[tuple[int, str]] = []
    stamp = now()
    for ev in events:
        last_id += 1
        row = {
            "id": last_id,
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
            "prev_hash": last_hash,
        }
        last_hash = row["hash"] = entry_hash(row)
        rows.append(row)
        access.extend({"audit_id": last_id, "member_id": m, "at": row["at"]} for m in ev.member_ids)
        if last_id % CHECKPOINT_EVERY == 0:
            checkpoints.append((last_id, last_hash))
    if not rows:
        return []
    session.execute(insert(table_of(AuditEntry)), rows)
    if access:
        session.execute(insert(table_of(AuditMemberAccess)), access)
    for cp_last_id, cp_hash in checkpoints:
        write_checkpoint(session, cp_last_id, cp_hash)
    head.last_id, head.last_hash = last_id, last_hash
    session.flush()
    return [r["id"] for r in rows]


def record(session: Session, ctx: AuditContext, action: AuditAction, **kwargs: Any) -> int:
    """Append one event; returns its id. Never commits."""
    return record_many(session, ctx, [Event(action, **kwargs)])[0]


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
