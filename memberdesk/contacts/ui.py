"""The agent desktop's pages: search, start a call, verify the caller, the member 360 with the
contact bar, and saving the call in three clicks. Callbacks, letters and portal messages are in
``ui_work``, included here. Same services, rules and audit as the JSON API (``access``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import Permission
from memberdesk.compliance.masking import masked_for
from memberdesk.contacts import access, desk, service, ui_work
from memberdesk.contacts import words as contact_words
from memberdesk.contacts.enums import Channel, Disposition, Reason, VerificationFact
from memberdesk.contacts.models import Contact
from memberdesk.db import DbRoute, ReadingSessionDep, SessionDep
from memberdesk.errors import InvalidInput, MemberdeskError, NotFound
from memberdesk.kb import desk as kb_desk
from memberdesk.members import access as members_access
from memberdesk.members import service as members_service
from memberdesk.members import ui as members_ui
from memberdesk.members import views as members_views
from memberdesk.members.models import Member
from memberdesk.members.schemas import MemberSearch
from memberdesk.members.words import day
from memberdesk.schemas import id_path
from memberdesk.web.pages import render

router = APIRouter(include_in_schema=False, route_class=DbRoute)
router.include_router(ui_work.router)
Agent = Annotated[Principal, requires(Permission.CONTACT_WRITE)]
ContactId = Annotated[int, id_path("contact")]
SEARCH_RESULTS = 25

NOTICES = {
    "saved": "Call saved.",
    "no_work": "No callbacks are waiting for anyone right now.",
}
FACTS = {
    VerificationFact.NAME: "Full name",
    VerificationFact.DATE_OF_BIRTH: "Date of birth",
    VerificationFact.MEMBER_ID: "Member ID",
    VerificationFact.ADDRESS: "Home address",
    VerificationFact.PHONE: "Phone number",
    VerificationFact.EMAIL: "E-mail address",
    VerificationFact.GROUP_NUMBER: "Employer group number",
    VerificationFact.SUBSCRIBER_NAME: "Subscriber's name",
}
# Outcomes an agent picks at the end of a call; the rest (voicemail left, no answer) belong to
# outbound calls and callbacks.
CALL_OUTCOMES = [
    Disposition.RESOLVED,
    Disposition.CASE_OPENED,
    Disposition.TRANSFERRED,
    Disposition.CALLBACK_SCHEDULED,
    Disposition.INFO_SENT,
    Disposition.OTHER,
]


def _words(message: str) -> str:
    return members_ui.sentence(message)


# --- the desktop -----------------------------------------------------------------------------


def _desktop(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    status: int = 200,
    form: dict[str, str] | None = None,
    results: Any = None,
    errors: list[str] | None = None,
    done: str | None = None,
) -> HTMLResponse:
    counts = ui_work.work_counts(session, now())
    return render(
        request,
        "contacts/desktop.html",
        principal,
        status=status,
        form=form or {},
        results=results,
        errors=errors or [],
        done=NOTICES.get(done or ""),
        counts=counts,
    )


@router.get("/desktop")
def desktop(
    request: Request, session: ReadingSessionDep, principal: Agent, done: str | None = None
) -> HTMLResponse:
    """The agent desktop: find the caller, start a call, today's callbacks and letters."""
    return _desktop(request, session, principal, done=done)


