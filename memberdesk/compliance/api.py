"""JSON routes: sign-in, tokens, passwords, enrolment, users and teams, role grants, audit,
access reports, holds, retention."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from enum import Enum
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from memberdesk.clock import now
from memberdesk.compliance import accounts, audit, auth, enrolment, reports, retention
from memberdesk.compliance.audit import decrypt_changes
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import PUBLIC, audit_context, audit_ctx, client_addr, requires
from memberdesk.compliance.enums import AuditAction, Permission, TokenScope
from memberdesk.compliance.models import (
    ApiToken,
    LegalHold,
    RoleGrant,
    Team,
    User,
)
from memberdesk.compliance.permissions import policy
from memberdesk.compliance.schemas import (
    AccessRowOut,
    AuditEntryOut,
    AuditPage,
    Enrolment,
    LegalHoldIn,
    LegalHoldOut,
    LegalHoldRelease,
    PasswordChange,
    PasswordResetOut,
    Profile,
    RetentionOut,
    RoleGrantOut,
    TeamIn,
    TeamOut,
    TokenInfo,
    TokenOut,
    TokenRequest,
    UserIn,
    UserOut,
    UserPatch,
    VerifyOut,
)
from memberdesk.compliance.verify import read_anchor, verify_chain
from memberdesk.config import Settings
from memberdesk.db import DbRoute, ReadingSessionDep, SessionDep, read_only_connection
from memberdesk.errors import InvalidInput, NotFound
from memberdesk.schemas import MAX_AUDIT_ID, Day, LimitQ, OffsetQ, Page, id_path, id_query
from memberdesk.web.openapi import ErrorOut

router = APIRouter(prefix="/api", route_class=DbRoute)
Anyone = Annotated[Principal, requires(Permission.SESSION)]
Admin = Annotated[Principal, requires(Permission.USERS_MANAGE)]
Approver = Annotated[Principal, requires(Permission.ROLE_GRANT_APPROVE)]
TeamReader = Annotated[Principal, requires(Permission.TEAM_READ)]
Auditor = Annotated[Principal, requires(Permission.AUDIT_READ)]
Reporter = Annotated[Principal, requires(Permission.ACCESS_REPORT_READ)]
HoldManager = Annotated[Principal, requires(Permission.LEGAL_HOLD_MANAGE)]
RetentionManager = Annotated[Principal, requires(Permission.RETENTION_MANAGE)]
AUTH: list[str | Enum] = ["auth"]
USERS: list[str | Enum] = ["users"]
COMPLIANCE: list[str | Enum] = ["compliance"]
StartQ = Annotated[Day, Query(description="First day (YYYY-MM-DD, UTC)")]
EndQ = Annotated[Day, Query(description="Last day, inclusive (YYYY-MM-DD, UTC)")]
FormatQ = Annotated[Literal["json", "csv"], Query(description="json or csv")]
UsernameP = Annotated[str, Path(max_length=64, description="Account name")]


async def signin_pause(request: Request) -> None:
    """Before any password check: an address with many recent failures (password spraying
    across usernames) waits its turn, spaced out, instead of being refused (``auth.SprayGate``).
    Async, so waiting holds no worker thread and no connection. Used by every route that checks
    a password or identity facts (the sign-in form too)."""
    settings: Settings = request.app.state.settings
    addr = (client_addr(request) or "unknown")[:64]

    def count() -> int:
        with request.app.state.sessions.read() as session:
            return auth.address_failures(session, addr)

    delay = auth.spray_delay(await run_in_threadpool(count), settings.login_rate_limit)
    if delay:
        wait = auth.SPRAY_GATE.reserve(addr, delay, time.monotonic())
        if wait is None:
            raise auth.TooManyAttempts(
                "too many failed sign-ins from this address; try again in a minute"
            )
        await asyncio.sleep(wait)


SIGNIN_PAUSE = Depends(signin_pause)


@router.post(
    "/auth/token",
    response_model=TokenOut,
    status_code=201,
    tags=AUTH,
    summary="Get an API token",
    dependencies=[PUBLIC, SIGNIN_PAUSE],
    responses={
        403: {
            "model": ErrorOut,
            "description": "The password was reset: choose a new one (POST /api/auth/password)",
        }
    },
)
def issue_token(body: TokenRequest, session: SessionDep, request: Request) -> TokenOut:
    """Exchange a username and password for a bearer token (lock-out and rate limits apply).
    Every token expires: after ``expires_days``, at most the server's maximum (90 days)."""
    settings: Settings = request.app.state.settings
    if body.expires_days is not None and body.expires_days > settings.token_max_days:
        raise InvalidInput(f"at most {settings.token_max_days} days", field="body.expires_days")
    ctx = audit_context(request, None)
    try:
        user = auth.authenticate(session, settings, ctx, body.username, body.password)
    except (auth.SignInRefused, auth.TooManyAttempts):
        session.commit()  # the failed attempt and lock-out must persist
        raise
    if user.must_change_password:
        session.commit()
        raise auth.PasswordChangeRequired(
            "an administrator reset this password: choose a new one first (POST /api/auth/password)"
        )
    if body.scope is not None and not scope_fits(user, body.scope):
        session.commit()  # the sign-in is recorded
        raise InvalidInput(
            "patient/*.read is for member accounts, user/*.read for staff who read members",
            field="body.scope",
        )
    expires = now() + timedelta(days=body.expires_days or settings.token_max_days)
    secret, token = auth.create_token(
        session, ctx, user, body.name, expires, max_days=settings.token_max_days, scope=body.scope
    )
    session.commit()
    assert token.expires_at is not None
    return TokenOut(
        token=secret, prefix=token.prefix, expires_at=token.expires_at, scope=token.scope
    )


