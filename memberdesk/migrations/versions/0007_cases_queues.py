"""cases, queues and routing: queues (with the default five), agent skills, cases with their
clocks, linked contacts, notes, hand-offs, checklist steps, transfers and documents

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 18:00:00

Clock deadlines sit on ``case_clocks`` rows indexed by (state, due_at) and (state, warn_at), so a
sweeper finds what is due without scanning. Summaries, notes, rationales, transfer context and
documents are PHI and stored encrypted (LargeBinary).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The queues a new installation starts with; supervisors add, rename and retire their own.
DEFAULT_QUEUES = [
    {"name": "Tier 1 General", "tier": 1, "language": None, "case_types": None},
    {"name": "Tier 1 Spanish", "tier": 1, "language": "es", "case_types": None},
    {"name": "Tier 2 Benefits and billing", "tier": 2, "language": None, "case_types": None},
    {"name": "Tier 2 Claims", "tier": 2, "language": None, "case_types": ["claims"]},
    {"name": "Tier 3 Appeals and compliance", "tier": 3, "language": None, "case_types": None},
]


def _default_queues() -> None:
    queues = sa.table(
        "queues",
        sa.column("name", sa.String),
        sa.column("tier", sa.Integer),
        sa.column("language", sa.String),
        sa.column("case_types", sa.JSON),
        sa.column("active", sa.Boolean),
    )
    op.bulk_insert(queues, [{**q, "active": True} for q in DEFAULT_QUEUES])


def upgrade() -> None:
    op.create_table(
        "queues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("case_types", sa.JSON(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_queues")),
        sa.UniqueConstraint("name", name=op.f("uq_queues_name")),
    )
    op.create_table(
        "agent_skills",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("tiers", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("case_types", sa.JSON(), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_agent_skills_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_agent_skills")),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column(
            "case_type",
            sa.Enum(
                "eligibility",
                "billing",
                "id_card",
                "benefits",
                "claims",
                "plan_comparison",
                "enrollment",
                "appeal",
                "grievance",
                "regulatory_inquiry",
                "legal_referral",
                "other",
                name="casetype",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "priority",
            sa.Enum(
                "low", "normal", "high", "urgent", name="priority", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("summary", sa.LargeBinary(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "new",
                "in_progress",
                "waiting_on_member",
                "waiting_on_third_party",
                "resolved",
                "closed",
                "reopened",
                name="casestate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("queue_id", sa.Integer(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("pack", sa.String(length=32), nullable=False),
        sa.Column("checklist", sa.String(length=48), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["users.id"], name=op.f("fk_cases_assignee_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_cases_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_cases_member_id_members")
        ),
        sa.ForeignKeyConstraint(["queue_id"], ["queues.id"], name=op.f("fk_cases_queue_id_queues")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_assignee_id_state", ["assignee_id", "state"], unique=False)
        batch_op.create_index("ix_cases_member_id_state", ["member_id", "state"], unique=False)
        batch_op.create_index(
            "ix_cases_queue_id_assignee_id_state",
            ["queue_id", "assignee_id", "state"],
            unique=False,
        )

    op.create_table(
        "case_checklist_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("step_id", sa.String(length=48), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_checklist_steps_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["done_by_id"], ["users.id"], name=op.f("fk_case_checklist_steps_done_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_checklist_steps")),
        sa.UniqueConstraint("case_id", "step_id", name="uq_case_checklist_steps_case_id"),
    )
    op.create_table(
        "case_clocks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("pack", sa.String(length=32), nullable=False),
        sa.Column("target", sa.String(length=48), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("warn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "running",
                "paused",
                "met",
                "breached",
                "stopped",
                name="clockstate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("warned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("breached_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_clocks_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_clocks")),
    )
    with op.batch_alter_table("case_clocks", schema=None) as batch_op:
        batch_op.create_index("ix_case_clocks_case_id_target", ["case_id", "target"], unique=False)
        batch_op.create_index("ix_case_clocks_state_due_at", ["state", "due_at"], unique=False)
        batch_op.create_index("ix_case_clocks_state_warn_at", ["state", "warn_at"], unique=False)

    op.create_table(
        "case_contacts",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("linked_by_id", sa.Integer(), nullable=True),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_contacts_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_case_contacts_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["linked_by_id"], ["users.id"], name=op.f("fk_case_contacts_linked_by_id_users")
        ),
        sa.PrimaryKeyConstraint("case_id", "contact_id", name=op.f("pk_case_contacts")),
    )
    with op.batch_alter_table("case_contacts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_contacts_contact_id"), ["contact_id"], unique=False
        )

    op.create_table(
        "case_handoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "escalated",
                "auto_escalated",
                "deescalated",
                "assigned",
                "transferred",
                name="handoffkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("from_tier", sa.Integer(), nullable=False),
        sa.Column("to_tier", sa.Integer(), nullable=False),
        sa.Column("from_queue_id", sa.Integer(), nullable=True),
        sa.Column("to_queue_id", sa.Integer(), nullable=True),
        sa.Column("from_user_id", sa.Integer(), nullable=True),
        sa.Column("to_user_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("rationale", sa.LargeBinary(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_case_handoffs_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_handoffs_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["from_queue_id"], ["queues.id"], name=op.f("fk_case_handoffs_from_queue_id_queues")
        ),
        sa.ForeignKeyConstraint(
            ["from_user_id"], ["users.id"], name=op.f("fk_case_handoffs_from_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["to_queue_id"], ["queues.id"], name=op.f("fk_case_handoffs_to_queue_id_queues")
        ),
        sa.ForeignKeyConstraint(
            ["to_user_id"], ["users.id"], name=op.f("fk_case_handoffs_to_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_handoffs")),
    )
    with op.batch_alter_table("case_handoffs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_handoffs_case_id"), ["case_id"], unique=False)

    op.create_table(
        "case_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("text", sa.LargeBinary(), nullable=False),
        sa.Column("corrects_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_case_notes_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_notes_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["corrects_id"], ["case_notes.id"], name=op.f("fk_case_notes_corrects_id_case_notes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_notes")),
    )
    with op.batch_alter_table("case_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_notes_case_id"), ["case_id"], unique=False)

    op.create_table(
        "case_transfers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("from_user_id", sa.Integer(), nullable=False),
        sa.Column("to_user_id", sa.Integer(), nullable=True),
        sa.Column("to_queue_id", sa.Integer(), nullable=True),
        sa.Column("warm", sa.Boolean(), nullable=False),
        sa.Column("context_summary", sa.LargeBinary(), nullable=False),
        sa.Column("member_question", sa.LargeBinary(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "accepted",
                "declined",
                name="transferstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("decline_reason", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_transfers_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_case_transfers_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["from_user_id"], ["users.id"], name=op.f("fk_case_transfers_from_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["to_queue_id"], ["queues.id"], name=op.f("fk_case_transfers_to_queue_id_queues")
        ),
        sa.ForeignKeyConstraint(
            ["to_user_id"], ["users.id"], name=op.f("fk_case_transfers_to_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_transfers")),
    )
    with op.batch_alter_table("case_transfers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_transfers_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_case_transfers_created_at", ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_case_transfers_to_user_id"), ["to_user_id"], unique=False
        )

    op.create_table(
        "case_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.LargeBinary(), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_documents_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_case_documents_uploaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_documents")),
    )
    with op.batch_alter_table("case_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_documents_case_id"), ["case_id"], unique=False)

    _default_queues()


def downgrade() -> None:
    with op.batch_alter_table("case_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_documents_case_id"))

    op.drop_table("case_documents")

    with op.batch_alter_table("case_transfers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_transfers_to_user_id"))
        batch_op.drop_index("ix_case_transfers_created_at")
        batch_op.drop_index(batch_op.f("ix_case_transfers_case_id"))

    op.drop_table("case_transfers")
    with op.batch_alter_table("case_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_notes_case_id"))

    op.drop_table("case_notes")
    with op.batch_alter_table("case_handoffs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_handoffs_case_id"))

    op.drop_table("case_handoffs")
    with op.batch_alter_table("case_contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_contacts_contact_id"))

    op.drop_table("case_contacts")
    with op.batch_alter_table("case_clocks", schema=None) as batch_op:
        batch_op.drop_index("ix_case_clocks_state_warn_at")
        batch_op.drop_index("ix_case_clocks_state_due_at")
        batch_op.drop_index("ix_case_clocks_case_id_target")

    op.drop_table("case_clocks")
    op.drop_table("case_checklist_steps")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_queue_id_assignee_id_state")
        batch_op.drop_index("ix_cases_member_id_state")
        batch_op.drop_index("ix_cases_assignee_id_state")

    op.drop_table("cases")
    op.drop_table("agent_skills")
    op.drop_table("queues")
