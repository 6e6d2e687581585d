"""Migration 0007: the migrated schema is the models' own, and the default queues exist."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from memberdesk.cases.models import Queue
from memberdesk.db import Base
from memberdesk.models import import_all_models

TABLES = (
    "queues",
    "agent_skills",
    "cases",
    "case_clocks",
    "case_contacts",
    "case_notes",
    "case_handoffs",
    "case_checklist_steps",
    "case_transfers",
    "case_documents",
)


def test_the_migrated_schema_is_the_models_schema(engine: Engine) -> None:
    import_all_models()
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    mine = [d for d in diffs if any(f"'{t}'" in repr(d) or f"<{t}>" in repr(d) for t in TABLES)]
    assert mine == []


def test_the_default_queues(db: Session) -> None:
    queues = db.scalars(select(Queue).order_by(Queue.id)).all()
    assert [(q.name, q.tier, q.language) for q in queues][:5] == [
        ("Tier 1 General", 1, None),
        ("Tier 1 Spanish", 1, "es"),
        ("Tier 2 Benefits and billing", 2, None),
        ("Tier 2 Claims", 2, None),
        ("Tier 3 Appeals and compliance", 3, None),
    ]
    assert queues[3].case_types == ["claims"] and queues[0].case_types is None