def scope_fits(user: User, scope: TokenScope) -> bool:
    """A member's token may be ``patient/*.read``; a staff token that reads members
    ``user/*.read``."""
    pol = policy(user.role)
    if scope is TokenScope.PATIENT_READ:
        return user.member_id is not None and pol.allows(Permission.SELF_READ)
    return pol.allows(Permission.MEMBER_READ) and pol.allows(Permission.FHIR_READ)


@router.post(
    "/auth/password",
    status_code=204,
    tags=AUTH,
    summary="Change your password",
    dependencies=[PUBLIC, SIGNIN_PAUSE],
)
def change_password(body: PasswordChange, session: SessionDep, request: Request) -> Response:
    """Change your own password, proving the current one (also the way out of a reset: the
    temporary password works here only). Sign-in's limits apply. Every session and API token
    of the account ends; sign in again with the new password."""
    try:
        accounts.change_password(
            session,
            request.app.state.settings,
            audit_context(request, None),
            username=body.username,
            current=body.current_password,
            new=body.new_password,
        )
    except (auth.SignInRefused, auth.TooManyAttempts):
        session.commit()
        raise
    session.commit()
    return Response(status_code=204)


@router.post(
    "/auth/enrol",
    response_model=UserOut,
    status_code=201,
    tags=AUTH,
    summary="Open your member portal account",
    dependencies=[PUBLIC, SIGNIN_PAUSE],
    responses={
        409: {
            "model": ErrorOut,
            "description": "The member already has a portal account, or the username is taken",
        }
    },
)
def enrol(body: Enrolment, session: SessionDep, request: Request) -> UserOut:
    """A member opens their own portal account with the member ID, last name and date of birth
    on their ID card. Failures count like failed sign-ins from the address; the answer never
    says which fact did not match. Members under 18 are served through a parent or guardian."""
    try:
        user = enrolment.enrol(
            session,
            request.app.state.settings,
            audit_context(request, None),
            member_number=body.member_number,
            last_name=body.last_name,
            date_of_birth=body.date_of_birth,
            username=body.username,
            password=body.password,
        )
    except InvalidInput as exc:
        if exc.field == "body":  # no match: the attempt must count
            session.commit()
        raise
    except auth.TooManyAttempts:
        session.commit()
        raise
    session.commit()
    return UserOut.model_validate(user)


@router.get("/auth/me", response_model=Profile, tags=AUTH, summary="Who am I")
def whoami(principal: Anyone) -> Profile:
    """The caller's account, permissions and masked fields (and CSRF token for sessions)."""
    pol = policy(principal.role)
    return Profile(
        user_id=principal.user_id,
        username=principal.username,
        role=principal.role,
        team_id=principal.team_id,
        member_id=principal.member_id,
        permissions=sorted(p.value for p in pol.permissions),
        masked_fields=pol.mask,
        via=principal.via,
        csrf_token=principal.csrf_token,
    )


