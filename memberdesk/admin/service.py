"""What the administration pages read and the few changes the account services lack (a name
and team, a team's name, skills with their audit entry). Never commits.

The rules stay in ``compliance/accounts.py`` and ``cases/routing.py``: the pages call them.
The account services lock rows in one order (``accounts.locked_user``), so several
administrators at once on PostgreSQL cannot leave none enabled or decide a grant twice. The
edits here are made only if the record still holds what the form showed, so one person's
change is never silently overwritten by another's older form.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from memberdesk.cases import routing
from memberdesk.cases.enums import CaseType
from memberdesk.cases.models import AgentSkill
from memberdesk.clock import now
from memberdesk.compliance import accounts, audit, auth
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction, GrantStatus, Role
from memberdesk.compliance.models import ApiToken, RoleGrant, Team, User
from memberdesk.config import Settings
from memberdesk.errors import Conflict, InvalidInput, NotFound

CHANGED_MEANWHILE = (
    "someone else changed this since you opened the page; the page now shows what is saved"
)
PAGE_SIZE = 50


class AccountStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"
    LOCKED = "locked"


# --- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Overview:
    """Counts only: what the home page's summary says."""

    total: int
    disabled: int
    locked: int
    pending_grants: int
    by_role: list[tuple[Role, int]]


def overview(session: Session) -> Overview:
    """How many accounts, disabled, locked out, by role, and grants waiting."""
    stamp = now()
    by_role: dict[Role, int] = {
        role: n for role, n in session.execute(select(User.role, func.count()).group_by(User.role))
    }
    disabled = session.scalar(select(func.count()).where(User.disabled.is_(True))) or 0
    locked = session.scalar(select(func.count()).where(_locked(stamp))) or 0
    pending = (
        session.scalar(select(func.count()).where(RoleGrant.status == GrantStatus.PENDING)) or 0
    )
    return Overview(
        total=sum(by_role.values()),
        disabled=disabled,
        locked=locked,
        pending_grants=pending,
        by_role=[(role, by_role.get(role, 0)) for role in Role],
    )


def _locked(stamp: datetime) -> ColumnElement[bool]:
    """Locked out at ``stamp`` (the lock lifts by itself when its time passes)."""
    return User.locked_until.is_not(None) & (User.locked_until > stamp)


def status_of(user: User, stamp: datetime) -> AccountStatus:
    """Disabled wins over locked out: a disabled account cannot sign in either way."""
    if user.disabled:
        return AccountStatus.DISABLED
    if user.locked_until is not None and user.locked_until > stamp:
        return AccountStatus.LOCKED
    return AccountStatus.ACTIVE


@dataclass(frozen=True)
class AccountRow:
    """One line of the account list (no member data: staff names and roles)."""

    user: User
    team: str | None
    status: AccountStatus
    awaiting_approval: bool


def search_accounts(
    session: Session,
    text: str = "",
    status: AccountStatus | None = None,
    *,
    limit: int = PAGE_SIZE,
    offset: int = 0,
) -> tuple[list[AccountRow], int]:
    """Accounts whose username or name contains ``text`` (any case), in one status, by
    username; and how many match in all."""
    stamp = now()
    query = select(User, Team.name).outerjoin(Team, Team.id == User.team_id)
    text = text.strip().lower()
    if text:
        query = query.where(
            or_(
                func.lower(User.username).contains(text, autoescape=True),
                func.lower(User.display_name).contains(text, autoescape=True),
            )
        )
    if status == AccountStatus.DISABLED:
        query = query.where(User.disabled.is_(True))
    elif status == AccountStatus.LOCKED:
        query = query.where(User.disabled.is_(False), _locked(stamp))
    elif status == AccountStatus.ACTIVE:
        query = query.where(
            User.disabled.is_(False),
            User.locked_until.is_(None) | (User.locked_until <= stamp),
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(User.username).limit(limit).offset(offset)).all()
    waiting = _awaiting(session, [u.id for u, _ in rows])
    return [
        AccountRow(user, team, status_of(user, stamp), user.id in waiting) for user, team in rows
    ], total


def _awaiting(session: Session, user_ids: list[int]) -> set[int]:
    if not user_ids:
        return set()
    return set(
        session.scalars(
            select(RoleGrant.user_id).where(
                RoleGrant.user_id.in_(user_ids), RoleGrant.status == GrantStatus.PENDING
            )
        )
    )


def pending_grant_of(session: Session, user_id: int) -> RoleGrant | None:
    """The account's grant waiting for a second person, if any."""
    return session.scalar(
        select(RoleGrant).where(
            RoleGrant.user_id == user_id, RoleGrant.status == GrantStatus.PENDING
        )
    )


def teams(session: Session) -> list[tuple[Team, int]]:
    """Every team by name, with how many accounts it has."""
    counts: dict[int | None, int] = {
        team_id: n
        for team_id, n in session.execute(select(User.team_id, func.count()).group_by(User.team_id))
    }
    return [(t, counts.get(t.id, 0)) for t in session.scalars(select(Team).order_by(Team.name))]


