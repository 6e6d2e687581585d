"""role grants (second-person approval of PHI roles), sign-in failures by address and
username, audit search indexes

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_login_attempts_client_username_at", "login_attempts", ["client_addr", "username", "at"]),
    ("ix_audit_log_action_id", "audit_log", ["action", "id"]),
    ("ix_audit_log_actor_name_id", "audit_log", ["actor", "id"]),
    ("ix_audit_log_at", "audit_log", ["at"]),
    ("ix_audit_member_access_member_audit", "audit_member_access", ["member_id", "audit_id"]),
)


def upgrade() -> None:
    op.create_table(
        "role_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("old_role", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_role_grants_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role_grants")),
    )
    op.create_index("ix_role_grants_status_user", "role_grants", ["status", "user_id"])
    # Plain CREATE INDEX on both engines: no table is rebuilt, so the audit tables' triggers
    # (which refuse UPDATE and DELETE) are never in the way.
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    op.drop_index("ix_role_grants_status_user", table_name="role_grants")
    op.drop_table("role_grants")
