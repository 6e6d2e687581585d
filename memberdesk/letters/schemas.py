"""API shapes of the letters domain."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from memberdesk.letters.enums import LetterChannel, LetterKind
from memberdesk.letters.models import Letter


class LetterOut(BaseModel):
    """A letter's details as staff see them (the PDF itself is a separate, audited download)."""

    id: int = Field(description="Letter id")
    kind: LetterKind = Field(description="What the letter tells the member")
    pack: str = Field(description="Policy pack whose rules and rights notice the letter follows")
    language: str = Field(description="Language the letter is written in (ISO 639 code)")
    tagline_first: str | None = Field(
        description="The member's written language when no translation existed (the letter is "
        "in English, the taglines page leads with this language); null otherwise"
    )
    template: str = Field(description="Template version used, e.g. acknowledgement/es/v1")
    rights_template: str = Field(description="Rights-notice template version used")
    template_sha256: str = Field(description="Digest of both templates' text as used")
    subject_type: str = Field(description="What the letter is about: appeal, grievance, …")
    subject_id: int = Field(description="Id of the record the letter is about")
    member_id: int = Field(description="Internal id of the member written to")
    recipient_name: str = Field(description="Name the letter is addressed to")
    recipient_address: list[str] = Field(description="Address lines the letter is sent to")
    to_confidential_address: bool = Field(
        description="Sent to the member's confidential address (Civil Code 56.107)"
    )
    pages: int = Field(description="Pages in the PDF, the taglines page included")
    size_bytes: int = Field(description="Size of the PDF in bytes")
    created_at: datetime = Field(description="When the letter was made (ISO 8601)")
    created_by_id: int | None = Field(description="Staff account that made it (null: system)")
    sent_at: datetime | None = Field(description="When it was sent; null while not yet sent")
    channel: LetterChannel | None = Field(description="How it was sent: mail or portal")


class MyLetterOut(BaseModel):
    """One of the member's own letters, as their portal lists it."""

    id: int = Field(description="Letter number")
    kind: LetterKind = Field(description="What the letter tells you")
    language: str = Field(description="Language of the letter (ISO 639 code)")
    subject_type: str = Field(description="What it is about: appeal, grievance, …")
    subject_id: int = Field(description="Number of the appeal, grievance, … it is about")
    sent_at: datetime = Field(description="When it was sent (ISO 8601)")
    channel: LetterChannel = Field(description="How it was sent: mail or portal")
    pages: int = Field(description="Pages in the PDF")


def letter_out(letter: Letter) -> LetterOut:
    """Staff view of a letter."""
    return LetterOut(
        id=letter.id,
        kind=letter.kind,
        pack=letter.pack,
        language=letter.language,
        tagline_first=letter.tagline_first,
        template=letter.template,
        rights_template=letter.rights_template,
        template_sha256=letter.template_sha256,
        subject_type=letter.subject_type,
        subject_id=letter.subject_id,
        member_id=letter.member_id,
        recipient_name=letter.recipient_name,
        recipient_address=letter.recipient_address.splitlines(),
        to_confidential_address=letter.to_confidential_address,
        pages=letter.pages,
        size_bytes=letter.size_bytes,
        created_at=letter.created_at,
        created_by_id=letter.created_by_id,
        sent_at=letter.sent_at,
        channel=letter.channel,
    )


def my_letter_out(letter: Letter) -> MyLetterOut:
    """Portal view of a sent letter."""
    assert letter.sent_at is not None and letter.channel is not None  # only sent ones are shown
    return MyLetterOut(
        id=letter.id,
        kind=letter.kind,
        language=letter.language,
        subject_type=letter.subject_type,
        subject_id=letter.subject_id,
        sent_at=letter.sent_at,
        channel=letter.channel,
        pages=letter.pages,
    )
