"""Opening a case from the member page, and the member page's "Open cases" card (each open
case with its next deadline counting down). Same services and audit as the API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from memberdesk.cases import queries, service, ui_views
from memberdesk.cases import words as case_words
from memberdesk.cases.enums import CaseType, Priority
from memberdesk.cases.schemas import CaseIn
from memberdesk.cases.ui_forms import plain, sentence
from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import AuditAction, Permission
from memberdesk.db import DbRoute, ReadingSessionDep, SessionDep
from memberdesk.errors import MemberdeskError
from memberdesk.members import access as members_access
from memberdesk.members import service as members_service
from memberdesk.schemas import id_path
from memberdesk.web.pages import render

router = APIRouter(include_in_schema=False, route_class=DbRoute)
Writer = Annotated[Principal, requires(Permission.CASE_WRITE)]
MemberId = Annotated[int, id_path("member")]


def _open_form(
    request: Request,
    session: Session,
    principal: Principal,
    member_id: int,
    *,
    status: int = 200,
    errors: list[str] | None = None,
    typed: dict[str, str] | None = None,
) -> HTMLResponse:
    member = members_service.get_member(session, member_id)
    members_access.record_read(session, audit_ctx(request, principal), member, request.url.path)
    session.commit()
    return render(
        request,
        "cases/open.html",
        principal,
        status=status,
        member={"id": member.id, "name": ui_views.member_name(member)},
        types=[(t.value, case_words.CASE_TYPES[t]) for t in CaseType],
        priorities=[(p.value, case_words.PRIORITIES[p]) for p in Priority],
        errors=errors or [],
        typed=typed or {"priority": Priority.NORMAL.value},
    )


@router.get("/members/{member_id}/cases/new")
def open_case_page(
    member_id: MemberId, request: Request, session: ReadingSessionDep, principal: Writer
) -> HTMLResponse:
    """The "Open a case" form: what it is about, priority, summary."""
    return _open_form(request, session, principal, member_id)


@router.post("/members/{member_id}/cases")
def open_case(
    member_id: MemberId,
    request: Request,
    session: SessionDep,
    principal: Writer,
    case_type: Annotated[str, Form()] = "",
    priority: Annotated[str, Form()] = "normal",
    summary: Annotated[str, Form()] = "",
) -> Response:
    """Open a Tier 1 case for the member; on to its page."""
    typed = {"case_type": case_type, "priority": priority, "summary": summary}
    try:
        body = CaseIn.model_validate(
            {
                "member_id": member_id,
                "case_type": case_type,
                "priority": priority,
                "summary": summary,
            }
        )
        case = service.create_case(
            session,
            audit_ctx(request, principal),
            member_id=body.member_id,
            case_type=body.case_type,
            summary=body.summary,
            priority=body.priority,
            contact_id=None,
            at=now(),
        )
    except ValidationError as exc:
        errors, status = plain(exc.errors()), 422
    except MemberdeskError as exc:
        errors, status = [sentence(exc.message)], exc.status_code
    else:
        session.commit()
        return RedirectResponse(f"/cases/{case.id}?done=opened", status_code=303)
    return _open_form(
        request, session, principal, member_id, status=status, errors=errors, typed=typed
    )


# --- the member page's "Open cases" ------------------------------------------------------------


def member_open_cases(
    session: Session, ctx: AuditContext, member_id: int, at: datetime
) -> list[dict[str, Any]]:
    """The member's open cases for the member 360, each with its next deadline (audited)."""
    rows = list(queries.member_open_cases(session, member_id))
    if rows:
        audit.record(
            session,
            ctx,
            AuditAction.CASE_LISTED,
            object_type="member",
            object_id=member_id,
            member_ids=[member_id],
            detail={"cases": [c.id for c in rows][:200]},
        )
    names = ui_views.usernames(session, [c.assignee_id for c in rows])
    return [ui_views.case_line(c, at, names) for c in rows]
