"""JSON routes: tokens, profile, users and teams, audit, access reports, holds, retention."""

from __future__ import annotations

from datetime import date, timedelta
from enum import Enum
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance import audit, auth, reports, retention
from memberdesk.compliance.audit import decrypt_changes
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import PUBLIC, audit_context, audit_ctx, requires
from memberdesk.compliance.enums import AuditAction, Permission
from memberdesk.compliance.models import AuditEntry, LegalHold, User
from memberdesk.compliance.permissions import policy
from memberdesk.compliance.schemas import (
    AccessRowOut,
    AuditEntryOut,
    LegalHoldIn,
    LegalHoldOut,
    Profile,
    RetentionOut,
    TokenOut,
    TokenRequest,
    UserIn,
    UserOut,
    UserPatch,
    VerifyOut,
)
from memberdesk.compliance.verify import read_anchor, verify_chain
from memberdesk.db import DbRoute, SessionDep, read_only_connection
from memberdesk.errors import InvalidInput, NotFound
from memberdesk.schemas import LimitQ, OffsetQ, Page

router = APIRouter(prefix="/api", route_class=DbRoute)
Anyone = Annotated[Principal, requires(Permission.SESSION)]
Admin = Annotated[Principal, requires(Permission.USERS_MANAGE)]
TeamReader = Annotated[Principal, requires(Permission.TEAM_READ)]
Auditor = Annotated[Principal, requires(Permission.AUDIT_READ)]
Reporter = Annotated[Principal, requires(Permission.ACCESS_REPORT_READ)]
HoldManager = Annotated[Principal, requires(Permission.LEGAL_HOLD_MANAGE)]
RetentionManager = Annotated[Principal, requires(Permission.RETENTION_MANAGE)]
AUTH: list[str | Enum] = ["auth"]
USERS: list[str | Enum] = ["users"]
COMPLIANCE: list[str | Enum] = ["compliance"]
StartQ = Annotated[date, Query(description="First day (YYYY-MM-DD, UTC)")]
EndQ = Annotated[date, Query(description="Last day, inclusive (YYYY-MM-DD, UTC)")]
FormatQ = Annotated[Literal["json", "csv"], Query(description="json or csv")]


@router.post(
    "/auth/token",
    response_model=TokenOut,
    status_code=201,
    tags=AUTH,
    summary="Get an API token",
    dependencies=[PUBLIC],
)
def issue_token(body: TokenRequest, session: SessionDep, request: Request) -> TokenOut:
    """Exchange a username and password for a bearer token (lock-out and rate limits apply)."""
    ctx = audit_context(request, None)
    try:
        user = auth.authenticate(
            session, request.app.state.settings, ctx, body.username, body.password
        )
    except (auth.SignInRefused, auth.TooManyAttempts):
        session.commit()  # the failed attempt and lock-out must persist
        raise
    expires = now() + timedelta(days=body.expires_days) if body.expires_days else None
    secret, token = auth.create_token(session, ctx, user, body.name, expires)
    session.commit()
    return TokenOut(token=secret, prefix=token.prefix, expires_at=token.expires_at)


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


@router.get("/users", response_model=Page[UserOut], tags=USERS, summary="All accounts")
def list_users(
    session: SessionDep, principal: Admin, limit: LimitQ = 50, offset: OffsetQ = 0
) -> Page[UserOut]:
    """Every account (administrators)."""
    total = session.scalar(select(func.count()).select_from(User)) or 0
    rows = session.scalars(select(User).order_by(User.username).limit(limit).offset(offset))
    return Page(
        items=[UserOut.model_validate(u) for u in rows], total=total, limit=limit, offset=offset
    )


@router.post(
    "/users", response_model=UserOut, status_code=201, tags=USERS, summary="Create an account"
)
def create_user(body: UserIn, session: SessionDep, request: Request, principal: Admin) -> UserOut:
    """Create a staff or member-portal account."""
    user = auth.create_user(
        session,
        request.app.state.settings,
        audit_ctx(request, principal),
        username=body.username,
        display_name=body.display_name,
        role=body.role,
        password=body.password,
        team=body.team,
        member_id=body.member_id,
    )
    session.commit()
    return UserOut.model_validate(user)


@router.patch(
    "/users/{username}", response_model=UserOut, tags=USERS, summary="Change role or disable"
)
def patch_user(
    username: str, body: UserPatch, session: SessionDep, request: Request, principal: Admin
) -> UserOut:
    """Role changes and disabling end the user's sessions at once."""
    ctx = audit_ctx(request, principal)
    user = None
    if body.role is not None:
        user = auth.set_role(session, ctx, username, body.role)
    if body.disabled:
        user = auth.disable_user(session, ctx, username)
    if user is None:
        raise InvalidInput("give role or disabled", field="body")
    session.commit()
    return UserOut.model_validate(user)


@router.get("/team", response_model=list[UserOut], tags=USERS, summary="My team")
def my_team(session: SessionDep, principal: TeamReader) -> list[UserOut]:
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
    member_id: int,
    start: StartQ,
    end: EndQ,
    session: SessionDep,
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
    user_id: int,
    start: StartQ,
    end: EndQ,
    session: SessionDep,
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
    response_model=Page[AuditEntryOut],
    tags=COMPLIANCE,
    summary="Audit entries with what changed",
)
def audit_entries(
    session: SessionDep,
    request: Request,
    principal: Auditor,
    limit: LimitQ = 50,
    offset: OffsetQ = 0,
    action: Annotated[str | None, Query(description="Only this action")] = None,
    actor_id: Annotated[int | None, Query(description="Only this user")] = None,
) -> Page[AuditEntryOut]:
    """Newest first, old and new values decrypted (compliance officers only)."""
    audit.seal_all(session)
    query = select(AuditEntry)
    if action:
        query = query.where(AuditEntry.action == action)
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit).offset(offset)).all()
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
        detail={"report": "audit", "rows": len(items)},
    )
    session.commit()
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/compliance/audit/verify",
    response_model=VerifyOut,
    tags=COMPLIANCE,
    summary="Verify the audit chain",
)
def audit_verify(session: SessionDep, request: Request, principal: Auditor) -> VerifyOut:
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
def list_holds(session: SessionDep, principal: HoldManager) -> list[LegalHoldOut]:
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
    hold_id: int, session: SessionDep, request: Request, principal: HoldManager
) -> LegalHoldOut:
    """Retention applies to the records again from the next run."""
    hold = retention.release_hold(session, audit_ctx(request, principal), hold_id)
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
