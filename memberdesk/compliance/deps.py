"""FastAPI dependencies: who is calling, may they, and the audit context of the request.

Every route declares exactly one of ``requires(Permission.X)`` or ``public``; a test walks all
routes to prove it.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from memberdesk.compliance import audit, auth
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.enums import AuditAction, Permission, PurposeOfUse, Role
from memberdesk.compliance.permissions import policy
from memberdesk.db import SessionDep
from memberdesk.errors import InvalidInput, MemberdeskError

SESSION_COOKIE = "md_session"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
PURPOSE_HEADER = "x-purpose-of-use"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
DEFAULT_PURPOSE = {
    Role.MEMBER: PurposeOfUse.INDIVIDUAL_REQUEST,
    Role.COMPLIANCE_OFFICER: PurposeOfUse.COMPLIANCE,
    Role.TIER2_SPECIALIST: PurposeOfUse.PAYMENT,
    Role.NAVIGATOR: PurposeOfUse.TREATMENT,
}


class AuthRequired(MemberdeskError):
    """No valid session or token."""

    status_code = 401


class Forbidden(MemberdeskError):
    """Signed in, but the role lacks the permission (or the CSRF check failed)."""

    status_code = 403


def client_addr(request: Request) -> str | None:
    """The caller's address (uvicorn applies trusted proxy headers before this)."""
    return request.client.host if request.client else None


async def _csrf_ok(request: Request, expected: str) -> bool:
    supplied = request.headers.get(CSRF_HEADER)
    if supplied is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        supplied = value if isinstance(value, str) else None
    return supplied is not None and hmac.compare_digest(supplied, expected)


async def get_principal(request: Request, session: SessionDep) -> Principal:
    """Resolve the bearer token or session cookie; enforce CSRF on cookie-borne writes."""
    settings = request.app.state.settings
    # This dependency is async (it may read the form for the CSRF token), so its database work
    # goes to the thread pool like a sync route's. Run on the event loop, it blocked every other
    # request while it waited for a lock; on SQLite (BEGIN IMMEDIATE) the lock's holder needed
    # the loop to finish, so two concurrent requests stalled for the whole busy timeout and one
    # failed with "database is locked" (HTTP 500).
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        user = await run_in_threadpool(auth.resolve_token, session, header[7:].strip())
        if user is None:
            raise AuthRequired("invalid, expired or revoked API token")
        principal = Principal(
            user.id, user.username, user.role, user.team_id, user.member_id, via="token"
        )
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        found = (
            await run_in_threadpool(
                auth.resolve_session, session, cookie, settings.session_idle_minutes
            )
            if cookie
            else None
        )
        if found is None:
            # Keep the idle-timeout record even though the request stops here.
            await run_in_threadpool(session.commit)
            raise AuthRequired("sign in first (sessions end after 15 idle minutes)")
        ws, user = found
        principal = Principal(
            user.id,
            user.username,
            user.role,
            user.team_id,
            user.member_id,
            via="session",
            session_id=ws.id,
            csrf_token=ws.csrf_token,
        )
        # Cookies ride along on cross-site requests; tokens do not, so only cookies need CSRF.
        if request.method not in SAFE_METHODS and not await _csrf_ok(request, ws.csrf_token):
            raise Forbidden("CSRF token missing or wrong", field="header.x-csrf-token")
    request.state.principal = principal
    return principal


CurrentUser = Annotated[Principal, Depends(get_principal)]


def audit_context(request: Request, principal: Principal | None) -> AuditContext:
    """Actor, purpose of use (header or the role's default), request ID and client address."""
    purpose = PurposeOfUse.OPERATIONS
    if principal is not None:
        purpose = DEFAULT_PURPOSE.get(principal.role, PurposeOfUse.OPERATIONS)
    asked = request.headers.get(PURPOSE_HEADER)
    if asked:
        try:
            purpose = PurposeOfUse(asked)
        except ValueError:
            raise InvalidInput(
                f"unknown purpose of use; one of {', '.join(p.value for p in PurposeOfUse)}",
                field="header.x-purpose-of-use",
            ) from None
    return AuditContext(
        actor_id=principal.user_id if principal else None,
        actor=principal.username if principal else "anonymous",
        role=principal.role.value if principal else "-",
        purpose=purpose.value,
        request_id=getattr(request.state, "request_id", None),
        client_addr=client_addr(request),
    )


class Require:
    """Dependency: the caller holds ``permission`` in the matrix, else 403 (audited)."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    def __call__(self, request: Request, principal: CurrentUser, session: SessionDep) -> Principal:
        if not policy(principal.role).allows(self.permission):
            audit.record(
                session,
                audit_context(request, principal),
                AuditAction.ACCESS_DENIED,
                object_type="route",
                object_id=request.url.path[:64],
                detail={"permission": self.permission.value},
            )
            session.commit()
            raise Forbidden(
                f"your role ({principal.role}) lacks the permission {self.permission.value}"
            )
        return principal


def requires(permission: Permission) -> Any:
    """``Annotated`` metadata for a route parameter: ``p: Annotated[Principal, requires(...)]``."""
    return Depends(Require(permission))


def public() -> None:
    """Marks a route as deliberately open (sign-in page, health check, static files)."""


PUBLIC = Depends(public)


def audit_ctx(request: Request, principal: Principal) -> AuditContext:
    """Audit context of an authenticated request."""
    return audit_context(request, principal)
