"""Key rotation: a new data key becomes active, then every encrypted value is re-encrypted in
small batches while the service keeps answering (running servers follow ``var/keys.json``).

Audit ``changes`` are not re-encrypted: the chain's hashes cover their ciphertext, so they stay
readable under the key they were written with (old keys are never dropped).

The rotation's start is committed to the audit log *before* the new key becomes active, and its
end after the last pass (45 CFR 164.312(b)): a rotation killed mid-way still leaves a record of
who started it and which key it made active.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Column, LargeBinary, Table, and_, select, type_coerce, update
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session, sessionmaker

from memberdesk.compliance import audit
from memberdesk.compliance.audit import SYSTEM, AuditContext
from memberdesk.compliance.crypto import (
    KEYRING_ENV,
    KEYRING_FILE,
    EncryptedDate,
    EncryptedString,
    KeyRing,
    install_keyring,
    key_id_of,
    keyring,
    write_keyring,
)
from memberdesk.compliance.enums import AuditAction
from memberdesk.db import READ_ONLY, Base

# About a minute and a half of waiting in all before a busy database fails the rotation.
WRITE_ATTEMPTS = 8
T = TypeVar("T")


@dataclass
class RotationResult:
    new_key_id: str
    reencrypted: dict[str, int] = field(default_factory=dict)
    passes: int = 0
    remaining: int = 0


def encrypted_columns() -> list[tuple[Table, Column[bytes], str]]:
    """Every (table, column, context) stored with an encrypted column type."""
    from memberdesk.models import import_all_models

    import_all_models()
    found = []
    for table in Base.metadata.sorted_tables:
        for col in table.columns:
            if isinstance(col.type, EncryptedString | EncryptedDate):
                found.append((table, col, col.type.context))
    return found


def _raw(col: Column[bytes]):  # type: ignore[no-untyped-def]
    # Read and compare the stored bytes, bypassing the decrypting column type.
    return type_coerce(col, LargeBinary)


def _reader(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    # Reading a batch needs no write lock: on SQLite a snapshot read never waits for the
    # server's writers, so the lock is held only while the batch's updates are written.
    engine = sessions.kw["bind"]
    return sessionmaker(engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False)


def _busy(exc: Exception) -> bool:
    """The database was busy (SQLite's lock, a pool or lock wait ran out), not broken."""
    if isinstance(exc, sa_exc.TimeoutError):
        return True
    return isinstance(exc, sa_exc.OperationalError) and "locked" in str(exc.orig)


def _write_retrying(sessions: sessionmaker[Session], write: Callable[[Session], T]) -> T:
    """Run one short write transaction, trying again while the database is busy.

    A rotation runs for minutes beside a busy server; on SQLite another process's busy
    handler can lose the lock to the server's writers for longer than its timeout. Every
    batch is conditional and idempotent, so waiting and trying again is safe."""
    for attempt in range(WRITE_ATTEMPTS):
        try:
            with sessions() as session:
                done = write(session)
                session.commit()
                return done
        except (sa_exc.OperationalError, sa_exc.TimeoutError) as exc:
            if not _busy(exc) or attempt == WRITE_ATTEMPTS - 1:
                raise
            time.sleep(min(0.5 * 2**attempt, 5.0))
    raise AssertionError("unreachable")


def _update_batch(
    session: Session, table: Table, col: Column[bytes], fresh: list[tuple[int, bytes, bytes]]
) -> int:
    """Write a batch's new ciphertexts; a value the service rewrote meanwhile is left alone."""
    (key,) = table.primary_key.columns
    # Re-encryption is not an edit: keep "updated_at"-style columns (onupdate=now) as they
    # were, or every member would look changed on the day of the rotation.
    unchanged = {c.name: c for c in table.columns if c.onupdate is not None}
    n = 0
    for row_id, old, new in fresh:
        result = session.execute(
            update(table)
            .where(and_(key == row_id, _raw(col) == old))
            .values({col.name: type_coerce(new, LargeBinary), **unchanged})
        )
        n += result.rowcount  # type: ignore[attr-defined]
    return n


def reencrypt_pass(
    sessions: sessionmaker[Session], batch: int, progress: Callable[[str, int], None] | None = None
) -> dict[str, int]:
    """Re-encrypt every value not under the active key; one transaction per batch of rows."""
    ring = keyring()
    reader = _reader(sessions)
    counts: dict[str, int] = {}
    for table, col, context in encrypted_columns():
        name = f"{table.name}.{col.name}"
        counts[name] = 0
        # Walk by the primary key: not every table's is called "id" (member_navigators).
        (key,) = table.primary_key.columns
        last_id = 0
        while True:
            with reader() as session:
                rows = session.execute(
                    select(key, _raw(col))
                    .where(key > last_id, col.is_not(None))
                    .order_by(key)
                    .limit(batch)
                ).all()
            if not rows:
                break
            last_id = rows[-1][0]
            # Encrypt outside any transaction: the write lock is held only for the updates.
            fresh = [
                (row_id, blob, ring.encrypt(ring.decrypt(blob, context), context))
                for row_id, blob in ((r[0], bytes(r[1])) for r in rows)
                if key_id_of(blob) != ring.active_key_id
            ]
            if fresh:
                write = functools.partial(_update_batch, table=table, col=col, fresh=fresh)
                counts[name] += _write_retrying(sessions, write)
            if progress:
                progress(name, len(rows))
    return counts


def count_stale(sessions: sessionmaker[Session]) -> int:
    """Values still encrypted under a key other than the active one."""
    active = keyring().active_key_id
    stale = 0
    with _reader(sessions)() as session:
        for _table, col, _context in encrypted_columns():
            for (blob,) in session.execute(select(_raw(col)).where(col.is_not(None))):
                stale += key_id_of(bytes(blob)) != active
    return stale


def rotate(
    var_dir: Path,
    sessions: sessionmaker[Session],
    batch: int = 500,
    progress: Callable[[str, int], None] | None = None,
    max_passes: int = 3,
    ctx: AuditContext = SYSTEM,
) -> RotationResult:
    """Activate a new key, then re-encrypt until no value is left under an old one; the start
    and the end are audited."""
    path = Path(var_dir) / KEYRING_FILE
    # Servers given MEMBERDESK_KEYRING never read var/keys.json: rotating a file left over from
    # before would encrypt data under a key those servers do not hold (every read then fails).
    if os.environ.get(KEYRING_ENV) or not path.exists():
        raise RuntimeError(f"keys come from {KEYRING_ENV}; rotate them there and restart")
    old = KeyRing.from_json(path.read_text())
    ring = old.with_new_active_key()
    # On record before any value can be written under the new key.
    _write_retrying(
        sessions,
        lambda session: audit.record(
            session,
            ctx,
            AuditAction.KEYS_ROTATION_STARTED,
            object_type="keyring",
            object_id=ring.active_key_id,
            detail={"previous_key_id": old.active_key_id, "new_key_id": ring.active_key_id},
        ),
    )
    write_keyring(path, ring)
    install_keyring(ring, path)
    result = RotationResult(new_key_id=ring.active_key_id)
    # A server that has not yet noticed the new key may still write a value under the old
    # one; a further pass catches those, and the loop ends when none are left.
    for _ in range(max_passes):
        result.passes += 1
        for name, n in reencrypt_pass(sessions, batch, progress).items():
            result.reencrypted[name] = result.reencrypted.get(name, 0) + n
        result.remaining = count_stale(sessions)
        if result.remaining == 0:
            break
    _write_retrying(
        sessions,
        lambda session: audit.record(
            session,
            ctx,
            AuditAction.KEYS_ROTATED,
            object_type="keyring",
            object_id=result.new_key_id,
            detail={
                "reencrypted": sum(result.reencrypted.values()),
                "passes": result.passes,
                "remaining": result.remaining,
            },
        ),
    )
    return result
