"""No name, date of birth, member ID, phone, e-mail or street address in plain text at rest:
not in the SQLite file (and its WAL), not in a pg_dump of the PostgreSQL schema."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from memberdesk.db import make_engine, make_sessionmaker
from memberdesk.members.models import (
    CoverageSpan,
    EmployerGroup,
    IdCardRequest,
    LifeEvent,
    Member,
)
from memberdesk.members.seed import run_seed
from tests.dbutil import BACKENDS, fresh_database


def plain_dates(session) -> set[str]:  # type: ignore[no-untyped-def]
    """Business dates stored in the clear (coverage, group, record timestamps) so they can be
    queried. A newborn's coverage starts on the birth date, and a date string in a dump cannot
    tell a coverage date from a birth date, so a date of birth equal to one of these is skipped
    (the test asserts most dates of birth are still searched for)."""
    found: set[str] = set()
    for col in (
        CoverageSpan.effective_date,
        CoverageSpan.termination_date,
        EmployerGroup.effective_date,
        EmployerGroup.termination_date,
        CoverageSpan.recorded_at,
        CoverageSpan.termination_recorded_at,
        LifeEvent.reported_at,
        IdCardRequest.requested_at,
        Member.created_at,
    ):
        found |= {str(d)[:10] for d in session.scalars(select(col)) if d}
    return found


def phi_strings(members: list[Member], coverage_dates: set[str]) -> set[str]:
    """Every identifier of the seeded members in the forms a leak would take."""
    out: set[str] = set()
    for m in members:
        dob = m.date_of_birth
        out |= {m.member_number, f"{dob.month:02d}/{dob.day:02d}/{dob.year}", m.address_line1}
        if dob.isoformat() not in coverage_dates:
            out.add(dob.isoformat())
        out |= {n for n in (m.first_name, m.last_name) if len(n) >= 6}
        if m.phone:
            out |= {m.phone, m.phone[-8:]}
        if m.email:
            out.add(m.email)
    return out


def raw_bytes(backend: str, settings, tmp: Path) -> bytes:  # type: ignore[no-untyped-def]
    if backend == "sqlite":
        db = Path(make_url(settings.database_url).database)
        return b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump not installed")
    url = make_url(settings.database_url)
    dump = subprocess.run(
        [
            "pg_dump",
            "-h",
            url.host or "127.0.0.1",
            "-p",
            str(url.port or 5432),
            "-U",
            url.username or "postgres",
            "-d",
            url.database or "test",
            "-n",
            settings.database_schema,
            "--data-only",
        ],
        check=True,
        capture_output=True,
    )
    return dump.stdout


@pytest.mark.parametrize("backend", BACKENDS)
def test_no_plaintext_phi_in_the_database(backend: str, var_dir: Path, tmp_path: Path) -> None:
    with fresh_database(backend, var_dir, tmp_path) as settings:
        engine = make_engine(settings)
        sessions = make_sessionmaker(engine)
        run_seed(sessions, members=300, seed=3)
        with sessions() as session:
            members = list(session.scalars(select(Member)))
            coverage_dates = plain_dates(session)
        engine.dispose()
        data = raw_bytes(backend, settings, tmp_path)
        assert len(data) > 100_000  # the dump really holds the rows
        needles = phi_strings(members, coverage_dates)
        checked = sum(m.date_of_birth.isoformat() not in coverage_dates for m in members)
        assert checked > len(members) * 3 // 4  # most dates of birth are searched for
        assert len(needles) > 1000
        leaks = sorted(n for n in needles if n.encode() in data)
        assert leaks == [], leaks[:10]
        # Sanity check of the scan itself: non-PHI columns are readable in the same bytes.
        assert b"Golden Poppy Health" in data
