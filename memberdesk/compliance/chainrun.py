"""Chain verifications started from the console: queued in the database, walked in the
background by the server that was asked, progress written back as it goes.

Several app servers share one database, so the run lives in ``audit_verify_runs``, not in a
server's memory: any server's page shows the same progress; the ``active`` slot's unique
constraint lets only one run be queued or running at once; a conditional UPDATE lets exactly one
server claim it; a run whose server died stops sending heartbeats and is marked stopped, so a new
one can start.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction, PurposeOfUse, VerifyRunState
from memberdesk.compliance.models import AuditCheckpoint, AuditHead, AuditVerifyRun
from memberdesk.compliance.verify import ANCHOR_FILE, read_anchor, verify_chain
from memberdesk.db import read_only_connection, table_of

log = logging.getLogger("memberdesk.compliance.chainrun")
# No heartbeat for this long: the server walking the chain is gone. A heartbeat comes every
# 20,000 entries (well under a second), so two minutes is never a slow walk.
STALE_AFTER = timedelta(minutes=2)
RUNNER = f"{socket.gethostname()}:{os.getpid()}"[:64]
ACTIVE = (VerifyRunState.QUEUED, VerifyRunState.RUNNING)
WriteSessions = Callable[[], AbstractContextManager[Session]]


def _stop_stale(session: Session, at: datetime) -> None:
    runs = table_of(AuditVerifyRun)
    session.execute(
        update(runs)
        .where(runs.c.active == 1, runs.c.heartbeat_at < at - STALE_AFTER)
        .values(
            state=VerifyRunState.STOPPED.value,
            active=None,
            finished_at=at,
            problem="its server stopped sending progress",
        )
    )


def start(session: Session, ctx: AuditContext) -> tuple[AuditVerifyRun, bool]:
    """Queue a verification unless one is already queued or running (on any server); returns
    the run to follow and whether this call queued it. Audited. Never commits."""
    at = now()
    _stop_stale(session, at)
    head = session.scalar(select(AuditHead.last_id)) or 0
    run = AuditVerifyRun(
        state=VerifyRunState.QUEUED,
        active=1,
        requested_by_id=ctx.actor_id,
        requested_by=ctx.actor,
        requested_role=ctx.role,
        requested_at=at,
        heartbeat_at=at,
        total=head,
        checked=0,
        checkpoints=0,
    )
    for attempt in range(3):
        try:
            with session.begin_nested():
                session.add(run)
                session.flush()
            break
        except IntegrityError:  # another request, on this server or another, queued one first
            current = session.scalar(select(AuditVerifyRun).where(AuditVerifyRun.active == 1))
            if current is not None:
                return current, False
            # That run already ended (a short chain verifies in milliseconds): queue ours.
            if attempt == 2:
                raise
    audit.record(
        session,
        ctx,
        AuditAction.AUDIT_VERIFY_STARTED,
        object_type="audit_verify_run",
        object_id=run.id,
        detail={"entries": head},
    )
    return run, True


def carry_out(write: WriteSessions, engine: Engine, var_dir: Path, run_id: int) -> bool:
    """Claim run ``run_id`` and walk the chain, writing progress as it goes; False when another
    server claimed it first. The verdict is audited in the requester's name."""
    runs = table_of(AuditVerifyRun)
    with write() as session:
        claimed = session.execute(  # type: ignore[attr-defined]  # CursorResult of an UPDATE
            update(runs)
            .where(runs.c.id == run_id, runs.c.state == VerifyRunState.QUEUED.value)
            .values(
                state=VerifyRunState.RUNNING.value,
                started_at=now(),
                heartbeat_at=now(),
                runner=RUNNER,
            )
        ).rowcount
        session.commit()
    if not claimed:
        return False

    def progress(checked: int) -> None:
        with write() as session:
            session.execute(
                update(runs)
                .where(runs.c.id == run_id, runs.c.runner == RUNNER)
                .values(checked=checked, heartbeat_at=now())
            )
            session.commit()

    try:
        # Its own read-only connection, as `audit verify` has: a long walk holds no write lock.
        with read_only_connection(engine) as conn:
            result = verify_chain(conn, read_anchor(var_dir), progress=progress)
    except Exception as exc:
        log.warning("chain verification %d stopped (%s)", run_id, type(exc).__name__)
        _finish(write, run_id, None, f"the database could not be read ({type(exc).__name__})")
        return True
    _finish(write, run_id, result.as_dict(), None)
    return True


def _finish(
    write: WriteSessions, run_id: int, verdict: dict[str, Any] | None, stopped: str | None
) -> None:
    with write() as session:
        run = session.get(AuditVerifyRun, run_id)
        assert run is not None
        run.finished_at, run.active = now(), None
        if verdict is None:
            run.state, run.problem = VerifyRunState.STOPPED, stopped
        else:
            run.state = VerifyRunState.PASSED if verdict["ok"] else VerifyRunState.FAILED
            run.checked, run.checkpoints = verdict["entries"], verdict["checkpoints"]
            run.first_bad, run.problem = verdict["first_bad_entry"], verdict["problem"]
            ctx = AuditContext(
                actor_id=run.requested_by_id,
                actor=run.requested_by,
                role=run.requested_role,
                purpose=PurposeOfUse.COMPLIANCE.value,
            )
            audit.record(
                session,
                ctx,
                AuditAction.AUDIT_VERIFIED,
                object_type="audit_log",
                detail={**verdict, "run": run_id},
            )
        session.commit()


@dataclass(frozen=True)
class Anchor:
    """The checkpoint exported outside the database, and when it was written."""

    checkpoint: int
    last_entry_id: int
    written_at: datetime


def anchor_of(var_dir: Path) -> Anchor | None:
    """The anchor file's checkpoint and the time it was written (its age is what matters: an
    old anchor leaves a longer tail that could be cut off unnoticed)."""
    found = read_anchor(var_dir)
    if not found:
        return None
    stamp = (Path(var_dir) / ANCHOR_FILE).stat().st_mtime
    return Anchor(
        int(found["checkpoint"]),
        int(found["last_entry_id"]),
        datetime.fromtimestamp(stamp, UTC),
    )


@dataclass(frozen=True)
class ChainFacts:
    """What the chain page shows besides the runs."""

    entries: int
    checkpoints: int
    last_checkpoint: AuditCheckpoint | None


def facts(session: Session) -> ChainFacts:
    """The chain's length, its signed checkpoints and the newest one."""
    head = session.scalar(select(AuditHead.last_id)) or 0
    n = session.scalar(select(func.count()).select_from(AuditCheckpoint)) or 0
    last = session.scalars(
        select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1)
    ).one_or_none()
    return ChainFacts(head, n, last)


def recent_runs(session: Session, limit: int = 5) -> list[AuditVerifyRun]:
    """The newest runs, newest first (a stale one is shown as stopped)."""
    return list(
        session.scalars(select(AuditVerifyRun).order_by(AuditVerifyRun.id.desc()).limit(limit))
    )


def stale(run: AuditVerifyRun, at: datetime) -> bool:
    """An active run whose server stopped sending progress."""
    return run.state in ACTIVE and run.heartbeat_at < at - STALE_AFTER
