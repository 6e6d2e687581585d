"""Demo accounts, one per role, for ``memberdesk demo`` (passwords kept in var/, 0600).

Every login ``memberdesk demo`` prints works: a missing account is created, and one whose
password no longer matches ``var/demo-logins.json`` (changed since, or made before the password
rules), or that is locked, disabled or must change its password, gets a fresh password, audited
as a reset by ``memberdesk-demo``. Demo passwords are random (120 bits) and meet the rules.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.clock import now, today_utc
from memberdesk.compliance import accounts, audit, auth
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction, Role
from memberdesk.compliance.models import User
from memberdesk.compliance.passwords import (
    PasswordRejected,
    check_strength,
    generate_password,
    verify_password,
)
from memberdesk.config import Settings
from memberdesk.members import service
from memberdesk.members.enums import Relationship
from memberdesk.members.models import Member

DEMO_FILE = "demo-logins.json"
DEMO_ACCOUNTS: list[tuple[str, Role, str, str | None]] = [
    ("agent", Role.TIER1_AGENT, "Tier 1 agent (demo)", "Tier 1 — Team A"),
    ("specialist", Role.TIER2_SPECIALIST, "Benefits specialist (demo)", "Tier 2"),
    ("appeals", Role.TIER3_APPEALS, "Appeals & compliance (demo)", "Tier 3"),
    ("navigator", Role.NAVIGATOR, "Member navigator (demo)", "Navigators"),
    ("supervisor", Role.SUPERVISOR, "Supervisor (demo)", "Tier 1 — Team A"),
    ("qa", Role.QA_ANALYST, "QA analyst (demo)", None),
    ("wfm", Role.WFM_ANALYST, "WFM analyst (demo)", None),
    ("compliance", Role.COMPLIANCE_OFFICER, "Compliance officer (demo)", None),
    ("admin", Role.ADMIN, "Administrator (demo)", None),
    ("member", Role.MEMBER, "Member portal (demo)", None),
]
CTX = AuditContext(actor_id=None, actor="memberdesk-demo", role="system")


def _portal_member(session: Session) -> int | None:
    # The first subscriber covered today, so the portal shows a live plan.
    today = today_utc()
    taken = select(User.member_id).where(User.member_id.is_not(None))
    for member in session.scalars(
        select(Member)
        .where(Member.relationship == Relationship.SELF, Member.id.not_in(taken))
        .order_by(Member.id)
        .limit(200)
    ):
        if service.eligibility(member, today).eligible:
            return member.id
    return None


def _works(settings: Settings, user: User, password: str | None) -> bool:
    """Whether ``password`` signs ``user`` in today (and meets today's rules)."""
    if password is None or user.disabled or user.must_change_password:
        return False
    if user.locked_until is not None and user.locked_until > now():
        return False
    try:
        check_strength(password, user.username)
    except PasswordRejected:
        return False
    return verify_password(auth.password_hasher(settings), user.password_hash, password)


def _restore(session: Session, settings: Settings, user: User) -> str:
    """A fresh demo password; the account enabled, unlocked, free to sign in (audited)."""
    password = generate_password(user.username)
    user.password_hash = auth.password_hasher(settings).hash(password)
    user.disabled = user.must_change_password = False
    user.failed_attempts, user.locked_until = 0, None
    auth.end_everything(session, user.id, "password_reset")
    audit.record(session, CTX, AuditAction.PASSWORD_RESET, object_type="user", object_id=user.id)
    return password


def ensure_demo_users(session: Session, settings: Settings) -> list[dict[str, str]]:
    """Create or repair the demo accounts; return exactly the logins that work now (also
    written to var/demo-logins.json, mode 0600)."""
    path = Path(settings.var_dir) / DEMO_FILE
    known: dict[str, str] = {}
    if path.exists():
        known = {row["username"]: row["password"] for row in json.loads(path.read_text())}
    logins: list[dict[str, str]] = []
    for username, role, name, team in DEMO_ACCOUNTS:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            member_id = _portal_member(session) if role == Role.MEMBER else None
            if role == Role.MEMBER and member_id is None:
                continue  # no covered subscriber to show: no member login is printed
            if team:
                accounts.ensure_team(session, team)
            password = generate_password(username)
            user = accounts.create_user(
                session,
                settings,
                CTX,
                username=username,
                display_name=name,
                role=role,
                password=password,
                team=team,
                member_id=member_id,
            )
        elif _works(settings, user, known.get(username)):
            password = known[username]
        else:
            password = _restore(session, settings, user)
        logins.append({"username": username, "role": user.role.value, "password": password})
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(logins, fh, indent=2)
    return logins
