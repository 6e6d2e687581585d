"""contacts and their reasons, voicemail callbacks, callback attempts, letter tasks

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 17:50:00

PHI columns (notes, subjects, callback phone numbers, attempt notes) are stored encrypted
(LargeBinary); deadlines (callbacks.due_at/warn_at, contacts.reply_due_at) sit on the rows with
indexes so a sweeper finds due work without scanning.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column(
            "channel",
            sa.Enum(
                "phone",
                "email",
                "chat",
                "portal",
                "voicemail",
                "letter",
                "sms",
                name="channel",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "direction",
            sa.Enum("inbound", "outbound", name="direction", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("interpreter_used", sa.Boolean(), nullable=False),
        sa.Column("talk_seconds", sa.Integer(), nullable=True),
        sa.Column("hold_seconds", sa.Integer(), nullable=True),
        sa.Column("wrap_seconds", sa.Integer(), nullable=True),
        sa.Column(
            "disposition",
            sa.Enum(
                "resolved",
                "case_opened",
                "transferred",
                "callback_scheduled",
                "voicemail_left",
                "no_answer",
                "info_sent",
                "other",
                name="disposition",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("notes", sa.LargeBinary(), nullable=True),
        sa.Column("verified_facts", sa.JSON(), nullable=True),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verified_by_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.LargeBinary(), nullable=True),
        sa.Column("reply_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reply_warn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("in_reply_to_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["users.id"], name=op.f("fk_contacts_agent_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["in_reply_to_id"], ["contacts.id"], name=op.f("fk_contacts_in_reply_to_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_contacts_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["verified_by_id"], ["users.id"], name=op.f("fk_contacts_verified_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
    )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contacts_agent_id"), ["agent_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_contacts_in_reply_to_id"), ["in_reply_to_id"], unique=False
        )
        batch_op.create_index(
            "ix_contacts_member_id_started_at", ["member_id", "started_at"], unique=False
        )
        batch_op.create_index("ix_contacts_reply_due_at", ["reply_due_at"], unique=False)

    op.create_table(
        "callbacks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("phone", sa.LargeBinary(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pack", sa.String(length=32), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("warn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "open", "completed", "letter", name="callbackstate", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("assigned_to_id", sa.Integer(), nullable=True),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempt_count", sa.Integer(), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("warned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("breached_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assigned_to_id"], ["users.id"], name=op.f("fk_callbacks_assigned_to_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_callbacks_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_callbacks_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_callbacks_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callbacks")),
    )
    with op.batch_alter_table("callbacks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_callbacks_assigned_to_id_state", ["assigned_to_id", "state"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_callbacks_member_id"), ["member_id"], unique=False)
        batch_op.create_index("ix_callbacks_state_due_at", ["state", "due_at"], unique=False)

    op.create_table(
        "contact_reasons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(
                "eligibility",
                "billing",
                "id_card",
                "benefits",
                "claims",
                "plan_comparison",
                "enrollment",
                "appeal_grievance",
                "pharmacy",
                "transportation",
                "dental",
                "behavioral_health",
                "provider",
                "other",
                name="reason",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_contact_reasons_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_contact_reasons_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_reasons")),
        sa.UniqueConstraint("contact_id", "reason", name="uq_contact_reasons_contact_id_reason"),
    )
    with op.batch_alter_table("contact_reasons", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contact_reasons_member_reason_started",
            ["member_id", "reason", "started_at"],
            unique=False,
        )

    op.create_table(
        "callback_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("callback_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "reached",
                "no_answer",
                "left_message",
                "wrong_number",
                name="attemptoutcome",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["callback_id"],
            ["callbacks.id"],
            name=op.f("fk_callback_attempts_callback_id_callbacks"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_callback_attempts_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callback_attempts")),
    )
    with op.batch_alter_table("callback_attempts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_callback_attempts_callback_id"), ["callback_id"], unique=False
        )

    op.create_table(
        "letter_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("callback_id", sa.Integer(), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column(
            "state",
            sa.Enum("open", "sent", name="letterstate", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_by_id", sa.Integer(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["callback_id"], ["callbacks.id"], name=op.f("fk_letter_tasks_callback_id_callbacks")
        ),
        sa.ForeignKeyConstraint(
            ["completed_by_id"], ["users.id"], name=op.f("fk_letter_tasks_completed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_letter_tasks_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_letter_tasks_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_tasks")),
        sa.UniqueConstraint("callback_id", name=op.f("uq_letter_tasks_callback_id")),
    )
    with op.batch_alter_table("letter_tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_letter_tasks_member_id"), ["member_id"], unique=False)
        batch_op.create_index(
            "ix_letter_tasks_state_created_at", ["state", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("letter_tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_letter_tasks_state_created_at")
        batch_op.drop_index(batch_op.f("ix_letter_tasks_member_id"))

    op.drop_table("letter_tasks")
    with op.batch_alter_table("callback_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_callback_attempts_callback_id"))

    op.drop_table("callback_attempts")
    with op.batch_alter_table("contact_reasons", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_reasons_member_reason_started")

    op.drop_table("contact_reasons")
    with op.batch_alter_table("callbacks", schema=None) as batch_op:
        batch_op.drop_index("ix_callbacks_state_due_at")
        batch_op.drop_index(batch_op.f("ix_callbacks_member_id"))
        batch_op.drop_index("ix_callbacks_assigned_to_id_state")

    op.drop_table("callbacks")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index("ix_contacts_reply_due_at")
        batch_op.drop_index("ix_contacts_member_id_started_at")
        batch_op.drop_index(batch_op.f("ix_contacts_in_reply_to_id"))
        batch_op.drop_index(batch_op.f("ix_contacts_agent_id"))

    op.drop_table("contacts")
