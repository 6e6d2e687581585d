"""Revision 0005 on a database that already holds members: the blind indexes it backfills are
the ones the application computes, duplicates recorded before it stop it cleanly, and the schema
it leaves is the models' own. On each database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.orm import Session

from memberdesk.compliance.crypto import bidx_phone
from memberdesk.db import Base, make_engine, make_sessionmaker
from memberdesk.members import service
from memberdesk.members.models import LifeEvent, Member, bidx_life_event
from memberdesk.members.seed import ensure_reference_data, insert_batch
from memberdesk.members.synthetic import AS_OF_DEFAULT, Generator
from memberdesk.migrate import alembic_config, upgrade
from tests.dbutil import BACKENDS, fresh_database

NEW_COLUMNS = {"members": "confidential_phone_bidx", "life_events": "dedup_bidx"}


def at_0004(engine: Engine) -> None:
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0004")


def revision(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one())


def columns(engine: Engine, table: str) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns(table)}


def seed_at_0004(engine: Engine, members: int) -> tuple[dict[int, bytes | None], dict[int, bytes]]:
    """A synthetic book inserted into the 0004 schema (without the new columns); returns the
    indexes the application computes for it, by row id."""
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        plans = ensure_reference_data(session)
        session.commit()
    ids = dict.fromkeys(
        ("employer_groups", "members", "coverage_spans", "life_events", "id_card_requests"), 0
    )
    phones: dict[int, bytes | None] = {}
    dedup: dict[int, bytes] = {}
    for batch, _ in Generator(5, plans, ids, AS_OF_DEFAULT).batches(members, 5000):
        for m in batch.members:
            phones[m["id"]] = m.pop("confidential_phone_bidx")
        for e in batch.events:
            dedup[e["id"]] = e.pop("dedup_bidx")
        with sessions() as session:
            insert_batch(session, batch)
            session.commit()
    return phones, dedup


@pytest.fixture(params=BACKENDS)
def engine_0004(request: pytest.FixtureRequest, var_dir: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    """An engine on a fresh database migrated to head and taken back to 0004 (so the
    downgrade is exercised too)."""
    with fresh_database(request.param, var_dir, tmp_path) as settings:
        engine = make_engine(settings)
        at_0004(engine)
        assert revision(engine) == "0004"
        for table, column in NEW_COLUMNS.items():
            assert column not in columns(engine, table)
        try:
            yield engine
        finally:
            engine.dispose()


def test_upgrade_backfills_the_indexes_the_application_computes(engine_0004: Engine) -> None:
    phones, dedup = seed_at_0004(engine_0004, 1500)
    assert sum(v is not None for v in phones.values()) >= 5  # confidential phones to backfill
    assert len(dedup) >= 50
    upgrade(engine_0004, "0005")
    assert revision(engine_0004) == "0005"
    with Session(engine_0004) as session:
        stored = dict(session.execute(select(Member.id, Member.confidential_phone_bidx)).all())
        assert stored == phones
        rows = session.execute(
            select(LifeEvent.id, LifeEvent.event_type, LifeEvent.event_date, LifeEvent.dedup_bidx)
        ).all()
        assert {r.id: r.dedup_bidx for r in rows} == dedup
        assert all(r.dedup_bidx == bidx_life_event(r.event_type, r.event_date) for r in rows)
    # What the backfill is for: phone search finds a confidential phone through the index. The
    # models are today's, so the search runs on today's schema (later revisions add columns).
    upgrade(engine_0004)
    with Session(engine_0004) as session:
        m = session.scalars(
            select(Member).where(Member.confidential_phone.is_not(None)).limit(1)
        ).one()
        assert m.confidential_phone_bidx == bidx_phone(m.confidential_phone or "")
        found, _ = service.search_members(session, phone=m.confidential_phone)
        assert m.id in [r.id for r in found]


def test_duplicates_recorded_before_stop_the_upgrade_at_0004(engine_0004: Engine) -> None:
    _phones, dedup = seed_at_0004(engine_0004, 300)
    first = min(dedup)
    with engine_0004.begin() as conn:
        row: dict[str, Any] = dict(
            conn.execute(text("SELECT * FROM life_events WHERE id = :id"), {"id": first})
            .mappings()
            .one()
        )
        row["id"] = max(dedup) + 1
        names = ", ".join(row)
        conn.execute(
            text(f"INSERT INTO life_events ({names}) VALUES ({', '.join(':' + n for n in row)})"),
            row,
        )
    with pytest.raises(RuntimeError) as stopped:
        upgrade(engine_0004)
    message = str(stopped.value)
    assert "1 life events are recorded more than once" in message
    assert f"ids {first}" in message
    # One transaction: nothing of 0005 is left behind.
    assert revision(engine_0004) == "0004"
    for table, column in NEW_COLUMNS.items():
        assert column not in columns(engine_0004, table)


def test_the_migrated_schema_is_the_models_schema(engine_0004: Engine) -> None:
    upgrade(engine_0004)
    with engine_0004.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    tables = ("'members'", "<members>", "'life_events'", "<life_events>")
    mine = [d for d in diffs if any(t in repr(d) for t in tables)]
    assert mine == []
