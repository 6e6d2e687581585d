"""The changes made from one account's page: name and team, disable, enable, unlock, password
reset, role, skills and languages, revoking an API token.

Each takes the account's row lock first (``accounts.locked_user``; the enabled administrators'
before it when the change may leave none) and then calls the account service, so its rules,
audit entries and ends of sessions and tokens are the API's own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from memberdesk.admin import service, words
from memberdesk.admin.views import account_page_response
from memberdesk.cases.schemas import SkillsIn
from memberdesk.compliance import accounts, auth
from memberdesk.compliance.api import UsernameP
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import Permission, Role
from memberdesk.compliance.models import User
from memberdesk.db import DbRoute, SessionDep
from memberdesk.errors import InvalidInput, MemberdeskError
from memberdesk.schemas import id_path

router = APIRouter(include_in_schema=False, route_class=DbRoute)
Admin = Annotated[Principal, requires(Permission.USERS_MANAGE)]
TokenId = Annotated[int, id_path("API token")]
PROFILE_FIELDS = ("display_name", "team")
SKILL_FIELDS = ("tiers", "languages", "case_types", "capacity")
SKILL_WORDS = {
    "tiers": "Choose at least one tier.",
    "languages": "Choose at least one language.",
    "case_types": "Choose the kinds of case, or any kind.",
    "capacity": "Enter how many open cases at most, from 1 to 200.",
}

# An action: (the locked account, the audit context) -> a done code, or a page of its own.
Action = Callable[[User, AuditContext], str | Response]


def _act(
    request: Request,
    session: SessionDep,
    principal: Principal,
    username: str,
    section: str,
    action: Action,
    *,
    fields: tuple[str, ...] = (),
    typed: Mapping[str, object] | None = None,
    admins: bool = False,
) -> Response:
    """Lock, run one change and commit, then back to the page (PRG); a refusal shows the page
    again with the reason beside the field or the section's buttons, nothing changed."""
    try:
        user = accounts.locked_user(session, username, admins=admins)
        outcome = action(user, audit_ctx(request, principal))
    except MemberdeskError as exc:
        session.rollback()
        errors = words.refusal(exc, fields, section)
        user = accounts.find_user(session, username)
        return account_page_response(
            request,
            session,
            principal,
            user,
            status=exc.status_code,
            errors=errors,
            typed=typed,
        )
    session.commit()
    if isinstance(outcome, Response):
        return outcome
    return RedirectResponse(f"/admin/accounts/{username}?done={outcome}#{section}", 303)


