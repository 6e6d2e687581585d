"""surveys: invitations, members' throttle and opt-out, answers, the outbox

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 17:23:22

One invitation per completed contact (contact_id unique); the link's token is encrypted and found
by its blind index (token_bidx unique). Comments, outbox addresses and bodies are stored
encrypted (LargeBinary). Answers carry CHECK constraints for the CSAT (1-5) and NPS (0-10) scales.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"  # the nullable call reference on contacts (main)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "survey_members",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("last_invited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("opted_out_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("opted_out_via", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_survey_members_member_id_members")
        ),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_survey_members")),
    )
    op.create_table(
        "survey_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column(
            "contact_channel",
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
        sa.Column("pack", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "sending",
                "sent",
                "failed",
                "answered",
                "skipped",
                name="invitationstate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "skip_reason",
            sa.Enum(
                "throttled",
                "opted_out",
                "no_address",
                "minor",
                name="skipreason",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "send_channel",
            sa.Enum("email", "sms", name="sendchannel", native_enum=False, length=32),
            nullable=True,
        ),
        sa.Column("token", sa.LargeBinary(), nullable=True),
        sa.Column("token_bidx", sa.LargeBinary(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=64), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["users.id"], name=op.f("fk_survey_invitations_agent_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_survey_invitations_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_survey_invitations_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_invitations")),
        sa.UniqueConstraint("contact_id", name=op.f("uq_survey_invitations_contact_id")),
        sa.UniqueConstraint("token_bidx", name=op.f("uq_survey_invitations_token_bidx")),
    )
    with op.batch_alter_table("survey_invitations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_invitations_member_id"), ["member_id"], unique=False
        )
        batch_op.create_index(
            "ix_survey_invitations_pack_created_at", ["pack", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_survey_invitations_state_next_attempt_at",
            ["state", "next_attempt_at"],
            unique=False,
        )

    op.create_table(
        "survey_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
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
        sa.Column("pack", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column(
            "source",
            sa.Enum("link", "import", name="answersource", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("csat", sa.Integer(), nullable=False),
        sa.Column("nps", sa.Integer(), nullable=False),
        sa.Column(
            "cahps_help",
            sa.Enum(
                "never",
                "sometimes",
                "usually",
                "always",
                name="cahpsanswer",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "cahps_courtesy",
            sa.Enum(
                "never",
                "sometimes",
                "usually",
                "always",
                name="cahpsanswer",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("comment", sa.LargeBinary(), nullable=True),
        sa.CheckConstraint("csat BETWEEN 1 AND 5", name=op.f("ck_survey_answers_csat_scale")),
        sa.CheckConstraint("nps BETWEEN 0 AND 10", name=op.f("ck_survey_answers_nps_scale")),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["users.id"], name=op.f("fk_survey_answers_agent_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_survey_answers_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["survey_invitations.id"],
            name=op.f("fk_survey_answers_invitation_id_survey_invitations"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_survey_answers_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_answers")),
        sa.UniqueConstraint("contact_id", name=op.f("uq_survey_answers_contact_id")),
        sa.UniqueConstraint("invitation_id", name=op.f("uq_survey_answers_invitation_id")),
    )
    with op.batch_alter_table("survey_answers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_answers_member_id"), ["member_id"], unique=False
        )
        batch_op.create_index(
            "ix_survey_answers_pack_answered_at", ["pack", "answered_at"], unique=False
        )

    op.create_table(
        "survey_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum("email", "sms", name="sendchannel", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("recipient", sa.LargeBinary(), nullable=False),
        sa.Column("subject", sa.LargeBinary(), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["survey_invitations.id"],
            name=op.f("fk_survey_outbox_invitation_id_survey_invitations"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_survey_outbox_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_outbox")),
    )
    with op.batch_alter_table("survey_outbox", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_outbox_invitation_id"), ["invitation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_survey_outbox_member_id"), ["member_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("survey_outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_outbox_member_id"))
        batch_op.drop_index(batch_op.f("ix_survey_outbox_invitation_id"))

    op.drop_table("survey_outbox")
    with op.batch_alter_table("survey_answers", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_answers_pack_answered_at")
        batch_op.drop_index(batch_op.f("ix_survey_answers_member_id"))

    op.drop_table("survey_answers")
    with op.batch_alter_table("survey_invitations", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_invitations_state_next_attempt_at")
        batch_op.drop_index("ix_survey_invitations_pack_created_at")
        batch_op.drop_index(batch_op.f("ix_survey_invitations_member_id"))

    op.drop_table("survey_invitations")
    op.drop_table("survey_members")