@router.post("/desktop/search")
def desktop_search(
    request: Request,
    session: ReadingSessionDep,
    principal: Agent,
    member_number: Annotated[str, Form()] = "",
    last_name: Annotated[str, Form()] = "",
    date_of_birth: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """The desktop's search: the member search's rules and audit, each result with "Start a
    call"."""
    given = {
        "member_number": member_number,
        "last_name": last_name,
        "date_of_birth": date_of_birth,
        "phone": phone,
    }
    form = {k: v.strip() for k, v in given.items() if v.strip()}
    try:
        body = MemberSearch.model_validate(form)
    except ValidationError as exc:
        errors = members_ui.plain_errors(exc.errors())
        return _desktop(request, session, principal, status=422, form=form, errors=errors)
    page = members_access.search_page(
        session,
        audit_ctx(request, principal),
        body,
        limit=SEARCH_RESULTS,
        offset=0,
        today=now().date(),
        age_limit=int(request.app.state.settings.dependent_age_limit),
    )
    session.commit()
    return _desktop(
        request, session, principal, form=form, results=masked_for(principal.role, page)
    )


@router.post("/desktop/calls")
def start_call(
    request: Request,
    session: SessionDep,
    principal: Agent,
    member_id: Annotated[str, Form()] = "",
) -> Response:
    """Start an inbound phone call with the member chosen (none: a caller not identified)."""
    member: Member | None = None
    if member_id.strip():
        if not member_id.strip().isdigit():
            raise InvalidInput("choose a member from the search results", field="form.member_id")
        member = service.member_for_body(session, int(member_id), "form.member_id")
    contact = desk.start_call(
        session, audit_ctx(request, principal), agent_id=principal.user_id, member=member, at=now()
    )
    session.commit()
    where = f"/desktop/calls/{contact.id}" + ("/verify" if member else "")
    return RedirectResponse(where, status_code=303)


@router.post("/desktop/next")
def next_callback(request: Request, session: SessionDep, principal: Agent) -> Response:
    """Get next: the callback this agent holds, else the open one due first, claimed."""
    cb = desk.claim_next(
        session, audit_ctx(request, principal), user_id=principal.user_id, at=now()
    )
    session.commit()
    if cb is None:
        return RedirectResponse("/desktop?done=no_work", status_code=303)
    return RedirectResponse(f"/desktop/callbacks/{cb.id}", status_code=303)


# --- a call: verify, the 360 with the contact bar, save ----------------------------------------


def _own_call(session: Session, request: Request, principal: Principal, contact_id: int) -> Contact:
    """The signed-in agent's phone call (another agent's call is not theirs to work: 404)."""
    contact = access.read_contact(
        session, audit_ctx(request, principal), contact_id, request.url.path
    )
    if contact.agent_id != principal.user_id or contact.channel != Channel.PHONE:
        raise NotFound("no call of yours with this id", field="path.contact_id")
    return contact


def _verify_page(
    request: Request,
    session: Session,
    principal: Principal,
    contact: Contact,
    *,
    status: int = 200,
    error: str | None = None,
    ticked: list[str] | None = None,
) -> HTMLResponse:
    member = members_service.get_member(session, contact.member_id or 0)
    subscriber = (
        session.get(Member, member.subscriber_id) if member.subscriber_id else member
    ) or member
    members_access.record_read(
        session,
        audit_ctx(request, principal),
        member,
        request.url.path,
        also=[subscriber.id],
    )
    age_limit = int(request.app.state.settings.dependent_age_limit)
    detail = masked_for(principal.role, members_views.detail(member, now().date(), age_limit))
    session.commit()
    facts = {
        VerificationFact.NAME: f"{detail['first_name']} {detail['last_name']}",
        VerificationFact.DATE_OF_BIRTH: day(detail["date_of_birth"]),
        VerificationFact.MEMBER_ID: detail["member_number"],
        VerificationFact.ADDRESS: detail["contact_routing"]["general_address"],
        VerificationFact.PHONE: detail["phone"] or "None on file",
        VerificationFact.EMAIL: detail["email"] or "None on file",
        # A Medicaid member has no employer group, so no group number to confirm.
        VerificationFact.GROUP_NUMBER: detail["group_number"] or "None (no employer group)",
        VerificationFact.SUBSCRIBER_NAME: f"{subscriber.first_name} {subscriber.last_name}",
    }
    return render(
        request,
        "contacts/verify.html",
        principal,
        status=status,
        contact=contact,
        member=detail,
        facts=[(f.value, FACTS[f], facts[f]) for f in VerificationFact],
        min_facts=request.app.state.settings.verification_min_facts,
        error=error,
        ticked=ticked or [],
        started=contact_words.when(contact.started_at),
    )


@router.get("/desktop/calls/{contact_id}/verify")
def verify_page(
    contact_id: ContactId, request: Request, session: ReadingSessionDep, principal: Agent
) -> Response:
    """Which identity facts the caller confirmed (the record's values beside each)."""
    contact = _own_call(session, request, principal, contact_id)
    if contact.member_id is None or contact.ended_at is not None:
        session.commit()
        return RedirectResponse(f"/desktop/calls/{contact.id}", status_code=303)
    return _verify_page(request, session, principal, contact)


@router.post("/desktop/calls/{contact_id}/verify")
def verify(
    contact_id: ContactId,
    request: Request,
    session: SessionDep,
    principal: Agent,
    facts: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI copies defaults)
) -> Response:
    """Record the facts checked; fewer than the rule asks for is refused beside the boxes."""
    contact = _own_call(session, request, principal, contact_id)
    known = {f.value for f in VerificationFact}
    chosen = [VerificationFact(f) for f in dict.fromkeys(facts) if f in known]
    try:
        access.verify(
            session,
            audit_ctx(request, principal),
            contact.id,
            chosen,
            user_id=principal.user_id,
            at=now(),
            settings=request.app.state.settings,
        )
    except InvalidInput:
        n = request.app.state.settings.verification_min_facts
        error = (
            f"Tick at least {n} different facts the caller confirmed before you open their "
            f"record (you ticked {len(chosen)})."
        )
        return _verify_page(
            request,
            session,
            principal,
            contact,
            status=422,
            error=error,
            ticked=[f.value for f in chosen],
        )
    session.commit()
    return RedirectResponse(f"/desktop/calls/{contact.id}#call", status_code=303)


