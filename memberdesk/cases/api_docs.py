"""JSON routes of case documents: upload (type checked by content), list, download (audited)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from memberdesk.cases import documents, service
from memberdesk.cases.models import CaseDocument
from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import AuditAction, Permission
from memberdesk.db import DbRoute, ReadingSessionDep, SessionDep
from memberdesk.schemas import id_path

router = APIRouter(prefix="/api", route_class=DbRoute)
DOCS: list[str | Enum] = ["cases"]
CaseId = Annotated[int, id_path("case")]
DocumentId = Annotated[int, id_path("document")]
Reader = Annotated[Principal, requires(Permission.CASE_READ)]
Writer = Annotated[Principal, requires(Permission.CASE_WRITE)]


class DocumentIn(BaseModel):
    """A document exchanged with the member (PDF, PNG, JPEG, TIFF or plain text)."""

    model_config = ConfigDict(extra="forbid")

    filename: str = Field(min_length=1, max_length=200, description="File name (PHI, encrypted)")
    content_base64: str = Field(
        min_length=1, description="The file, base64-encoded; its type is read from its content"
    )


class DocumentOut(BaseModel):
    id: int = Field(description="Document id")
    case_id: int = Field(description="The case")
    filename: str = Field(description="File name")
    content_type: str = Field(description="Media type, as read from the content")
    size_bytes: int = Field(description="Size of the file")
    sha256: str = Field(description="SHA-256 of the file")
    uploaded_by_id: int | None = Field(description="Who uploaded it")
    uploaded_at: datetime = Field(description="When")


def _out(doc: CaseDocument) -> DocumentOut:
    return DocumentOut(
        id=doc.id,
        case_id=doc.case_id,
        filename=doc.filename,
        content_type=doc.content_type,
        size_bytes=doc.size_bytes,
        sha256=doc.sha256,
        uploaded_by_id=doc.uploaded_by_id,
        uploaded_at=doc.uploaded_at,
    )


@router.post(
    "/cases/{case_id}/documents",
    response_model=DocumentOut,
    status_code=201,
    summary="Add a document",
    tags=DOCS,
)
def add_document(
    case_id: CaseId, body: DocumentIn, session: SessionDep, request: Request, principal: Writer
) -> DocumentOut:
    """Stored encrypted. 422 naming ``content_base64`` for a file over the size limit
    (``MEMBERDESK_CASE_DOCUMENT_MAX_BYTES``) or of another type."""
    case = service.get_case(session, case_id)
    doc = documents.add_document(
        session,
        audit_ctx(request, principal),
        case,
        body.filename,
        body.content_base64,
        int(request.app.state.settings.case_document_max_bytes),
        now(),
    )
    out = _out(doc)
    session.commit()
    return out


@router.get(
    "/cases/{case_id}/documents",
    response_model=list[DocumentOut],
    summary="A case's documents",
    tags=DOCS,
)
def list_documents(
    case_id: CaseId, session: ReadingSessionDep, request: Request, principal: Reader
) -> list[DocumentOut]:
    """Names, types and sizes (the list is audited as a read of the case)."""
    case = service.get_case(session, case_id)
    out = [_out(d) for d in documents.list_documents(session, case.id)]
    audit.record(
        session,
        audit_ctx(request, principal),
        AuditAction.CASE_READ,
        object_type="case",
        object_id=case.id,
        member_ids=[case.member_id],
        detail={"path": request.url.path[:120]},
    )
    session.commit()
    return out


@router.get(
    "/cases/{case_id}/documents/{document_id}",
    response_class=Response,
    summary="Download a document",
    tags=DOCS,
    responses={
        200: {
            "description": "The file",
            "content": {
                m: {"schema": {"type": "string", "format": "binary"}} for m in documents.MEDIA_TYPES
            },
        }
    },
)
def download(
    case_id: CaseId,
    document_id: DocumentId,
    session: ReadingSessionDep,
    request: Request,
    principal: Reader,
) -> Response:
    """The file as uploaded; every download is audited (``document.download``)."""
    case = service.get_case(session, case_id)
    doc, data = documents.download(session, audit_ctx(request, principal), case, document_id)
    session.commit()
    return Response(
        content=data,
        media_type=doc.content_type,
        headers={"Content-Disposition": f'attachment; filename="document-{doc.id}"'},
    )
