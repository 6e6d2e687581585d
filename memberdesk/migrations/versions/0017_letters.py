"""letters (letters/): versioned-template letters to members, PDF and addressee encrypted

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "acknowledgement",
                "extension",
                "resolution",
                "deemed_exhaustion",
                name="letterkind",
                native_enum=False,
                create_constraint=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("pack", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("template", sa.String(length=80), nullable=False),
        sa.Column("rights_template", sa.String(length=80), nullable=False),
        sa.Column("template_sha256", sa.String(length=64), nullable=False),
        sa.Column("subject_type", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("tagline_first", sa.String(length=8), nullable=True),
        sa.Column("recipient_name", sa.LargeBinary(), nullable=False),
        sa.Column("recipient_address", sa.LargeBinary(), nullable=False),
        sa.Column("to_confidential_address", sa.Boolean(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "channel",
            sa.Enum(
                "mail",
                "portal",
                name="letterchannel",
                native_enum=False,
                create_constraint=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"]),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["sent_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_letters_member_id", "letters", ["member_id"], unique=False)
    op.create_index("ix_letters_subject", "letters", ["subject_type", "subject_id"], unique=False)
    op.create_index(
        "ix_letters_member_id_created_at", "letters", ["member_id", "created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_letters_member_id_created_at", table_name="letters")
    op.drop_index("ix_letters_subject", table_name="letters")
    op.drop_index("ix_letters_member_id", table_name="letters")
    op.drop_table("letters")
