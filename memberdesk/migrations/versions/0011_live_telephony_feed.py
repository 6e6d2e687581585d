"""live telephony feed (kpi/): events, live calls, agent states and agent time

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 17:04:45

Events are kept once per idempotency key (event_key unique); the caller's member ID is
encrypted (LargeBinary) on events and calls. Agent time is kept per agent, half hour and state.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agent_state_seconds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_ref", sa.String(length=64), nullable=False),
        sa.Column("interval_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_state_seconds")),
        sa.UniqueConstraint("agent_ref", "interval_start", "state", name="uq_agent_state_seconds"),
    )
    with op.batch_alter_table("agent_state_seconds", schema=None) as batch_op:
        batch_op.create_index(
            "ix_agent_state_seconds_interval_start", ["interval_start"], unique=False
        )

    op.create_table(
        "agent_status",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_ref", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_key", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_status")),
        sa.UniqueConstraint("agent_ref", name=op.f("uq_agent_status_agent_ref")),
    )
    op.create_table(
        "kpi_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_key", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pack", sa.String(length=32), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=True),
        sa.Column("queue", sa.String(length=64), nullable=True),
        sa.Column("agent_ref", sa.String(length=64), nullable=True),
        sa.Column("member_ref", sa.LargeBinary(), nullable=True),
        sa.Column("warm", sa.Boolean(), nullable=False),
        sa.Column("wrap_seconds", sa.Float(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kpi_events")),
        sa.UniqueConstraint("event_key", name=op.f("uq_kpi_events_event_key")),
    )
    with op.batch_alter_table("kpi_events", schema=None) as batch_op:
        batch_op.create_index("ix_kpi_events_agent_ref_at", ["agent_ref", "at"], unique=False)
        batch_op.create_index(batch_op.f("ix_kpi_events_call_id"), ["call_id"], unique=False)

    op.create_table(
        "live_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("pack", sa.String(length=32), nullable=False),
        sa.Column("threshold_seconds", sa.Float(), nullable=False),
        sa.Column("short_abandon_seconds", sa.Float(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("queue", sa.String(length=64), nullable=True),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("abandoned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("agent_ref", sa.String(length=64), nullable=True),
        sa.Column("member_ref", sa.LargeBinary(), nullable=True),
        sa.Column("talk_seconds", sa.Float(), nullable=False),
        sa.Column("hold_seconds", sa.Float(), nullable=False),
        sa.Column("wrap_seconds", sa.Float(), nullable=False),
        sa.Column("transfers", sa.Integer(), nullable=False),
        sa.Column("warm_transfers", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_calls")),
        sa.UniqueConstraint("call_id", name=op.f("uq_live_calls_call_id")),
    )
    with op.batch_alter_table("live_calls", schema=None) as batch_op:
        batch_op.create_index("ix_live_calls_pack_state", ["pack", "state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("live_calls", schema=None) as batch_op:
        batch_op.drop_index("ix_live_calls_pack_state")

    op.drop_table("live_calls")
    with op.batch_alter_table("kpi_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kpi_events_call_id"))
        batch_op.drop_index("ix_kpi_events_agent_ref_at")

    op.drop_table("kpi_events")
    op.drop_table("agent_status")
    with op.batch_alter_table("agent_state_seconds", schema=None) as batch_op:
        batch_op.drop_index("ix_agent_state_seconds_interval_start")

    op.drop_table("agent_state_seconds")
