"""knowledge base: the policy sign-off clock of regulatory versions, and agents' feedback

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05 03:00:00

A version written for a regulatory change carries its ``policy_signoff`` deadline; the worker
stamps it overdue once, found through a partial index of the versions still to flag. Agents'
feedback (helpful, not helpful, no article answered) feeds the knowledge-gap report.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The model's condition (memberdesk/kb/models.py), copied so this migration keeps its meaning.
SIGNOFF_OPEN = (
    "signoff_due_at IS NOT NULL AND signoff_overdue_at IS NULL "
    "AND published_at IS NULL AND retired_at IS NULL"
)


def upgrade() -> None:
    # Plain ADD COLUMN: both databases do it in place (no batch copy that would lose the
    # partial indexes' conditions on SQLite).
    op.add_column(
        "kb_versions",
        sa.Column("regulatory", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("kb_versions", sa.Column("signoff_pack", sa.String(length=32), nullable=True))
    op.add_column(
        "kb_versions", sa.Column("signoff_due_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "kb_versions", sa.Column("signoff_overdue_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_index(
        "ix_kb_versions_signoff_open",
        "kb_versions",
        ["signoff_due_at"],
        unique=False,
        postgresql_where=sa.text(SIGNOFF_OPEN),
        sqlite_where=sa.text(SIGNOFF_OPEN),
    )
    op.create_table(
        "kb_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "helpful",
                "not_helpful",
                "none_answered",
                name="feedbackkind",
                native_enum=False,
                create_constraint=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("article_id", sa.Integer(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=48), nullable=True),
        sa.Column("case_type", sa.String(length=48), nullable=True),
        sa.Column("once_key", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["article_id"], ["kb_articles.id"]),
        sa.ForeignKeyConstraint(["version_id"], ["kb_versions.id"]),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"]),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("once_key"),
    )
    op.create_index("ix_kb_feedback_article_id", "kb_feedback", ["article_id"], unique=False)
    op.create_index("ix_kb_feedback_contact_id", "kb_feedback", ["contact_id"], unique=False)
    op.create_index("ix_kb_feedback_created_at", "kb_feedback", ["created_at"], unique=False)
    op.create_index("ix_kb_feedback_reason", "kb_feedback", ["reason"], unique=False)


def downgrade() -> None:
    op.drop_table("kb_feedback")
    op.drop_index("ix_kb_versions_signoff_open", table_name="kb_versions")
    with op.batch_alter_table("kb_versions") as batch_op:
        batch_op.drop_column("signoff_overdue_at")
        batch_op.drop_column("signoff_due_at")
        batch_op.drop_column("signoff_pack")
        batch_op.drop_column("regulatory")
