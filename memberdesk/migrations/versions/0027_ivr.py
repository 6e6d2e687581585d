"""phone menu (ivr/): calls through the menu with their path, missed identifications, and
screen pops for agents

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-05 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=False, length=32)


REASONS = (
    "eligibility",
    "billing",
    "id_card",
    "benefits",
    "claims",
    "plan_comparison",
    "enrollment",
    "appeal_grievance",
    "pharmacy",
    "transportation",
    "dental",
    "behavioral_health",
    "provider",
    "other",
)


def upgrade() -> None:
    op.create_table(
        "ivr_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_sid", sa.String(length=64), nullable=False),
        sa.Column("pack", sa.String(length=32), nullable=False),
        sa.Column("from_phone", sa.LargeBinary(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column(
            "step",
            _enum(
                "step",
                "language",
                "member_id",
                "date_of_birth",
                "menu",
                "card",
                "voicemail",
                "done",
            ),
            nullable=False,
        ),
        sa.Column("pending_member_id", sa.Integer(), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("failed_ids", sa.Integer(), nullable=False),
        sa.Column("retries", sa.Integer(), nullable=False),
        sa.Column("path", sa.JSON(), nullable=False),
        sa.Column("reason", _enum("reason", *REASONS), nullable=True),
        sa.Column("queue", sa.String(length=64), nullable=True),
        sa.Column(
            "outcome",
            _enum("outcome", "in_menu", "contained", "transferred", "voicemail", "abandoned"),
            nullable=False,
        ),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("callback_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["pending_member_id"], ["members.id"]),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"]),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"]),
        sa.ForeignKeyConstraint(["callback_id"], ["callbacks.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("call_sid"),
    )
    op.create_index("ix_ivr_calls_started_at", "ivr_calls", ["started_at"], unique=False)
    op.create_index("ix_ivr_calls_member_id", "ivr_calls", ["member_id"], unique=False)
    op.create_table(
        "screen_pops",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("call_ref", sa.String(length=64), nullable=False),
        sa.Column("ivr_call_id", sa.Integer(), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("phone", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("desk_contact_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["agent_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["ivr_call_id"], ["ivr_calls.id"]),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"]),
        sa.ForeignKeyConstraint(["desk_contact_id"], ["contacts.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_screen_pops_created_at", "screen_pops", ["created_at"], unique=False)
    op.create_table(
        "ivr_misses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_ivr_misses_member_at", "ivr_misses", ["member_id", "at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_ivr_misses_member_at", table_name="ivr_misses")
    op.drop_table("ivr_misses")
    op.drop_index("ix_screen_pops_created_at", table_name="screen_pops")
    op.drop_table("screen_pops")
    op.drop_index("ix_ivr_calls_member_id", table_name="ivr_calls")
    op.drop_index("ix_ivr_calls_started_at", table_name="ivr_calls")
    op.drop_table("ivr_calls")
