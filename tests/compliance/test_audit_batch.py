"""Group commit of reading routes' audit entries on SQLite (compliance/audit_batch.py): every
entry handed in is sealed, in order, into one unbroken chain; a failed batch tells every waiting
request why and the writer goes on; under a live server's concurrent reads each read has its
entry before its answer."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy import Engine, func, select

from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.audit import SYSTEM, Event
from memberdesk.compliance.audit_batch import AuditBatcher
from memberdesk.compliance.enums import AuditAction, Role
from memberdesk.compliance.models import AuditEntry
from memberdesk.compliance.verify import verify_chain
from memberdesk.db import make_engine, make_sessionmaker
from memberdesk.members.enums import Relationship
from memberdesk.members.models import Member
from memberdesk.migrate import upgrade
from tests.dbutil import fresh_database
from tests.livesrv import live_server
from tests.test_concurrency import run_threads


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    with fresh_database("sqlite", tmp_path / "var", tmp_path) as settings:
        eng = make_engine(settings)
        upgrade(eng)
        yield eng
        eng.dispose()


def _rows(n: int, tag: int) -> list[dict[str, object]]:
    stamp = now()
    return [
        audit._pending_row(
            SYSTEM, Event(AuditAction.MEMBER_READ, "member", tag, member_ids=[tag]), stamp
        )
        for _ in range(n)
    ]


def test_concurrent_appends_are_all_sealed_in_one_unbroken_chain(engine: Engine) -> None:
    batcher = AuditBatcher(make_sessionmaker(engine), wait_s=60)
    got: dict[int, list[int]] = {}
    start = threading.Barrier(24)

    def append(i: int) -> None:
        start.wait()
        got[i] = batcher.append(_rows(1 + i % 3, i))

    threads = [threading.Thread(target=append, args=(i,)) for i in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    batcher.close()
    assert sorted(got) == list(range(24))
    for i, ids in got.items():
        # Each request's entries come back as its own, consecutive, in the order handed in.
        assert len(ids) == 1 + i % 3 and ids == list(range(ids[0], ids[0] + len(ids)))
    every = sorted(x for ids in got.values() for x in ids)
    assert every == list(range(every[0], every[0] + len(every)))
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(AuditEntry)) == len(every)
        objects = dict(conn.execute(select(AuditEntry.id, AuditEntry.object_id)).all())
        assert verify_chain(conn).ok
    assert all(objects[x] == str(i) for i, ids in got.items() for x in ids)


def test_a_failed_batch_tells_its_requests_and_the_writer_goes_on(engine: Engine) -> None:
    batcher = AuditBatcher(make_sessionmaker(engine), wait_s=60)
    broken = _rows(1, 1)
    broken[0]["action"] = None  # the column is NOT NULL: the batch's transaction fails
    with pytest.raises(Exception, match=r"(?i)null"):
        batcher.append(broken)
    assert batcher.append(_rows(2, 2)) == [1, 2]  # nothing of the failed batch was kept
    batcher.close()
    with engine.connect() as conn:
        assert verify_chain(conn).ok


def test_every_read_of_a_live_server_has_its_entry_before_its_answer(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    tmp = tmp_path_factory.mktemp("batch-live")
    with live_server("sqlite", tmp / "var", tmp, members=120) as live:
        agent = live.add_user(Role.TIER1_AGENT, team="Batch")
        with live.sessions() as session:
            ids = session.scalars(
                select(Member.id).where(Member.relationship == Relationship.SELF).limit(40)
            ).all()
        auth = {"Authorization": f"Bearer {agent.token}"}
        seen: list[int] = []
        lock = threading.Lock()

        def work(i: int, client: httpx.Client) -> list[str]:
            out = []
            for k in range(6):
                member_id = ids[(i * 6 + k) % len(ids)]
                r = client.get(f"/api/members/{member_id}", headers=auth)
                out.append(str(r.status_code))
                if r.status_code == 200:
                    # The answer came after the entry was committed: it is there already.
                    with live.sessions() as session:
                        found = session.scalar(
                            select(func.count())
                            .select_from(AuditEntry)
                            .where(
                                AuditEntry.actor == agent.username,
                                AuditEntry.action == AuditAction.MEMBER_READ.value,
                                AuditEntry.object_id == str(member_id),
                            )
                        )
                    with lock:
                        seen.append(int(found or 0))
            return out

        outcomes = run_threads(30, work, live.base_url)
        assert outcomes == {"200": 180}
        assert min(seen) >= 1
        with live.engine.connect() as conn:
            reads = conn.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(
                    AuditEntry.actor == agent.username,
                    AuditEntry.action == AuditAction.MEMBER_READ.value,
                )
            )
            assert reads == 180
            assert verify_chain(conn).ok
