"""Sign-in, cookie sessions and API tokens: who is calling. Never commits.

Accounts, teams, role grants and password changes are in ``accounts.py``; member-portal
enrolment in ``enrolment.py``. Sign-in resists guessing three ways: each account locks after
``lockout_threshold`` failures, one address is limited per username (``login_rate_limit``), and
an address that sprays passwords across usernames is slowed down (``SprayGate``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.crypto import keyring
from memberdesk.compliance.enums import AuditAction, Role, TokenScope
from memberdesk.compliance.models import ApiToken, LoginAttempt, User, WebSession
from memberdesk.compliance.passwords import (
    PasswordRejected,
    dummy_hash,
    hash_password,
    hasher,
    valid_username,
    verify_password,
)
from memberdesk.config import Settings
from memberdesk.errors import Conflict, InvalidInput, MemberdeskError, NotFound

TOKEN_PREFIX = "mdt_"  # noqa: S105 - a label, not a secret
TOKEN_CHECK_CHARS = 8
TOKEN_LENGTH = len(TOKEN_PREFIX) + 43 + TOKEN_CHECK_CHARS  # token_urlsafe(32) is 43 characters
RATE_WINDOW = timedelta(minutes=15)
DEFAULT_TOKEN_MAX_DAYS: int = Settings.model_fields["token_max_days"].default


class SignInRefused(MemberdeskError):
    """Wrong credentials, disabled or locked account (deliberately one message)."""

    status_code = 401
    type = "sign_in_refused"


class TooManyAttempts(MemberdeskError):
    """Too many failed sign-ins for one username from one address."""

    status_code = 429
    type = "too_many_attempts"


class PasswordChangeRequired(MemberdeskError):
    """The password was right, but an administrator reset it: choose a new one first."""

    status_code = 403
    type = "password_change_required"


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
    scope: str | None = None  # a scoped token's TokenScope (None: all the role may)


def password_hasher(settings: Settings) -> PasswordHasher:
    """The hasher configured by settings."""
    return hasher(
        settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism
    )


def digest(token: str) -> bytes:
    """SHA-256 of a bearer secret: tokens are random, so a fast hash is enough."""
    return hashlib.sha256(token.encode()).digest()


def new_password_hash(settings: Settings, password: str, username: str, field: str) -> str:
    """The hash of a new password that meets the rules, else a 422 naming ``field``."""
    try:
        return hash_password(password_hasher(settings), password, username)
    except PasswordRejected as exc:
        raise InvalidInput(str(exc), field=field) from None


# --- sign-in ---------------------------------------------------------------------------------


def recent_failures(session: Session, stamp: datetime, client: str, username: str | None) -> int:
    """Failed attempts from ``client`` in the window before ``stamp``; for one ``username``
    (sign-in, or ``enrolment.ENROLMENT`` for enrolment tries), or any when None."""
    query = (
        select(func.count())
        .select_from(LoginAttempt)
        .where(
            LoginAttempt.client_addr == client,
            LoginAttempt.success.is_(False),
            LoginAttempt.at > stamp - RATE_WINDOW,
        )
    )
    if username is not None:
        query = query.where(LoginAttempt.username == username)
    return session.scalar(query) or 0


def address_failures(session: Session, client: str) -> int:
    """Failed sign-ins from one address (any username) in the last 15 minutes."""
    return recent_failures(session, now(), client[:64], None)


def authenticate(
    session: Session,
    settings: Settings,
    ctx: AuditContext,
    username: str,
    password: str,
    *,
    action: AuditAction | None = AuditAction.LOGIN,
) -> User:
    """Check a password with lock-out and the per-address-and-username limit; audits every
    outcome. An unknown or malformed username costs what a wrong password costs: one Argon2
    verification and the same statements (NIST SP 800-63B-4 3.2.2; no user enumeration)."""
    stamp = now()
    client = (ctx.client_addr or "unknown")[:64]
    label = username[:64]
    ph = password_hasher(settings)
    dummy = dummy_hash(ph)
    # Brute force on one account is stopped by its lock-out; this limit also covers usernames
    # that do not exist, without refusing anyone else behind the same address.
    if recent_failures(session, stamp, client, label) >= settings.login_rate_limit:
        raise TooManyAttempts(
            "too many failed sign-ins for this username from this address; try again later"
        )
    lookup = username if valid_username(username) else ""  # "" matches no account
    user = session.scalar(select(User).where(User.username == lookup))
    ok = verify_password(ph, user.password_hash if user else dummy, password)
    locked = user is not None and user.locked_until is not None and user.locked_until > stamp
    success = bool(ok and user is not None and not locked and not user.disabled)
    session.add(LoginAttempt(at=stamp, username=label, client_addr=client, success=success))
    actor = AuditContext(
        user.id if user else None,
        label,
        user.role.value if user else "-",
        ctx.purpose,
        ctx.request_id,
        ctx.client_addr,
    )
    if not success:
        _count_failure(session, settings, actor, lookup if not ok else "", stamp)
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
    assert user is not None
    user.failed_attempts = 0
    user.locked_until = None
    user.last_login_at = stamp
    if ph.check_needs_rehash(user.password_hash):
        user.password_hash = ph.hash(password)
    if action is not None:
        audit.record(session, actor, action, object_type="user", object_id=user.id)
    return user


def _count_failure(
    session: Session, settings: Settings, actor: AuditContext, username: str, stamp: datetime
) -> None:
    # One UPDATE on every failed path, matching no row when the account does not exist (or
    # the password was right but the account is locked or disabled), so both paths run the
    # same statements. Locked accounts are not counted further: the lock runs its course.
    until = stamp + timedelta(minutes=settings.lockout_minutes)
    row = session.execute(
        update(User)
        .where(
            User.username == username,
            (User.locked_until.is_(None)) | (User.locked_until <= stamp),
        )
        .values(
            failed_attempts=User.failed_attempts + 1,
            locked_until=case(
                (User.failed_attempts + 1 >= settings.lockout_threshold, until),
                else_=None,
            ),
        )
        .returning(User.id, User.failed_attempts, User.locked_until),
        execution_options={"synchronize_session": "fetch"},
    ).first()
    if row is not None and row.locked_until is not None:
        audit.record(
            session,
            actor,
            AuditAction.LOCKED_OUT,
            object_type="user",
            object_id=row.id,
            detail={"failed_attempts": row.failed_attempts},
        )


# Password spraying from one address across many usernames: past ``login_rate_limit`` failures
# in the window, every attempt from that address waits its turn, spaced by a delay that grows
# with the failures (1 s each beyond the limit, at most 30 s). Correct passwords are never
# refused for a colleague's typing; they wait like everyone else behind that address, and the
# wait comes before the check, so it tells an attacker nothing about the answer.
SPRAY_STEP_SECONDS = 1.0
SPRAY_MAX_DELAY = 30.0
SPRAY_MAX_QUEUE = 60.0


def spray_delay(failures: int, limit: int) -> float:
    """Seconds between attempts from an address with ``failures`` recent failures."""
    if failures < limit:
        return 0.0
    return min(SPRAY_MAX_DELAY, SPRAY_STEP_SECONDS * (failures - limit + 1))


class SprayGate:
    """Spaces the sign-in attempts of each hot address ``delay`` apart, in this process
    (parallel requests queue instead of all passing at once)."""

    def __init__(self, max_queue: float = SPRAY_MAX_QUEUE) -> None:
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}
        self.max_queue = max_queue

    def reserve(self, addr: str, delay: float, at: float) -> float | None:
        """Seconds this attempt must wait (monotonic ``at``), or None when the queue is
        already longer than ``max_queue`` (the caller answers 429)."""
        with self._lock:
            if len(self._next) > 10_000:
                self._next = {k: v for k, v in self._next.items() if v > at}
            start = max(at, self._next.get(addr, at))
            if start - at > self.max_queue:
                return None
            self._next[addr] = start + delay
            return start - at


SPRAY_GATE = SprayGate()


# --- sessions --------------------------------------------------------------------------------


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
    if user.must_change_password:
        return "password_change_required"
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


def end_all_sessions(session: Session, user_id: int, reason: str) -> None:
    """End every open cookie session of an account."""
    session.execute(
        update(WebSession)
        .where(WebSession.user_id == user_id, WebSession.ended_at.is_(None))
        .values(ended_at=now(), end_reason=reason)
    )


# --- API tokens ------------------------------------------------------------------------------


def create_token(
    session: Session,
    ctx: AuditContext,
    user: User,
    name: str,
    expires_at: datetime | None = None,
    *,
    max_days: int = DEFAULT_TOKEN_MAX_DAYS,
    scope: TokenScope | None = None,
) -> tuple[str, ApiToken]:
    """Issue an API token; the secret is returned once and stored only as a hash. Every token
    expires, at most ``max_days`` (settings.token_max_days) after issue. A ``scope`` limits it
    to the FHIR API's reads."""
    stamp = now()
    cap = stamp + timedelta(days=max_days)
    body = secrets.token_urlsafe(32)
    secret = TOKEN_PREFIX + body + _token_check(body)
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=digest(secret),
        prefix=secret[:10],
        created_at=stamp,
        expires_at=cap if expires_at is None else min(expires_at, cap),
        scope=scope.value if scope is not None else None,
    )
    session.add(token)
    session.flush()
    audit.record(
        session,
        ctx,
        AuditAction.TOKEN_CREATED,
        object_type="api_token",
        object_id=token.id,
        detail={"user_id": user.id, **({"scope": scope.value} if scope else {})},
    )
    return secret, token


