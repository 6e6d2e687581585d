"""The letters table: one row per letter issued, its PDF and addressee stored encrypted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from memberdesk.clock import now
from memberdesk.compliance.crypto import EncryptedString
from memberdesk.db import Base, UTCDateTime
from memberdesk.letters.enums import LetterChannel, LetterKind
from memberdesk.members.models import str_enum


class Letter(Base):
    """A letter to a member about a subject (an appeal, a grievance, …), as it was sent."""

    __tablename__ = "letters"
    __table_args__ = (
        Index("ix_letters_subject", "subject_type", "subject_id"),
        Index("ix_letters_member_id_created_at", "member_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[LetterKind] = mapped_column(str_enum(LetterKind))
    pack: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    # Which template versions made it ("acknowledgement/es/v1", "rights/calchoice/es/v1") and a
    # digest of their text: a letter can be traced to the exact wording reviewed.
    template: Mapped[str] = mapped_column(String(80))
    rights_template: Mapped[str] = mapped_column(String(80))
    template_sha256: Mapped[str] = mapped_column(String(64))
    # Generic: "appeal" + its id today; any domain may write letters about its own records.
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int] = mapped_column(Integer)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    # The member's language was not a translation's: English, with their tagline leading.
    tagline_first: Mapped[str | None] = mapped_column(String(8))
    recipient_name: Mapped[str] = mapped_column(EncryptedString("letters.recipient_name"))
    recipient_address: Mapped[str] = mapped_column(EncryptedString("letters.recipient_address"))
    # Civil Code 56.107: addressed to the member's confidential address.
    to_confidential_address: Mapped[bool] = mapped_column(Boolean, default=False)
    # The PDF as base64, AES-GCM encrypted like every PHI column (key rotation included).
    pdf: Mapped[str] = mapped_column(EncryptedString("letters.pdf"))
    size_bytes: Mapped[int] = mapped_column(Integer)
    pages: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    channel: Mapped[LetterChannel | None] = mapped_column(str_enum(LetterChannel))
