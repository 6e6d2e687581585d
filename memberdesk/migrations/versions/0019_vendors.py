"""vendors (vendors/): business associates, BAAs (encrypted), contacts, scorecards

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 23:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "vendors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "outsourced_call_centre",
                "print_mail_house",
                "ivr_telephony",
                "interpreter_service",
                "cloud_host",
                "other",
                name="vendorkind",
                native_enum=False,
                create_constraint=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "onboarding",
                "active",
                "suspended",
                "ended",
                name="vendorstatus",
                native_enum=False,
                create_constraint=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("services", sa.String(length=500), nullable=False),
        sa.Column("phi_kinds", sa.JSON(), nullable=False),
        sa.Column("pack", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_vendors_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vendors")),
        sa.UniqueConstraint("name", name=op.f("uq_vendors_name")),
    )
    op.create_table(
        "vendor_baas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("renewal_notice_days", sa.Integer(), nullable=False),
        sa.Column("filename", sa.LargeBinary(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_vendor_baas_uploaded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"], ["vendors.id"], name=op.f("fk_vendor_baas_vendor_id_vendors")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vendor_baas")),
    )
    op.create_index(op.f("ix_vendor_baas_vendor_id"), "vendor_baas", ["vendor_id"], unique=False)
    op.create_table(
        "vendor_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "escalation",
                "compliance",
                "account",
                name="contactrole",
                native_enum=False,
                create_constraint=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("verified_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["vendor_id"], ["vendors.id"], name=op.f("fk_vendor_contacts_vendor_id_vendors")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vendor_contacts")),
    )
    op.create_index(
        op.f("ix_vendor_contacts_vendor_id"), "vendor_contacts", ["vendor_id"], unique=False
    )
    op.create_table(
        "vendor_scorecards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("calls_offered", sa.Integer(), nullable=True),
        sa.Column("service_level", sa.Float(), nullable=False),
        sa.Column("asa_seconds", sa.Float(), nullable=False),
        sa.Column("abandon_rate", sa.Float(), nullable=False),
        sa.Column("qa_score", sa.Float(), nullable=True),
        sa.Column("first_contact_resolution", sa.Float(), nullable=True),
        sa.Column("csat", sa.Float(), nullable=True),
        sa.Column("aht_seconds", sa.Float(), nullable=True),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entered_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["entered_by_id"], ["users.id"], name=op.f("fk_vendor_scorecards_entered_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"], ["vendors.id"], name=op.f("fk_vendor_scorecards_vendor_id_vendors")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vendor_scorecards")),
        sa.UniqueConstraint("vendor_id", "month", name=op.f("uq_vendor_scorecards_vendor_id")),
    )
    op.create_index(
        op.f("ix_vendor_scorecards_vendor_id"), "vendor_scorecards", ["vendor_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_vendor_scorecards_vendor_id"), table_name="vendor_scorecards")
    op.drop_table("vendor_scorecards")
    op.drop_index(op.f("ix_vendor_contacts_vendor_id"), table_name="vendor_contacts")
    op.drop_table("vendor_contacts")
    op.drop_index(op.f("ix_vendor_baas_vendor_id"), table_name="vendor_baas")
    op.drop_table("vendor_baas")
    op.drop_table("vendors")
