"""Alembic environment: runs on a given connection (tests, CLI) or the configured URL."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from sqlalchemy.types import TypeDecorator

from memberdesk.config import Settings
from memberdesk.db import Base, make_engine
from memberdesk.models import import_all_models

import_all_models()
target_metadata = Base.metadata


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    # Migrations must not depend on runtime types (encryption needs a key ring):
    # encrypted columns are plain binary and UTC timestamps plain timestamptz in the schema.
    if type_ == "type" and isinstance(obj, TypeDecorator):
        impl = obj.impl_instance if hasattr(obj, "impl_instance") else obj.impl
        return f"sa.{impl!r}"
    return False


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        render_item=_render_item,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = context.config.get_main_option("sqlalchemy.url")
    engine = make_engine(Settings(database_url=url) if url else Settings())
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()
