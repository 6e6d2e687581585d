"""Accounts, sign-in, cookie sessions and API tokens. Never commits.

Separation of duties (45 CFR 164.308(a)(3)-(4), workforce clearance and access authorisation):
no one changes their own role, disables or resets their own account; a role that reads PHI is
granted by one person and approved by a second (``RoleGrant``); a member-portal account is
opened by the member, whose identity facts are checked (``enrol``), never by an administrator
(who sees no PHI and so cannot check them). The command line is the operator's break-glass path
(it holds the keys anyway): it acts at once, and every act is audited.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from argon2 import PasswordHasher
from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction, GrantKind, GrantStatus, Role
from memberdesk.compliance.models import (
    ApiToken,
    LoginAttempt,
    RoleGrant,
    Team,
    User,
    WebSession,
)
from memberdesk.compliance.passwords import (
    USERNAME_RULE,
    PasswordRejected,
    dummy_hash,
    generate_password,
    hash_password,
    hasher,
    valid_username,
    verify_password,
)
from memberdesk.compliance.permissions import reads_phi
from memberdesk.config import Settings
from memberdesk.errors import Conflict, InvalidInput, MemberdeskError, NotFound

TOKEN_PREFIX = "mdt_"  # noqa: S105 - a label, not a secret
RATE_WINDOW = timedelta(minutes=15)
DEFAULT_TOKEN_MAX_DAYS: int = Settings.model_fields["token_max_days"].default
ENROLMENT = "(enrolment)"  # the login_attempts "username" of enrolment tries (never a username)
PORTAL_MIN_AGE = 18


class SignInRefused(MemberdeskError):
    """Wrong credentials, disabled or locked account (deliberately one message)."""

    status_code = 401
    type = "sign_in_refused"


class TooManyAttempts(MemberdeskError):
    """Too many failed sign-ins for one username from one address."""

    status_code = 429
    type = "too_many_attempts"


class NotAllowed(MemberdeskError):
    """The caller may use the route, but not for this (separation of duties)."""

    status_code = 403
    type = "forbidden"


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


def password_hasher(settings: Settings) -> PasswordHasher:
    """The hasher configured by settings."""
    return hasher(
        settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism
    )


def digest(token: str) -> bytes:
    """SHA-256 of a bearer secret: tokens are random, so a fast hash is enough."""
    return hashlib.sha256(token.encode()).digest()


def _hash_new(settings: Settings, password: str, username: str, field: str) -> str:
    try:
        return hash_password(password_hasher(settings), password, username)
    except PasswordRejected as exc:
        raise InvalidInput(str(exc), field=field) from None


# --- teams -----------------------------------------------------------------------------------


def find_team(session: Session, name: str, field: str = "body.team") -> Team:
    """An existing team by name (a mistyped name is an error, never a new team)."""
    team = session.scalar(select(Team).where(Team.name == name))
    if team is None:
        raise InvalidInput(
            "no team with this name; an administrator creates teams first", field=field
        )
    return team


def create_team(session: Session, ctx: AuditContext, name: str) -> Team:
    """Create a team (audited)."""
    name = name.strip()
    if not 1 <= len(name) <= 80:
        raise InvalidInput("team name must be 1-80 characters", field="body.name")
    if session.scalar(select(Team.id).where(Team.name == name)) is not None:
        raise Conflict("a team with this name exists", field="body.name")
    team = Team(name=name)
    session.add(team)
    session.flush()
    audit.record(
        session,
        ctx,
        AuditAction.TEAM_CREATED,
        object_type="team",
        object_id=team.id,
        changes={"new": {"name": name}},
    )
    return team


def ensure_team(session: Session, name: str) -> Team:
    """A team by name, created if missing: for provisioning scripts (demo, test fixtures),
    never for what a person typed (use ``find_team``)."""
    team = session.scalar(select(Team).where(Team.name == name))
    if team is None:
        team = Team(name=name)
        session.add(team)
        session.flush()
    return team


# --- accounts --------------------------------------------------------------------------------


def find_user(session: Session, username: str) -> User:
    """An account by username."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound("no user with this username", field="path.username")
    return user


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
    disabled: bool = False,
) -> User:
    """Create an account (audited). The primitive under ``provision_account`` and ``enrol``;
    a missing team is created, so callers that take a team from a person check it first."""
    if not valid_username(username):
        raise InvalidInput(f"username {USERNAME_RULE}", field="body.username")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict("this username is taken", field="body.username")
    if (role == Role.MEMBER) != (member_id is not None):
        raise InvalidInput(
            "member accounts, and only they, must name a member", field="body.member_id"
        )
    hashed = _hash_new(settings, password, username, "body.password")
    user = User(
        username=username,
        display_name=display_name,
        role=role,
        password_hash=hashed,
        team_id=ensure_team(session, team).id if team else None,
        member_id=member_id,
        disabled=disabled,
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


def _needs_second_person(ctx: AuditContext, role: Role) -> bool:
    # A person acting through the API (not the operator at the command line) may not give a
    # PHI role on their own say-so.
    return ctx.actor_id is not None and reads_phi(role)


def _grant(
    session: Session, ctx: AuditContext, user: User, role: Role, kind: GrantKind
) -> RoleGrant:
    pending = session.scalar(
        select(RoleGrant.id).where(
            RoleGrant.user_id == user.id, RoleGrant.status == GrantStatus.PENDING
        )
    )
    if pending is not None:
        raise Conflict("a role grant for this account is already waiting for approval")
    grant = RoleGrant(
        user_id=user.id,
        kind=kind,
        role=role,
        old_role=user.role if kind == GrantKind.CHANGE else None,
        requested_by_id=ctx.actor_id,
        requested_by=ctx.actor,
    )
    session.add(grant)
    session.flush()
    audit.record(
        session,
        ctx,
        AuditAction.ROLE_GRANT_REQUESTED,
        object_type="role_grant",
        object_id=grant.id,
        detail={"user_id": user.id, "role": role.value, "kind": kind.value},
    )
    return grant


def provision_account(
    session: Session,
    settings: Settings,
    ctx: AuditContext,
    *,
    username: str,
    display_name: str,
    role: Role,
    password: str,
    team: str | None = None,
) -> tuple[User, RoleGrant | None]:
    """A staff account as an administrator (API) or operator (CLI) asks for it: the team must
    exist; a PHI role asked for through the API leaves the account disabled until a second
    person approves the grant."""
    if role == Role.MEMBER:
        raise InvalidInput(
            "member portal accounts are opened by the member through enrolment, which checks "
            "their identity",
            field="body.role",
        )
    if team is not None:
        find_team(session, team)
    second = _needs_second_person(ctx, role)
    user = create_user(
        session,
        settings,
        ctx,
        username=username,
        display_name=display_name,
        role=role,
        password=password,
        team=team,
        disabled=second,
    )
    grant = _grant(session, ctx, user, role, GrantKind.CREATE) if second else None
    return user, grant


def _not_self(ctx: AuditContext, user: User, what: str) -> None:
    if ctx.actor_id is not None and ctx.actor_id == user.id:
        raise NotAllowed(f"no one may {what} their own account")


def _enabled_admins(session: Session) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.role == Role.ADMIN, User.disabled.is_(False))
        )
        or 0
    )