def _token_infos(
    settings: Settings, tokens: list[ApiToken], users: dict[int, User]
) -> list[TokenInfo]:
    stamp = now()
    out = []
    for t in tokens:
        info = TokenInfo.model_validate(t)
        user = users.get(t.user_id)
        info.active = (
            t.revoked_at is None
            and user is not None
            and auth.token_usable(t, user, stamp, settings)
        )
        out.append(info)
    return out


@router.get("/auth/tokens", response_model=list[TokenInfo], tags=AUTH, summary="My API tokens")
def my_tokens(session: ReadingSessionDep, request: Request, principal: Anyone) -> list[TokenInfo]:
    """Your tokens, newest first: prefix, name, issued, last used, expiry, revoked."""
    user = session.get(User, principal.user_id)
    assert user is not None
    return _token_infos(
        request.app.state.settings, auth.list_tokens(session, user.id), {user.id: user}
    )


@router.delete("/auth/tokens/{token_id}", status_code=204, tags=AUTH, summary="Revoke an API token")
def revoke_token(
    token_id: Annotated[int, id_path("API token")],
    session: SessionDep,
    request: Request,
    principal: Anyone,
) -> Response:
    """Revoke one of your tokens at once; administrators may revoke anyone's."""
    admin = policy(principal.role).allows(Permission.USERS_MANAGE)
    auth.revoke_token(
        session,
        audit_ctx(request, principal),
        token_id,
        owner_id=None if admin else principal.user_id,
    )
    session.commit()
    return Response(status_code=204)


@router.get("/users", response_model=Page[UserOut], tags=USERS, summary="All accounts")
def list_users(
    session: ReadingSessionDep, principal: Admin, limit: LimitQ = 50, offset: OffsetQ = 0
) -> Page[UserOut]:
    """Every account (administrators)."""
    total = session.scalar(select(func.count()).select_from(User)) or 0
    rows = session.scalars(select(User).order_by(User.username).limit(limit).offset(offset))
    return Page(
        items=[UserOut.model_validate(u) for u in rows], total=total, limit=limit, offset=offset
    )


def _user_out(user: User, grant: RoleGrant | None) -> UserOut:
    out = UserOut.model_validate(user)
    out.pending_grant = RoleGrantOut.model_validate(grant) if grant is not None else None
    return out


@router.post(
    "/users", response_model=UserOut, status_code=201, tags=USERS, summary="Create an account"
)
def create_user(body: UserIn, session: SessionDep, request: Request, principal: Admin) -> UserOut:
    """Create a staff account in an existing team. An account with a role that reads PHI stays
    disabled until another administrator or a compliance officer approves its role grant.
    Member portal accounts are opened by the member (``POST /api/auth/enrol``)."""
    user, grant = accounts.provision_account(
        session,
        request.app.state.settings,
        audit_ctx(request, principal),
        username=body.username,
        display_name=body.display_name,
        role=body.role,
        password=body.password,
        team=body.team,
    )
    session.commit()
    return _user_out(user, grant)


@router.patch(
    "/users/{username}", response_model=UserOut, tags=USERS, summary="Change role, disable, enable"
)
def patch_user(
    username: UsernameP, body: UserPatch, session: SessionDep, request: Request, principal: Admin
) -> UserOut:
    """Role changes and disabling end the user's sessions at once (API tokens follow: the role
    is read on every request). A role that reads PHI is a grant another person approves. No one
    changes, disables or enables their own account; the last administrator stays enabled."""
    ctx = audit_ctx(request, principal)
    user, grant = None, None
    if body.role is not None:
        user, grant = accounts.request_role(session, ctx, username, body.role)
    if body.disabled is True:
        user = accounts.disable_user(session, ctx, username)
    elif body.disabled is False:
        user = accounts.enable_user(session, ctx, username)
    if user is None:
        raise InvalidInput("give role or disabled", field="body")
    session.commit()
    return _user_out(user, grant)


