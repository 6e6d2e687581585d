"""call rollups count transfers (kpi/): answered calls transferred, and of those the warm ones

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 18:45:00

Calls fed live report their transfers; imported call records have no column for them, so
existing rows start at zero.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("call_interval_stats", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("transferred", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("warm_transferred", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("call_interval_stats", schema=None) as batch_op:
        batch_op.drop_column("warm_transferred")
        batch_op.drop_column("transferred")
