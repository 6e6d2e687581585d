"""The regulatory-inquiry pages: the list (the regulator's deadline first, overdue on top,
countdowns in words), recording an inquiry, and the inquiry page (its clock, the liaison, the
documents exchanged, the response, closing).

The same services, permissions and audit as ``/api/regulatory-inquiries``; forms work without
JavaScript (Post/Redirect/Get) and carry the CSRF token; a refusal is said in words beside its
field, with nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import case, select
from sqlalchemy.orm import Session

from memberdesk.appeals import inquiry_views, tier3, words
from memberdesk.appeals.api_tier3 import record_read
from memberdesk.appeals.enums import InquiryState
from memberdesk.appeals.models import RegulatoryInquiry
from memberdesk.appeals.tier3_schemas import InquiryDocumentIn, InquiryIn, ResponseIn
from memberdesk.cases.ui_forms import sentence
from memberdesk.clock import now
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import AuditAction, Permission
from memberdesk.db import DbRoute, ReadingSessionDep, SessionDep
from memberdesk.errors import InvalidInput, MemberdeskError
from memberdesk.members.packs import pack_for
from memberdesk.schemas import id_path
from memberdesk.sla.packs import zone_of
from memberdesk.web.pages import render

router = APIRouter(include_in_schema=False, route_class=DbRoute)
Reader = Annotated[Principal, requires(Permission.APPEAL_READ)]
Writer = Annotated[Principal, requires(Permission.APPEAL_WRITE)]
InquiryId = Annotated[int, id_path("regulatory inquiry")]
LIST_SIZE = 200
KIND = "regulatory_inquiry"
SHOW = {"open": "Not closed", "closed": "Closed", "all": "All"}
# Words for a problem, by the form field (or the part of the page) it belongs to.
HELP = {
    "member_number": "No member has this member ID. Type it as it is on the member's card.",
    "regulator": "Choose the regulator that sent it.",
    "reference": "Type the regulator's reference: letters, digits and . / # - only.",
    "received_at": "Enter when it was received, not later than now.",
    "response_due_at": "Enter the deadline the regulator set: after the time it was received.",
    "summary": "Write what the regulator forwarded (up to 4,000 characters).",
    "appeal_id": "No appeal of this member has this number.",
    "liaison_id": "Choose a staff member who works cases.",
    "direction": "Say whether it was received or sent.",
    "title": "Say what the document is (up to 200 characters).",
    "description": "Notes can be up to 4,000 characters.",
    "exchanged_at": "Enter when it was exchanged, not later than now (or leave it empty).",
    "response": "Write what was answered (up to 4,000 characters).",
    "responded_at": "Enter when the answer was sent: after the inquiry arrived and not later "
    "than now (or leave it empty).",
}
# The service names a body field; the form calls it this.
FORM_FIELD = {
    "member_id": "member_number",
    "user_id": "liaison_id",
    "liaison_id": "liaison_id",
}
# A conflict in one part of the page, said for that part (the record moved on meanwhile).
CONFLICTS = {"response_state": "This inquiry has been answered already."}
DONE = {
    "received": "Recorded. The regulator's deadline is below; the SLA worker warns before it.",
    "liaison": "Liaison assigned.",
    "document": "Document recorded.",
    "responded": "Response recorded. Close the inquiry when the regulator closes its file.",
    "closed": "Inquiry closed.",
}


def problems(
    exc: Exception, helps: dict[str, str], rename: dict[str, str] | None = None
) -> dict[str, str]:
    """A refusal (validation or the service's) as words keyed by the form field it names."""
    names = {**FORM_FIELD, **(rename or {})}
    out: dict[str, str] = {}
    if isinstance(exc, ValidationError):
        for err in exc.errors():
            field = next((str(p) for p in reversed(err["loc"]) if str(p) != "body"), "")
            field = names.get(field, field)
            out.setdefault(field, helps.get(field, sentence(str(err["msg"]))))
    elif isinstance(exc, MemberdeskError):
        where, _, field = (exc.field or "").rpartition(".")
        field = names.get(field, field)
        # A conflict (a record's state, a number already used) is said in the service's words.
        plain = where == "path" or exc.status_code == 409
        out[field] = sentence(exc.message) if plain else helps.get(field, sentence(exc.message))
    return out


def _ordered(show: str) -> Any:
    stmt = select(RegulatoryInquiry)
    if show == "open":
        stmt = stmt.where(RegulatoryInquiry.state != InquiryState.CLOSED)
    elif show == "closed":
        stmt = stmt.where(RegulatoryInquiry.state == InquiryState.CLOSED)
    # Waiting for an answer first, each group by the regulator's deadline: overdue on top.
    waiting = case((RegulatoryInquiry.state == InquiryState.OPEN, 0), else_=1)
    return stmt.order_by(waiting, RegulatoryInquiry.response_due_at, RegulatoryInquiry.id)


@router.get("/appeals/inquiries")
def inquiries(
    request: Request,
    session: ReadingSessionDep,
    principal: Reader,
    show: Literal["open", "closed", "all"] = "open",
) -> HTMLResponse:
    """Regulatory inquiries, those waiting for an answer first, nearest deadline first."""
    at = now()
    rows = list(session.scalars(_ordered(show).limit(LIST_SIZE)))
    view = inquiry_views.inquiry_rows(session, rows, at)
    if rows:
        record_read(session, request, principal, AuditAction.INQUIRY_READ, KIND, rows)
    session.commit()
    return render(
        request,
        "appeals/inquiries.html",
        principal,
        rows=view,
        show=show,
        shows=SHOW,
        full=len(rows) == LIST_SIZE,
    )


def _form(
    request: Request, principal: Principal, status: int = 200, **context: Any
) -> HTMLResponse:
    return render(
        request,
        "appeals/inquiry_new.html",
        principal,
        status=status,
        regulators={k.value: v for k, v in words.REGULATORS.items()},
        **{"errors": {}, "typed": {}, **context},
    )


@router.get("/appeals/inquiries/new")
def new_form(request: Request, principal: Writer, appeal: int | None = None) -> HTMLResponse:
    """The form to record an inquiry (the appeal it concerns filled in when given)."""
    return _form(request, principal, typed={"appeal_id": str(appeal) if appeal else ""})


@router.post("/appeals/inquiries/new")
def receive(
    request: Request,
    session: SessionDep,
    principal: Writer,
    member_number: Annotated[str, Form()] = "",
    regulator: Annotated[str, Form()] = "",
    reference: Annotated[str, Form()] = "",
    received_at: Annotated[str, Form()] = "",
    response_due_at: Annotated[str, Form()] = "",
    appeal_id: Annotated[str, Form()] = "",
    summary: Annotated[str, Form()] = "",
) -> Response:
    """Record it; on success its page, else the form again with each problem beside its field
    and nothing saved."""
    typed = {k: v for k, v in locals().items() if isinstance(v, str)}
    at = now()
    errors: dict[str, str] = {}
    member = inquiry_views.member_by_number(session, member_number)
    if member is None:
        errors["member_number"] = HELP["member_number"]
    # Typed on the plan's clock: the member's pack calendar's zone.
    tz = zone_of(pack_for(member)) if member else zone_of("calchoice")
    times: dict[str, datetime | None] = {}
    for name, value in (("received_at", received_at), ("response_due_at", response_due_at)):
        try:
            times[name] = inquiry_views.typed_time(value, tz)
        except ValueError:
            times[name] = None
        if times[name] is None:
            errors[name] = HELP[name]
    payload = {
        # An unknown member or time is already said above; the rest of the form is still checked.
        "member_id": member.id if member else 1,
        "regulator": regulator,
        "reference": reference,
        "received_at": (times["received_at"] or at).isoformat(),
        "response_due_at": (times["response_due_at"] or at).isoformat(),
        "summary": summary,
        "appeal_id": appeal_id.strip() or None,
    }
    inquiry = None
    try:
        body = InquiryIn.model_validate(payload)
        if not errors:
            inquiry = tier3.receive_inquiry(session, audit_ctx(request, principal), body, at)
    except (ValidationError, MemberdeskError) as exc:
        for field, text in problems(exc, HELP).items():
            errors.setdefault(field, text)
    if inquiry is None:
        session.rollback()
        return _form(request, principal, 422, errors=errors, typed=typed)
    session.commit()
    return RedirectResponse(f"/appeals/inquiries/{inquiry.id}?done=received", status_code=303)


def _page(
    request: Request,
    session: Session,
    principal: Principal,
    inquiry: RegulatoryInquiry,
    *,
    status: int = 200,
    done: str | None = None,
    errors: dict[str, str] | None = None,
    typed: dict[str, Any] | None = None,
) -> HTMLResponse:
    view = inquiry_views.inquiry_page(session, inquiry, principal, now())
    record_read(session, request, principal, AuditAction.INQUIRY_READ, KIND, [inquiry])
    session.commit()
    return render(
        request,
        "appeals/inquiry.html",
        principal,
        status=status,
        done=DONE.get(done or ""),
        errors=errors or {},
        typed=typed or {},
        **view,
    )


@router.get("/appeals/inquiries/{inquiry_id}")
def inquiry_page(
    inquiry_id: InquiryId,
    request: Request,
    session: ReadingSessionDep,
    principal: Reader,
    done: str | None = None,
) -> HTMLResponse:
    """The inquiry: its deadline, liaison, documents exchanged, response, and the forms."""
    return _page(request, session, principal, tier3.get_inquiry(session, inquiry_id), done=done)


Action = Callable[[RegulatoryInquiry, AuditContext, datetime], None]


def _act(
    request: Request,
    session: Session,
    principal: Principal,
    inquiry_id: int,
    section: str,
    done: str,
    action: Action,
    typed: dict[str, Any],
    rename: dict[str, str] | None = None,
) -> Response:
    """Run one change; on success back to the page (PRG), else the page again with the problem
    beside its field (or its part of the page), nothing changed."""
    inquiry = tier3.get_inquiry(session, inquiry_id, lock=True)
    try:
        action(inquiry, audit_ctx(request, principal), now())
    except (ValidationError, MemberdeskError) as exc:
        found = problems(exc, HELP, {"inquiry_id": section, **(rename or {})})
        found.update({k: CONFLICTS[k] for k in found if k in CONFLICTS})
        status = exc.status_code if isinstance(exc, MemberdeskError) else 422
    else:
        session.commit()
        return RedirectResponse(f"/appeals/inquiries/{inquiry.id}?done={done}#{section}", 303)
    session.rollback()
    inquiry = tier3.get_inquiry(session, inquiry_id)
    return _page(request, session, principal, inquiry, status=status, errors=found, typed=typed)


@router.post("/appeals/inquiries/{inquiry_id}/liaison")
def liaison(
    inquiry_id: InquiryId,
    request: Request,
    session: SessionDep,
    principal: Writer,
    liaison_id: Annotated[str, Form()] = "",
) -> Response:
    """Make a staff member the liaison who answers the regulator."""

    def act(inquiry: RegulatoryInquiry, ctx: AuditContext, at: datetime) -> None:
        if not liaison_id.isdigit():
            raise InvalidInput("choose someone", field="body.user_id")
        tier3.assign_liaison(session, ctx, inquiry, int(liaison_id), at)

    typed = {"liaison_id": liaison_id}
    return _act(request, session, principal, inquiry_id, "liaison", "liaison", act, typed)


@router.post("/appeals/inquiries/{inquiry_id}/documents")
def document(
    inquiry_id: InquiryId,
    request: Request,
    session: SessionDep,
    principal: Writer,
    direction: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    exchanged_at: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
) -> Response:
    """Record a document received from or sent to the regulator (its metadata)."""

    def act(inquiry: RegulatoryInquiry, ctx: AuditContext, at: datetime) -> None:
        try:
            when = inquiry_views.typed_time(exchanged_at, inquiry_views.zone(session, inquiry))
        except ValueError:
            raise InvalidInput("not a date", field="body.exchanged_at") from None
        body = InquiryDocumentIn.model_validate(
            {
                "direction": direction,
                "title": title,
                "description": description.strip() or None,
                "exchanged_at": when.isoformat() if when else None,
            }
        )
        tier3.add_inquiry_document(session, ctx, inquiry, body, at)

    typed = {
        "direction": direction,
        "title": title,
        "exchanged_at": exchanged_at,
        "description": description,
    }
    return _act(request, session, principal, inquiry_id, "documents", "document", act, typed)


@router.post("/appeals/inquiries/{inquiry_id}/response")
def response(
    inquiry_id: InquiryId,
    request: Request,
    session: SessionDep,
    principal: Writer,
    response: Annotated[str, Form()] = "",
    responded_at: Annotated[str, Form()] = "",
) -> Response:
    """Record the plan's answer to the regulator: its deadline is met (late ones stay late)."""

    def act(inquiry: RegulatoryInquiry, ctx: AuditContext, at: datetime) -> None:
        try:
            when = inquiry_views.typed_time(responded_at, inquiry_views.zone(session, inquiry))
        except ValueError:
            raise InvalidInput("not a date", field="body.responded_at") from None
        body = ResponseIn.model_validate(
            {"summary": response, "responded_at": when.isoformat() if when else None}
        )
        tier3.respond(session, ctx, inquiry, body, at)

    typed = {"response": response, "responded_at": responded_at}
    return _act(
        request,
        session,
        principal,
        inquiry_id,
        "response",
        "responded",
        act,
        typed,
        {"inquiry_id": "response_state", "summary": "response"},
    )


@router.post("/appeals/inquiries/{inquiry_id}/close")
def close(
    inquiry_id: InquiryId, request: Request, session: SessionDep, principal: Writer
) -> Response:
    """Close an answered inquiry (the regulator closed its file); its case is closed too."""

    def act(inquiry: RegulatoryInquiry, ctx: AuditContext, at: datetime) -> None:
        tier3.close_inquiry(session, ctx, inquiry, at)

    return _act(request, session, principal, inquiry_id, "close", "closed", act, {})
