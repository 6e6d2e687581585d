"""quality (quality/): QA scorecards, evaluations, calibration, corrective training

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 02:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "qa_scorecards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_qa_scorecards_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_scorecards")),
        sa.UniqueConstraint("name", name=op.f("uq_qa_scorecards_name")),
    )
    op.create_table(
        "qa_calibrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("scorecard_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_qa_calibrations_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_qa_calibrations_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["scorecard_id"],
            ["qa_scorecards.id"],
            name=op.f("fk_qa_calibrations_scorecard_id_qa_scorecards"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_calibrations")),
    )
    op.create_index(
        op.f("ix_qa_calibrations_contact_id"), "qa_calibrations", ["contact_id"], unique=False
    )

    op.create_table(
        "qa_scorecard_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scorecard_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=48), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("max_score", sa.Integer(), nullable=False),
        sa.Column("auto_fail", sa.Boolean(), nullable=False),
        sa.Column("allow_na", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["scorecard_id"],
            ["qa_scorecards.id"],
            name=op.f("fk_qa_scorecard_items_scorecard_id_qa_scorecards"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_scorecard_items")),
        sa.UniqueConstraint("scorecard_id", "key", name=op.f("uq_qa_scorecard_items_scorecard_id")),
    )
    op.create_index(
        op.f("ix_qa_scorecard_items_scorecard_id"),
        "qa_scorecard_items",
        ["scorecard_id"],
        unique=False,
    )

    op.create_table(
        "qa_evaluations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scorecard_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "random",
                "targeted",
                "calibration",
                name="evaluationkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "scored",
                "acknowledged",
                "disputed",
                "resolved",
                name="evaluationstate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("calibration_id", sa.Integer(), nullable=True),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("sample_seed", sa.Integer(), nullable=True),
        sa.Column("evaluator_id", sa.Integer(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("auto_failed", sa.Boolean(), nullable=False),
        sa.Column("comments", sa.LargeBinary(), nullable=True),
        sa.Column("scored_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("disputed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dispute_reason", sa.LargeBinary(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum("upheld", "rescored", name="disputeoutcome", native_enum=False, length=32),
            nullable=True,
        ),
        sa.Column("resolution_note", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["users.id"], name=op.f("fk_qa_evaluations_agent_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["calibration_id"],
            ["qa_calibrations.id"],
            name=op.f("fk_qa_evaluations_calibration_id_qa_calibrations"),
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_qa_evaluations_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["evaluator_id"], ["users.id"], name=op.f("fk_qa_evaluations_evaluator_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["users.id"], name=op.f("fk_qa_evaluations_resolved_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["scorecard_id"],
            ["qa_scorecards.id"],
            name=op.f("fk_qa_evaluations_scorecard_id_qa_scorecards"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_evaluations")),
        sa.UniqueConstraint(
            "calibration_id", "evaluator_id", name=op.f("uq_qa_evaluations_calibration_id")
        ),
    )
    op.create_index(
        "ix_qa_evaluations_agent_scored", "qa_evaluations", ["agent_id", "scored_at"], unique=False
    )
    op.create_index(
        "ix_qa_evaluations_period_agent", "qa_evaluations", ["period", "agent_id"], unique=False
    )
    op.create_index(
        "uq_qa_evaluations_contact",
        "qa_evaluations",
        ["contact_id"],
        unique=True,
        postgresql_where=sa.text("calibration_id IS NULL"),
        sqlite_where=sa.text("calibration_id IS NULL"),
    )

    op.create_table(
        "qa_corrective_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "open",
                "completed",
                "cancelled",
                name="correctivestate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("pack", sa.String(length=32), nullable=False),
        sa.Column("target", sa.String(length=48), nullable=False),
        sa.Column("policy_version", sa.String(length=64), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("overdue_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["users.id"], name=op.f("fk_qa_corrective_assignments_agent_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            ["qa_evaluations.id"],
            name=op.f("fk_qa_corrective_assignments_evaluation_id_qa_evaluations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_corrective_assignments")),
        sa.UniqueConstraint(
            "evaluation_id", name=op.f("uq_qa_corrective_assignments_evaluation_id")
        ),
    )
    op.create_index(
        "ix_qa_corrective_agent_state",
        "qa_corrective_assignments",
        ["agent_id", "state"],
        unique=False,
    )
    op.create_index(
        "ix_qa_corrective_unflagged",
        "qa_corrective_assignments",
        ["due_at"],
        unique=False,
        postgresql_where=sa.text("state = 'open' AND overdue_at IS NULL"),
        sqlite_where=sa.text("state = 'open' AND overdue_at IS NULL"),
    )

    op.create_table(
        "qa_evaluation_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            ["qa_evaluations.id"],
            name=op.f("fk_qa_evaluation_scores_evaluation_id_qa_evaluations"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["qa_scorecard_items.id"],
            name=op.f("fk_qa_evaluation_scores_item_id_qa_scorecard_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_evaluation_scores")),
        sa.UniqueConstraint(
            "evaluation_id", "item_id", name=op.f("uq_qa_evaluation_scores_evaluation_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("qa_evaluation_scores")
    op.drop_index(
        "ix_qa_corrective_unflagged",
        table_name="qa_corrective_assignments",
        postgresql_where=sa.text("state = 'open' AND overdue_at IS NULL"),
        sqlite_where=sa.text("state = 'open' AND overdue_at IS NULL"),
    )
    op.drop_index("ix_qa_corrective_agent_state", table_name="qa_corrective_assignments")

    op.drop_table("qa_corrective_assignments")
    op.drop_index(
        "uq_qa_evaluations_contact",
        table_name="qa_evaluations",
        postgresql_where=sa.text("calibration_id IS NULL"),
        sqlite_where=sa.text("calibration_id IS NULL"),
    )
    op.drop_index("ix_qa_evaluations_period_agent", table_name="qa_evaluations")
    op.drop_index("ix_qa_evaluations_agent_scored", table_name="qa_evaluations")

    op.drop_table("qa_evaluations")
    op.drop_index(op.f("ix_qa_scorecard_items_scorecard_id"), table_name="qa_scorecard_items")

    op.drop_table("qa_scorecard_items")
    op.drop_index(op.f("ix_qa_calibrations_contact_id"), table_name="qa_calibrations")

    op.drop_table("qa_calibrations")
    op.drop_table("qa_scorecards")
