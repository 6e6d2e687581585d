"""knowledge base (kb/): articles, versions, labels, contact points, search index

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 00:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=False, length=32)


def upgrade() -> None:
    op.create_table(
        "kb_articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("translation_key", sa.String(length=80), nullable=False),
        sa.Column("language", _enum("kblanguage", "en", "es"), nullable=False),
        sa.Column(
            "kind",
            _enum("articlekind", "faq", "procedure", "phone_script", "checklist", "letter_snippet"),
            nullable=False,
        ),
        sa.Column(
            "line_of_business",
            _enum("lineofbusiness", "calchoice", "oregon-medicaid", "erisa-group"),
            nullable=True,
        ),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
        sa.UniqueConstraint("translation_key", "language"),
    )
    op.create_table(
        "kb_labels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("facet", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=48), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["kb_articles.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("article_id", "facet", "value"),
    )
    op.create_index("ix_kb_labels_facet_value", "kb_labels", ["facet", "value"], unique=False)
    op.create_table(
        "kb_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("change_note", sa.String(length=500), nullable=True),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column(
            "state",
            _enum("versionstate", "draft", "in_review", "approved", "published", "retired"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("review_note", sa.String(length=500), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retired_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["article_id"], ["kb_articles.id"]),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["approved_by_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["published_by_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["retired_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("article_id", "number"),
    )
    op.create_index("ix_kb_versions_article_id", "kb_versions", ["article_id"], unique=False)
    op.create_index("ix_kb_versions_state", "kb_versions", ["state"], unique=False)
    op.create_table(
        "kb_contact_points",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("kind", _enum("pointkind", "phone", "email", "web", "address"), nullable=False),
        sa.Column("value", sa.String(length=300), nullable=False),
        sa.Column("normalized", sa.String(length=300), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verified_by_id", sa.Integer(), nullable=True),
        sa.Column("verification_note", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(["version_id"], ["kb_versions.id"]),
        sa.ForeignKeyConstraint(["verified_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("version_id", "kind", "normalized"),
    )
    op.create_index(
        "ix_kb_contact_points_version_id", "kb_contact_points", ["version_id"], unique=False
    )
    op.create_table(
        "kb_terms",
        sa.Column("language", _enum("kblanguage", "en", "es"), nullable=False),
        sa.Column("term", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("language", "term"),
    )
    if op.get_bind().dialect.name == "sqlite":
        # One row per published version (rowid = version id); text already folded and stemmed
        # in Python (kb/core.py), English and Spanish in their own columns so a query is
        # stemmed once per language. Prefix indexes keep typing-as-you-search fast.
        op.execute(
            "CREATE VIRTUAL TABLE kb_fts USING fts5("
            "en_title, en_body, es_title, es_body, "
            "tokenize='unicode61 remove_diacritics 2', prefix='2 3 4')"
        )
    else:
        # The folded text through the article's language configuration (english / spanish).
        op.create_table(
            "kb_search",
            sa.Column("version_id", sa.Integer(), nullable=False),
            sa.Column("config", sa.String(length=16), nullable=False),
            sa.Column("tsv", postgresql.TSVECTOR(), nullable=False),
            sa.ForeignKeyConstraint(["version_id"], ["kb_versions.id"]),
            sa.PrimaryKeyConstraint("version_id"),
        )
        op.create_index(
            "ix_kb_search_tsv", "kb_search", ["tsv"], unique=False, postgresql_using="gin"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE kb_fts")
    else:
        op.drop_index("ix_kb_search_tsv", table_name="kb_search")
        op.drop_table("kb_search")
    op.drop_table("kb_terms")
    op.drop_index("ix_kb_contact_points_version_id", table_name="kb_contact_points")
    op.drop_table("kb_contact_points")
    op.drop_index("ix_kb_versions_state", table_name="kb_versions")
    op.drop_index("ix_kb_versions_article_id", table_name="kb_versions")
    op.drop_table("kb_versions")
    op.drop_index("ix_kb_labels_facet_value", table_name="kb_labels")
    op.drop_table("kb_labels")
    op.drop_table("kb_articles")
