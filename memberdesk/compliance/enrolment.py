"""Member-portal enrolment: a member opens their own account by proving identity facts.
Never commits.

An administrator sees no PHI and so cannot check who a member is; the member proves it with
the member ID, last name and date of birth on their ID card, matched through the blind indexes
(nothing decrypted, nothing echoed). Failed tries count per address like failed sign-ins.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.accounts import create_user
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.auth import TooManyAttempts, new_password_hash, recent_failures
from memberdesk.compliance.enums import AuditAction, Role
from memberdesk.compliance.models import LoginAttempt, User
from memberdesk.compliance.passwords import USERNAME_RULE, valid_username
from memberdesk.config import Settings
from memberdesk.errors import Conflict, InvalidInput

ENROLMENT = "(enrolment)"  # the login_attempts "username" of enrolment tries (never a username)
PORTAL_MIN_AGE = 18


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
    new_hash = new_password_hash(settings, password, username, "body.password")
    stamp = now()
    client = (ctx.client_addr or "unknown")[:64]
    if recent_failures(session, stamp, client, ENROLMENT) >= settings.login_rate_limit:
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