@dataclass(frozen=True)
class GrantRow:
    """A grant with the account it is for."""

    grant: RoleGrant
    username: str
    display_name: str


def grants(session: Session, *, decided: int = 20) -> tuple[list[GrantRow], list[GrantRow]]:
    """Grants waiting (oldest first) and the latest ``decided`` ones (newest first)."""
    query = select(RoleGrant, User.username, User.display_name).join(
        User, User.id == RoleGrant.user_id
    )
    waiting = session.execute(
        query.where(RoleGrant.status == GrantStatus.PENDING).order_by(RoleGrant.id)
    ).all()
    done = session.execute(
        query.where(RoleGrant.status != GrantStatus.PENDING)
        .order_by(RoleGrant.id.desc())
        .limit(decided)
    ).all()
    return [GrantRow(*r) for r in waiting], [GrantRow(*r) for r in done]


@dataclass(frozen=True)
class TokenRow:
    """An API token as listed (never its secret: the prefix only)."""

    token: ApiToken
    active: bool


def tokens(session: Session, settings: Settings, user: User) -> list[TokenRow]:
    """The account's tokens, newest first, with whether each works now."""
    stamp = now()
    return [
        TokenRow(t, t.revoked_at is None and auth.token_usable(t, user, stamp, settings))
        for t in auth.list_tokens(session, user.id)
    ]


# --- changes the account services do not have ----------------------------------------------------


def update_profile(
    session: Session,
    ctx: AuditContext,
    user: User,
    *,
    display_name: str,
    team: str | None,
    seen_name: str,
    seen_team: str | None,
) -> bool:
    """Change the name shown to others and the team (which must exist, ``accounts.find_team``),
    if the account still has the ``seen_*`` values the form showed. False: nothing to change."""
    display_name = display_name.strip()
    if not 1 <= len(display_name) <= 120:
        raise InvalidInput("the name must be 1-120 characters", field="body.display_name")
    team_id = accounts.find_team(session, team).id if team else None
    current_team = session.get(Team, user.team_id).name if user.team_id else None  # type: ignore[union-attr]
    if (user.display_name, current_team) != (seen_name, seen_team):
        raise Conflict(CHANGED_MEANWHILE)
    if (display_name, team_id) == (user.display_name, user.team_id):
        return False
    old = {"display_name": user.display_name, "team": current_team}
    user.display_name, user.team_id = display_name, team_id
    session.flush()
    audit.record(
        session,
        ctx,
        AuditAction.USER_UPDATED,
        object_type="user",
        object_id=user.id,
        changes={"old": old, "new": {"display_name": display_name, "team": team}},
    )
    return True


def rename_team(session: Session, ctx: AuditContext, team_id: int, name: str, seen: str) -> Team:
    """Rename a team, if it still has the name the form showed; names stay unique."""
    name = name.strip()
    if not 1 <= len(name) <= 80:
        raise InvalidInput("team name must be 1-80 characters", field="body.name")
    team = session.scalar(
        select(Team)
        .where(Team.id == team_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if team is None:
        raise NotFound("no team with this id", field="path.team_id")
    if team.name != seen:
        raise Conflict(CHANGED_MEANWHILE)
    if name == team.name:
        return team
    if session.scalar(select(Team.id).where(Team.name == name, Team.id != team.id)) is not None:
        raise Conflict("a team with this name exists", field="body.name")
    # A conditional update: a rename that raced past the lock (SQLite ignores FOR UPDATE, but
    # holds its one write lock) still changes only the name it saw.
    session.execute(
        update(Team)
        .where(Team.id == team.id, Team.name == seen)
        .values(name=name)
        .execution_options(synchronize_session="fetch")
    )
    audit.record(
        session,
        ctx,
        AuditAction.TEAM_RENAMED,
        object_type="team",
        object_id=team.id,
        changes={"old": {"name": seen}, "new": {"name": name}},
    )
    return team


def skills_version(row: AgentSkill | None) -> str:
    """What the skills form carries to notice a change made meanwhile."""
    return row.updated_at.isoformat() if row is not None else ""


def set_skills(
    session: Session,
    ctx: AuditContext,
    user: User,
    *,
    tiers: list[int],
    languages: list[str],
    case_types: list[CaseType] | None,
    capacity: int,
    seen: str,
) -> AgentSkill:
    """``routing.set_skills`` (its rules), audited as the API audits it, if the skills are
    still those the form showed."""
    current = session.scalar(
        select(AgentSkill)
        .where(AgentSkill.user_id == user.id)
        .execution_options(populate_existing=True)
    )
    if skills_version(current) != seen:
        raise Conflict(CHANGED_MEANWHILE)
    row = routing.set_skills(session, user, tiers, languages, case_types, capacity)
    row.updated_at = now()  # a new version even when the values are the same
    session.flush()
    audit.record(
        session,
        ctx,
        AuditAction.AGENT_SKILLS_SET,
        object_type="user",
        object_id=user.id,
        changes={
            "new": {
                "tiers": row.tiers,
                "languages": row.languages,
                "case_types": row.case_types,
                "capacity": row.capacity,
            }
        },
    )
    return row
