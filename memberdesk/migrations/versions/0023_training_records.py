"""training records (training/): courses with knowledge checks, start dates, completions

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 02:45:29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("initial", "hipaa_annual", "privacy_module", "de_escalation", "regulatory", "continuing")


def upgrade() -> None:
    op.create_table(
        "training_courses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                *KINDS, name="coursekind", native_enum=False, create_constraint=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("required_roles", sa.JSON(), nullable=False),
        sa.Column("renew_months", sa.Integer(), nullable=True),
        sa.Column("pass_mark", sa.Float(), nullable=True),
        sa.Column("description", sa.String(length=1000), nullable=False),
        sa.Column("required_since", sa.Date(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_training_courses_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_courses")),
        sa.UniqueConstraint("code", name=op.f("uq_training_courses_code")),
    )
    op.create_table(
        "training_profiles",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("initial_on_file", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_training_profiles_updated_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_training_profiles_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_training_profiles")),
    )
    op.create_table(
        "training_completions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("quiz_score", sa.Float(), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["training_courses.id"],
            name=op.f("fk_training_completions_course_id_training_courses"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_training_completions_recorded_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_training_completions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_completions")),
        # One record per person, course and day: two trainers recording it at once get a 409.
        sa.UniqueConstraint(
            "user_id", "course_id", "completed_on", name=op.f("uq_training_completions_user_id")
        ),
    )
    for column in ("completed_on", "course_id", "user_id"):
        op.create_index(op.f(f"ix_training_completions_{column}"), "training_completions", [column])


def downgrade() -> None:
    for column in ("user_id", "course_id", "completed_on"):
        op.drop_index(op.f(f"ix_training_completions_{column}"), table_name="training_completions")
    op.drop_table("training_completions")
    op.drop_table("training_profiles")
    op.drop_table("training_courses")
