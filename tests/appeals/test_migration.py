"""Migration 0016: the migrated schema is the models' own, on each database."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from memberdesk.db import Base
from memberdesk.models import import_all_models

TABLES = (
    "appeals",
    "appeal_extensions",
    "appeal_notices",
    "appeal_documents",
    "regulatory_inquiries",
    "inquiry_documents",
    "legal_referrals",
)


def test_the_migrated_schema_is_the_models_schema(engine: Engine) -> None:
    import_all_models()
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    mine = [d for d in diffs if any(f"'{t}'" in repr(d) or f"<{t}>" in repr(d) for t in TABLES)]
    assert mine == []
    assert set(TABLES) <= set(Base.metadata.tables)
