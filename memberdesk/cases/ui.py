"""The case pages of the agent desktop: open a case from the member page, and the case page with
its clocks, checklist, notes, state, escalation, transfers, documents and linked contacts.

Every read and change goes through the audited services (``service``, ``records``, ``work``,
``documents``); forms work without JavaScript (Post/Redirect/Get) and carry the CSRF token. "My
work", get-next and the supervisor console are in ``ui_work``, the member portal in ``portal``.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from memberdesk.cases import documents, records, service, ui_open, ui_views, ui_work
from memberdesk.cases import words as case_words
from memberdesk.cases.enums import CaseState
from memberdesk.cases.models import Case
from memberdesk.cases.schemas import DeescalateIn, EscalateIn, NoteIn, StateIn, TransferIn
from memberdesk.cases.states import ALLOWED, missing_steps
from memberdesk.cases.ui_forms import PageRefusal, plain, sentence
from memberdesk.cases.work import request_transfer
from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import AuditAction, Permission
from memberdesk.db import DbRoute, ReadingSessionDep, SessionDep
from memberdesk.errors import MemberdeskError
from memberdesk.kb import desk as kb_desk
from memberdesk.schemas import id_path
from memberdesk.web.pages import allows, render

router = APIRouter(include_in_schema=False, route_class=DbRoute)
router.include_router(ui_work.router)
router.include_router(ui_open.router)
Reader = Annotated[Principal, requires(Permission.CASE_READ)]
Writer = Annotated[Principal, requires(Permission.CASE_WRITE)]
CaseId = Annotated[int, id_path("case")]
MemberId = Annotated[int, id_path("member")]
DocumentId = Annotated[int, id_path("document")]

# Fixed sentences after a form succeeded (the URL carries only the code).
DONE = {
    "opened": "Case opened. Its checklist and deadlines are below.",
    "note": "Note added.",
    "step": "Step ticked.",
    "state": "State changed.",
    "escalated": "Case escalated. It now waits in the next tier's queue.",
    "deescalated": "Case de-escalated.",
    "transfer": "Transfer offered. The case moves when the receiver accepts.",
    "document": "Document added.",
    "linked": "Contact linked to the case.",
    "next": "Get next gave you this case. It is yours now.",
    "accepted": "Transfer accepted. The case is yours now.",
}


def _read(session: Session, request: Request, principal: Principal, case: Case) -> None:
    audit.record(
        session,
        audit_ctx(request, principal),
        AuditAction.CASE_READ,
        object_type="case",
        object_id=case.id,
        member_ids=[case.member_id],
        detail={"path": request.url.path[:120]},
    )


def _page(
    request: Request,
    session: Session,
    principal: Principal,
    case: Case,
    *,
    status: int = 200,
    done: str | None = None,
    errors: dict[str, list[str]] | None = None,
    typed: dict[str, Any] | None = None,
) -> HTMLResponse:
    view = ui_views.case_page(session, case, now(), principal.user_id)
    kb = kb_desk.for_case(session, case, now()) if allows(principal, Permission.KB_READ) else None
    _read(session, request, principal, case)
    session.commit()
    return render(
        request,
        "cases/case.html",
        principal,
        status=status,
        done=DONE.get(done or ""),
        errors=errors or {},
        typed=typed or {},
        kb=kb,
        **view,
    )


@router.get("/cases/{case_id}")
def case_page(
    case_id: CaseId,
    request: Request,
    session: ReadingSessionDep,
    principal: Reader,
    done: str | None = None,
) -> HTMLResponse:
    """The case: summary, member, state, tier, queue, owner, live clocks and its records."""
    case = service.get_case(session, case_id)
    return _page(request, session, principal, case, done=done)


Action = Callable[[Case, AuditContext, datetime], None]


def _act(
    request: Request,
    session: Session,
    principal: Principal,
    case_id: int,
    section: str,
    done: str,
    action: Action,
    typed: dict[str, Any],
) -> Response:
    """Run one change on the case; on success back to the page (PRG), else the page again with
    the problem said in words next to the form, nothing changed."""
    case = service.get_case(session, case_id, lock=True)
    try:
        action(case, audit_ctx(request, principal), now())
    except ValidationError as exc:
        problems, status = plain(exc.errors()), 422
    except PageRefusal as exc:
        problems, status = [exc.message], exc.status
    except MemberdeskError as exc:
        problems, status = [sentence(exc.message)], exc.status_code
    else:
        session.commit()
        return RedirectResponse(f"/cases/{case.id}?done={done}#{section}", status_code=303)
    return _page(
        request,
        session,
        principal,
        case,
        status=status,
        errors={section: problems},
        typed=typed,
    )


def _text(value: str) -> str | None:
    return value.strip() or None


@router.post("/cases/{case_id}/notes")
def add_note(
    case_id: CaseId,
    request: Request,
    session: SessionDep,
    principal: Writer,
    text: Annotated[str, Form()] = "",
    corrects: Annotated[str, Form()] = "",
) -> Response:
    """Append a note; a correction is an addendum naming the note it corrects."""

    def act(case: Case, ctx: AuditContext, at: datetime) -> None:
        body = NoteIn.model_validate(
            {"text": text, "corrects": int(corrects) if corrects.isdigit() else None}
        )
        records.add_note(session, ctx, case, body.text, body.corrects, at)

    typed = {"text": text, "corrects": corrects}
    return _act(request, session, principal, case_id, "notes", "note", act, typed)


@router.post("/cases/{case_id}/checklist/{step_id}")
def tick_step(
    case_id: CaseId, step_id: str, request: Request, session: SessionDep, principal: Writer
) -> Response:
    """Tick a checklist step (an unknown step is a 404)."""

    def act(case: Case, ctx: AuditContext, at: datetime) -> None:
        records.tick_step(session, ctx, case, step_id[:48], at)

    return _act(request, session, principal, case_id, "checklist", "step", act, {})


def _state_refusal(case: Case, wanted: CaseState, session: Session) -> None:
    """Say in words why the move is refused before the service is asked."""
    if wanted not in ALLOWED[case.state]:
        raise PageRefusal(
            f"A case that is {case_words.STATES[case.state].lower()} cannot move to "
            f"{case_words.STATES[wanted].lower()}."
        )
    if wanted is CaseState.RESOLVED:
        steps = service.steps_of(session, case.id)
        missing = set(missing_steps((s.step_id, s.required, s.done_at is not None) for s in steps))
        if missing:
            labels = [s.label for s in steps if s.step_id in missing]
            raise PageRefusal(
                "The case cannot be resolved until these required steps are ticked: "
                + "; ".join(labels)
                + "."
            )


@router.post("/cases/{case_id}/state")
def change_state(
    case_id: CaseId,
    request: Request,
    session: SessionDep,
    principal: Writer,
    state: Annotated[str, Form()] = "",
    rationale: Annotated[str, Form()] = "",
) -> Response:
    """Move the case on (resolving needs a rationale and every required step ticked)."""

    def act(case: Case, ctx: AuditContext, at: datetime) -> None:
        body = StateIn.model_validate({"state": state, "rationale": _text(rationale)})
        if body.state is CaseState.RESOLVED and body.rationale is None:
            raise PageRefusal(
                "Write the decision rationale: why the case is resolved and what was done.", 422
            )
        _state_refusal(case, body.state, session)
        service.change_state(session, ctx, case, body.state, body.rationale, at)

    typed = {"state": state, "rationale": rationale}
    return _act(request, session, principal, case_id, "state", "state", act, typed)


@router.post("/cases/{case_id}/escalate")
def escalate(
    case_id: CaseId,
    request: Request,
    session: SessionDep,
    principal: Writer,
    reason: Annotated[str, Form()] = "",
    rationale: Annotated[str, Form()] = "",
) -> Response:
    """One tier up, with the reason and the decision rationale (both required)."""

    def act(case: Case, ctx: AuditContext, at: datetime) -> None:
        body = EscalateIn.model_validate({"reason": reason, "rationale": rationale})
        if body.reason.value not in {v for v, _ in ui_views.escalation_reasons(case)}:
            raise PageRefusal(
                "From Tier 2 a case goes to Tier 3 only for a formal appeal, a regulatory "
                "matter or a legal matter."
            )
        service.escalate(session, ctx, case, body.reason, body.rationale, at)

    typed = {"reason": reason, "escalate_rationale": rationale}
    return _act(request, session, principal, case_id, "escalate", "escalated", act, typed)


@router.post("/cases/{case_id}/deescalate")
def deescalate(
    case_id: CaseId,
    request: Request,
    session: SessionDep,
    principal: Writer,
    rationale: Annotated[str, Form()] = "",
) -> Response:
    """One tier down, with the decision rationale."""

    def act(case: Case, ctx: AuditContext, at: datetime) -> None:
        body = DeescalateIn.model_validate({"rationale": rationale})
        service.deescalate(session, ctx, case, body.rationale, at)

    typed = {"deescalate_rationale": rationale}
    return _act(request, session, principal, case_id, "escalate", "deescalated", act, typed)


def _receiver(value: str) -> dict[str, int | None]:
    """``person:12`` or ``queue:3`` from the transfer form's one select."""
    kind, _, ident = value.partition(":")
    number = int(ident) if ident.isdigit() and len(ident) < 10 else None
    return {
        "to_user_id": number if kind == "person" else None,
        "to_queue_id": number if kind == "queue" else None,
    }


