"""Deemed exhaustion (42 CFR 438.408(c)(3)): a Medicaid appeal still undecided after its
deadline is flagged by the worker, exactly once, and only then; through the app with time moved,
and on committed databases of each backend with several workers sweeping at once (real
threads), counted in the audit log."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from memberdesk.appeals import service
from memberdesk.appeals.enums import AppealKind, IntakeChannel, Urgency
from memberdesk.appeals.models import Appeal
from memberdesk.appeals.schemas import AppealIn
from memberdesk.appeals.sweep import WORKER, sweep
from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.audit import SYSTEM
from memberdesk.compliance.enums import AuditAction, Role
from memberdesk.compliance.models import AuditEntry, AuditPending
from memberdesk.compliance.verify import verify_chain
from memberdesk.db import make_engine, make_sessionmaker, read_only_connection
from memberdesk.members.enums import LineOfBusiness
from memberdesk.members.models import Member
from memberdesk.members.seed import run_seed
from memberdesk.worker import AppealSweep
from tests.appeals.conftest import clock, receive
from tests.dbutil import BACKENDS, fresh_database

RECEIVED = datetime.fromisoformat("2026-12-08T09:00:00-08:00")
SECOND = timedelta(seconds=1)
LIMIT = 120.0  # a guard against a hang, not a timing check


def flags(db: Session, appeal_id: int) -> list[AuditEntry]:
    return list(
        db.scalars(
            select(AuditEntry).where(
                AuditEntry.action == AuditAction.APPEAL_DEEMED_EXHAUSTED.value,
                AuditEntry.object_id == str(appeal_id),
            )
        )
    )


def test_flagged_once_just_after_the_deadline(login, oregon_member, member, db: Session) -> None:
    with time_machine.travel(RECEIVED + timedelta(hours=1), tick=False) as traveller:
        c = login(Role.TIER3_APPEALS).client
        a = receive(c, oregon_member.id, RECEIVED)
        grievance = receive(c, oregon_member.id, RECEIVED, kind="grievance")
        decided = receive(c, oregon_member.id, RECEIVED)
        california = receive(c, member.id, RECEIVED)
        r = c.post(
            f"/api/appeals/{decided['id']}/decision",
            json={"outcome": "upheld", "rationale": "Not medically necessary"},
        )
        assert r.status_code == 200
        due = datetime.fromisoformat(clock(a, "appeal_resolution")["due_at"])
        traveller.move_to(due)
        assert sweep(db, now()) == 0  # the deadline instant itself is still on time
        traveller.move_to(due + SECOND)
        assert sweep(db, now()) == 1
        assert sweep(db, now()) == 0
        traveller.shift(timedelta(days=20))  # every other deadline past too
        assert sweep(db, now()) == 0
        c = login(Role.TIER3_APPEALS).client  # signed in again: tokens stop after idle days
        d = c.get(f"/api/appeals/{a['id']}").json()
        assert d["deemed_exhausted"] is True
        assert datetime.fromisoformat(d["deemed_exhausted_at"]) == due + SECOND
        assert "deemed_exhaustion" in [x["kind"] for x in d["letters_due"]]
        hearing = d["rights"][0]
        assert hearing["key"] == "state_fair_hearing" and hearing["available"] is True
        for other in (grievance, decided, california):
            assert c.get(f"/api/appeals/{other['id']}").json()["deemed_exhausted"] is False
    entries = flags(db, a["id"])
    assert len(entries) == 1
    assert entries[0].actor == WORKER.actor and entries[0].actor_id is None
    assert (entries[0].detail or {})["target"] == "appeal_resolution"
    # The plan may still decide afterwards; the flag stays on record.
    with time_machine.travel(due + timedelta(days=2), tick=False):
        c = login(Role.TIER3_APPEALS).client
        r = c.post(
            f"/api/appeals/{a['id']}/decision",
            json={"outcome": "overturned", "rationale": "Records arrived"},
        )
    assert r.status_code == 200 and r.json()["deemed_exhausted"] is True


def test_an_extension_moves_the_point_of_exhaustion(tier3, oregon_member, db: Session) -> None:
    c = tier3.client
    with time_machine.travel(RECEIVED + timedelta(hours=1), tick=False) as traveller:
        a = receive(c, oregon_member.id, RECEIVED, urgency="expedited")
        r = c.post(
            f"/api/appeals/{a['id']}/extension",
            json={
                "reason": "Member asked for time",
                "requested_by": "member",
                "notice_method": "oral",
            },
        )
        assert r.status_code == 201
        traveller.move_to(datetime.fromisoformat(clock(a, "appeal_expedited")["due_at"]) + SECOND)
        assert sweep(db, now()) == 0  # the old 72 hours have passed, the extension has not
        traveller.move_to(datetime.fromisoformat(r.json()["due_after"]) + SECOND)
        assert sweep(db, now()) == 1
    assert len(flags(db, a["id"])) == 1


# -- several workers at once, on committed databases -----------------------------------------
@pytest.fixture(params=BACKENDS)
def committed(
    request: pytest.FixtureRequest, var_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Engine]:
    """A committed database holding overdue appeals: Oregon ones (to flag) and California ones
    (never flagged)."""
    with fresh_database(request.param, var_dir, tmp_path) as settings:
        engine = make_engine(settings)
        run_seed(make_sessionmaker(engine), members=12, seed=5)
        with Session(engine) as session:
            members = session.scalars(select(Member).order_by(Member.id)).all()
            for m in members[:8]:  # Oregon Health Plan members
                m.line_of_business = LineOfBusiness.OREGON_MEDICAID
            session.flush()
            long_ago = now() - timedelta(days=20)
            for i in range(60):
                m = members[i % len(members)]
                service.intake(
                    session,
                    SYSTEM,
                    AppealIn(
                        member_id=m.id,
                        kind=AppealKind.APPEAL,
                        urgency=Urgency.EXPEDITED if i % 3 == 0 else Urgency.STANDARD,
                        channel=IntakeChannel.WRITTEN,
                        received_at=long_ago,
                        summary=f"Appeal number {i}",
                    ),
                    long_ago + timedelta(minutes=1),
                )
            session.commit()
        yield engine
        engine.dispose()


def owed(engine: Engine) -> set[int]:
    with Session(engine) as session:
        return set(session.scalars(select(Appeal.id).where(Appeal.pack == "oregon-medicaid")))


def assert_each_flagged_once(engine: Engine, expected: set[int]) -> None:
    with Session(engine) as session:
        audit.seal_pending(session)
        session.commit()
        assert session.scalar(select(func.count()).select_from(AuditPending)) == 0
        ids = session.scalars(
            select(AuditEntry.object_id).where(
                AuditEntry.action == AuditAction.APPEAL_DEEMED_EXHAUSTED.value
            )
        ).all()
        per_appeal = Counter(int(i) for i in ids)
        assert set(per_appeal) == expected
        assert set(per_appeal.values()) == {1}
        flagged = session.scalars(select(Appeal.id).where(Appeal.deemed_exhausted_at.is_not(None)))
        assert set(flagged) == expected
    with read_only_connection(engine) as conn:
        result = verify_chain(conn)
    assert result.ok, result.problem


def run_at_once(n: int, work) -> None:  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(n)
    failures: list[BaseException] = []

    def body() -> None:
        try:
            barrier.wait()
            work()
        except BaseException as exc:  # reported below with the thread's own error
            failures.append(exc)

    threads = [threading.Thread(target=body) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(LIMIT)
    assert not failures, failures
    assert not any(t.is_alive() for t in threads)


def test_four_sweepers_at_once_flag_each_appeal_once(committed: Engine) -> None:
    expected = owed(committed)
    assert len(expected) > 20
    total: list[int] = []
    lock = threading.Lock()

    def work() -> None:
        with Session(committed) as session:
            n = sweep(session, now(), batch=4)  # small batches: many chances to collide
        with lock:
            total.append(n)

    run_at_once(4, work)
    assert sum(total) == len(expected)
    assert_each_flagged_once(committed, expected)


def test_two_workers_jobs_at_once_flag_each_appeal_once(committed: Engine) -> None:
    expected = owed(committed)
    fired: list[int] = []
    jobs = [AppealSweep(committed, lambda: fired.append(1)) for _ in range(2)]
    queue = list(jobs)
    lock = threading.Lock()

    def work() -> None:
        with lock:
            job = queue.pop()
        job(job.sessions)

    run_at_once(2, work)
    assert 1 <= len(fired) <= 2
    assert_each_flagged_once(committed, expected)
