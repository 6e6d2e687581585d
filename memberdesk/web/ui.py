"""HTML pages: sign-in, sign-out, member search and the member 360."""

from __future__ import annotations

import hmac
import secrets
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from memberdesk.clock import now
from memberdesk.compliance import audit, auth
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import PUBLIC, SESSION_COOKIE, audit_context, audit_ctx, requires
from memberdesk.compliance.enums import AuditAction, Permission, Role
from memberdesk.compliance.masking import masked_for
from memberdesk.compliance.models import WebSession
from memberdesk.compliance.permissions import policy
from memberdesk.db import SessionDep
from memberdesk.members import access, service
from memberdesk.members.api import own_member
from memberdesk.members.schemas import MemberSearch
from memberdesk.members.seed_data import LANGUAGE_NAMES

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
LOGIN_CSRF_COOKIE = "md_login_csrf"
Anyone = Annotated[Principal, requires(Permission.SESSION)]
Searcher = Annotated[Principal, requires(Permission.MEMBER_SEARCH)]
Reader = Annotated[Principal, requires(Permission.MEMBER_READ)]
SelfReader = Annotated[Principal, requires(Permission.SELF_READ)]


def _render(
    request: Request, name: str, principal: Principal | None, status: int = 200, **context: Any
) -> HTMLResponse:
    pol = policy(principal.role) if principal else None
    return templates.TemplateResponse(
        request,
        name,
        status_code=status,
        context={
            "principal": principal,
            "can": lambda perm: bool(pol and pol.allows(Permission(perm))),
            "idle_minutes": request.app.state.settings.session_idle_minutes,
            "money": lambda cents: f"${cents / 100:,.2f}",
            "lang_name": lambda code: LANGUAGE_NAMES.get(code, code),
            **context,
        },
    )


def _secure(request: Request) -> bool:
    configured = request.app.state.settings.cookie_secure
    return request.url.scheme == "https" if configured is None else configured


@router.get("/login", dependencies=[PUBLIC])
def login_page(request: Request, notice: str | None = None) -> HTMLResponse:
    """The sign-in form, with a pre-session CSRF token (double submit)."""
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = _render(request, "login.html", None, csrf_token=token, error=None, notice=notice)
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        path="/login",
    )
    return response


@router.post("/login", dependencies=[PUBLIC])
def login(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()],
) -> Response:
    """Check the password, open a session, set the cookie."""
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, csrf_token):
        return _render(
            request,
            "login.html",
            None,
            status=403,
            csrf_token=expected or "",
            error="Your sign-in form expired. Please try again.",
            notice=None,
        )
    ctx = audit_context(request, None)
    try:
        user = auth.authenticate(session, request.app.state.settings, ctx, username, password)
    except (auth.SignInRefused, auth.TooManyAttempts) as exc:
        session.commit()  # failed attempts and lock-outs must persist
        status = 429 if isinstance(exc, auth.TooManyAttempts) else 401
        return _render(
            request,
            "login.html",
            None,
            status=status,
            csrf_token=expected,
            error=exc.message,
            notice=None,
        )
    token, _ = auth.start_session(session, user)
    session.commit()
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="lax", secure=_secure(request), path="/"
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


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
    response = RedirectResponse("/login?notice=Signed+out", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/")
def home(request: Request, principal: Anyone) -> Response:
    """Search for staff who may; members go to their own record."""
    if principal.role == Role.MEMBER:
        return RedirectResponse("/me", status_code=303)
    return _render(
        request,
        "home.html",
        principal,
        user_name=principal.username,
        form={},
        results=None,
        errors=[],
    )


@router.post("/members/search")
def search(
    request: Request,
    session: SessionDep,
    principal: Searcher,
    member_number: Annotated[str, Form()] = "",
    last_name: Annotated[str, Form()] = "",
    date_of_birth: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """The search form: same rules and audit as the API (a sync route: it runs in the thread
    pool, so waiting for a database lock never blocks the event loop)."""
    given = {
        "member_number": member_number,
        "last_name": last_name,
        "date_of_birth": date_of_birth,
        "phone": phone,
    }
    form = {k: v for k, v in given.items() if v}
    try:
        body = MemberSearch.model_validate(form)
    except ValidationError as exc:
        errors = [
            f"{'.'.join(str(p) for p in e['loc']) or 'search'}: {e['msg']}" for e in exc.errors()
        ]
        return _render(
            request,
            "home.html",
            principal,
            status=422,
            user_name=principal.username,
            form=form,
            results=None,
            errors=errors,
        )
    page = access.search_page(
        session,
        audit_ctx(request, principal),
        body,
        limit=50,
        offset=0,
        today=_today(),
        age_limit=request.app.state.settings.dependent_age_limit,
    )
    session.commit()
    return _render(
        request,
        "home.html",
        principal,
        user_name=principal.username,
        form=form,
        results=masked_for(principal.role, page),
        errors=[],
    )


def _today() -> date:
    return now().date()


def _member_page(
    request: Request, session: SessionDep, principal: Principal, member_id: int, own: bool
) -> HTMLResponse:
    member = own_member(session, principal) if own else service.get_member(session, member_id)
    view = access.view_360(
        session,
        audit_ctx(request, principal),
        member,
        on=_today(),
        today=_today(),
        age_limit=request.app.state.settings.dependent_age_limit,
        path=request.url.path,
        own_record=own,
    )
    session.commit()
    data = (
        view.model_validate(masked_for(principal.role, view))
        if policy(principal.role).mask
        else view
    )
    return _render(request, "member.html", principal, view=data)


@router.get("/members/{member_id}")
def member_page(
    member_id: int, request: Request, session: SessionDep, principal: Reader
) -> HTMLResponse:
    """The member 360 page."""
    return _member_page(request, session, principal, member_id, own=False)


@router.get("/me")
def my_page(request: Request, session: SessionDep, principal: SelfReader) -> HTMLResponse:
    """A member's own coverage."""
    return _member_page(request, session, principal, principal.member_id or 0, own=True)