@router.post(
    "/users/{username}/unlock", response_model=UserOut, tags=USERS, summary="Lift a lock-out"
)
def unlock_user(
    username: UsernameP, session: SessionDep, request: Request, principal: Admin
) -> UserOut:
    """Clear failed sign-ins and the lock-out they caused (audited)."""
    user = accounts.unlock_user(session, audit_ctx(request, principal), username)
    session.commit()
    return _user_out(user, None)


@router.post(
    "/users/{username}/password-reset",
    response_model=PasswordResetOut,
    tags=USERS,
    summary="Reset a password",
)
def reset_password(
    username: UsernameP, session: SessionDep, request: Request, principal: Admin
) -> PasswordResetOut:
    """Give the account a random temporary password (shown once), which works only to choose
    a new one (``POST /api/auth/password``); its sessions end and its API tokens are revoked.
    Not your own account, and not a member's (members recover through enrolment)."""
    user, temporary = accounts.reset_password(
        session, request.app.state.settings, audit_ctx(request, principal), username
    )
    session.commit()
    return PasswordResetOut(username=user.username, temporary_password=temporary)


@router.get(
    "/users/{username}/tokens",
    response_model=list[TokenInfo],
    tags=USERS,
    summary="A user's API tokens",
)
def user_tokens(
    username: UsernameP, session: ReadingSessionDep, request: Request, principal: Admin
) -> list[TokenInfo]:
    """Any account's tokens (administrators), newest first."""
    user = accounts.find_user(session, username)
    return _token_infos(
        request.app.state.settings, auth.list_tokens(session, user.id), {user.id: user}
    )


@router.get(
    "/role-grants",
    response_model=list[RoleGrantOut],
    tags=USERS,
    summary="Role grants waiting for approval",
)
def list_grants(session: ReadingSessionDep, principal: Approver) -> list[RoleGrantOut]:
    """Requests to give an account a role that reads PHI, oldest first."""
    return [RoleGrantOut.model_validate(g) for g in accounts.pending_grants(session)]


@router.post(
    "/role-grants/{grant_id}/approve",
    response_model=RoleGrantOut,
    tags=USERS,
    summary="Approve a role grant",
)
def approve_grant(
    grant_id: Annotated[int, id_path("role grant")],
    session: SessionDep,
    request: Request,
    principal: Approver,
) -> RoleGrantOut:
    """The second person: not the requester, not the account's holder. The role applies at
    once (a new account is enabled)."""
    grant, _ = accounts.approve_grant(session, audit_ctx(request, principal), grant_id)
    session.commit()
    return RoleGrantOut.model_validate(grant)


@router.post(
    "/role-grants/{grant_id}/reject",
    response_model=RoleGrantOut,
    tags=USERS,
    summary="Reject a role grant",
)
def reject_grant(
    grant_id: Annotated[int, id_path("role grant")],
    session: SessionDep,
    request: Request,
    principal: Approver,
) -> RoleGrantOut:
    """The role stays as it was; a new account stays disabled."""
    grant, _ = accounts.reject_grant(session, audit_ctx(request, principal), grant_id)
    session.commit()
    return RoleGrantOut.model_validate(grant)


@router.get("/teams", response_model=list[TeamOut], tags=USERS, summary="All teams")
def list_teams(session: ReadingSessionDep, principal: Admin) -> list[TeamOut]:
    """Teams by name (administrators)."""
    return [TeamOut.model_validate(t) for t in session.scalars(select(Team).order_by(Team.name))]


@router.post("/teams", response_model=TeamOut, status_code=201, tags=USERS, summary="Create a team")
def create_team(body: TeamIn, session: SessionDep, request: Request, principal: Admin) -> TeamOut:
    """Accounts can only join teams that exist: a mistyped name is an error, not a new team."""
    team = accounts.create_team(session, audit_ctx(request, principal), body.name)
    session.commit()
    return TeamOut.model_validate(team)


@router.get("/team", response_model=list[UserOut], tags=USERS, summary="My team")
def my_team(session: ReadingSessionDep, principal: TeamReader) -> list[UserOut]:
    """Supervisors see their own team, and only it."""
    if principal.team_id is None:
        raise NotFound("you are not on a team", field="team")
    rows = session.scalars(
        select(User).where(User.team_id == principal.team_id).order_by(User.username)
    )
    return [UserOut.model_validate(u) for u in rows]


