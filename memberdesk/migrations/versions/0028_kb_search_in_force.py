"""knowledge-base search on PostgreSQL: what decides whether a match is in force, kept beside
its tsvector, so a search ranks and filters its matches without a look-up per match

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-05 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("article_id", "number", "title", "effective_on", "expires_on", "published_at", "alone")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return  # SQLite's FTS5 table joins the versions by rowid; nothing to copy
    # A published version never changes (retiring it takes it out of the index), so these are
    # copies that stay true. "alone": the article has had no other published version, so no
    # later one can supersede this one on any day.
    op.add_column("kb_search", sa.Column("article_id", sa.Integer()))
    op.add_column("kb_search", sa.Column("number", sa.Integer()))
    op.add_column("kb_search", sa.Column("title", sa.String(length=200)))
    op.add_column("kb_search", sa.Column("effective_on", sa.Date()))
    op.add_column("kb_search", sa.Column("expires_on", sa.Date()))
    op.add_column("kb_search", sa.Column("published_at", sa.DateTime(timezone=True)))
    op.add_column("kb_search", sa.Column("alone", sa.Boolean()))
    op.execute(
        "UPDATE kb_search s SET article_id = v.article_id, number = v.number, title = v.title, "
        "effective_on = v.effective_on, expires_on = v.expires_on, "
        "published_at = v.published_at, alone = NOT EXISTS (SELECT 1 FROM kb_versions o "
        "WHERE o.article_id = v.article_id AND o.id <> v.id AND o.published_at IS NOT NULL) "
        "FROM kb_versions v WHERE v.id = s.version_id"
    )
    for name in COLUMNS:
        if name != "expires_on":
            op.alter_column("kb_search", name, nullable=False)
    op.create_index("ix_kb_search_article_id", "kb_search", ["article_id"])


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    op.drop_index("ix_kb_search_article_id", table_name="kb_search")
    for name in COLUMNS:
        op.drop_column("kb_search", name)