def _keep_an_admin(session: Session, user: User) -> None:
    if user.role == Role.ADMIN and not user.disabled and _enabled_admins(session) <= 1:
        raise Conflict("this is the last enabled administrator; enable or create another first")


def request_role(
    session: Session, ctx: AuditContext, username: str, role: Role
) -> tuple[User, RoleGrant | None]:
    """Change a role as asked through the API: at once for a role without PHI, else a grant
    waiting for a second person."""
    user = find_user(session, username)
    if not _needs_second_person(ctx, role):
        return set_role(session, ctx, username, role), None
    _check_role_change(session, ctx, user, role)
    return user, _grant(session, ctx, user, role, GrantKind.CHANGE)


def _check_role_change(session: Session, ctx: AuditContext, user: User, role: Role) -> None:
    _not_self(ctx, user, "change the role of")
    if role == Role.MEMBER or user.role == Role.MEMBER:
        raise InvalidInput("member portal accounts cannot change role", field="body.role")
    if role != Role.ADMIN:
        _keep_an_admin(session, user)


def set_role(session: Session, ctx: AuditContext, username: str, role: Role) -> User:
    """Change a user's role now; their open sessions end, and tokens follow at once (the role
    is read on every request)."""
    user = find_user(session, username)
    _check_role_change(session, ctx, user, role)
    _apply_role(session, ctx, user, role)
    return user


