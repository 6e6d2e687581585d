"""The legal-referral pages: the list (open first), referring a matter to counsel, and the
referral page (placing the matter's legal hold, closing it with its outcome).

The same services, permissions and audit as ``/api/legal-referrals``: placing a legal hold takes
``legal_hold.manage`` (compliance officers), as the API does. Forms work without JavaScript
(Post/Redirect/Get) and carry the CSRF token; a refusal is said in words beside its field, with
nothing changed.
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

from memberdesk.appeals import inquiry_views, tier3
from memberdesk.appeals.api import clinical
from memberdesk.appeals.api_tier3 import record_read
from memberdesk.appeals.enums import ReferralState
from memberdesk.appeals.models import LegalReferral
from memberdesk.appeals.tier3_schemas import HoldIn, ReferralCloseIn, ReferralIn
from memberdesk.appeals.ui_inquiries import problems
from memberdesk.clock import now
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import AuditAction, Permission
from memberdesk.db import DbRoute, ReadingSessionDep, SessionDep
from memberdesk.errors import MemberdeskError
from memberdesk.schemas import id_path
from memberdesk.web.pages import allows, render

router = APIRouter(include_in_schema=False, route_class=DbRoute)
Reader = Annotated[Principal, requires(Permission.APPEAL_READ)]
Writer = Annotated[Principal, requires(Permission.APPEAL_WRITE)]
HoldManager = Annotated[Principal, requires(Permission.LEGAL_HOLD_MANAGE)]
ReferralId = Annotated[int, id_path("legal referral")]
LIST_SIZE = 200
KIND = "legal_referral"
SHOW = {"open": "Open", "closed": "Closed", "all": "All"}
HELP = {
    "member_number": "No member has this member ID. Type it as it is on the member's card.",
    "matter_number": "Type counsel's matter number: letters, digits and . / # - only.",
    "counsel": "Name counsel or the firm (up to 200 characters).",
    "reason": "Write why it goes to counsel (up to 4,000 characters).",
    "appeal_id": "No appeal of this member has this number.",
    "inquiry_id": "No regulatory inquiry of this member has this number.",
    "hold_reason": "The reason can be up to 4,000 characters.",
    "outcome": "Write how the matter ended (up to 4,000 characters).",
}
DONE = {
    "referred": "Referred to counsel. A compliance officer can place the matter's legal hold.",
    "hold": "Legal hold placed: the member's records are kept until compliance releases it.",
    "closed": "Referral closed. Its legal hold, if any, stays until compliance releases it.",
}


@router.get("/appeals/referrals")
def referrals(
    request: Request,
    session: ReadingSessionDep,
    principal: Reader,
    show: Literal["open", "closed", "all"] = "open",
) -> HTMLResponse:
    """Legal referrals, open ones first, newest first."""
    stmt = select(LegalReferral)
    if show != "all":
        stmt = stmt.where(LegalReferral.state == ReferralState(show))
    still_open = case((LegalReferral.state == ReferralState.OPEN, 0), else_=1)
    rows = list(
        session.scalars(stmt.order_by(still_open, LegalReferral.id.desc()).limit(LIST_SIZE))
    )
    at = now()
    view = inquiry_views.referral_rows(session, rows, at)
    if rows:
        record_read(session, request, principal, AuditAction.REFERRAL_READ, KIND, rows)
    session.commit()
    return render(
        request,
        "appeals/referrals.html",
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
        "appeals/referral_new.html",
        principal,
        status=status,
        **{"errors": {}, "typed": {}, **context},
    )


@router.get("/appeals/referrals/new")
def new_form(
    request: Request,
    principal: Writer,
    appeal: int | None = None,
    inquiry: int | None = None,
) -> HTMLResponse:
    """The form to refer a matter to counsel (the appeal or inquiry filled in when given)."""
    typed = {"appeal_id": str(appeal or ""), "inquiry_id": str(inquiry or "")}
    return _form(request, principal, typed=typed)


@router.post("/appeals/referrals/new")
def refer(
    request: Request,
    session: SessionDep,
    principal: Writer,
    member_number: Annotated[str, Form()] = "",
    matter_number: Annotated[str, Form()] = "",
    counsel: Annotated[str, Form()] = "",
    appeal_id: Annotated[str, Form()] = "",
    inquiry_id: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Refer it; on success its page, else the form again with each problem beside its field
    and nothing saved."""
    typed = {k: v for k, v in locals().items() if isinstance(v, str)}
    errors: dict[str, str] = {}
    member = inquiry_views.member_by_number(session, member_number)
    if member is None:
        errors["member_number"] = HELP["member_number"]
    payload = {
        "member_id": member.id if member else 1,
        "matter_number": matter_number,
        "counsel": counsel,
        "reason": reason,
        "appeal_id": appeal_id.strip() or None,
        "inquiry_id": inquiry_id.strip() or None,
    }
    referral = None
    try:
        body = ReferralIn.model_validate(payload)
        if not errors:
            referral = tier3.refer(session, audit_ctx(request, principal), body, now())
    except (ValidationError, MemberdeskError) as exc:
        for field, text in problems(exc, HELP).items():
            errors.setdefault(field, text)
    if referral is None:
        session.rollback()
        return _form(request, principal, 422, errors=errors, typed=typed)
    session.commit()
    return RedirectResponse(f"/appeals/referrals/{referral.id}?done=referred", status_code=303)


