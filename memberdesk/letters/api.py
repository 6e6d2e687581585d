"""JSON routes of letters: staff read a letter's details and its PDF (``appeal.read``); a
member reads the letters sent to them (``self.read``). Every read is audited."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response

from memberdesk.compliance import audit
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import AuditAction, Permission
from memberdesk.db import DbRoute, ReadingSessionDep
from memberdesk.errors import NotFound
from memberdesk.letters import service
from memberdesk.letters.models import Letter
from memberdesk.letters.schemas import LetterOut, MyLetterOut, letter_out, my_letter_out
from memberdesk.members.api import own_member_id
from memberdesk.schemas import id_path

router = APIRouter(prefix="/api", route_class=DbRoute)
LetterId = Annotated[int, id_path("letter")]
Reader = Annotated[Principal, requires(Permission.APPEAL_READ)]
SelfReader = Annotated[Principal, requires(Permission.SELF_READ)]
LETTERS: list[str | Enum] = ["letters"]
PORTAL: list[str | Enum] = ["member portal"]
PDF_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The letter as PDF",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }
}


def _pdf(letter_id: int, data: bytes) -> Response:
    return Response(
        content=data,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="letter-{letter_id}.pdf"',
            "Cache-Control": "no-store",  # PHI: never kept by a browser or proxy
        },
    )


@router.get("/letters/{letter_id}", response_model=LetterOut, summary="A letter", tags=LETTERS)
def get_letter(
    letter_id: LetterId, session: ReadingSessionDep, request: Request, principal: Reader
) -> LetterOut:
    """Kind, language, template versions, addressee, and when and how it was sent (audited)."""
    letter = service.read(session, audit_ctx(request, principal), letter_id)
    out = letter_out(letter)
    session.commit()
    return out


@router.get(
    "/letters/{letter_id}/pdf",
    response_class=Response,
    summary="A letter's PDF",
    tags=LETTERS,
    responses=PDF_RESPONSE,
)
def letter_pdf(
    letter_id: LetterId, session: ReadingSessionDep, request: Request, principal: Reader
) -> Response:
    """The letter as it was sent; every download is audited (``letter.downloaded``)."""
    data = service.pdf_of(session, audit_ctx(request, principal), letter_id)
    session.commit()
    return _pdf(letter_id, data)


def _own_sent(session: ReadingSessionDep, principal: Principal, letter_id: int) -> Letter:
    letter = session.get(Letter, letter_id)
    # Another member's letter, or one not sent yet, does not exist as far as this member knows.
    if letter is None or letter.member_id != own_member_id(principal) or letter.sent_at is None:
        raise NotFound("you have no letter with this number", field="path.letter_id")
    return letter


@router.get("/me/letters", response_model=list[MyLetterOut], summary="My letters", tags=PORTAL)
def my_letters(
    session: ReadingSessionDep, request: Request, principal: SelfReader
) -> list[MyLetterOut]:
    """The letters sent to the signed-in member, newest first (the listing is audited)."""
    member_id = own_member_id(principal)
    rows = service.sent_to_member(session, member_id)
    if rows:
        audit.record(
            session,
            audit_ctx(request, principal),
            AuditAction.LETTER_READ,
            object_type="member",
            object_id=member_id,
            member_ids=[member_id],
            detail={"letters": [r.id for r in rows], "portal": True},
        )
    out = [my_letter_out(r) for r in rows]
    session.commit()
    return out


@router.get(
    "/me/letters/{letter_id}/pdf",
    response_class=Response,
    summary="One of my letters",
    tags=PORTAL,
    responses=PDF_RESPONSE,
)
def my_letter_pdf(
    letter_id: LetterId, session: ReadingSessionDep, request: Request, principal: SelfReader
) -> Response:
    """A letter sent to the signed-in member, as PDF (audited); another member's is a 404."""
    letter = _own_sent(session, principal, letter_id)
    data = service.pdf_of(session, audit_ctx(request, principal), letter.id)
    session.commit()
    return _pdf(letter.id, data)
