"""The SLA worker under concurrency and crashes, on committed databases of each backend: four
sweepers at once (threads with their own sessions, and `memberdesk worker` processes) fire every
due event exactly once, and a worker killed with SIGKILL mid-sweep, then restarted, loses and
duplicates nothing. Counted where a user would look: the audit log and the hand-off records."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from memberdesk.cases import service
from memberdesk.cases.enums import CaseType, HandoffKind, Priority
from memberdesk.cases.models import CaseHandoff
from memberdesk.clock import now
from memberdesk.compliance.audit import SYSTEM
from memberdesk.compliance.enums import AuditAction
from memberdesk.compliance.models import AuditEntry, AuditPending
from memberdesk.compliance.verify import verify_chain
from memberdesk.config import Settings
from memberdesk.contacts.enums import CallbackState, Channel, Direction
from memberdesk.contacts.models import Callback, Contact
from memberdesk.db import make_engine, make_sessionmaker, read_only_connection
from memberdesk.members.models import Member
from memberdesk.members.seed import run_seed
from memberdesk.sla.sweep import SweepResult, due_counts, sweep
from tests.dbutil import BACKENDS, fresh_database

LIMIT = 120.0  # a guard against a hang, not a timing check
WORKERS = 4
SLA = (AuditAction.SLA_WARNED.value, AuditAction.SLA_BREACHED.value)


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, var_dir: Path, tmp_path: Path) -> Iterator[Settings]:
    with fresh_database(request.param, var_dir, tmp_path) as s:
        yield s


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    eng = make_engine(settings)
    run_seed(make_sessionmaker(eng), members=10, seed=7)
    yield eng
    eng.dispose()


def load_due_work(engine: Engine, cases: int, callbacks: int, messages: int) -> dict[str, int]:
    """Commit work that is all overdue now; returns the events a sweep owes, by kind."""
    long_ago = now() - timedelta(days=15)  # past every hand-off, research and reply deadline
    with Session(engine) as session:
        members = session.scalars(select(Member).order_by(Member.id).limit(5)).all()
        for i in range(cases):
            service.create_case(
                session,
                SYSTEM,
                member_id=members[i % 5].id,
                case_type=CaseType.BILLING,  # a hand-off clock and a research clock
                summary=f"Premium question {i}",
                priority=Priority.NORMAL,
                contact_id=None,
                at=long_ago,
            )
        session.add_all(
            Callback(
                member_id=members[i % 5].id,
                phone="(415) 555-0142",
                received_at=long_ago,
                pack="calchoice",
                due_at=long_ago + timedelta(hours=4),
                warn_at=long_ago + timedelta(hours=3),
                state=CallbackState.OPEN,
            )
            for i in range(callbacks)
        )
        session.add_all(
            Contact(
                member_id=members[i % 5].id,
                channel=Channel.PORTAL,
                direction=Direction.INBOUND,
                started_at=long_ago,
                subject="Bill",
                notes="Charged twice?",
                reply_due_at=long_ago + timedelta(days=1),
                reply_warn_at=long_ago + timedelta(hours=18),
            )
            for i in range(messages)
        )
        session.commit()
        assert due_counts(session, now()) == {
            "case clock warnings": 2 * cases,
            "callback warnings": callbacks,
            "portal reply warnings": messages,
            "case clock breaches": cases,  # research; the hand-off moves the case instead
            "callback breaches": callbacks,
            "portal reply breaches": messages,
            "corrective training overdue": 0,
            "automatic escalations": cases,
        }
    return {
        "sla.warned": 2 * cases + callbacks + messages,
        "sla.breached": cases + callbacks + messages,
        "case.auto_escalated": cases,
    }


def assert_each_fired_once(engine: Engine, owed: dict[str, int]) -> None:
    """Every owed event has exactly one audit entry, nothing is left due, and the audit chain
    verifies; every overdue case has exactly one automatic hand-off."""
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(AuditPending)) == 0
        entries = session.execute(
            select(
                AuditEntry.action, AuditEntry.object_type, AuditEntry.object_id, AuditEntry.detail
            ).where(AuditEntry.action.in_([*SLA, AuditAction.CASE_AUTO_ESCALATED.value]))
        ).all()
        per_event = Counter(
            (
                e.action,
                e.object_type,
                e.object_id,
                (e.detail or {}).get("clock_id"),
                (e.detail or {}).get("target"),
            )
            for e in entries
        )
        assert max(per_event.values()) == 1, per_event.most_common(3)
        assert dict(Counter(e.action for e in entries)) == owed
        assert not any(due_counts(session, now()).values())
        autos = session.scalars(
            select(CaseHandoff.case_id).where(CaseHandoff.kind == HandoffKind.AUTO_ESCALATED)
        ).all()
        assert len(autos) == len(set(autos)) == owed["case.auto_escalated"]
    with read_only_connection(engine) as conn:
        result = verify_chain(conn)
    assert result.ok, result.problem


def test_four_threads_sweeping_at_once_fire_each_event_once(engine: Engine) -> None:
    owed = load_due_work(engine, cases=40, callbacks=60, messages=60)
    barrier = threading.Barrier(WORKERS)
    results: list[SweepResult] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            with Session(engine) as session:
                barrier.wait()
                done = sweep(session, batch=7)  # small batches: many chances to collide
            with lock:
                results.append(done)
        except BaseException as exc:  # reported below, with the thread's own error
            failures.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(LIMIT)
    assert not failures, failures
    assert len(results) == WORKERS
    total: Counter[str] = Counter()
    for r in results:
        total.update(r.fired)
    assert total["automatic escalations"] == owed["case.auto_escalated"]
    assert sum(total.values()) == sum(owed.values())
    assert_each_fired_once(engine, owed)


def worker_env(settings: Settings, batch: int) -> dict[str, str]:
    env = {
        **os.environ,
        "MEMBERDESK_DATABASE_URL": settings.database_url,
        "MEMBERDESK_VAR_DIR": str(settings.var_dir),
        "MEMBERDESK_SLA_SWEEP_SECONDS": "0.2",
        "MEMBERDESK_SLA_SWEEP_BATCH": str(batch),
    }
    if settings.database_schema:
        env["MEMBERDESK_DATABASE_SCHEMA"] = settings.database_schema
    return env


def start_worker(settings: Settings, batch: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "memberdesk.cli", "worker"],
        env=worker_env(settings, batch),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def fired_so_far(engine: Engine) -> int:
    """SLA events committed so far (sealed into the chain or waiting for the sequencer)."""
    with engine.connect() as conn:
        stamped = conn.scalar(
            select(func.count()).select_from(Callback).where(Callback.warned_at.is_not(None))
        )
        stamped += conn.scalar(
            select(func.count()).select_from(Callback).where(Callback.breached_at.is_not(None))
        )
    return stamped or 0


def wait_until_done(engine: Engine, deadline: float) -> None:
    while time.monotonic() < deadline:
        with Session(engine) as session:
            pending = session.scalar(select(func.count()).select_from(AuditPending))
            if not pending and not any(due_counts(session, now()).values()):
                return
        time.sleep(0.1)
    raise AssertionError("the workers did not finish in time")


def stop(procs: list[subprocess.Popen[str]]) -> None:
    for p in procs:
        # A worker still starting (slow under load) would die of the signal before it set its
        # handler: wait for its "running" line, printed once the handler is in place.
        assert p.stdout is not None
        started = p.stdout.readline()
        assert "worker running" in started, started
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        _out, err = p.communicate(timeout=LIMIT)
        assert p.returncode == 0, err
        assert "Traceback" not in err, err


def test_four_worker_processes_fire_each_event_once(settings: Settings, engine: Engine) -> None:
    owed = load_due_work(engine, cases=30, callbacks=80, messages=80)
    procs = [start_worker(settings, batch=5) for _ in range(WORKERS)]
    try:
        wait_until_done(engine, time.monotonic() + LIMIT)
        stop(procs)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    assert_each_fired_once(engine, owed)


def test_a_worker_killed_mid_sweep_loses_and_duplicates_nothing(
    settings: Settings, engine: Engine
) -> None:
    owed = load_due_work(engine, cases=10, callbacks=1500, messages=200)
    callback_events = 2 * 1500
    first = start_worker(settings, batch=5)
    try:
        deadline = time.monotonic() + LIMIT
        while fired_so_far(engine) < 40 and time.monotonic() < deadline:
            time.sleep(0.01)
        first.send_signal(signal.SIGKILL)  # no clean-up, no last seal: a crash
        first.wait(LIMIT)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == -signal.SIGKILL
    at_kill = fired_so_far(engine)
    assert 40 <= at_kill < callback_events, "the kill was meant to land mid-sweep"
    second = start_worker(settings, batch=500)
    try:
        wait_until_done(engine, time.monotonic() + LIMIT)
        stop([second])
    finally:
        if second.poll() is None:
            second.kill()
    assert fired_so_far(engine) == callback_events
    assert_each_fired_once(engine, owed)
    # The killed worker's committed batches kept their stamp times; the rest came later.
    with Session(engine) as session:
        stamps = session.scalars(select(Callback.warned_at)).all()
    assert all(s is not None and s <= datetime.now(UTC) for s in stamps)
