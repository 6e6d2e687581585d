"""The administration pages: the account list (search, status), a new account, and one
account's page with its forms (name and team, sign-in, role, skills and languages, API tokens).

Administrators see no member data: staff names, roles and teams only. Every change goes
through the account services (``compliance/accounts.py``) with their rules and audit entries;
forms work without JavaScript (Post/Redirect/Get) and carry the CSRF token; a refusal is said in
words beside the field or the buttons it is about, with nothing changed.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from memberdesk.admin import service, words
from memberdesk.admin.ui_account import router as account_router
from memberdesk.admin.ui_teams import router as teams_router
from memberdesk.admin.views import account_page_response, team_names
from memberdesk.admin.words import Errors
from memberdesk.compliance import accounts
from memberdesk.compliance.api import UsernameP
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import Permission, Role
from memberdesk.compliance.passwords import MAX_LENGTH, MIN_LENGTH, USERNAME_RULE
from memberdesk.compliance.permissions import reads_phi
from memberdesk.db import DbRoute, ReadingSessionDep, SessionDep
from memberdesk.errors import MemberdeskError
from memberdesk.web.pages import render

router = APIRouter(include_in_schema=False, route_class=DbRoute)
router.include_router(account_router)
router.include_router(teams_router)
Admin = Annotated[Principal, requires(Permission.USERS_MANAGE)]
NEW_FIELDS = ("username", "display_name", "role", "team", "password", "password_again")
PASSWORD_HINT = (
    f"At least {MIN_LENGTH} characters; a few unrelated words are strong and easy to type. Not "
    "a common password, and not containing the username. The person must choose their own "
    "password when they first sign in."
)


@router.get("/admin")
def admin_home(principal: Admin) -> Response:
    """The administration pages start at the account list."""
    return RedirectResponse("/admin/accounts", status_code=303)


@router.get("/admin/accounts")
def accounts_page(
    request: Request,
    session: ReadingSessionDep,
    principal: Admin,
    q: Annotated[str, Query(max_length=64)] = "",
    status: Annotated[str, Query(max_length=16)] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> HTMLResponse:
    """Every account, or those whose username or name holds the search words, in one status."""
    chosen = words.STATUS_VALUES.get(status)
    size = service.PAGE_SIZE
    rows, total = service.search_accounts(session, q, chosen, limit=size, offset=(page - 1) * size)
    summary = service.overview(session)

    def link(to: int) -> str:
        return "/admin/accounts?" + urlencode({"q": q, "status": status, "page": to})

    return render(
        request,
        "admin/accounts.html",
        principal,
        rows=rows,
        total=total,
        summary=summary,
        q=q,
        chosen_status=status if chosen else "",
        statuses=words.STATUS_FILTER,
        status_words=words.STATUS_WORDS,
        first=(page - 1) * size + 1,
        previous=link(page - 1) if page > 1 else None,
        next=link(page + 1) if page * size < total else None,
    )


def _new_page(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    typed: dict[str, str] | None = None,
    errors: Errors | None = None,
    status: int = 200,
) -> HTMLResponse:
    errors = errors or {}
    return render(
        request,
        "admin/new.html",
        principal,
        status=status,
        typed=typed or {"role": Role.TIER1_AGENT.value},
        errors=errors,
        focus=next((f for f in NEW_FIELDS if f in errors), "username"),
        roles={r.value: r for r in words.STAFF_ROLES},
        teams=team_names(session),
        username_rule=f"Username {USERNAME_RULE}.",
        password_hint=PASSWORD_HINT,
        min_length=MIN_LENGTH,
        max_length=MAX_LENGTH,
        phi_roles=[r for r in words.STAFF_ROLES if reads_phi(r)],
    )


@router.get("/admin/accounts/new")
def new_account_page(
    request: Request, session: ReadingSessionDep, principal: Admin
) -> HTMLResponse:
    """The form for a new staff account."""
    return _new_page(request, session, principal)


def _check_new(typed: dict[str, str]) -> tuple[Errors, Role | None]:
    """What the form itself can tell before the service is asked (all at once)."""
    errors: Errors = {}
    if not typed["username"]:
        errors["username"] = "Enter a username."
    if not typed["display_name"]:
        errors["display_name"] = "Enter the person's name, as colleagues should see it."
    elif len(typed["display_name"]) > 120:
        errors["display_name"] = "The name must be at most 120 characters."
    role = Role(typed["role"]) if typed["role"] in {r.value for r in Role} else None
    if role is None:
        errors["role"] = "Choose one of the roles in the list."
    if not typed["password"]:
        errors["password"] = words.NO_PASSWORD
    elif typed["password"] != typed["password_again"]:
        errors["password_again"] = words.NOT_THE_SAME
    return errors, role


@router.post("/admin/accounts")
def create_account(
    request: Request,
    session: SessionDep,
    principal: Admin,
    username: Annotated[str, Form(max_length=200)] = "",
    display_name: Annotated[str, Form(max_length=500)] = "",
    role: Annotated[str, Form(max_length=40)] = "",
    team: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=MAX_LENGTH)] = "",
    password_again: Annotated[str, Form(max_length=MAX_LENGTH)] = "",
) -> Response:
    """Create a staff account in an existing team (``accounts.provision_account``): a role
    that shows member data waits, disabled, for a second person's approval. The first
    password is the administrator's choice, so the person must choose their own at sign-in."""
    typed = {
        "username": username.strip(),
        "display_name": display_name.strip(),
        "role": role,
        "team": team.strip(),
        "password": password,
        "password_again": password_again,
    }
    errors, chosen = _check_new(typed)
    status = 422
    if not errors and chosen is not None:
        try:
            user, grant = accounts.provision_account(
                session,
                request.app.state.settings,
                audit_ctx(request, principal),
                username=typed["username"],
                display_name=typed["display_name"],
                role=chosen,
                password=password,
                team=typed["team"] or None,
            )
            # Known to the administrator who typed it: a temporary password, as a reset's is.
            user.must_change_password = True
            session.commit()
        except IntegrityError:  # the same username, created by someone else a moment ago
            errors, status = {"username": words.REWORDED[accounts.USERNAME_TAKEN]}, 409
        except MemberdeskError as exc:
            errors, status = words.refusal(exc, NEW_FIELDS, ""), exc.status_code
        else:
            done = "created_waiting" if grant is not None else "created"
            return RedirectResponse(f"/admin/accounts/{user.username}?done={done}", 303)
    session.rollback()
    typed.pop("password"), typed.pop("password_again")  # never put back into a page
    return _new_page(request, session, principal, typed=typed, errors=errors, status=status)


@router.get("/admin/accounts/{username}")
def account_page(
    username: UsernameP,
    request: Request,
    session: ReadingSessionDep,
    principal: Admin,
    done: str | None = None,
) -> HTMLResponse:
    """One account: name and team, sign-in status, role, skills and languages, API tokens."""
    user = accounts.find_user(session, username)
    return account_page_response(request, session, principal, user, done=done)
