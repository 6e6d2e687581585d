"""Case documents: type checked by content (not by the name or the header the client sends),
size bounded, stored encrypted, every download audited.

Five formats are accepted, each recognised by its leading bytes; no library is used for so
small and fixed a list (a general MIME sniffer would accept far more than is wanted here).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.cases.models import Case, CaseDocument
from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction
from memberdesk.errors import InvalidInput, NotFound

SIGNATURES: list[tuple[bytes, str]] = [
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
]
TEXT = "text/plain"
MEDIA_TYPES = sorted({m for _, m in SIGNATURES} | {TEXT})
FIELD = "body.content_base64"


def sniff(data: bytes) -> str | None:
    """The media type the bytes are, among the accepted ones (None: not accepted)."""
    for magic, media in SIGNATURES:
        if data.startswith(magic):
            return media
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    printable = all(ch.isprintable() or ch in "\r\n\t\f" for ch in text)
    return TEXT if text and printable else None


def decode(content_base64: str, max_bytes: int) -> tuple[bytes, str]:
    """The file's bytes and media type, or a 422 naming the field and the rule."""
    # Reject before decoding anything far larger than allowed (base64 is 4 chars per 3 bytes).
    if len(content_base64) > (max_bytes + 2) // 3 * 4 + 4:
        raise InvalidInput(f"the document is larger than {max_bytes} bytes", field=FIELD)
    try:
        data = base64.b64decode(content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("must be base64 (RFC 4648)", field=FIELD) from None
    if not data:
        raise InvalidInput("the document is empty", field=FIELD)
    if len(data) > max_bytes:
        raise InvalidInput(f"the document is larger than {max_bytes} bytes", field=FIELD)
    media = sniff(data)
    if media is None:
        raise InvalidInput("must be a PDF, PNG, JPEG, TIFF or plain-text file", field=FIELD)
    return data, media


def stored(content_base64: str, max_bytes: int) -> dict[str, str | int]:
    """A document's stored columns (``content``, ``content_type``, ``size_bytes``, ``sha256``)
    from what the client sent, checked as ``decode`` checks it."""
    data, media = decode(content_base64, max_bytes)
    return {
        "content": base64.b64encode(data).decode("ascii"),
        "content_type": media,
        "size_bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def add_document(
    session: Session,
    ctx: AuditContext,
    case: Case,
    filename: str,
    content_base64: str,
    max_bytes: int,
    at: datetime,
) -> CaseDocument:
    """Store a document on the case, encrypted."""
    doc = CaseDocument(
        case_id=case.id,
        filename=filename,
        uploaded_by_id=ctx.actor_id,
        uploaded_at=at,
        **stored(content_base64, max_bytes),
    )
    session.add(doc)
    session.flush()
    audit.record(
        session,
        ctx,
        AuditAction.CASE_DOCUMENT_ADDED,
        object_type="case_document",
        object_id=doc.id,
        member_ids=[case.member_id],
        detail={"case_id": case.id, "content_type": doc.content_type, "size_bytes": doc.size_bytes},
    )
    return doc


def list_documents(session: Session, case_id: int) -> list[CaseDocument]:
    """The case's documents, oldest first."""
    return list(
        session.scalars(
            select(CaseDocument).where(CaseDocument.case_id == case_id).order_by(CaseDocument.id)
        )
    )


def download(
    session: Session, ctx: AuditContext, case: Case, document_id: int
) -> tuple[CaseDocument, bytes]:
    """The document and its bytes; the download is audited."""
    doc = session.get(CaseDocument, document_id)
    if doc is None or doc.case_id != case.id:
        raise NotFound("this case has no document with this id", field="path.document_id")
    data = base64.b64decode(doc.content)
    audit.record(
        session,
        ctx,
        AuditAction.DOCUMENT_DOWNLOAD,
        object_type="case_document",
        object_id=doc.id,
        member_ids=[case.member_id],
        detail={"case_id": case.id},
    )
    return doc, data
