"""Migration 0006 builds the models' own schema for the contacts tables and downgrades cleanly,
on each database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from memberdesk.db import Base, make_engine
from memberdesk.migrate import alembic_config, upgrade
from tests.dbutil import BACKENDS, fresh_database

TABLES = ("contacts", "contact_reasons", "callbacks", "callback_attempts", "letter_tasks")


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path, var_dir: Path) -> Iterator[Engine]:
    with fresh_database(request.param, var_dir, tmp_path) as settings:
        eng = make_engine(settings)
        yield eng
        eng.dispose()


def test_the_migrated_schema_is_the_models_schema(engine: Engine) -> None:
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    mine = [d for d in diffs if any(f"'{t}'" in repr(d) or f"<{t}>" in repr(d) for t in TABLES)]
    assert mine == []


def test_downgrade_to_0005_drops_the_tables_and_upgrade_brings_them_back(engine: Engine) -> None:
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0005")
    assert not set(TABLES) & set(inspect(engine).get_table_names())
    upgrade(engine)
    assert set(TABLES) <= set(inspect(engine).get_table_names())