def _page(
    request: Request,
    session: Session,
    principal: Principal,
    referral: LegalReferral,
    *,
    status: int = 200,
    done: str | None = None,
    errors: dict[str, str] | None = None,
    typed: dict[str, Any] | None = None,
) -> HTMLResponse:
    view = inquiry_views.referral_page(
        session,
        referral,
        principal,
        now(),
        clinical=clinical(principal),
        holds=allows(principal, Permission.LEGAL_HOLD_MANAGE),
    )
    record_read(session, request, principal, AuditAction.REFERRAL_READ, KIND, [referral])
    session.commit()
    return render(
        request,
        "appeals/referral.html",
        principal,
        status=status,
        done=DONE.get(done or ""),
        errors=errors or {},
        typed=typed or {},
        **view,
    )


@router.get("/appeals/referrals/{referral_id}")
def referral_page(
    referral_id: ReferralId,
    request: Request,
    session: ReadingSessionDep,
    principal: Reader,
    done: str | None = None,
) -> HTMLResponse:
    """The referral: the matter, what it arose from, its legal hold, and the forms."""
    return _page(request, session, principal, tier3.get_referral(session, referral_id), done=done)


Action = Callable[[LegalReferral, AuditContext, datetime], None]


def _act(
    request: Request,
    session: Session,
    principal: Principal,
    referral_id: int,
    section: str,
    done: str,
    action: Action,
    typed: dict[str, Any],
    rename: dict[str, str] | None = None,
) -> Response:
    """Run one change; on success back to the page (PRG), else the page again with the problem
    beside its field, nothing changed."""
    referral = tier3.get_referral(session, referral_id, lock=True)
    try:
        action(referral, audit_ctx(request, principal), now())
    except (ValidationError, MemberdeskError) as exc:
        found = problems(exc, HELP, {"referral_id": section, **(rename or {})})
        status = exc.status_code if isinstance(exc, MemberdeskError) else 422
    else:
        session.commit()
        return RedirectResponse(f"/appeals/referrals/{referral.id}?done={done}#{section}", 303)
    session.rollback()
    referral = tier3.get_referral(session, referral_id)
    return _page(request, session, principal, referral, status=status, errors=found, typed=typed)


@router.post("/appeals/referrals/{referral_id}/hold")
def hold(
    referral_id: ReferralId,
    request: Request,
    session: SessionDep,
    principal: HoldManager,
    hold_reason: Annotated[str, Form()] = "",
) -> Response:
    """Place the legal hold on the member's records under the matter number (compliance)."""

    def act(referral: LegalReferral, ctx: AuditContext, at: datetime) -> None:
        body = HoldIn.model_validate({"reason": hold_reason.strip() or None})
        tier3.place_hold(session, ctx, referral, body.reason, at)

    typed = {"hold_reason": hold_reason}
    return _act(
        request,
        session,
        principal,
        referral_id,
        "hold",
        "hold",
        act,
        typed,
        {"reason": "hold_reason"},
    )


@router.post("/appeals/referrals/{referral_id}/close")
def close(
    referral_id: ReferralId,
    request: Request,
    session: SessionDep,
    principal: Writer,
    outcome: Annotated[str, Form()] = "",
) -> Response:
    """Close the matter with its outcome; its case is closed (a legal hold stays)."""

    def act(referral: LegalReferral, ctx: AuditContext, at: datetime) -> None:
        # The page asks for the outcome (the API leaves it optional).
        body = ReferralCloseIn.model_validate({"outcome": outcome})
        tier3.close_referral(session, ctx, referral, at, body.outcome)

    typed = {"outcome": outcome}
    return _act(request, session, principal, referral_id, "close", "closed", act, typed)
