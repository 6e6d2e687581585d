"""The worker's navigator-rules job on committed databases of each backend: four workers at
once flag each member exactly once (counted in the audit log and the flag rows)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from memberdesk.clock import now
from memberdesk.compliance import accounts
from memberdesk.compliance.audit import SYSTEM
from memberdesk.compliance.enums import AuditAction, Role
from memberdesk.compliance.models import AuditEntry
from memberdesk.config import Settings
from memberdesk.contacts.enums import Channel, Direction
from memberdesk.contacts.models import Contact
from memberdesk.db import Sessions, make_engine, make_sessionmaker
from memberdesk.members.models import Member
from memberdesk.members.seed import run_seed
from memberdesk.navigators.enums import FlagState
from memberdesk.navigators.models import MemberNavigator
from memberdesk.worker import Worker, flag_navigators
from tests.dbutil import BACKENDS, fresh_database

WORKERS = 4


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, var_dir: Path, tmp_path: Path) -> Iterator[Settings]:
    with fresh_database(request.param, var_dir, tmp_path) as s:
        yield s


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    eng = make_engine(settings)
    run_seed(make_sessionmaker(eng), members=12, seed=11)
    yield eng
    eng.dispose()


def test_four_workers_flag_each_member_once(engine: Engine, settings: Settings) -> None:
    at = now()
    with make_sessionmaker(engine)() as s:
        for n in range(2):
            accounts.create_user(
                s,
                settings,
                SYSTEM,
                username=f"nav{n}",
                display_name=f"Navigator {n}",
                role=Role.NAVIGATOR,
                password="correct horse battery staple",
            )
        members = list(s.scalars(select(Member.id).order_by(Member.id)))
        for mid in members:
            for d in range(3):
                s.add(
                    Contact(
                        member_id=mid,
                        channel=Channel.PHONE,
                        direction=Direction.INBOUND,
                        started_at=at - timedelta(days=d + 1),
                    )
                )
        s.commit()
    gate = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            gate.wait()
            flag_navigators(Sessions(engine))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    with make_sessionmaker(engine)() as s:
        flagged = Counter(
            s.scalars(
                select(AuditEntry.object_id).where(
                    AuditEntry.action == AuditAction.NAVIGATOR_FLAGGED.value
                )
            )
        )
        assert {str(m) for m in members} <= set(flagged)
        assert set(flagged.values()) == {1}
        rows = s.scalar(
            select(func.count())
            .select_from(MemberNavigator)
            .where(MemberNavigator.state == FlagState.FLAGGED)
        )
        assert rows == len(flagged)
        # Shared between the two navigators, the fewest members first.
        loads = Counter(s.scalars(select(MemberNavigator.navigator_id)))
        assert max(loads.values()) - min(loads.values()) <= WORKERS
    assert any(job.name == "navigator rules" for job in Worker(engine).jobs)
