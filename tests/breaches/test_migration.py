"""Migrations 0018 (breaches) and 0019 (vendors): the migrated schema is the models' own on each
database."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from memberdesk.db import Base
from memberdesk.models import import_all_models

TABLES = (
    "breach_incidents",
    "breach_incident_members",
    "breach_notices",
    "breach_response_plans",
    "vendors",
    "vendor_baas",
    "vendor_contacts",
    "vendor_scorecards",
)


def test_the_migrated_schema_is_the_models_schema(engine: Engine) -> None:
    import_all_models()
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    mine = [d for d in diffs if any(f"'{t}'" in repr(d) or f"<{t}>" in repr(d) for t in TABLES)]
    assert mine == []
    assert set(TABLES) <= set(Base.metadata.tables)
