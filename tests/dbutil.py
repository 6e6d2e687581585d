"""Creating and dropping whole test databases (SQLite files, PostgreSQL schemas)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text

from memberdesk.config import Settings
from memberdesk.db import make_engine
from memberdesk.migrate import upgrade

PG_URL = os.environ.get("MEMBERDESK_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


@contextmanager
def fresh_database(backend: str, var_dir: Path, tmp: Path) -> Iterator[Settings]:
    """Settings for an empty, migrated database of ``backend``; dropped afterwards."""
    if backend == "sqlite":
        settings = Settings(database_url=f"sqlite:///{tmp / 'test.db'}", var_dir=var_dir)
    else:
        assert PG_URL
        # A schema per database, so parallel runs on one server never collide.
        schema = f"mdtest_{os.getpid()}_{secrets.token_hex(3)}"
        settings = Settings(database_url=PG_URL, database_schema=schema, var_dir=var_dir)
        admin = make_engine(settings.model_copy(update={"database_schema": None}))
        try:
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        except Exception as exc:
            pytest.exit(f"PostgreSQL at MEMBERDESK_TEST_DATABASE_URL unreachable: {exc}", 2)
    eng = make_engine(settings)
    upgrade(eng)
    eng.dispose()
    try:
        yield settings
    finally:
        if settings.database_schema:
            with admin.begin() as conn:
                # Never hang a run on a connection a failed test left behind.
                conn.execute(text("SET LOCAL lock_timeout = '20s'"))
                conn.execute(text(f'DROP SCHEMA "{settings.database_schema}" CASCADE'))
            admin.dispose()