def list_tokens(session: Session, user_id: int) -> list[ApiToken]:
    """A user's tokens, newest first (revoked and expired ones too)."""
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc())
        )
    )


def revoke_token(
    session: Session, ctx: AuditContext, token_id: int, *, owner_id: int | None
) -> ApiToken:
    """Revoke a token; with ``owner_id``, only one of that user's (others are "not found")."""
    token = session.get(ApiToken, token_id)
    if token is None or (owner_id is not None and token.user_id != owner_id):
        raise NotFound("no API token with this id", field="path.token_id")
    if token.revoked_at is not None:
        raise Conflict("this API token is already revoked")
    token.revoked_at = now()
    audit.record(
        session,
        ctx,
        AuditAction.TOKEN_REVOKED,
        object_type="api_token",
        object_id=token.id,
        detail={"user_id": token.user_id},
    )
    return token


def _token_check(body: str) -> str:
    # A keyed checksum on every token: a made-up or mistyped token is refused without touching
    # the database, so a flood of guessed tokens costs the server next to nothing.
    mac = hmac.new(keyring().session_secret, b"api-token|" + body.encode(), hashlib.sha256)
    return mac.hexdigest()[:TOKEN_CHECK_CHARS]


def well_formed(secret: str) -> bool:
    """Whether a bearer secret could be one of ours (prefix, length and checksum)."""
    if len(secret) != TOKEN_LENGTH or not secret.startswith(TOKEN_PREFIX):
        return False
    body, check = secret[len(TOKEN_PREFIX) : -TOKEN_CHECK_CHARS], secret[-TOKEN_CHECK_CHARS:]
    # Bytes: compare_digest refuses str holding non-ASCII (a header may carry any byte).
    return hmac.compare_digest(check.encode(), _token_check(body).encode())


def find_token(session: Session, secret: str) -> tuple[ApiToken, User] | None:
    """The unrevoked token for a bearer secret and its user (a read; no lock taken)."""
    if not well_formed(secret):
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


def revoke_all_tokens(session: Session, user_id: int) -> None:
    """Revoke every API token of an account."""
    session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now())
    )


def end_everything(session: Session, user_id: int, reason: str) -> None:
    """End every session and revoke every API token of an account."""
    end_all_sessions(session, user_id, reason)
    revoke_all_tokens(session, user_id)
