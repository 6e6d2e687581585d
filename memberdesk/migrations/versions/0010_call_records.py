"""call records and their half-hour rollups (kpi/)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 15:30:00

Imported call records keep the platform's call ID (unique: a file imported twice is refused),
and the caller's member ID encrypted (LargeBinary). Reports read call_interval_stats: one row
per pack, queue, agent and half hour, added to on import.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "call_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pack", sa.String(length=32), nullable=False),
        sa.Column("threshold_seconds", sa.Float(), nullable=False),
        sa.Column("short_abandon_seconds", sa.Float(), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_imports")),
    )
    op.create_table(
        "call_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("pack", sa.String(length=32), nullable=False),
        sa.Column("queue", sa.String(length=64), nullable=False),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("abandoned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("talk_seconds", sa.Float(), nullable=False),
        sa.Column("hold_seconds", sa.Float(), nullable=False),
        sa.Column("wrap_seconds", sa.Float(), nullable=False),
        sa.Column("agent_ref", sa.String(length=64), nullable=True),
        sa.Column("member_ref", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["import_id"], ["call_imports.id"], name=op.f("fk_call_records_import_id_call_imports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_records")),
        sa.UniqueConstraint("call_id", name=op.f("uq_call_records_call_id")),
    )
    op.create_index(op.f("ix_call_records_import_id"), "call_records", ["import_id"], unique=False)
    op.create_index(
        "ix_call_records_pack_offered_at", "call_records", ["pack", "offered_at"], unique=False
    )
    op.create_table(
        "call_interval_stats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pack", sa.String(length=32), nullable=False),
        sa.Column("queue", sa.String(length=64), nullable=False),
        sa.Column("agent_ref", sa.String(length=64), nullable=False),
        sa.Column("interval_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("offered", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("abandoned", sa.Integer(), nullable=False),
        sa.Column("short_abandoned", sa.Integer(), nullable=False),
        sa.Column("answered_within", sa.Integer(), nullable=False),
        sa.Column("wait_seconds", sa.Float(), nullable=False),
        sa.Column("handle_seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_interval_stats")),
        sa.UniqueConstraint(
            "pack", "queue", "agent_ref", "interval_start", name="uq_call_interval"
        ),
    )
    op.create_index(
        "ix_call_interval_stats_pack_interval_start",
        "call_interval_stats",
        ["pack", "interval_start"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_table("call_interval_stats")
    op.drop_index("ix_call_records_pack_offered_at", table_name="call_records")
    op.drop_index(op.f("ix_call_records_import_id"), table_name="call_records")
    op.drop_table("call_records")
    op.drop_table("call_imports")
