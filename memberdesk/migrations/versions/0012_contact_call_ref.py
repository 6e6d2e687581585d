"""contacts remember the call they were logged from (kpi/contacts_link)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 10:00:00

A call fed live by the telephony platform becomes one phone contact once it has ended with a
member identified; ``call_ref`` holds the platform's call ID. A unique index (not a table
constraint) so SQLite adds it without copying the contacts table; NULLs, every contact logged
by hand, never collide.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("call_ref", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_contacts_call_ref"), ["call_ref"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contacts_call_ref"))
        batch_op.drop_column("call_ref")
