"""The teams page (create, rename) and the role grants page (approve, reject): a role that
shows member data is given by one person and approved by another (``accounts.approve_grant``
refuses the requester and the account's holder).

Grants are decided with ``role_grant.approve``, which compliance officers hold too: they reach
the grants page, and nothing else here."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from memberdesk.admin import service, words
from memberdesk.admin.words import Errors
from memberdesk.compliance import accounts
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import Permission
from memberdesk.db import DbRoute, ReadingSessionDep, SessionDep
from memberdesk.errors import Conflict, MemberdeskError
from memberdesk.schemas import id_path
from memberdesk.web.pages import render

router = APIRouter(include_in_schema=False, route_class=DbRoute)
Admin = Annotated[Principal, requires(Permission.USERS_MANAGE)]
Approver = Annotated[Principal, requires(Permission.ROLE_GRANT_APPROVE)]
TeamId = Annotated[int, id_path("team")]
GrantId = Annotated[int, id_path("role grant")]
TEAM_EXISTS = "A team with this name exists. Choose another name."


def _teams_page(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    status: int = 200,
    done: str | None = None,
    errors: Errors | None = None,
    typed: dict[str, str] | None = None,
) -> HTMLResponse:
    errors = errors or {}
    teams = service.teams(session)
    ids = {f"rename-{team.id}" for team, _ in teams}
    return render(
        request,
        "admin/teams.html",
        principal,
        status=status,
        done=words.DONE.get(done or ""),
        errors=errors,
        typed=typed or {},
        teams=teams,
        # A refusal about a team no longer listed (renamed or gone meanwhile) is said on top.
        orphan_errors=[v for k, v in errors.items() if k.startswith("rename-") and k not in ids],
    )


@router.get("/admin/teams")
def teams_page(
    request: Request, session: ReadingSessionDep, principal: Admin, done: str | None = None
) -> HTMLResponse:
    """Every team with how many accounts it has; create one, rename one."""
    return _teams_page(request, session, principal, done=done)


def _refused(
    request: Request,
    session: Session,
    principal: Principal,
    exc: MemberdeskError,
    key: str,
    typed: dict[str, str],
) -> HTMLResponse:
    session.rollback()
    text = words.refusal(exc, ("name",), key).popitem()[1]
    if exc.message == "a team with this name exists":
        text = TEAM_EXISTS
    return _teams_page(
        request, session, principal, status=exc.status_code, errors={key: text}, typed=typed
    )


@router.post("/admin/teams")
def create_team(
    request: Request,
    session: SessionDep,
    principal: Admin,
    name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """A new team: accounts can join only teams that exist (``accounts.create_team``)."""
    try:
        accounts.create_team(session, audit_ctx(request, principal), name)
        session.commit()
    except IntegrityError:  # the same name, created by someone else a moment ago
        exc = Conflict("a team with this name exists", field="body.name")
        return _refused(request, session, principal, exc, "name", {"name": name[:80]})
    except MemberdeskError as exc:
        return _refused(request, session, principal, exc, "name", {"name": name[:80]})
    return RedirectResponse("/admin/teams?done=team_created", 303)


@router.post("/admin/teams/{team_id}/rename")
def rename_team(
    team_id: TeamId,
    request: Request,
    session: SessionDep,
    principal: Admin,
    name: Annotated[str, Form(max_length=200)] = "",
    seen: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """A new name for a team, if no one renamed it since the page was opened."""
    key = f"rename-{team_id}"
    try:
        service.rename_team(session, audit_ctx(request, principal), team_id, name, seen)
        session.commit()
    except IntegrityError:
        exc = Conflict("a team with this name exists", field="body.name")
        return _refused(request, session, principal, exc, key, {key: name[:80]})
    except MemberdeskError as exc:
        return _refused(request, session, principal, exc, key, {key: name[:80]})
    return RedirectResponse("/admin/teams?done=team_renamed", 303)


def _grants_page(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    status: int = 200,
    done: str | None = None,
    errors: Errors | None = None,
) -> HTMLResponse:
    waiting, decided = service.grants(session)
    return render(
        request,
        "admin/grants.html",
        principal,
        status=status,
        done=words.DONE.get(done or ""),
        errors=errors or {},
        waiting=waiting,
        decided=decided,
    )


@router.get("/admin/grants")
def grants_page(
    request: Request, session: ReadingSessionDep, principal: Approver, done: str | None = None
) -> HTMLResponse:
    """Role grants waiting for a second person, oldest first, and the latest decided."""
    return _grants_page(request, session, principal, done=done)


def _decide(
    request: Request, session: Session, principal: Principal, grant_id: int, approve: bool
) -> Response:
    try:
        ctx = audit_ctx(request, principal)
        if approve:
            accounts.approve_grant(session, ctx, grant_id)
        else:
            accounts.reject_grant(session, ctx, grant_id)
        session.commit()
    except MemberdeskError as exc:
        session.rollback()
        errors = {f"grant-{grant_id}": words.refusal(exc, (), "").popitem()[1]}
        return _grants_page(request, session, principal, status=exc.status_code, errors=errors)
    return RedirectResponse(f"/admin/grants?done={'approved' if approve else 'rejected'}", 303)


@router.post("/admin/grants/{grant_id}/approve")
def approve(
    grant_id: GrantId, request: Request, session: SessionDep, principal: Approver
) -> Response:
    """Approve: the role applies at once (a new account is enabled). Not by the person who
    asked for it, nor by the account's holder."""
    return _decide(request, session, principal, grant_id, True)


@router.post("/admin/grants/{grant_id}/reject")
def reject(
    grant_id: GrantId, request: Request, session: SessionDep, principal: Approver
) -> Response:
    """Reject: the role stays as it was (a new account stays disabled)."""
    return _decide(request, session, principal, grant_id, False)
