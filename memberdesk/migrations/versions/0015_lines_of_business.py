"""lines of business (members/): the Oregon Health Plan (Medicaid) book beside CalChoice

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-10 09:00:00

- ``plans.line_of_business`` and ``members.line_of_business`` (the member's decides their
  policy pack); every existing row is a CalChoice row, so the server default fills them in.
- ``plans.benefit``: what a plan covers. Existing plans are comprehensive medical plans; a
  Medicaid member holds one eligibility span and partner-plan spans (physical, behavioural and
  dental care, medical transport) at the same time, each on a plan of its benefit.
- ``members.group_id`` nullable (Medicaid members come through no employer), and the
  marketplace-only plan columns (plan type, metal tier, premiums) nullable.
- ``coverage_spans.renewal_date``: when the state's renewal of Medicaid eligibility is due.

On SQLite the two altered tables are rebuilt (batch mode); ``memberdesk.migrate.upgrade`` runs
migrations with foreign-key enforcement off for that and checks every reference before it
commits. The downgrade refuses while Medicaid rows exist (they cannot be put back under NOT
NULL) and names how many.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RATES = (
    "rate_employee_cents",
    "rate_employee_spouse_cents",
    "rate_employee_children_cents",
    "rate_family_cents",
)
LINES = ("calchoice", "oregon-medicaid", "erisa-group")
BENEFITS = ("medical", "medicaid", "physical_health", "behavioral_health", "dental", "transport")


def _enum(name: str, values: tuple[str, ...]) -> sa.Enum:
    # As the models declare them: VARCHAR(32), no CHECK (new values need no migration).
    return sa.Enum(*values, name=name, native_enum=False, length=32)


def upgrade() -> None:
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "line_of_business",
                _enum("lineofbusiness", LINES),
                server_default="calchoice",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column(
                "benefit", _enum("benefit", BENEFITS), server_default="medical", nullable=False
            )
        )
        batch_op.alter_column(
            "plan_type",
            existing_type=_enum("plantype", ("HMO", "PPO", "EPO")),
            nullable=True,
        )
        batch_op.alter_column(
            "metal_tier",
            existing_type=_enum("metaltier", ("bronze", "silver", "gold", "platinum")),
            nullable=True,
        )
        for column in RATES:
            batch_op.alter_column(column, existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "line_of_business",
                _enum("lineofbusiness", LINES),
                server_default="calchoice",
                nullable=False,
            )
        )
        batch_op.alter_column("group_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(
            batch_op.f("ix_members_line_of_business"), ["line_of_business"], unique=False
        )
    with op.batch_alter_table("coverage_spans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("renewal_date", sa.Date(), nullable=True))


def _refuse_medicaid_rows() -> None:
    conn = op.get_bind()
    members = conn.execute(
        sa.text("SELECT count(*) FROM members WHERE group_id IS NULL")
    ).scalar_one()
    plans = conn.execute(
        sa.text("SELECT count(*) FROM plans WHERE line_of_business <> 'calchoice'")
    ).scalar_one()
    if members or plans:
        raise RuntimeError(
            f"revision 0015 cannot be undone while the database holds {members} members "
            f"without an employer group and {plans} plans of another line of business than "
            "calchoice (the Oregon Health Plan book): the older schema has no place for them"
        )


def downgrade() -> None:
    _refuse_medicaid_rows()
    with op.batch_alter_table("coverage_spans", schema=None) as batch_op:
        batch_op.drop_column("renewal_date")
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_members_line_of_business"))
        batch_op.alter_column("group_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("line_of_business")
    with op.batch_alter_table("plans", schema=None) as batch_op:
        for column in RATES:
            batch_op.alter_column(column, existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column(
            "metal_tier",
            existing_type=_enum("metaltier", ("bronze", "silver", "gold", "platinum")),
            nullable=False,
        )
        batch_op.alter_column(
            "plan_type",
            existing_type=_enum("plantype", ("HMO", "PPO", "EPO")),
            nullable=False,
        )
        batch_op.drop_column("benefit")
        batch_op.drop_column("line_of_business")
