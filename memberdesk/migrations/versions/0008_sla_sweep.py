"""the SLA worker: portal replies get warned/breached stamps, and partial indexes find what is
due without looking at rows already fired or closed

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 10:00:00

The sweeper fires each warning and breach once by a conditional UPDATE on the stored deadline.
Its indexes are partial (only rows still to fire), so their size follows the open work, not the
history: a sweep over a million open cases reads the due rows and nothing else.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The models' conditions (memberdesk/cases/models.py, memberdesk/contacts/models.py), copied so
# this migration keeps meaning what it meant when the models move on.
UNWARNED_CLOCK = "state = 'running' AND warned_at IS NULL"
UNWARNED_REPLY = "answered_at IS NULL AND reply_warned_at IS NULL AND reply_warn_at IS NOT NULL"
UNBREACHED_REPLY = "answered_at IS NULL AND reply_breached_at IS NULL AND reply_due_at IS NOT NULL"
UNWARNED_CALLBACK = "state = 'open' AND warned_at IS NULL"
UNBREACHED_CALLBACK = "state = 'open' AND breached_at IS NULL"

INDEXES = [
    ("ix_case_clocks_unwarned", "case_clocks", "warn_at", UNWARNED_CLOCK),
    ("ix_contacts_reply_unwarned", "contacts", "reply_warn_at", UNWARNED_REPLY),
    ("ix_contacts_reply_unbreached", "contacts", "reply_due_at", UNBREACHED_REPLY),
    ("ix_callbacks_unwarned", "callbacks", "warn_at", UNWARNED_CALLBACK),
    ("ix_callbacks_unbreached", "callbacks", "due_at", UNBREACHED_CALLBACK),
]


def upgrade() -> None:
    # Plain ADD COLUMN / CREATE INDEX: both databases do them in place (no batch table copy,
    # which would drop the partial indexes' conditions on SQLite).
    op.add_column("contacts", sa.Column("reply_warned_at", sa.DateTime(timezone=True)))
    op.add_column("contacts", sa.Column("reply_breached_at", sa.DateTime(timezone=True)))
    for name, table, column, where in INDEXES:
        op.create_index(
            name,
            table,
            [column],
            unique=False,
            postgresql_where=sa.text(where),
            sqlite_where=sa.text(where),
        )


def downgrade() -> None:
    for name, table, _column, _where in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("contacts") as batch_op:
        batch_op.drop_column("reply_breached_at")
        batch_op.drop_column("reply_warned_at")