def call_bar(
    session: Session,
    principal: Principal,
    contact: Contact,
    member: Member | None,
    *,
    errors: dict[str, str] | None = None,
    typed: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What the contact bar shows: the call, its verification, and the save form."""
    usual = desk.usual_reasons(session, member.id) if member else []
    reasons = desk.reasons_in_order(usual)
    typed = typed or {}
    return {
        "id": contact.id,
        "started": contact_words.when(contact.started_at),
        "started_at": contact.started_at,
        "verified": service.is_verified(contact),
        "facts": [FACTS[VerificationFact(f)] for f in contact.verified_facts or []],
        "reasons": [(r.value, contact_words.REASONS[r], r in usual) for r in reasons],
        "usual": bool(usual),
        "outcomes": [(d.value, contact_words.DISPOSITIONS[d]) for d in CALL_OUTCOMES],
        "interpreter": typed.get("interpreter", bool(member and member.interpreter_needed)),
        "errors": errors or {},
        "typed": typed,
        "waiting": desk.awaiting_count(session, member.id) if member else 0,
        "kb": kb_desk.for_call(session, contact, member, usual, now()),
    }


def _call_page(
    request: Request,
    session: Session,
    principal: Principal,
    contact: Contact,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    typed: dict[str, Any] | None = None,
) -> HTMLResponse:
    member = session.get(Member, contact.member_id) if contact.member_id else None
    bar = call_bar(session, principal, contact, member, errors=errors, typed=typed)
    if member is not None and service.is_verified(contact):
        return members_ui.member_page_with_call(
            request, session, principal, member, call=bar, status=status
        )
    session.commit()
    return render(
        request,
        "contacts/call.html",
        principal,
        status=status,
        call=bar,
        identified=member is not None,
    )


@router.get("/desktop/calls/{contact_id}")
def call_page(
    contact_id: ContactId, request: Request, session: ReadingSessionDep, principal: Agent
) -> Response:
    """The call in progress: the member 360 with the contact bar once the caller is verified;
    before that (or for a caller not identified) only the form to save the call."""
    contact = _own_call(session, request, principal, contact_id)
    if contact.ended_at is not None:
        session.commit()
        if contact.member_id is None:
            return RedirectResponse("/desktop?done=saved", status_code=303)
        return RedirectResponse(
            f"/members/{contact.member_id}?done=contact#recent-contacts", status_code=303
        )
    return _call_page(request, session, principal, contact)


def _parse_end(
    reasons: list[str], resolved: str, outcome: str, notes: str
) -> tuple[dict[str, str], dict[str, Any]]:
    errors: dict[str, str] = {}
    known = {r.value for r in Reason}
    picked = [Reason(r) for r in dict.fromkeys(reasons) if r in known]
    if not picked:
        errors["reasons"] = "Pick at least one reason for the call."
    if resolved not in ("yes", "no"):
        errors["resolved"] = "Say whether the call resolved what the member asked."
    disposition = None
    if outcome:
        if outcome not in {d.value for d in CALL_OUTCOMES}:
            errors["outcome"] = "Choose how the call ended from the list."
        else:
            disposition = Disposition(outcome)
    text = notes.strip()
    if len(text) > 4000:
        errors["notes"] = "Notes can be at most 4,000 characters."
    parsed = {
        "reasons": picked,
        "resolved": resolved == "yes",
        "disposition": disposition,
        "notes": text or None,
    }
    return errors, parsed


@router.post("/desktop/calls/{contact_id}/end")
def end_call(
    contact_id: ContactId,
    request: Request,
    session: SessionDep,
    principal: Agent,
    reasons: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI copies defaults)
    resolved: Annotated[str, Form()] = "",
    outcome: Annotated[str, Form()] = "",
    notes: Annotated[str, Form()] = "",
    interpreter: Annotated[str, Form()] = "",
) -> Response:
    """Save and end: reasons, resolved or not, how it ended; talk time counted from the start."""
    contact = _own_call(session, request, principal, contact_id)
    errors, parsed = _parse_end(reasons, resolved, outcome, notes)
    typed = {
        "reasons": [r.value for r in parsed["reasons"]],
        "resolved": resolved,
        "outcome": outcome,
        "notes": notes[:4000],
        "interpreter": bool(interpreter),
    }
    if errors:
        return _call_page(
            request, session, principal, contact, status=422, errors=errors, typed=typed
        )
    at: datetime = now()
    try:
        desk.end_call(
            session,
            audit_ctx(request, principal),
            contact,
            reasons=parsed["reasons"],
            resolved=parsed["resolved"],
            disposition=parsed["disposition"],
            notes=parsed["notes"],
            interpreter_used=bool(interpreter),
            at=at,
        )
    except MemberdeskError as exc:
        if exc.status_code != 422:
            raise
        errors = {"": _words(exc.message)}
        return _call_page(
            request, session, principal, contact, status=422, errors=errors, typed=typed
        )
    session.commit()
    if contact.member_id is None:
        return RedirectResponse("/desktop?done=saved", status_code=303)
    return RedirectResponse(
        f"/members/{contact.member_id}?done=contact#recent-contacts", status_code=303
    )
