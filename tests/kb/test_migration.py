"""Migration 0021: the migrated knowledge-base tables are the models' own, and the search index
is the engine's (an FTS5 table on SQLite, a tsvector table with a GIN index on PostgreSQL)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from memberdesk.db import Base
from memberdesk.models import import_all_models


def test_the_migrated_schema_is_the_models_schema(engine: Engine) -> None:
    import_all_models()
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    ours = [d for d in diffs if "kb_" in repr(d)]
    # The search index is not a model: it is the engine's own table, kept by kb/search.py.
    assert [d for d in ours if "kb_fts" not in repr(d) and "kb_search" not in repr(d)] == []


def test_the_search_index_is_the_engines_own(engine: Engine) -> None:
    names = set(inspect(engine).get_table_names())
    if engine.dialect.name == "sqlite":
        assert "kb_fts" in names
    else:
        assert "kb_search" in names
        indexes = {i["name"] for i in inspect(engine).get_indexes("kb_search")}
        assert "ix_kb_search_tsv" in indexes
