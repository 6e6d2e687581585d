"""The site's own pages: sign-in, sign-out and each role's home. Domain pages live with their
domain (``members/ui.py``), the public account pages (change password, enrolment) in
``account_pages.py``; both are included here, so the app mounts one UI router."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.admin import service as admin_service
from memberdesk.admin import ui as admin_ui
from memberdesk.appeals import ui as appeals_ui
from memberdesk.appeals import ui_portal as appeals_portal
from memberdesk.breaches import ui as breaches_ui
from memberdesk.cases import ui as cases_ui
from memberdesk.compliance import audit, auth
from memberdesk.compliance.api import SIGNIN_PAUSE
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import PUBLIC, SESSION_COOKIE, audit_context, audit_ctx, requires
from memberdesk.compliance.enums import AuditAction, Permission, Role
from memberdesk.compliance.models import WebSession
from memberdesk.compliance.ui import router as compliance_ui
from memberdesk.contacts import ui as contacts_ui
from memberdesk.db import DbRoute, ReadingSessionDep, SessionDep
from memberdesk.ivr import ui as ivr_ui
from memberdesk.kb import ui as kb_ui
from memberdesk.kb import ui_desk as kb_ui_desk
from memberdesk.kpi import ui as kpi_ui
from memberdesk.kpi import ui_board as kpi_board
from memberdesk.kpi import ui_channels as kpi_channels
from memberdesk.kpi import ui_review as kpi_review
from memberdesk.language import N_
from memberdesk.language import gettext as _
from memberdesk.members import ui as members_ui
from memberdesk.members.enums import LineOfBusiness
from memberdesk.members.lines import line_of
from memberdesk.members.models import EmployerGroup, Member
from memberdesk.quality import ui as quality_ui
from memberdesk.quality import ui_reports as quality_reports
from memberdesk.surveys import ui as surveys_ui
from memberdesk.training import ui as training_ui
from memberdesk.vendors import ui as vendors_ui
from memberdesk.web import account_pages, i18n
from memberdesk.web.account_pages import (
    RESET_NOTICE,
    form_token,
    form_token_ok,
    keep_form_token,
    password_form,
    secure,
)
from memberdesk.web.pages import allows, render, safe_next
from memberdesk.wfm import ui as wfm_ui

router = APIRouter(include_in_schema=False, route_class=DbRoute)
router.include_router(members_ui.router)
router.include_router(contacts_ui.router)
router.include_router(ivr_ui.router)
router.include_router(cases_ui.router)
router.include_router(appeals_ui.router)
router.include_router(appeals_portal.router)
router.include_router(kb_ui.router)
router.include_router(kb_ui_desk.router)
router.include_router(quality_ui.router)
router.include_router(quality_reports.router)
router.include_router(kpi_ui.router)
router.include_router(kpi_board.router)
router.include_router(kpi_channels.router)
router.include_router(kpi_review.router)
router.include_router(breaches_ui.router)
router.include_router(vendors_ui.router)
router.include_router(training_ui.router)
router.include_router(surveys_ui.router)
router.include_router(compliance_ui)
router.include_router(account_pages.router)
router.include_router(admin_ui.router)
router.include_router(wfm_ui.router)
LOGIN_CSRF_COOKIE = "md_login_csrf"
Anyone = Annotated[Principal, requires(Permission.SESSION)]
# The sign-in page shows only these fixed sentences, never text taken from the URL.
NOTICES = {
    "signed_out": N_("You have signed out."),
    "expired": N_("Your session ended after %(idle)s idle minutes; sign in to go on."),
    "password_changed": N_(
        "Your password is changed and you are signed out everywhere. Sign in with your new "
        "password."
    ),
    "enrolled": N_(
        "Your member account is ready. Sign in with the username and password you chose."
    ),
}
# Sign-in refusals in the reader's language (the API says them in its own words).
REFUSED = N_("Wrong username or password, or the account is locked or disabled.")
TOO_MANY = N_("Too many failed sign-ins for this username from this address. Try again later.")


def _notice(request: Request, code: str | None) -> str | None:
    sentence = NOTICES.get(code or "")
    if sentence is None:
        return None
    return _(sentence) % {"idle": request.app.state.settings.session_idle_minutes}


# --- signing in ----------------------------------------------------------------------------------


def _login_page(
    request: Request,
    csrf_token: str,
    *,
    status: int = 200,
    error: str | None = None,
    notice: str | None = None,
    username: str = "",
    next_path: str | None = None,
) -> HTMLResponse:
    return render(
        request,
        "login.html",
        None,
        status=status,
        csrf_token=csrf_token,
        error=error,
        notice=notice,
        username=username,
        next_path=next_path,
    )


@router.get("/login", dependencies=[PUBLIC])
def login_page(
    request: Request,
    notice: str | None = None,
    next_path: Annotated[str | None, Query(alias="next")] = None,
) -> Response:
    """The sign-in form, with a pre-session CSRF token (double submit)."""
    token = form_token(request, LOGIN_CSRF_COOKIE)
    response = _login_page(
        request, token, notice=_notice(request, notice), next_path=safe_next(next_path)
    )
    return keep_form_token(response, request, LOGIN_CSRF_COOKIE, token, "/login")


@router.post("/login", dependencies=[PUBLIC, SIGNIN_PAUSE])
def login(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()],
    next_field: Annotated[str, Form(alias="next")] = "",
) -> Response:
    """Check the password, open a session, set the cookie, go back where the person was. A
    password an administrator reset opens no session: the change-password form comes instead."""
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    next_path = safe_next(next_field)
    # Shown again in the form after a refusal; never more than the field allows.
    typed = username[:64]
    if not form_token_ok(request, LOGIN_CSRF_COOKIE, csrf_token):
        return _login_page(
            request,
            expected,
            status=403,
            error=_("Your sign-in form expired. Please try again."),
            username=typed,
            next_path=next_path,
        )
    ctx = audit_context(request, None)
    try:
        user = auth.authenticate(session, request.app.state.settings, ctx, username, password)
    except (auth.SignInRefused, auth.TooManyAttempts) as exc:
        session.commit()  # failed attempts and lock-outs must persist
        status = 429 if isinstance(exc, auth.TooManyAttempts) else 401
        return _login_page(
            request,
            expected,
            status=status,
            error=_(TOO_MANY if status == 429 else REFUSED),
            username=typed,
            next_path=next_path,
        )
    if user.must_change_password:
        session.commit()  # the attempt stands (audited, lock-out counter cleared); no session
        return password_form(
            request, username=user.username, notice=RESET_NOTICE, next_path=next_path
        )
    token, _session = auth.start_session(session, user)
    reads = portal_language(session, user.member_id) if user.member_id else None
    session.commit()
    response = RedirectResponse(next_path or "/", status_code=303)
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="lax", secure=secure(request), path="/"
    )
    if reads and i18n.COOKIE not in request.cookies:  # a language the person chose stays
        i18n.remember(response, request, reads)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


def portal_language(session: Session, member_id: int) -> str:
    """The portal language of a member signing in: their written language if the portal has it
    (only the two language columns are read, not the record)."""
    written, spoken = session.execute(
        select(Member.written_language, Member.spoken_language).where(Member.id == member_id)
    ).one()
    return i18n.of_member(written, spoken)


@router.post("/logout")
def logout(request: Request, session: SessionDep, principal: Anyone) -> Response:
    """End the session (the CSRF token in the form is checked before we get here)."""
    if principal.session_id is not None:
        ws = session.get(WebSession, principal.session_id)
        if ws is not None:
            auth.end_session(session, ws, "signed_out")
    audit.record(
        session,
        audit_ctx(request, principal),
        AuditAction.LOGOUT,
        object_type="session",
        object_id=principal.session_id,
    )
    session.commit()
    response = RedirectResponse("/login?" + urlencode({"notice": "signed_out"}), status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _book_size(session: Session) -> dict[str, Any]:
    """Counts only (no member data): what workforce plans are sized on, by line of business
    (each line is staffed to its own pack's targets)."""
    by_line = dict(
        session.execute(
            select(Member.line_of_business, func.count()).group_by(Member.line_of_business)
        ).all()
    )
    calchoice = by_line.pop(LineOfBusiness.CALCHOICE, 0)
    return {
        "groups": session.scalar(select(func.count()).select_from(EmployerGroup)) or 0,
        "members": calchoice,
        "others": [(line_of(code).name, n) for code, n in sorted(by_line.items())],
    }


@router.get("/")
def home(request: Request, session: ReadingSessionDep, principal: Anyone) -> Response:
    """Each role's starting point: member search, the member's own record, or what the role
    can do here (QA, workforce planning, administration)."""
    if principal.role == Role.MEMBER:
        return RedirectResponse("/me", status_code=303)
    context: dict[str, Any] = {}
    if principal.role == Role.WFM_ANALYST:
        context["book"] = _book_size(session)
    if allows(principal, Permission.USERS_MANAGE):
        context["accounts"] = admin_service.overview(session)
    return render(
        request,
        "home.html",
        principal,
        form={},
        results=None,
        errors=[],
        **context,
    )