def _apply_role(session: Session, ctx: AuditContext, user: User, role: Role) -> None:
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


def pending_grants(session: Session) -> list[RoleGrant]:
    """Grants waiting for a second person, oldest first."""
    return list(
        session.scalars(
            select(RoleGrant).where(RoleGrant.status == GrantStatus.PENDING).order_by(RoleGrant.id)
        )
    )


def _pending(session: Session, grant_id: int) -> tuple[RoleGrant, User]:
    grant = session.get(RoleGrant, grant_id)
    if grant is None:
        raise NotFound("no role grant with this id", field="path.grant_id")
    if grant.status != GrantStatus.PENDING:
        raise Conflict("this role grant was already decided")
    user = session.get(User, grant.user_id)
    assert user is not None  # foreign key
    return grant, user


def _decide(grant: RoleGrant, ctx: AuditContext, status: GrantStatus) -> None:
    grant.status, grant.decided_at = status, now()
    grant.decided_by_id, grant.decided_by = ctx.actor_id, ctx.actor


def approve_grant(session: Session, ctx: AuditContext, grant_id: int) -> tuple[RoleGrant, User]:
    """The second person approves: the role applies (a new account is enabled)."""
    grant, user = _pending(session, grant_id)
    if ctx.actor_id is not None and ctx.actor_id in (grant.requested_by_id, user.id):
        raise NotAllowed("a role grant is approved by someone other than its requester and holder")
    if grant.kind == GrantKind.CREATE:
        user.disabled = False
    if user.role != grant.role:
        _check_role_change(session, ctx, user, grant.role)
        _apply_role(session, ctx, user, grant.role)
    _decide(grant, ctx, GrantStatus.APPROVED)
    audit.record(
        session,
        ctx,
        AuditAction.ROLE_GRANT_APPROVED,
        object_type="role_grant",
        object_id=grant.id,
        detail={"user_id": user.id, "role": grant.role.value, "kind": grant.kind.value},
    )
    return grant, user


def reject_grant(session: Session, ctx: AuditContext, grant_id: int) -> tuple[RoleGrant, User]:
    """The grant is refused: the role stays as it was (a new account stays disabled)."""
    grant, user = _pending(session, grant_id)
    _decide(grant, ctx, GrantStatus.REJECTED)
    audit.record(
        session,
        ctx,
        AuditAction.ROLE_GRANT_REJECTED,
        object_type="role_grant",
        object_id=grant.id,
        detail={"user_id": user.id, "role": grant.role.value, "kind": grant.kind.value},
    )
    return grant, user


def disable_user(session: Session, ctx: AuditContext, username: str) -> User:
    """Disable an account, ending its sessions and revoking its tokens."""
    user = find_user(session, username)
    _not_self(ctx, user, "disable")
    _keep_an_admin(session, user)
    user.disabled = True
    _end_all_sessions(session, user.id, "disabled")
    _revoke_all_tokens(session, user.id)
    audit.record(
        session,
        ctx,
        AuditAction.USER_DISABLED,
        object_type="user",
        object_id=user.id,
        changes={"old": {"disabled": False}, "new": {"disabled": True}},
    )
    return user


