"""The worker: the audit sequencer seals what requests left pending, `audit verify` notices when
nobody does, the SLA sweep runs on its interval, and `memberdesk worker` runs until told to
stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction
from memberdesk.compliance.models import AuditEntry, AuditPending
from memberdesk.compliance.verify import verify_chain
from memberdesk.config import Settings
from memberdesk.contacts.enums import CallbackState
from memberdesk.contacts.models import Callback
from memberdesk.db import make_engine, read_only_connection
from memberdesk.worker import Worker
from tests.dbutil import BACKENDS, fresh_database

AGENT = AuditContext(actor_id=7, actor="agent7", role="tier1_agent")
LIMIT = 60.0  # a guard against a hang, not a timing check


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, var_dir: Path, tmp_path: Path) -> Iterator[Settings]:
    with fresh_database(request.param, var_dir, tmp_path) as s:
        yield s


def write_pending(settings: Settings, n: int, age: timedelta = timedelta(0)) -> None:
    """Entries as a PostgreSQL request writes them: deferred, left for the sequencer."""
    engine = make_engine(settings)
    with Session(engine, info={audit.DEFER_SEALING: True}) as session:
        audit.record_many(
            session,
            AGENT,
            [
                audit.Event(AuditAction.MEMBER_READ, "member", i, member_ids=[i], at=now() - age)
                for i in range(1, n + 1)
            ],
        )
        session.commit()
    engine.dispose()


def counts(settings: Settings) -> tuple[int, int]:
    engine = make_engine(settings)
    with engine.connect() as conn:
        pending = conn.scalar(select(func.count()).select_from(AuditPending)) or 0
        sealed = conn.scalar(select(func.count()).select_from(AuditEntry)) or 0
    engine.dispose()
    return pending, sealed


def test_the_sequencer_seals_pending_entries_in_order(settings: Settings) -> None:
    write_pending(settings, 12_000)  # more than one batch
    engine = make_engine(settings)
    Worker(engine).run_pending()
    assert counts(settings) == (0, 12_000)
    with read_only_connection(engine) as conn:
        result = verify_chain(conn)
        ids = conn.scalars(select(AuditEntry.object_id).order_by(AuditEntry.id)).all()
    engine.dispose()
    assert result.ok, result.problem
    assert ids == [str(i) for i in range(1, 12_001)]


def test_verify_fails_while_entries_wait_too_long_to_be_sealed(settings: Settings) -> None:
    write_pending(settings, 3, age=audit.UNSEALED_LIMIT + timedelta(seconds=5))
    engine = make_engine(settings)
    with read_only_connection(engine) as conn:
        stale = verify_chain(conn)
    assert not stale.ok and "waited more than 60 s" in (stale.problem or "")
    Worker(engine).run_pending()
    with read_only_connection(engine) as conn:
        assert verify_chain(conn).ok
    engine.dispose()


def test_memberdesk_worker_runs_until_stopped(settings: Settings) -> None:
    write_pending(settings, 50)
    env = {
        **os.environ,
        "MEMBERDESK_DATABASE_URL": settings.database_url,
        "MEMBERDESK_VAR_DIR": str(settings.var_dir),
    }
    if settings.database_schema:
        env["MEMBERDESK_DATABASE_SCHEMA"] = settings.database_schema
    proc = subprocess.Popen(
        [sys.executable, "-m", "memberdesk.cli", "worker"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + LIMIT
        while counts(settings)[0] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert counts(settings) == (0, 50)
        write_pending(settings, 5)  # picked up while it runs
        while counts(settings)[0] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert counts(settings) == (0, 55)
        proc.send_signal(signal.SIGTERM)
        out, errors = proc.communicate(timeout=LIMIT)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, errors
    assert "worker running" in out


def test_the_worker_runs_the_sla_sweep_on_its_interval(settings: Settings) -> None:
    engine = make_engine(settings)
    due = now() - timedelta(hours=1)
    with Session(engine) as session:
        session.add(
            Callback(
                phone="(415) 555-0142",
                received_at=due - timedelta(hours=4),
                pack="calchoice",
                due_at=due,
                warn_at=due - timedelta(hours=1),
                state=CallbackState.OPEN,
            )
        )
        session.commit()
    worker = Worker(engine, sweep_every=3600.0)
    assert [(j.name, j.every) for j in worker.jobs][1] == ("SLA sweep", 3600.0)
    assert Worker(engine).jobs[1].every == Settings().sla_sweep_seconds == 30.0
    worker.run_pending()  # sweeps; on PostgreSQL its entries wait for the sequencer ...
    worker.run_pending()  # ... which the sweep woke, and which seals them now
    with Session(engine) as session:
        cb = session.scalars(select(Callback)).one()
        assert cb.warned_at is not None and cb.breached_at is not None
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.object_type == "callback")
        ).all()
    assert actions == [AuditAction.SLA_WARNED.value, AuditAction.SLA_BREACHED.value]
    assert counts(settings)[0] == 0
    worker.run_pending()  # the sweep's interval has not come round: nothing more
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == 2
    engine.dispose()
