"""breach register (breaches/): incidents, their members and notices, the response plan

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 23:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "breach_incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("discovered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("discovered_by", sa.LargeBinary(), nullable=False),
        sa.Column("summary", sa.LargeBinary(), nullable=False),
        sa.Column("phi_kinds", sa.JSON(), nullable=False),
        sa.Column("affected_count", sa.Integer(), nullable=False),
        sa.Column("residents_by_state", sa.JSON(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "assessing",
                "notifying",
                "complete",
                "not_a_breach",
                name="incidentstate",
                native_enum=False,
                create_constraint=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("policy_version", sa.String(length=64), nullable=False),
        sa.Column("nature_extent", sa.LargeBinary(), nullable=True),
        sa.Column(
            "nature_extent_risk",
            sa.Enum(
                "low",
                "moderate",
                "high",
                name="risk",
                native_enum=False,
                create_constraint=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("unauthorized_person", sa.LargeBinary(), nullable=True),
        sa.Column(
            "unauthorized_person_risk",
            sa.Enum(
                "low",
                "moderate",
                "high",
                name="risk",
                native_enum=False,
                create_constraint=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("acquired_viewed", sa.LargeBinary(), nullable=True),
        sa.Column(
            "acquired_viewed_risk",
            sa.Enum(
                "low",
                "moderate",
                "high",
                name="risk",
                native_enum=False,
                create_constraint=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("mitigation", sa.LargeBinary(), nullable=True),
        sa.Column(
            "mitigation_risk",
            sa.Enum(
                "low",
                "moderate",
                "high",
                name="risk",
                native_enum=False,
                create_constraint=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("assessed_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "breach",
                "not_a_breach",
                name="outcome",
                native_enum=False,
                create_constraint=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "basis",
            sa.Enum(
                "low_probability",
                "unintentional_workforce",
                "inadvertent_authorized",
                "unable_to_retain",
                name="basis",
                native_enum=False,
                create_constraint=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("rationale", sa.LargeBinary(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessed_by_id"], ["users.id"], name=op.f("fk_breach_incidents_assessed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_breach_incidents_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_breach_incidents_decided_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breach_incidents")),
    )
    op.create_index(
        "ix_breach_incidents_discovered_at", "breach_incidents", ["discovered_at"], unique=False
    )
    op.create_table(
        "breach_response_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("adopted_on", sa.Date(), nullable=False),
        sa.Column("review_due", sa.Date(), nullable=False),
        sa.Column("filename", sa.LargeBinary(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["users.id"],
            name=op.f("fk_breach_response_plans_uploaded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breach_response_plans")),
    )
    op.create_table(
        "breach_incident_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["breach_incidents.id"],
            name=op.f("fk_breach_incident_members_incident_id_breach_incidents"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_breach_incident_members_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breach_incident_members")),
        sa.UniqueConstraint(
            "incident_id", "member_id", name=op.f("uq_breach_incident_members_incident_id")
        ),
    )
    op.create_index(
        op.f("ix_breach_incident_members_incident_id"),
        "breach_incident_members",
        ["incident_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_breach_incident_members_member_id"),
        "breach_incident_members",
        ["member_id"],
        unique=False,
    )
    op.create_table(
        "breach_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column(
            "recipient",
            sa.Enum(
                "individuals",
                "california",
                "hhs",
                "media",
                name="recipient",
                native_enum=False,
                create_constraint=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("state", sa.String(length=2), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "method",
            sa.Enum(
                "mail",
                "email",
                "phone",
                "substitute_notice",
                "hhs_portal",
                "press_release",
                "other",
                name="noticemethod",
                native_enum=False,
                create_constraint=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("people", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["breach_incidents.id"],
            name=op.f("fk_breach_notices_incident_id_breach_incidents"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_breach_notices_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breach_notices")),
    )
    op.create_index(
        op.f("ix_breach_notices_incident_id"), "breach_notices", ["incident_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_breach_notices_incident_id"), table_name="breach_notices")
    op.drop_table("breach_notices")
    op.drop_index(
        op.f("ix_breach_incident_members_member_id"), table_name="breach_incident_members"
    )
    op.drop_index(
        op.f("ix_breach_incident_members_incident_id"), table_name="breach_incident_members"
    )
    op.drop_table("breach_incident_members")
    op.drop_table("breach_response_plans")
    op.drop_index("ix_breach_incidents_discovered_at", table_name="breach_incidents")
    op.drop_table("breach_incidents")
