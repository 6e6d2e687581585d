"""Accounts, sign-in, cookie sessions and API tokens. Never commits."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction, Role
from memberdesk.compliance.models import ApiToken, LoginAttempt, Team, User, WebSession
from memberdesk.compliance.passwords import hash_password, hasher, verify_password
from memberdesk.config import Settings
from memberdesk.errors import Conflict, InvalidInput, MemberdeskError, NotFound

TOKEN_PREFIX = "mdt_"  # noqa: S105 - a label, not a secret
RATE_WINDOW = timedelta(minutes=15)
# A real hash of a random password: failing for an unknown user costs the same time as for a
# known one, so response times do not reveal which usernames exist.
_DUMMY_PASSWORD = secrets.token_urlsafe(16)


class SignInRefused(MemberdeskError):
    """Wrong credentials, disabled or locked account (deliberately one message)."""

    status_code = 401


class TooManyAttempts(MemberdeskError):
    """Too many failed sign-ins from one client address."""

    status_code = 429


@dataclass(frozen=True)
class Principal:
    """The signed-in user of a request."""

    user_id: int
    username: str
    role: Role
    team_id: int | None
    member_id: int | None
    via: str  # "session" or "token"
    session_id: int | None = None
    csrf_token: str | None = None


def password_hasher(settings: Settings) -> PasswordHasher:
    """The hasher configured by settings."""
    return hasher(
        settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism
    )


def digest(token: str) -> bytes:
    """SHA-256 of a bearer secret: tokens are random, so a fast hash is enough."""
    return hashlib.sha256(token.encode()).digest()


def _user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user named {username!r}", field="username")
    return user


def get_or_create_team(session: Session, name: str) -> Team:
    """A team by name, created on first use."""
    team = session.scalar(select(Team).where(Team.name == name))
    if team is None:
        team = Team(name=name)
        session.add(team)
        session.flush()
    return team


def create_user(
    session: Session,
    settings: Settings,
    ctx: AuditContext,
    *,
    username: str,
    display_name: str,
    role: Role,
    password: str,
    team: str | None = None,
    member_id: int | None = None,
) -> User:
    """Create an account (audited)."""
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"user {username!r} already exists", field="username")
    if (role == Role.MEMBER) != (member_id is not None):
        raise InvalidInput("member accounts, and only they, must name a member", field="member_id")
    try:
        hashed = hash_password(password_hasher(settings), password)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="password") from None
    user = User(
        username=username,
        display_name=display_name,
        role=role,
        password_hash=hashed,
        team_id=get_or_create_team(session, team).id if team else None,
        member_id=member_id,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        ctx,
        AuditAction.USER_CREATED,
        object_type="user",
        object_id=user.id,
        changes={"new": {"username": username, "role": role.value, "team": team}},
    )
    return user


def set_role(session: Session, ctx: AuditContext, username: str, role: Role) -> User:
    """Change a user's role; their open sessions end so the new rights apply at once."""
    user = _user(session, username)
    if role == Role.MEMBER or user.role == Role.MEMBER:
        raise InvalidInput("member portal accounts cannot change role", field="role")
    old = user.role
    user.role = role
    _end_all_sessions(session, user.id, "role_changed")
    audit.record(
        session,
        ctx,
        AuditAction.USER_ROLE_CHANGED,
        object_type="user",
        object_id=user.id,
        changes={"old": {"role": old.value}, "new": {"role": role.value}},
    )
    return user


def disable_user(session: Session, ctx: AuditContext, username: str) -> User:
    """Disable an account, ending its sessions and revoking its tokens."""
    user = _user(session, username)
    user.disabled = True
    _end_all_sessions(session, user.id, "disabled")
    session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now())
    )
    audit.record(
        session,
        ctx,
        AuditAction.USER_DISABLED,
        object_type="user",
        object_id=user.id,
        changes={"old": {"disabled": False}, "new": {"disabled": True}},
    )
    return user


def _end_all_sessions(session: Session, user_id: int, reason: str) -> None:
    session.execute(
        update(WebSession)
        .where(WebSession.user_id == user_id, WebSession.ended_at.is_(None))
        .values(ended_at=now(), end_reason=reason)
    )


def authenticate(
    session: Session, settings: Settings, ctx: AuditContext, username: str, password: str
) -> User:
    """Check a password with lock-out and per-client rate limiting; audits every outcome."""
    stamp = now()
    client = ctx.client_addr or "unknown"
    recent_failures = (
        session.scalar(
            select(func.count())
            .select_from(LoginAttempt)
            .where(
                LoginAttempt.client_addr == client,
                LoginAttempt.success.is_(False),
                LoginAttempt.at > stamp - RATE_WINDOW,
            )
        )
        or 0
    )
    if recent_failures >= settings.login_rate_limit:
        raise TooManyAttempts("too many failed sign-ins from this address; try again later")
    user = session.scalar(select(User).where(User.username == username))
    ph = password_hasher(settings)
    ok = verify_password(ph, user.password_hash if user else ph.hash(_DUMMY_PASSWORD), password)
    locked = user is not None and user.locked_until is not None and user.locked_until > stamp
    session.add(
        LoginAttempt(
            at=stamp,
            username=username[:64],
            client_addr=client,
            success=bool(ok and user and not locked and not user.disabled),
        )
    )
    actor = AuditContext(
        user.id if user else None,
        username[:64],
        user.role.value if user else "-",
        ctx.purpose,
        ctx.request_id,
        ctx.client_addr,
    )
    if user is None or user.disabled or locked or not ok:
        if user is not None and not ok and not locked:
            user.failed_attempts += 1
            if user.failed_attempts >= settings.lockout_threshold:
                user.locked_until = stamp + timedelta(minutes=settings.lockout_minutes)
                audit.record(
                    session,
                    actor,
                    AuditAction.LOCKED_OUT,
                    object_type="user",
                    object_id=user.id,
                    detail={"failed_attempts": user.failed_attempts},
                )
        reason = (
            "unknown_user"
            if user is None
            else "disabled"
            if user.disabled
            else "locked"
            if locked
            else "bad_password"
        )
        audit.record(
            session,
            actor,
            AuditAction.LOGIN_FAILED,
            object_type="user",
            object_id=user.id if user else None,
            detail={"reason": reason},
        )
        session.flush()
        raise SignInRefused("wrong username or password, or the account is locked or disabled")
    user.failed_attempts = 0
    user.locked_until = None
    user.last_login_at = stamp
    if ph.check_needs_rehash(user.password_hash):
        user.password_hash = ph.hash(password)
    audit.record(session, actor, AuditAction.LOGIN, object_type="user", object_id=user.id)
    return user


