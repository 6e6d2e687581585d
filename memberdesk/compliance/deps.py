"""FastAPI dependencies: who is calling, may they, and the audit context of the request.

Every route declares exactly one of ``requires(Permission.X)`` or ``public``; a test walks all
routes to prove it.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from memberdesk.clock import now
from memberdesk.compliance import audit, auth
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.enums import (
    SCOPED_PERMISSIONS,
    AuditAction,
    Permission,
    PurposeOfUse,
    Role,
)
from memberdesk.compliance.models import User, WebSession
from memberdesk.compliance.permissions import policy
from memberdesk.config import Settings
from memberdesk.db import Sessions
from memberdesk.errors import InvalidInput, MemberdeskError
from memberdesk.web import idempotency

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
    """The caller's address. X-Forwarded-For is believed only from the proxies named in
    ``MEMBERDESK_TRUSTED_PROXIES`` (the server applies it); by default nobody's."""
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


def _principal(
    user: User, via: str, ws: WebSession | None = None, scope: str | None = None
) -> Principal:
    return Principal(
        user.id,
        user.username,
        user.role,
        user.team_id,
        user.member_id,
        via=via,
        session_id=ws.id if ws else None,
        csrf_token=ws.csrf_token if ws else None,
        scope=scope,
    )


def _from_token(sessions: Sessions, settings: Settings, secret: str) -> Principal | None:
    # One worker-thread call: a read-only look-up (never SQLite's write lock), then, at most
    # every few minutes per token, a short conditional write of its last use.
    if not auth.well_formed(secret):
        return None  # a guessed or mistyped token: no database work at all
    stamp = now()
    with sessions.read() as read:
        found = auth.find_token(read, secret)
    if found is None or not auth.token_usable(*found, stamp, settings):
        return None
    token, user = found
    if auth.touch_due(token.last_used_at, stamp, auth.TOUCH_TOKEN_EVERY):
        with sessions.write() as write:
            auth.touch_token(write, token.id, stamp)
            write.commit()
    return _principal(user, "token", scope=token.scope)


def _from_cookie(
    sessions: Sessions, settings: Settings, cookie: str
) -> tuple[Principal | None, bool]:
    """(principal, whether a session was found but has just ended)."""
    stamp = now()
    with sessions.read() as read:
        found = auth.find_session(read, cookie)
    if found is None:
        return None, False
    ws, user = found
    reason = auth.session_end_reason(ws, user, stamp, settings.session_idle_minutes)
    if reason is not None or auth.touch_due(ws.last_seen_at, stamp, auth.TOUCH_SESSION_EVERY):
        with sessions.write() as write:
            if reason is not None:
                auth.expire_session(write, ws, user, reason)
            else:
                auth.touch_session(write, ws.id, stamp)
            write.commit()
    if reason is not None:
        return None, True
    return _principal(user, "session", ws), False


async def get_principal(request: Request) -> Principal:
    """Resolve the bearer token or session cookie; enforce CSRF on cookie-borne writes.

    The look-up runs on its own short sessions, not the request's: nothing is held between it
    and the route, so a request waiting for a worker thread holds no connection and no lock.
    """
    state = request.app.state
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        principal = await run_in_threadpool(
            _from_token, state.sessions, state.settings, header[7:].strip()
        )
        if principal is None:
            await state.anonymous_gate.pass_through()
            raise AuthRequired("invalid, expired or revoked API token")
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        found, ended = (
            await run_in_threadpool(_from_cookie, state.sessions, state.settings, cookie)
            if cookie
            else (None, False)
        )
        if found is None:
            request.state.session_ended = ended
            await state.anonymous_gate.pass_through()
            raise AuthRequired(
                f"sign in first (sessions end after {state.settings.session_idle_minutes} "
                "idle minutes)"
            )
        principal = found
        # Cookies ride along on cross-site requests; tokens do not, so only cookies need CSRF.
        if request.method not in SAFE_METHODS and not await _csrf_ok(
            request, principal.csrf_token or ""
        ):
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

    async def __call__(self, request: Request, principal: CurrentUser) -> Principal:
        if not policy(principal.role).allows(self.permission):
            await run_in_threadpool(self._record_denial, request, principal)
            raise Forbidden(
                f"your role ({principal.role}) lacks the permission {self.permission.value}"
            )
        if principal.scope is not None and self.permission not in SCOPED_PERMISSIONS:
            # An app given a scoped token reads FHIR and nothing else the account could do.
            await run_in_threadpool(self._record_denial, request, principal)
            raise Forbidden(
                f"this token's scope ({principal.scope}) covers the FHIR API only, not the "
                f"permission {self.permission.value}"
            )
        # Allowed: a create retried with the same Idempotency-Key is answered from the first.
        await idempotency.claim(request, principal.user_id)
        return principal

    def _record_denial(self, request: Request, principal: Principal) -> None:
        with request.app.state.sessions.write() as session:
            audit.record(
                session,
                audit_context(request, principal),
                AuditAction.ACCESS_DENIED,
                object_type="route",
                object_id=request.url.path[:64],
                detail={
                    "permission": self.permission.value,
                    **({"scope": principal.scope} if principal.scope else {}),
                },
            )
            session.commit()


def requires(permission: Permission) -> Any:
    """``Annotated`` metadata for a route parameter: ``p: Annotated[Principal, requires(...)]``."""
    return Depends(Require(permission))


async def public(request: Request) -> None:
    """Marks a route as deliberately open (sign-in page, health check, API docs); such
    traffic waits its turn in the anonymous bucket."""
    await request.app.state.anonymous_gate.pass_through()


PUBLIC = Depends(public)


def audit_ctx(request: Request, principal: Principal) -> AuditContext:
    """Audit context of an authenticated request."""
    return audit_context(request, principal)