@router.post("/admin/accounts/{username}/profile")
def save_profile(
    username: UsernameP,
    request: Request,
    session: SessionDep,
    principal: Admin,
    display_name: Annotated[str, Form(max_length=500)] = "",
    team: Annotated[str, Form(max_length=200)] = "",
    seen_name: Annotated[str, Form(max_length=500)] = "",
    seen_team: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """The name colleagues see and the team (an existing one), if no one changed them since
    the page was opened."""

    def act(user: User, ctx: AuditContext) -> str:
        if user.role == Role.MEMBER:
            raise InvalidInput("a member portal account's name is its username and it has no team")
        changed = service.update_profile(
            session,
            ctx,
            user,
            display_name=display_name,
            team=team.strip() or None,
            seen_name=seen_name,
            seen_team=seen_team or None,
        )
        return "profile" if changed else "unchanged"

    typed = {"display_name": display_name[:120], "team": team[:80]}
    return _act(
        request, session, principal, username, "profile", act, fields=PROFILE_FIELDS, typed=typed
    )


@router.post("/admin/accounts/{username}/disable")
def disable(
    username: UsernameP, request: Request, session: SessionDep, principal: Admin
) -> Response:
    """Disable: its sessions end and its API tokens are revoked (not your own account, not the
    last enabled administrator)."""

    def act(user: User, ctx: AuditContext) -> str:
        accounts.disable_user(session, ctx, user.username)
        return "disabled"

    return _act(request, session, principal, username, "signin", act, admins=True)


@router.post("/admin/accounts/{username}/enable")
def enable(
    username: UsernameP, request: Request, session: SessionDep, principal: Admin
) -> Response:
    """Enable a disabled account (not one waiting for, or refused, its role's approval)."""

    def act(user: User, ctx: AuditContext) -> str:
        accounts.enable_user(session, ctx, user.username)
        return "enabled"

    return _act(request, session, principal, username, "signin", act)


@router.post("/admin/accounts/{username}/unlock")
def unlock(
    username: UsernameP, request: Request, session: SessionDep, principal: Admin
) -> Response:
    """Lift a lock-out after failed sign-ins."""

    def act(user: User, ctx: AuditContext) -> str:
        accounts.unlock_user(session, ctx, user.username)
        return "unlocked"

    return _act(request, session, principal, username, "signin", act)


@router.post("/admin/accounts/{username}/password-reset")
def reset_password(
    username: UsernameP, request: Request, session: SessionDep, principal: Admin
) -> Response:
    """A random temporary password, shown once on the page that answers (never stored in
    words, never in a link); the person must choose a new one at their next sign-in, and
    their sessions and API tokens end."""

    def act(user: User, ctx: AuditContext) -> Response:
        _, temporary = accounts.reset_password(
            session, request.app.state.settings, ctx, user.username
        )
        session.commit()
        return account_page_response(request, session, principal, user, temporary=temporary)

    return _act(request, session, principal, username, "signin", act)


@router.post("/admin/accounts/{username}/role")
def change_role(
    username: UsernameP,
    request: Request,
    session: SessionDep,
    principal: Admin,
    role: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """A role without member data applies at once; one with member data waits for a second
    person. No one changes their own role; the last administrator stays one."""

    def act(user: User, ctx: AuditContext) -> str:
        chosen = words.STAFF_ROLE_VALUES.get(role)
        if chosen is None:
            raise InvalidInput("choose one of the roles in the list", field="body.role")
        if chosen == user.role:
            raise InvalidInput("the account has this role already", field="body.role")
        _, grant = accounts.request_role(session, ctx, user.username, chosen)
        return "role_waiting" if grant is not None else "role"

    typed = {"role": role[:40]}
    return _act(
        request,
        session,
        principal,
        username,
        "role",
        act,
        fields=("role",),
        typed=typed,
        admins=True,
    )


@router.post("/admin/accounts/{username}/skills")
def save_skills(
    username: UsernameP,
    request: Request,
    session: SessionDep,
    principal: Admin,
    tiers: Annotated[list[str], Form(max_length=3)] = [],  # noqa: B006 - FastAPI copies it
    languages: Annotated[list[str], Form(max_length=40)] = [],  # noqa: B006
    case_types: Annotated[list[str], Form(max_length=40)] = [],  # noqa: B006
    any_case_type: Annotated[str, Form(max_length=8)] = "",
    capacity: Annotated[str, Form(max_length=8)] = "",
    seen: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """The tiers, languages and kinds of case routing gives the agent, and how many open cases
    they hold at most: the rules of ``PUT /api/agents/{id}/skills``, audited the same way."""
    typed = {
        "tiers": tiers,
        "languages": languages,
        "case_types": case_types,
        "any_case_type": bool(any_case_type),
        "capacity": capacity[:8],
    }

    def act(user: User, ctx: AuditContext) -> str:
        try:
            body = SkillsIn.model_validate(
                {
                    "tiers": tiers,
                    "languages": languages,
                    "case_types": None if any_case_type else case_types,
                    "capacity": capacity,
                }
            )
        except ValidationError as exc:
            name = next(
                (str(p) for e in exc.errors() for p in e["loc"] if str(p) in SKILL_WORDS), ""
            )
            raise InvalidInput(SKILL_WORDS.get(name, "check the skills"), field=name) from None
        service.set_skills(
            session,
            ctx,
            user,
            tiers=body.tiers,
            languages=body.languages,
            case_types=body.case_types,
            capacity=body.capacity,
            seen=seen,
        )
        return "skills"

    return _act(
        request, session, principal, username, "skills", act, fields=SKILL_FIELDS, typed=typed
    )


@router.post("/admin/accounts/{username}/tokens/{token_id}/revoke")
def revoke_token(
    username: UsernameP,
    token_id: TokenId,
    request: Request,
    session: SessionDep,
    principal: Admin,
) -> Response:
    """Revoke one of the account's API tokens at once (``auth.revoke_token``)."""

    def act(user: User, ctx: AuditContext) -> str:
        auth.revoke_token(session, ctx, token_id, owner_id=user.id)
        return "revoked"

    return _act(request, session, principal, username, "tokens", act)
