"""enrollment files (enroll/): the log of X12 834 files applied, by control number and hash

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=False, length=32)


def upgrade() -> None:
    op.create_table(
        "enrollment_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("sender", sa.String(length=15), nullable=False),
        sa.Column("isa_control", sa.String(length=9), nullable=False),
        sa.Column("gs_control", sa.String(length=9), nullable=False),
        sa.Column("st_controls", sa.String(length=200), nullable=False),
        sa.Column("kind", _enum("filekind", "change", "full"), nullable=False),
        sa.Column("status", _enum("filestatus", "applied", "rejected"), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("content_hash"),
        sa.UniqueConstraint(
            "sender", "isa_control", "gs_control", "st_controls", name="uq_enrollment_files_control"
        ),
    )


def downgrade() -> None:
    op.drop_table("enrollment_files")
