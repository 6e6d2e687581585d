"""Accounts, teams and role grants; password resets and changes. Never commits.

Separation of duties (45 CFR 164.308(a)(3)-(4), workforce clearance and access authorisation):
no one changes their own role, disables or resets their own account; a role that reads PHI is
granted by one person and approved by a second (``RoleGrant``); a member-portal account is
opened by the member, whose identity facts are checked (``enrolment.enrol``), never by an
administrator (who sees no PHI and so cannot check them). The command line is the operator's
break-glass path (it holds the keys anyway): it acts at once, and every act is audited.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.auth import (
    authenticate,
    end_all_sessions,
    new_password_hash,
    password_hasher,
    revoke_all_tokens,
)
from memberdesk.compliance.enums import AuditAction, GrantKind, GrantStatus, Role
from memberdesk.compliance.models import RoleGrant, Team, User
from memberdesk.compliance.passwords import USERNAME_RULE, generate_password, valid_username
from memberdesk.compliance.permissions import reads_phi
from memberdesk.config import Settings
from memberdesk.errors import Conflict, InvalidInput, MemberdeskError, NotFound

USERNAME_TAKEN = "this username is taken"


class NotAllowed(MemberdeskError):
    """The caller may use the route, but not for this (separation of duties)."""

    status_code = 403
    type = "forbidden"


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


def find_user(session: Session, username: str, *, lock: bool = False) -> User:
    """An account by username; ``lock``: its row locked and read afresh (PostgreSQL)."""
    query = select(User).where(User.username == username)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    user = session.scalar(query)
    if user is None:
        raise NotFound("no user with this username", field="path.username")
    return user


# Changes to accounts lock rows in one order: the enabled administrators (when the change may
# leave none), then the account, then its role grant. On PostgreSQL two administrators who
# disable each other at the same moment could otherwise both pass the last-administrator check,
# and one grant be approved twice; SQLite's single writer already serialises them.


def lock_admins(session: Session) -> None:
    """Lock the enabled administrators' rows (in id order): the last-administrator check then
    counts what is committed, and a concurrent change waits for this one."""
    session.execute(
        select(User.id)
        .where(User.role == Role.ADMIN, User.disabled.is_(False))
        .order_by(User.id)
        .with_for_update()
    ).all()


def locked_user(session: Session, username: str, *, admins: bool = False) -> User:
    """The account locked for a change; ``admins`` first locks the enabled administrators (a
    change that may leave none)."""
    if admins:
        lock_admins(session)
    return find_user(session, username, lock=True)


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
    """Create an account (audited). The primitive under ``provision_account`` and
    ``enrolment.enrol``; a missing team is created, so callers that take a team from a person
    check it first."""
    if not valid_username(username):
        raise InvalidInput(f"username {USERNAME_RULE}", field="body.username")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(USERNAME_TAKEN, field="body.username")
    if (role == Role.MEMBER) != (member_id is not None):
        raise InvalidInput(
            "member accounts, and only they, must name a member", field="body.member_id"
        )
    hashed = new_password_hash(settings, password, username, "body.password")
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
    user = locked_user(session, username, admins=True)
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
    user = locked_user(session, username, admins=True)
    _check_role_change(session, ctx, user, role)
    _apply_role(session, ctx, user, role)
    return user


def _apply_role(session: Session, ctx: AuditContext, user: User, role: Role) -> None:
    old = user.role
    user.role = role
    end_all_sessions(session, user.id, "role_changed")
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
    """The grant and its account, locked in order, and still waiting: a grant is decided once
    however many approvers press at the same moment."""
    found = session.get(RoleGrant, grant_id)
    if found is None:
        raise NotFound("no role grant with this id", field="path.grant_id")
    holder = session.get(User, found.user_id)
    assert holder is not None  # foreign key
    user = locked_user(session, holder.username, admins=True)
    grant = session.scalar(
        select(RoleGrant)
        .where(RoleGrant.id == grant_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert grant is not None
    if grant.status != GrantStatus.PENDING:
        raise Conflict("this role grant was already decided")
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
    user = locked_user(session, username, admins=True)
    _not_self(ctx, user, "disable")
    _keep_an_admin(session, user)
    user.disabled = True
    end_all_sessions(session, user.id, "disabled")
    revoke_all_tokens(session, user.id)
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
    user = locked_user(session, username)
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
    user = locked_user(session, username)
    user.failed_attempts, user.locked_until = 0, None
    audit.record(session, ctx, AuditAction.USER_UNLOCKED, object_type="user", object_id=user.id)
    return user


def reset_password(
    session: Session, settings: Settings, ctx: AuditContext, username: str
) -> tuple[User, str]:
    """Give an account a random temporary password that must be changed at the next sign-in;
    its sessions end and its tokens are revoked. Returns the temporary password (shown once)."""
    user = locked_user(session, username)
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
    end_all_sessions(session, user.id, "password_reset")
    revoke_all_tokens(session, user.id)
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
    new_hash = new_password_hash(settings, new, username[:64], "body.new_password")
    if new == current:
        raise InvalidInput("the new password must differ from the current one", field="body")
    user = authenticate(session, settings, ctx, username, current, action=None)
    user.password_hash = new_hash
    user.must_change_password = False
    end_all_sessions(session, user.id, "password_changed")
    revoke_all_tokens(session, user.id)
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