@router.post("/cases/{case_id}/transfers")
def transfer(
    case_id: CaseId,
    request: Request,
    session: SessionDep,
    principal: Writer,
    to: Annotated[str, Form()] = "",
    warm: Annotated[str, Form()] = "yes",
    context_summary: Annotated[str, Form()] = "",
    member_question: Annotated[str, Form()] = "",
) -> Response:
    """Offer the case to a person or a queue; warm transfers carry the member's question."""

    def act(case: Case, ctx: AuditContext, at: datetime) -> None:
        body = TransferIn.model_validate(
            {
                **_receiver(to),
                "context_summary": context_summary,
                "member_question": _text(member_question),
                "warm": warm != "no",
            }
        )
        request_transfer(
            session,
            ctx,
            case,
            to_user_id=body.to_user_id,
            to_queue_id=body.to_queue_id,
            context_summary=body.context_summary,
            member_question=body.member_question,
            warm=body.warm,
            at=at,
        )

    typed = {
        "to": to,
        "warm": warm,
        "context_summary": context_summary,
        "member_question": member_question,
    }
    return _act(request, session, principal, case_id, "transfer", "transfer", act, typed)


@router.post("/cases/{case_id}/contacts")
def link_contact(
    case_id: CaseId,
    request: Request,
    session: SessionDep,
    principal: Writer,
    contact_id: Annotated[str, Form()] = "",
) -> Response:
    """Link one of the member's contacts to the case."""

    def act(case: Case, ctx: AuditContext, at: datetime) -> None:
        if not contact_id.isdigit() or len(contact_id) > 12:
            raise PageRefusal("Choose one of the member's contacts.", 422)
        records.link_contact(session, ctx, case, int(contact_id), at)

    return _act(request, session, principal, case_id, "contacts", "linked", act, {})


