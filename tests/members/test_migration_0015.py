"""Revision 0015 on a database that already holds a California book, on each database: every
row, reference and index survives (on SQLite the members and plans tables are rebuilt under
them), everything on file becomes CalChoice, the schema is the models' own, an Oregon book can
then be seeded beside it, and going back is refused while Oregon rows exist (and works, with
the data, when none do)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.orm import Session

from memberdesk.db import Base, make_engine, make_sessionmaker
from memberdesk.members import service, views
from memberdesk.members.seed import run_seed
from memberdesk.migrate import downgrade, upgrade
from memberdesk.models import import_all_models
from tests.dbutil import BACKENDS, fresh_database

TABLES = ("members", "plans", "coverage_spans")
NEW = {
    "members": {"line_of_business"},
    "plans": {"line_of_business", "benefit"},
    "coverage_spans": {"renewal_date"},
}


def revision(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one())


def columns(engine: Engine, table: str) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns(table)}


def snapshot(engine: Engine) -> dict[str, Any]:
    """What must survive: the rows of the rebuilt tables and of those that refer to them."""
    with engine.connect() as conn:

        def rows(sql: str) -> list[tuple[Any, ...]]:
            return [tuple(r) for r in conn.execute(text(sql)).all()]

        return {
            "members": rows(
                "SELECT id, subscriber_id, group_id, member_number_bidx, relationship "
                "FROM members ORDER BY id"
            ),
            "plans": rows(
                "SELECT id, carrier_id, code, plan_type, metal_tier, rate_employee_cents, "
                "rate_family_cents FROM plans ORDER BY id"
            ),
            "spans": rows(
                "SELECT id, member_id, plan_id, effective_date, termination_date "
                "FROM coverage_spans ORDER BY id"
            ),
            "cards": rows("SELECT id, member_id FROM id_card_requests ORDER BY id"),
            "events": rows("SELECT id, member_id FROM life_events ORDER BY id"),
        }


@pytest.fixture(params=BACKENDS)
def engine_0014(request: pytest.FixtureRequest, var_dir: Path, tmp_path: Path) -> Iterator[Engine]:
    """A database at 0014 holding a 600-member California book (seeded at that revision)."""
    with fresh_database(request.param, var_dir, tmp_path) as settings:
        engine = make_engine(settings)
        downgrade(engine, "0014")
        assert revision(engine) == "0014"
        for table, new in NEW.items():
            assert not new & columns(engine, table)
        run_seed(make_sessionmaker(engine), members=600, seed=3)
        try:
            yield engine
        finally:
            engine.dispose()


def test_upgrade_keeps_every_row_and_makes_it_calchoice(engine_0014: Engine) -> None:
    before = snapshot(engine_0014)
    assert len(before["members"]) == 600 and before["spans"] and before["cards"]
    upgrade(engine_0014, "0015")
    assert revision(engine_0014) == "0015"
    assert snapshot(engine_0014) == before
    with engine_0014.connect() as conn:
        lines = conn.execute(text("SELECT DISTINCT line_of_business FROM members")).all()
        plans = conn.execute(text("SELECT DISTINCT line_of_business, benefit FROM plans")).all()
        assert [tuple(r) for r in lines] == [("calchoice",)]
        assert [tuple(r) for r in plans] == [("calchoice", "medical")]
        if engine_0014.dialect.name == "sqlite":
            # Rebuilt under their references, and enforcement is back on for the connection.
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    # The application reads the book it had, unchanged: same eligibility, same premium.
    with Session(engine_0014) as session:
        member, house = service.get_household(session, 1)
        assert member.line_of_business == "calchoice" and member.group is not None
        view = views.member_360(session, member, house, date(2026, 11, 1), date(2026, 11, 1), 26)
        assert view.policy_pack == "calchoice" and view.group is not None
        assert view.partner_plans == []


def test_the_migrated_schema_is_the_models_schema(engine_0014: Engine) -> None:
    upgrade(engine_0014)
    import_all_models()
    with engine_0014.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    mine = [d for d in diffs if any(f"'{t}'" in repr(d) or f"<{t}>" in repr(d) for t in TABLES)]
    assert mine == []


def test_an_oregon_book_beside_it_and_no_way_back_while_it_is_there(engine_0014: Engine) -> None:
    upgrade(engine_0014)
    sessions = make_sessionmaker(engine_0014)
    run_seed(sessions, members=80, seed=3, profile="oregon-medicaid")
    with sessions() as session:
        first_oregon, last_california = session.execute(
            text(
                "SELECT min(CASE WHEN line_of_business = 'oregon-medicaid' THEN id END), "
                "max(CASE WHEN line_of_business = 'calchoice' THEN id END) FROM members"
            )
        ).one()
        assert first_oregon == last_california + 1  # ids continue after the California book
        member, house = service.get_household(session, first_oregon)
        view = views.member_360(session, member, house, date(2026, 11, 1), date(2026, 11, 1), 26)
        assert view.policy_pack == "oregon-medicaid" and view.group is None
    head = revision(engine_0014)
    with pytest.raises(RuntimeError) as refused:
        downgrade(engine_0014, "0014")
    message = str(refused.value)
    assert "revision 0015 cannot be undone" in message
    assert "80 members without an employer group" in message and "17 plans" in message
    assert revision(engine_0014) == head  # one transaction: nothing undone


def test_downgrade_with_only_california_data_keeps_it(engine_0014: Engine) -> None:
    before = snapshot(engine_0014)
    upgrade(engine_0014, "0015")
    downgrade(engine_0014, "0014")
    assert revision(engine_0014) == "0014"
    assert snapshot(engine_0014) == before
    for table, new in NEW.items():
        assert not new & columns(engine_0014, table)
    upgrade(engine_0014)