def start_session(session: Session, user: User) -> tuple[str, WebSession]:
    """Open a cookie session; returns the cookie value (stored only as a hash)."""
    token = secrets.token_urlsafe(32)
    ws = WebSession(user_id=user.id, token_hash=digest(token), csrf_token=secrets.token_urlsafe(24))
    session.add(ws)
    session.flush()
    return token, ws


TOUCH_SESSION_EVERY = timedelta(seconds=30)
TOUCH_TOKEN_EVERY = timedelta(minutes=5)


def find_session(session: Session, cookie: str) -> tuple[WebSession, User] | None:
    """The open session for a cookie and its user (a read; no lock taken)."""
    row = session.execute(
        select(WebSession, User)
        .join(User, User.id == WebSession.user_id)
        .where(WebSession.token_hash == digest(cookie), WebSession.ended_at.is_(None))
    ).first()
    return (row[0], row[1]) if row is not None else None


def session_end_reason(
    ws: WebSession, user: User, stamp: datetime, idle_minutes: int
) -> str | None:
    """Why a found session must end now (45 CFR 164.312(a)(2)(iii)), or None while it lives."""
    if user.disabled:
        return "disabled"
    if ws.last_seen_at < stamp - timedelta(minutes=idle_minutes):
        return "idle_timeout"
    return None


def expire_session(session: Session, ws: WebSession, user: User, reason: str) -> None:
    """End a session found idle or disabled, audited once even when requests race."""
    stamp = now()
    ended = session.execute(  # type: ignore[attr-defined]  # CursorResult of an UPDATE
        update(WebSession)
        .where(WebSession.id == ws.id, WebSession.ended_at.is_(None))
        .values(ended_at=stamp, end_reason=reason)
    ).rowcount
    if ended:
        audit.record(
            session,
            AuditContext(user.id, user.username, user.role.value),
            AuditAction.SESSION_EXPIRED,
            object_type="session",
            object_id=ws.id,
            detail={"reason": reason},
        )


def touch_due(last: datetime | None, stamp: datetime, every: timedelta) -> bool:
    """Whether a last-seen/last-used stamp is old enough to be written again (throttled, so
    ordinary requests write nothing)."""
    return last is None or stamp - last > every


def touch_session(session: Session, ws_id: int, stamp: datetime) -> None:
    """Record activity on a session (conditional: concurrent requests write it once)."""
    session.execute(
        update(WebSession)
        .where(WebSession.id == ws_id, WebSession.last_seen_at < stamp - TOUCH_SESSION_EVERY)
        .values(last_seen_at=stamp)
    )


def end_session(session: Session, ws: WebSession, reason: str) -> None:
    """Sign out."""
    ws.ended_at, ws.end_reason = now(), reason


def create_token(
    session: Session, ctx: AuditContext, user: User, name: str, expires_at: datetime | None = None
) -> tuple[str, ApiToken]:
    """Issue an API token; the secret is returned once and stored only as a hash."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=digest(secret),
        prefix=secret[:10],
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    audit.record(
        session,
        ctx,
        AuditAction.TOKEN_CREATED,
        object_type="api_token",
        object_id=token.id,
        detail={"user_id": user.id},
    )
    return secret, token


def find_token(session: Session, secret: str) -> tuple[ApiToken, User] | None:
    """The unrevoked token for a bearer secret and its user (a read; no lock taken)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 128:
        return None
    row = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == digest(secret), ApiToken.revoked_at.is_(None))
    ).first()
    return (row[0], row[1]) if row is not None else None


def token_usable(token: ApiToken, user: User, stamp: datetime, settings: Settings) -> bool:
    """Live: user enabled, not past its expiry or the maximum lifetime, not idle too long."""
    if user.disabled or user.must_change_password:
        return False
    ends = token.created_at + timedelta(days=settings.token_max_days)
    if token.expires_at is not None:
        ends = min(ends, token.expires_at)
    last = token.last_used_at or token.created_at
    return stamp < ends and stamp - last < timedelta(days=settings.token_idle_days)


def touch_token(session: Session, token_id: int, stamp: datetime) -> None:
    """Record a token's use (conditional and throttled: most requests write nothing)."""
    session.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token_id,
            (ApiToken.last_used_at.is_(None)) | (ApiToken.last_used_at < stamp - TOUCH_TOKEN_EVERY),
        )
        .values(last_used_at=stamp)
    )
