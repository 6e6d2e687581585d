"""The enrolment exchange's routes: an 834 upload (``enroll.import``) and 270 inquiries
answered with a 271 (``x12.eligibility``). Both take X12 text as the request body."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request, Response
from fastapi.responses import JSONResponse

from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import AuditAction, Permission
from memberdesk.db import DbRoute, SessionDep
from memberdesk.enroll.inquiry import answer_270
from memberdesk.enroll.schemas import ImportOut, RejectedOut
from memberdesk.enroll.service import import_834
from memberdesk.enroll.x12 import X12Rejected, ta1

router = APIRouter(prefix="/api", route_class=DbRoute)
TAGS: list[str | Enum] = ["enrolment exchange"]
EDI = "application/edi-x12"
MAX_BYTES = 200 * 1024 * 1024
Importer = Annotated[Principal, requires(Permission.ENROLL_IMPORT)]
Inquirer = Annotated[Principal, requires(Permission.X12_ELIGIBILITY)]
X12Body = Annotated[
    bytes,
    # Declared as text/plain, which every client and the fuzzer can send; application/edi-x12
    # (what X12 gateways send) is read the same way.
    Body(media_type="text/plain", description="The X12 interchange (ISA ... IEA) as text"),
]
_X12_TEXT: dict[int | str, dict[str, Any]] = {
    200: {"content": {EDI: {"schema": {"type": "string"}}}, "description": "The 271"},
    400: {
        "content": {EDI: {"schema": {"type": "string"}}},
        "description": "A 999 (or a TA1 when the envelope is unreadable): nothing answered",
    },
}


def _too_big(raw: bytes) -> bool:
    return len(raw) > MAX_BYTES


@router.post(
    "/enroll/834",
    response_model=ImportOut,
    summary="Import an 834 enrolment file",
    tags=TAGS,
    responses={422: {"model": RejectedOut, "description": "Refused whole: nothing applied"}},
)
def upload_834(
    body: X12Body,
    session: SessionDep,
    request: Request,
    principal: Importer,
    dry_run: bool = False,
) -> Any:
    """Apply an 834 (005010X220A1) all or nothing; the same file twice changes nothing.
    ``dry_run`` reports what would change. Refused: 422 with each problem's segment, position
    and loop, and the 999 to send back."""
    try:
        if _too_big(body):
            raise X12Rejected([])
        report = import_834(session, body, dry_run=dry_run)
    except X12Rejected as exc:
        # Refused files are planned only (nothing was written): the refusal is recorded alone.
        audit.record(
            session,
            audit_ctx(request, principal),
            AuditAction.ENROLL_FILE_REJECTED,
            object_type="enrollment_file",
            detail={"problems": len(exc.problems), "dry_run": dry_run},
        )
        session.commit()
        detail = [
            {
                "loc": ["body", p.segment or "ISA", p.position or 0],
                "msg": p.as_text(),
                "type": "x12_rejected",
            }
            for p in exc.problems
        ] or [{"loc": ["body"], "msg": "the file is too large", "type": "x12_rejected"}]
        return JSONResponse({"detail": detail, "ack": exc.ack or ta1(None, now())}, status_code=422)
    if not dry_run:
        audit.record(
            session,
            audit_ctx(request, principal),
            AuditAction.ENROLL_FILE_APPLIED,
            object_type="enrollment_file",
            object_id=report.file_id,
            detail={
                "control": report.envelope.control_number,
                "uploaded": True,
                "already_applied": report.already_applied,
            },
        )
        session.commit()
    return ImportOut(
        control=report.envelope.control_number,
        kind=report.kind,
        members=report.members,
        dry_run=dry_run,
        already_applied=report.already_applied,
        file_id=report.file_id,
        counts=report.counts,
        changes=[c.as_dict() for c in report.changes] if dry_run else [],  # type: ignore[misc]
    )


@router.post(
    "/x12/270",
    summary="Answer a 270 eligibility inquiry with a 271",
    tags=TAGS,
    response_class=Response,
    responses=_X12_TEXT,
)
def inquiry_270(
    body: X12Body, session: SessionDep, request: Request, principal: Inquirer
) -> Response:
    """A 271 (005010X279A1) for every member the 270 asks about: active or inactive, plan,
    dates and, when not covered, why; each answer audited as a disclosure. A 270 that cannot
    be read: 400 with a 999 (or a TA1 for a broken envelope)."""
    try:
        if _too_big(body):
            raise X12Rejected([], envelope=True)
        text, _ = answer_270(session, body, audit_ctx(request, principal))
    except X12Rejected as exc:
        ack = exc.ack if exc.ack and not exc.envelope else ta1(None, now())
        return Response(ack, status_code=400, media_type=EDI)
    session.commit()
    return Response(text, media_type=EDI)
