"""Sessions and locks: reading never takes SQLite's write lock; a reading route moves on to a
short write transaction for its audit entry; read-only connections refuse writes."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction
from memberdesk.compliance.models import AuditEntry
from memberdesk.db import Sessions, begin_writing, make_engine
from memberdesk.members.models import Member
from tests.dbutil import fresh_database

AGENT = AuditContext(actor_id=7, actor="agent7", role="tier1_agent")


@pytest.fixture
def sqlite_sessions(var_dir: Path, tmp_path: Path) -> Iterator[tuple[Sessions, Path]]:
    with fresh_database("sqlite", var_dir, tmp_path) as settings:
        engine = make_engine(settings.model_copy(update={"sqlite_busy_timeout_ms": 200}))
        yield Sessions(engine), tmp_path / "test.db"
        engine.dispose()


def test_a_reading_route_reads_while_another_process_writes(
    sqlite_sessions: tuple[Sessions, Path],
) -> None:
    sessions, path = sqlite_sessions
    other = sqlite3.connect(path, isolation_level=None, timeout=0.2)
    try:
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        session = sessions.reading()
        assert session.scalar(select(func.count()).select_from(Member)) == 0  # not blocked
        other.execute("ROLLBACK")
        # Its audit entry is written in a transaction of its own, which takes the lock now.
        audit.record(session, AGENT, AuditAction.MEMBER_SEARCH, object_type="member_search")
        other.execute("BEGIN IMMEDIATE")  # refused: the session's write holds the lock
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc)
        session.commit()
    else:
        raise AssertionError("the audit write did not take the write lock")
    finally:
        other.close()
    with sessions.read() as check:
        assert check.scalar(select(func.count()).select_from(AuditEntry)) == 1


def test_reading_sessions_refuse_writes_until_they_move_on(
    sqlite_sessions: tuple[Sessions, Path],
) -> None:
    sessions, _ = sqlite_sessions
    session = sessions.reading()
    with pytest.raises(RuntimeError, match="read-only"):
        session.execute(text("DELETE FROM members"))
    session.rollback()
    begin_writing(session)
    session.execute(text("DELETE FROM members"))  # now a write transaction
    session.rollback()
    with sessions.read() as read, pytest.raises(RuntimeError, match="read-only"):
        read.execute(text("UPDATE teams SET name = name"))


def test_postgresql_reading_sessions_keep_one_transaction(var_dir: Path, tmp_path: Path) -> None:
    from tests.dbutil import BACKENDS

    if "postgresql" not in BACKENDS:
        pytest.skip("needs PostgreSQL")
    with fresh_database("postgresql", var_dir, tmp_path) as settings:
        engine = make_engine(settings)
        session = Sessions(engine).reading()
        session.scalar(select(func.count()).select_from(Member))
        bind = session.bind
        begin_writing(session)  # no write lock to avoid: nothing changes
        assert session.bind is bind and session.in_transaction()
        session.rollback()
        engine.dispose()


def test_every_get_route_reads_without_the_write_lock(app) -> None:
    """GET routes only read (and audit what they read): none takes a writing session."""
    from memberdesk.db import get_session
    from tests.compliance.test_permissions import flat

    def uses_writing_session(route) -> bool:  # type: ignore[no-untyped-def]
        stack = [route.dependant]
        while stack:
            dep = stack.pop()
            if dep.call is get_session:
                return True
            stack.extend(dep.dependencies)
        return False

    offenders = [r.path for r in flat(app.routes) if "GET" in r.methods and uses_writing_session(r)]
    assert offenders == []