def _report(
    session: Session,
    request: Request,
    principal: Principal,
    rows: list[reports.AccessRow],
    fmt: str,
    *,
    object_type: str,
    object_id: int,
    member_ids: list[int] | None = None,
) -> Any:
    """Audit the report itself (reading the access log is an access too), then render it."""
    audit.record(
        session,
        audit_ctx(request, principal),
        AuditAction.ACCESS_REPORT,
        object_type=object_type,
        object_id=object_id,
        member_ids=member_ids or [],
        detail={"report": f"by_{object_type}", "rows": len(rows), "format": fmt},
    )
    session.commit()
    kind = f"{object_type}-{object_id}"
    if fmt == "csv":
        return Response(
            reports.to_csv(rows),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="phi-access-{kind}.csv"'},
        )
    return [AccessRowOut(**r.__dict__) for r in rows]


@router.get(
    "/compliance/access/member/{member_id}",
    response_model=list[AccessRowOut],
    tags=COMPLIANCE,
    summary="Who accessed a member",
)
def access_by_member(
    member_id: Annotated[int, id_path("member")],
    start: StartQ,
    end: EndQ,
    session: ReadingSessionDep,
    request: Request,
    principal: Reporter,
    format: FormatQ = "json",
) -> Any:
    """Every read, search hit, change and export of one member's PHI between two dates
    (accounting of disclosures, 45 CFR 164.528). JSON or CSV."""
    lo, hi = reports.day_window(start, end)
    audit.seal_all(session)
    rows = reports.member_access(session, member_id, lo, hi)
    return _report(
        session,
        request,
        principal,
        rows,
        format,
        object_type="member",
        object_id=member_id,
        member_ids=[member_id],
    )


@router.get(
    "/compliance/access/user/{user_id}",
    response_model=list[AccessRowOut],
    tags=COMPLIANCE,
    summary="Everything a user accessed",
)
def access_by_user(
    user_id: Annotated[int, id_path("user")],
    start: StartQ,
    end: EndQ,
    session: ReadingSessionDep,
    request: Request,
    principal: Reporter,
    format: FormatQ = "json",
) -> Any:
    """Every member whose PHI one user saw or changed between two dates (privacy
    investigations). JSON or CSV."""
    if session.get(User, user_id) is None:
        raise NotFound("no user with this id", field="path.user_id")
    lo, hi = reports.day_window(start, end)
    audit.seal_all(session)
    rows = reports.user_access(session, user_id, lo, hi)
    return _report(session, request, principal, rows, format, object_type="user", object_id=user_id)


@router.get(
    "/compliance/audit",
    response_model=AuditPage,
    tags=COMPLIANCE,
    summary="Search the audit log",
)
def audit_entries(
    session: ReadingSessionDep,
    request: Request,
    principal: Auditor,
    limit: LimitQ = 50,
    before_id: Annotated[
        int | None,
        Query(
            ge=1,
            le=MAX_AUDIT_ID,
            description="Older page: entries before this id (the last page's next_before_id)",
        ),
    ] = None,
    action: Annotated[AuditAction | None, Query(description="Only this action")] = None,
    actor_id: Annotated[int | None, id_query("actor (user id)")] = None,
    username: Annotated[
        str | None, Query(min_length=1, max_length=64, description="Only this actor (username)")
    ] = None,
    member_id: Annotated[int | None, id_query("member whose record was touched")] = None,
    object_type: Annotated[
        str | None,
        Query(min_length=1, max_length=32, pattern=r"^[a-z_]+$", description="Kind of object"),
    ] = None,
    object_id: Annotated[
        str | None, Query(min_length=1, max_length=64, description="Object id (with object_type)")
    ] = None,
    start: Annotated[Day | None, Query(description="From this day (UTC)")] = None,
    end: Annotated[Day | None, Query(description="To this day, inclusive (UTC)")] = None,
) -> AuditPage:
    """Newest first, old and new values decrypted (compliance officers only). Filters combine;
    pages follow ``next_before_id`` (keyset paging: as fast at entry 5,000,000 as at the
    first page). Reading the log is itself audited."""
    if object_id is not None and object_type is None:
        raise InvalidInput("give object_type with object_id", field="query.object_id")
    window = reports.optional_window(start, end)
    audit.seal_all(session)
    filters = reports.AuditFilter(
        action=action.value if action else None,
        actor_id=actor_id,
        username=username,
        member_id=member_id,
        object_type=object_type,
        object_id=object_id,
        start=window[0],
        end=window[1],
    )
    rows = reports.search_audit(session, filters, limit, before_id)
    more = len(rows) > limit
    rows = rows[:limit]
    items = [
        AuditEntryOut(
            id=e.id,
            at=e.at,
            actor=e.actor,
            role=e.role,
            action=e.action,
            object_type=e.object_type,
            object_id=e.object_id,
            purpose=e.purpose,
            request_id=e.request_id,
            client_addr=e.client_addr,
            detail=e.detail,
            changes=decrypt_changes(e.changes),
            hash=e.hash,
        )
        for e in rows
    ]
    audit.record(
        session,
        audit_ctx(request, principal),
        AuditAction.ACCESS_REPORT,
        object_type="audit_log",
        detail={"report": "audit", "rows": len(items), "filters": filters.used()},
    )
    session.commit()
    return AuditPage(
        items=items, limit=limit, next_before_id=rows[-1].id if more and rows else None
    )