def _awaiting_grant(session: Session, user: User) -> bool:
    """An account made through a role grant stays off until a grant for the PHI role it holds
    is approved: enabling it is no way around a pending or rejected grant."""
    grants = list(session.scalars(select(RoleGrant).where(RoleGrant.user_id == user.id)))
    if not any(g.kind == GrantKind.CREATE for g in grants):
        return False
    if any(g.status == GrantStatus.PENDING for g in grants):
        return True
    approved = any(g.status == GrantStatus.APPROVED and g.role == user.role for g in grants)
    return reads_phi(user.role) and not approved


def enable_user(session: Session, ctx: AuditContext, username: str) -> User:
    """Enable a disabled account (not one waiting for, or refused, its role grant)."""
    user = find_user(session, username)
    _not_self(ctx, user, "enable")
    if _awaiting_grant(session, user):
        raise Conflict(
            "this account waits for (or was refused) approval of its role; it is not enabled"
        )
    if not user.disabled:
        raise Conflict("this account is already enabled")
    user.disabled = False
    audit.record(
        session,
        ctx,
        AuditAction.USER_ENABLED,
        object_type="user",
        object_id=user.id,
        changes={"old": {"disabled": True}, "new": {"disabled": False}},
    )
    return user


def unlock_user(session: Session, ctx: AuditContext, username: str) -> User:
    """Lift a lock-out after failed sign-ins."""
    user = find_user(session, username)
    user.failed_attempts, user.locked_until = 0, None
    audit.record(session, ctx, AuditAction.USER_UNLOCKED, object_type="user", object_id=user.id)
    return user


def reset_password(
    session: Session, settings: Settings, ctx: AuditContext, username: str
) -> tuple[User, str]:
    """Give an account a random temporary password that must be changed at the next sign-in;
    its sessions end and its tokens are revoked. Returns the temporary password (shown once)."""
    user = find_user(session, username)
    _not_self(ctx, user, "reset the password of")
    if user.role == Role.MEMBER:
        raise NotAllowed(
            "a member portal account is recovered by the member: disable it, and the member "
            "enrols again with their identity facts"
        )
    temporary = generate_password(user.username)
    user.password_hash = password_hasher(settings).hash(temporary)
    user.must_change_password = True
    user.failed_attempts, user.locked_until = 0, None
    _end_all_sessions(session, user.id, "password_reset")
    _revoke_all_tokens(session, user.id)
    audit.record(session, ctx, AuditAction.PASSWORD_RESET, object_type="user", object_id=user.id)
    return user, temporary


def change_password(
    session: Session,
    settings: Settings,
    ctx: AuditContext,
    *,
    username: str,
    current: str,
    new: str,
) -> User:
    """A user changes their own password, proving the current one (sign-in's limits and
    lock-out apply). Every session and token issued under the old password ends."""
    # The new password's rules first: a refusal there touches no account.
    new_hash = _hash_new(settings, new, username[:64], "body.new_password")
    if new == current:
        raise InvalidInput("the new password must differ from the current one", field="body")
    user = authenticate(session, settings, ctx, username, current, action=None)
    user.password_hash = new_hash
    user.must_change_password = False
    _end_all_sessions(session, user.id, "password_changed")
    _revoke_all_tokens(session, user.id)
    audit.record(
        session,
        AuditContext(
            user.id, user.username, user.role.value, ctx.purpose, ctx.request_id, ctx.client_addr
        ),
        AuditAction.PASSWORD_CHANGED,
        object_type="user",
        object_id=user.id,
    )
    return user


def end_everything(session: Session, user_id: int, reason: str) -> None:
    """End every session and revoke every API token of an account."""
    _end_all_sessions(session, user_id, reason)
    _revoke_all_tokens(session, user_id)


def _end_all_sessions(session: Session, user_id: int, reason: str) -> None:
    session.execute(
        update(WebSession)
        .where(WebSession.user_id == user_id, WebSession.ended_at.is_(None))
        .values(ended_at=now(), end_reason=reason)
    )


def _revoke_all_tokens(session: Session, user_id: int) -> None:
    session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now())
    )


