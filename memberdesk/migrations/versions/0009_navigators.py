"""member navigators: the complex-needs flag of a member, its source and rules, the navigator
who owns the member, and the unflag reason

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 10:00:00

One row per member ever flagged (the member id is the key); the history of flags, assignments
and unflags is in the audit log. Reasons are PHI and stored encrypted (LargeBinary).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "member_navigators",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum("flagged", "unflagged", name="flagstate", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column(
            "source",
            sa.Enum("rule", "hand", name="flagsource", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("rules", sa.JSON(), nullable=True),
        sa.Column("reason", sa.LargeBinary(), nullable=True),
        sa.Column("navigator_id", sa.Integer(), nullable=True),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("flagged_by_id", sa.Integer(), nullable=True),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("assigned_by_id", sa.Integer(), nullable=True),
        sa.Column("unflagged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unflagged_by_id", sa.Integer(), nullable=True),
        sa.Column("unflag_reason", sa.LargeBinary(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_member_navigators_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["navigator_id"], ["users.id"], name=op.f("fk_member_navigators_navigator_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["flagged_by_id"], ["users.id"], name=op.f("fk_member_navigators_flagged_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"],
            ["users.id"],
            name=op.f("fk_member_navigators_assigned_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["unflagged_by_id"],
            ["users.id"],
            name=op.f("fk_member_navigators_unflagged_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_member_navigators")),
    )
    with op.batch_alter_table("member_navigators", schema=None) as batch_op:
        batch_op.create_index(
            "ix_member_navigators_navigator_id_state", ["navigator_id", "state"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("member_navigators", schema=None) as batch_op:
        batch_op.drop_index("ix_member_navigators_navigator_id_state")
    op.drop_table("member_navigators")
