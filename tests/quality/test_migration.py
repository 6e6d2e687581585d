"""Migration 0022 (quality): the migrated schema is the models' own on each database."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from memberdesk.db import Base
from memberdesk.models import import_all_models

TABLES = (
    "qa_scorecards",
    "qa_scorecard_items",
    "qa_calibrations",
    "qa_evaluations",
    "qa_evaluation_scores",
    "qa_corrective_assignments",
)


def test_the_migrated_schema_is_the_models_schema(engine: Engine) -> None:
    import_all_models()
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    mine = [d for d in diffs if any(f"'{t}'" in repr(d) or f"<{t}>" in repr(d) for t in TABLES)]
    assert mine == []
    assert set(TABLES) <= set(Base.metadata.tables)
