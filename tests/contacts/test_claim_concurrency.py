"""``callbacks.claim_next`` under concurrency: 20 agents in 20 threads, each with its own
session and transaction, claim at once; no callback is handed out twice. On PostgreSQL every
claimer holds its row lock until all have claimed (FOR UPDATE SKIP LOCKED must skip, not wait
or double-hand); on SQLite the write lock serialises the claims."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from memberdesk.compliance.enums import Role
from memberdesk.compliance.models import User
from memberdesk.contacts import callbacks
from memberdesk.contacts.enums import CallbackState
from memberdesk.contacts.models import Callback
from memberdesk.db import Sessions, make_engine
from tests.dbutil import BACKENDS, fresh_database

AGENTS = 20
WAITING = 30
T0 = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path, var_dir: Path) -> Iterator[Engine]:
    with fresh_database(request.param, var_dir, tmp_path) as settings:
        eng = make_engine(settings.model_copy(update={"pool_size": AGENTS + 2}))
        yield eng
        eng.dispose()


def _setup(engine: Engine) -> tuple[list[int], list[int]]:
    sessions = Sessions(engine)
    with sessions.write() as s:
        users = [
            User(
                username=f"agent{i}",
                display_name=f"Agent {i}",
                role=Role.TIER1_AGENT,
                password_hash="x",
            )
            for i in range(AGENTS)
        ]
        s.add_all(users)
        cbs = [
            Callback(
                phone="4155550100",
                received_at=T0,
                pack="calchoice",
                due_at=T0 + timedelta(minutes=i % 7),  # ties on due_at too
                state=CallbackState.OPEN,
                attempt_count=0,
                failed_attempts=0,
            )
            for i in range(WAITING)
        ]
        s.add_all(cbs)
        s.commit()
        return [u.id for u in users], [c.id for c in cbs]


def test_twenty_agents_claiming_at_once_never_share_a_callback(engine: Engine) -> None:
    user_ids, _ = _setup(engine)
    sessions = Sessions(engine)
    hold = engine.dialect.name == "postgresql"
    start = threading.Barrier(AGENTS, timeout=60)
    claimed_all = threading.Barrier(AGENTS, timeout=60)
    got: dict[int, int | None] = {}
    errors: list[BaseException] = []
    lock = threading.Lock()

    def agent(user_id: int) -> None:
        try:
            start.wait()
            with sessions.write() as s:
                cb = callbacks.claim_next(s, user_id, T0)
                if hold:
                    claimed_all.wait()  # every claimer holds its row lock at this point
                s.commit()
            with lock:
                got[user_id] = cb.id if cb else None
        except BaseException as exc:  # reported by the main thread
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=agent, args=(u,)) for u in user_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    ids = [v for v in got.values() if v is not None]
    assert len(ids) == AGENTS  # everyone got one: 30 were waiting
    assert len(set(ids)) == AGENTS  # and no callback twice
    with sessions.read() as s:
        rows = s.execute(select(Callback.id, Callback.assigned_to_id)).all()
    assigned = {cid: uid for cid, uid in rows if uid is not None}
    assert assigned == {cid: uid for uid, cid in got.items()}
    # The ones claimed are the ones due first.
    with sessions.read() as s:
        order = (
            s.execute(select(Callback.id).order_by(Callback.due_at, Callback.id)).scalars().all()
        )
    assert set(order[:AGENTS]) == set(ids)


def test_nothing_waiting_gives_none(engine: Engine) -> None:
    user_ids, cb_ids = _setup(engine)
    sessions = Sessions(engine)
    for i in range(len(cb_ids)):
        with sessions.write() as s:
            cb = callbacks.claim_next(s, user_ids[i % AGENTS], T0)
            assert cb is not None
            s.commit()
    with sessions.write() as s:
        assert callbacks.claim_next(s, user_ids[0], T0) is None
