"""Demo accounts, one per role, for ``memberdesk demo`` (passwords kept in var/, 0600)."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.clock import today_utc
from memberdesk.compliance import auth
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import Role
from memberdesk.compliance.models import User
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


def ensure_demo_users(session: Session, settings: Settings) -> list[dict[str, str]]:
    """Create missing demo accounts; return every demo login (from var/ when it exists)."""
    path = Path(settings.var_dir) / DEMO_FILE
    logins: dict[str, dict[str, str]] = {}
    if path.exists():
        logins = {row["username"]: row for row in json.loads(path.read_text())}
    for username, role, name, team in DEMO_ACCOUNTS:
        if session.scalar(select(User.id).where(User.username == username)) is not None:
            continue
        member_id = _portal_member(session) if role == Role.MEMBER else None
        if role == Role.MEMBER and member_id is None:
            continue
        password = secrets.token_urlsafe(12)
        auth.create_user(
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
        logins[username] = {"username": username, "role": role.value, "password": password}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(list(logins.values()), fh, indent=2)
    return list(logins.values())
