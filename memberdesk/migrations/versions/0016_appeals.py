"""appeals and grievances, regulatory inquiries and legal referrals (appeals/): intake with the
representative's authorisation, the one extension a rule allows, notices sent, documents
exchanged, the decision, withdrawal, the deemed-exhaustion flag; inquiries a regulator forwarded
with its own deadline and liaison; referrals to counsel with a matter number and legal hold

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 20:34:25

The regulatory clocks themselves are case clock rows
of each record's Tier 3 case (0007), so nothing here needs a sweeper index of its own. Free text
is PHI and stored encrypted (LargeBinary).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("grievance", "appeal", name="appealkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column(
            "urgency",
            sa.Enum("standard", "expedited", name="urgency", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column(
            "channel",
            sa.Enum("oral", "written", name="intakechannel", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column(
            "received_via",
            sa.Enum(
                "phone",
                "voicemail",
                "in_person",
                "letter",
                "fax",
                "email",
                "portal",
                "chat",
                "sms",
                name="receivedvia",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pack", sa.String(length=32), nullable=False),
        sa.Column(
            "claim_type",
            sa.Enum("pre_service", "post_service", name="claimtype", native_enum=False, length=32),
            nullable=True,
        ),
        sa.Column("summary", sa.LargeBinary(), nullable=False),
        sa.Column(
            "filed_by",
            sa.Enum("member", "representative", name="requester", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("rep_name", sa.LargeBinary(), nullable=True),
        sa.Column(
            "rep_relationship",
            sa.Enum(
                "parent",
                "guardian",
                "spouse",
                "adult_child",
                "other_relative",
                "friend",
                "attorney",
                "provider",
                "other",
                name="reprelationship",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("rep_authorization", sa.LargeBinary(), nullable=True),
        sa.Column("rep_authorized_on", sa.Date(), nullable=True),
        sa.Column(
            "expedited_by",
            sa.Enum(
                "member",
                "representative",
                "provider",
                name="expeditedby",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("clinical_urgency", sa.LargeBinary(), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "open",
                "decided",
                "withdrawn",
                "closed",
                name="appealstate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "outcome",
            sa.Enum(
                "upheld",
                "overturned",
                "partly_overturned",
                name="outcome",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("decision_rationale", sa.LargeBinary(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "withdrawn_by",
            sa.Enum("member", "representative", name="requester", native_enum=False, length=32),
            nullable=True,
        ),
        sa.Column("withdrawal_reason", sa.LargeBinary(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("deemed_exhausted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deemed_target", sa.String(length=48), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_appeals_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["users.id"], name=op.f("fk_appeals_closed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_appeals_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_appeals_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_appeals_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeals")),
        sa.UniqueConstraint("case_id", name=op.f("uq_appeals_case_id")),
    )
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_appeals_aging", ["pack", "kind", "received_at", "resolved_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_appeals_member_id"), ["member_id"], unique=False)
        batch_op.create_index(
            "ix_appeals_state_received_at", ["state", "received_at"], unique=False
        )

    op.create_table(
        "appeal_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "request",
                "authorization",
                "medical_records",
                "claim",
                "evidence",
                "correspondence",
                "decision",
                "other",
                name="documentkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "direction",
            sa.Enum("received", "sent", name="direction", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("title", sa.LargeBinary(), nullable=False),
        sa.Column("description", sa.LargeBinary(), nullable=True),
        sa.Column("clinical", sa.Boolean(), nullable=False),
        sa.Column("exchanged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("case_document_id", sa.Integer(), nullable=True),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["users.id"], name=op.f("fk_appeal_documents_added_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["appeal_id"], ["appeals.id"], name=op.f("fk_appeal_documents_appeal_id_appeals")
        ),
        sa.ForeignKeyConstraint(
            ["case_document_id"],
            ["case_documents.id"],
            name=op.f("fk_appeal_documents_case_document_id_case_documents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal_documents")),
    )
    with op.batch_alter_table("appeal_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_appeal_documents_appeal_id"), ["appeal_id"], unique=False
        )

    op.create_table(
        "appeal_extensions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=48), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=8), nullable=False),
        sa.Column(
            "requested_by",
            sa.Enum("member", "plan", name="extensionrequestedby", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("reason", sa.LargeBinary(), nullable=False),
        sa.Column(
            "notice_method",
            sa.Enum(
                "oral",
                "letter",
                "email",
                "portal",
                "fax",
                name="noticemethod",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("notice_sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("extended_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("extended_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["appeal_id"], ["appeals.id"], name=op.f("fk_appeal_extensions_appeal_id_appeals")
        ),
        sa.ForeignKeyConstraint(
            ["extended_by_id"], ["users.id"], name=op.f("fk_appeal_extensions_extended_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal_extensions")),
        sa.UniqueConstraint("appeal_id", name=op.f("uq_appeal_extensions_appeal_id")),
    )
    op.create_table(
        "appeal_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "acknowledgement",
                "delay_notice",
                "extension",
                "resolution",
                "deemed_exhaustion",
                "withdrawal",
                name="noticekind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "method",
            sa.Enum(
                "oral",
                "letter",
                "email",
                "portal",
                "fax",
                name="noticemethod",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["appeal_id"], ["appeals.id"], name=op.f("fk_appeal_notices_appeal_id_appeals")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_appeal_notices_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal_notices")),
    )
    with op.batch_alter_table("appeal_notices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_appeal_notices_appeal_id"), ["appeal_id"], unique=False
        )

    op.create_table(
        "regulatory_inquiries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column(
            "regulator",
            sa.Enum("dmhc", "oha", "dol", name="regulator", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("response_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("summary", sa.LargeBinary(), nullable=False),
        sa.Column("liaison_id", sa.Integer(), nullable=True),
        sa.Column("appeal_id", sa.Integer(), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "open", "responded", "closed", name="inquirystate", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("response_summary", sa.LargeBinary(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["appeal_id"], ["appeals.id"], name=op.f("fk_regulatory_inquiries_appeal_id_appeals")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_regulatory_inquiries_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_regulatory_inquiries_created_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["liaison_id"], ["users.id"], name=op.f("fk_regulatory_inquiries_liaison_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_regulatory_inquiries_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regulatory_inquiries")),
        sa.UniqueConstraint("case_id", name=op.f("uq_regulatory_inquiries_case_id")),
    )
    with op.batch_alter_table("regulatory_inquiries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_regulatory_inquiries_member_id"), ["member_id"], unique=False
        )

    op.create_table(
        "inquiry_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inquiry_id", sa.Integer(), nullable=False),
        sa.Column(
            "direction",
            sa.Enum("received", "sent", name="direction", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("title", sa.LargeBinary(), nullable=False),
        sa.Column("description", sa.LargeBinary(), nullable=True),
        sa.Column("exchanged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["users.id"], name=op.f("fk_inquiry_documents_added_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["inquiry_id"],
            ["regulatory_inquiries.id"],
            name=op.f("fk_inquiry_documents_inquiry_id_regulatory_inquiries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inquiry_documents")),
    )
    with op.batch_alter_table("inquiry_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inquiry_documents_inquiry_id"), ["inquiry_id"], unique=False
        )

    op.create_table(
        "legal_referrals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("matter_number", sa.String(length=64), nullable=False),
        sa.Column("counsel", sa.String(length=120), nullable=False),
        sa.Column("reason", sa.LargeBinary(), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=True),
        sa.Column("inquiry_id", sa.Integer(), nullable=True),
        sa.Column(
            "state",
            sa.Enum("open", "closed", name="referralstate", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("legal_hold_id", sa.Integer(), nullable=True),
        sa.Column("referred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("referred_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["appeal_id"], ["appeals.id"], name=op.f("fk_legal_referrals_appeal_id_appeals")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_legal_referrals_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["inquiry_id"],
            ["regulatory_inquiries.id"],
            name=op.f("fk_legal_referrals_inquiry_id_regulatory_inquiries"),
        ),
        sa.ForeignKeyConstraint(
            ["legal_hold_id"],
            ["legal_holds.id"],
            name=op.f("fk_legal_referrals_legal_hold_id_legal_holds"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_legal_referrals_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["referred_by_id"], ["users.id"], name=op.f("fk_legal_referrals_referred_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_referrals")),
        sa.UniqueConstraint("case_id", name=op.f("uq_legal_referrals_case_id")),
        sa.UniqueConstraint("matter_number", name=op.f("uq_legal_referrals_matter_number")),
    )
    with op.batch_alter_table("legal_referrals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_legal_referrals_member_id"), ["member_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("legal_referrals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_legal_referrals_member_id"))

    op.drop_table("legal_referrals")
    with op.batch_alter_table("inquiry_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inquiry_documents_inquiry_id"))

    op.drop_table("inquiry_documents")
    with op.batch_alter_table("regulatory_inquiries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_regulatory_inquiries_member_id"))

    op.drop_table("regulatory_inquiries")
    with op.batch_alter_table("appeal_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appeal_notices_appeal_id"))

    op.drop_table("appeal_notices")
    op.drop_table("appeal_extensions")
    with op.batch_alter_table("appeal_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appeal_documents_appeal_id"))

    op.drop_table("appeal_documents")
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.drop_index("ix_appeals_state_received_at")
        batch_op.drop_index(batch_op.f("ix_appeals_member_id"))
        batch_op.drop_index("ix_appeals_aging")

    op.drop_table("appeals")