# --- member-portal enrolment -----------------------------------------------------------------


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def enrol(
    session: Session,
    settings: Settings,
    ctx: AuditContext,
    *,
    member_number: str,
    last_name: str,
    date_of_birth: date,
    username: str,
    password: str,
) -> User:
    """Open a member-portal account for the member whose ID, last name and date of birth match
    (through the blind indexes; nothing decrypted, nothing echoed). Failures count like failed
    sign-ins from the address; a disabled account of the same member is taken over (recovery)."""
    from memberdesk.compliance.crypto import bidx_member_number, bidx_name_dob
    from memberdesk.members.models import Member

    if not valid_username(username):
        raise InvalidInput(f"username {USERNAME_RULE}", field="body.username")
    new_hash = _hash_new(settings, password, username, "body.password")
    stamp = now()
    client = (ctx.client_addr or "unknown")[:64]
    if _failures(session, stamp, client, ENROLMENT) >= settings.login_rate_limit:
        raise TooManyAttempts("too many failed enrolments from this address; try again later")
    member = session.scalar(
        select(Member).where(
            Member.member_number_bidx == bidx_member_number(member_number),
            Member.purged_at.is_(None),
        )
    )
    if member is None or member.name_dob_bidx != bidx_name_dob(last_name, date_of_birth):
        session.add(LoginAttempt(at=stamp, username=ENROLMENT, client_addr=client, success=False))
        audit.record(
            session, ctx, AuditAction.PORTAL_ENROLMENT_FAILED, detail={"reason": "no_match"}
        )
        session.flush()
        raise InvalidInput(
            "the member ID, last name and date of birth do not match a member's records",
            field="body",
        )
    if _age(date_of_birth, stamp.date()) < PORTAL_MIN_AGE:
        raise InvalidInput(
            f"portal accounts are for members aged {PORTAL_MIN_AGE} or over; a parent or "
            "guardian asks member services",
            field="body.date_of_birth",
        )
    existing = session.scalar(select(User).where(User.member_id == member.id))
    if existing is not None and not existing.disabled:
        raise Conflict(
            "this member already has a portal account; to recover it, member services disables "
            "it and the member enrols again",
            field="body.member_number",
        )
    taken = session.scalar(select(User.id).where(User.username == username))
    if taken is not None and (existing is None or taken != existing.id):
        raise Conflict("this username is taken", field="body.username")
    if existing is None:
        user = create_user(
            session,
            settings,
            ctx,
            username=username,
            display_name=username,  # the users table is not encrypted: no member name here
            role=Role.MEMBER,
            password=password,
            member_id=member.id,
        )
    else:
        user = existing
        user.username, user.password_hash = username, new_hash
        user.disabled = user.must_change_password = False
        user.failed_attempts, user.locked_until = 0, None
    audit.record(
        session,
        ctx,
        AuditAction.PORTAL_ENROLLED,
        object_type="user",
        object_id=user.id,
        member_ids=[member.id],
        detail={"reenrolled": existing is not None},
    )
    return user


# --- sign-in ---------------------------------------------------------------------------------


def _failures(session: Session, stamp: datetime, client: str, username: str | None) -> int:
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
    return _failures(session, now(), client[:64], None)


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
    if _failures(session, stamp, client, label) >= settings.login_rate_limit:
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


# --- API tokens ------------------------------------------------------------------------------


def create_token(
    session: Session,
    ctx: AuditContext,
    user: User,
    name: str,
    expires_at: datetime | None = None,
    *,
    max_days: int = DEFAULT_TOKEN_MAX_DAYS,
) -> tuple[str, ApiToken]:
    """Issue an API token; the secret is returned once and stored only as a hash. Every token
    expires, at most ``max_days`` (settings.token_max_days) after issue."""
    stamp = now()
    cap = stamp + timedelta(days=max_days)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=digest(secret),
        prefix=secret[:10],
        created_at=stamp,
        expires_at=cap if expires_at is None else min(expires_at, cap),
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