@router.post("/cases/{case_id}/documents")
def upload_document(
    case_id: CaseId,
    request: Request,
    session: SessionDep,
    principal: Writer,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Add a document (PDF, PNG, JPEG, TIFF or plain text), stored encrypted."""
    limit = int(request.app.state.settings.case_document_max_bytes)
    data = file.file.read(limit + 1) if file is not None else b""
    name = ((file.filename if file else None) or "document").strip()[:200] or "document"

    def act(case: Case, ctx: AuditContext, at: datetime) -> None:
        if not data:
            raise PageRefusal("Choose a file to upload.", 422)
        if len(data) > limit:
            raise PageRefusal(f"The file is larger than {limit // 1024:,} KB.", 422)
        if documents.sniff(data) is None:
            raise PageRefusal("Upload a PDF, PNG, JPEG, TIFF or plain-text file.", 422)
        encoded = base64.b64encode(data).decode("ascii")
        documents.add_document(session, ctx, case, name, encoded, limit, at)

    return _act(request, session, principal, case_id, "documents", "document", act, {})


@router.get("/cases/{case_id}/documents/{document_id}")
def download_document(
    case_id: CaseId,
    document_id: DocumentId,
    request: Request,
    session: ReadingSessionDep,
    principal: Reader,
) -> Response:
    """The file as uploaded; every download is audited."""
    case = service.get_case(session, case_id)
    doc, data = documents.download(session, audit_ctx(request, principal), case, document_id)
    session.commit()
    return Response(
        content=data,
        media_type=doc.content_type,
        headers={"Content-Disposition": f'attachment; filename="document-{doc.id}"'},
    )
