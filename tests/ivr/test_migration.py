"""Migration 0027: the migrated phone-menu tables are the models' own."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from memberdesk.db import Base
from memberdesk.models import import_all_models


def test_the_migrated_schema_is_the_models_schema(engine: Engine) -> None:
    import_all_models()
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert [d for d in diffs if "ivr_calls" in repr(d) or "screen_pops" in repr(d)] == []