@router.get(
    "/compliance/audit/verify",
    response_model=VerifyOut,
    tags=COMPLIANCE,
    summary="Verify the audit chain",
)
def audit_verify(session: ReadingSessionDep, request: Request, principal: Auditor) -> VerifyOut:
    """Recompute every hash and checkpoint; names the first bad entry."""
    # Its own read-only connection: a long verification must not hold the write lock.
    with read_only_connection(request.app.state.engine) as conn:
        result = verify_chain(conn, read_anchor(request.app.state.settings.var_dir))
    audit.record(
        session,
        audit_ctx(request, principal),
        AuditAction.AUDIT_VERIFIED,
        object_type="audit_log",
        detail=result.as_dict(),
    )
    session.commit()
    return VerifyOut(**result.as_dict())


@router.get(
    "/compliance/legal-holds",
    response_model=list[LegalHoldOut],
    tags=COMPLIANCE,
    summary="Legal holds",
)
def list_holds(session: ReadingSessionDep, principal: HoldManager) -> list[LegalHoldOut]:
    """Active and released holds, newest first."""
    rows = session.scalars(select(LegalHold).order_by(LegalHold.id.desc()))
    return [LegalHoldOut.model_validate(h) for h in rows]


@router.post(
    "/compliance/legal-holds",
    response_model=LegalHoldOut,
    status_code=201,
    tags=COMPLIANCE,
    summary="Place a legal hold",
)
def place_hold(
    body: LegalHoldIn, session: SessionDep, request: Request, principal: HoldManager
) -> LegalHoldOut:
    """Held records are never purged until the hold is released."""
    hold = retention.place_hold(
        session,
        audit_ctx(request, principal),
        matter=body.matter,
        member_id=body.member_id,
        record_type=body.record_type,
        reason=body.reason,
    )
    session.commit()
    return LegalHoldOut.model_validate(hold)


@router.post(
    "/compliance/legal-holds/{hold_id}/release",
    response_model=LegalHoldOut,
    tags=COMPLIANCE,
    summary="Release a legal hold",
)
def release_hold(
    hold_id: Annotated[int, id_path("legal hold")],
    session: SessionDep,
    request: Request,
    principal: HoldManager,
    body: LegalHoldRelease | None = None,
) -> LegalHoldOut:
    """Retention applies to the records again from the next run. The reason (optional here,
    asked for on the console's page) is kept encrypted."""
    hold = retention.release_hold(
        session, audit_ctx(request, principal), hold_id, body.reason if body else None
    )
    session.commit()
    return LegalHoldOut.model_validate(hold)


@router.post(
    "/compliance/retention/run",
    response_model=RetentionOut,
    tags=COMPLIANCE,
    summary="Apply retention",
)
def run_retention(
    session: SessionDep,
    request: Request,
    principal: RetentionManager,
    dry_run: Annotated[bool, Query(description="Only count")] = True,
) -> RetentionOut:
    """Purge or de-identify expired records not under a legal hold (dry run by default)."""
    report = retention.run(
        session, audit_ctx(request, principal), request.app.state.settings.retention_years, dry_run
    )
    session.commit()
    return RetentionOut(**report.__dict__)
