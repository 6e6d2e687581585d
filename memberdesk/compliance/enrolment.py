"""Member-portal enrolment: a member opens their own account by proving identity facts.
Never commits.

An administrator sees no PHI and so cannot check who a member is; the member proves it with
the member ID, last name and date of birth on their ID card, matched through the blind indexes
(nothing decrypted, nothing echoed). Failed tries count per address like failed sign-ins.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.accounts import USERNAME_TAKEN, create_user
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.auth import TooManyAttempts, new_password_hash, recent_failures
from memberdesk.compliance.enums import AuditAction, Role
from memberdesk.compliance.models import LoginAttempt, User
from memberdesk.compliance.passwords import USERNAME_RULE, valid_username
from memberdesk.config import Settings
from memberdesk.errors import Conflict, InvalidInput

ENROLMENT = "(enrolment)"  # the login_attempts "username" of enrolment tries (never a username)
PORTAL_MIN_AGE = 18


NO_MATCH = "the member ID, last name and date of birth do not match a member's records"
TOO_YOUNG = (
    f"portal accounts are for members aged {PORTAL_MIN_AGE} or over; a parent or guardian asks "
    "member services"
)
ALREADY_ENROLLED = (
    "this member already has a portal account; to recover it, member services disables it and "
    "the member enrols again"
)
# Which unique index refused a concurrent enrolment, and what to say: PostgreSQL names the
# constraint, SQLite its column.
_CLASHES = {
    "uq_users_member_id": (ALREADY_ENROLLED, "body.member_number"),
    "users.member_id": (ALREADY_ENROLLED, "body.member_number"),
    "uq_users_username": (USERNAME_TAKEN, "body.username"),
    "users.username": (USERNAME_TAKEN, "body.username"),
}


def _clash(exc: IntegrityError) -> Exception:
    """The 409 for a unique index an enrolment at the same moment won, else the error itself
    (any other constraint is a bug, not the member's doing)."""
    diag = getattr(exc.orig, "diag", None)
    if diag is not None:
        found = _CLASHES.get(getattr(diag, "constraint_name", None) or "")
    else:
        text = str(exc.orig)
        found = next((v for k, v in _CLASHES.items() if text.endswith(k)), None)
    if found is None:
        return exc
    return Conflict(found[0], field=found[1])


def _take_over(session: Session, user: User, username: str, password_hash: str) -> User:
    """Recovery: the member's disabled account gets the new username and password. Only while
    it is still disabled, so of two re-enrolments at once one wins and the other is refused
    (on PostgreSQL the second UPDATE waits for the first and then matches no row)."""
    taken = session.execute(  # type: ignore[attr-defined]  # CursorResult of an UPDATE
        update(User)
        .where(User.id == user.id, User.disabled.is_(True))
        .values(
            username=username,
            password_hash=password_hash,
            disabled=False,
            must_change_password=False,
            failed_attempts=0,
            locked_until=None,
        ),
        # The account object follows only when the row was really updated.
        execution_options={"synchronize_session": "fetch"},
    ).rowcount
    if not taken:
        raise Conflict(ALREADY_ENROLLED, field="body.member_number")
    return user


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
        raise InvalidInput(NO_MATCH, field="body")
    if _age(date_of_birth, stamp.date()) < PORTAL_MIN_AGE:
        raise InvalidInput(
            TOO_YOUNG,
            field="body.date_of_birth",
        )
    existing = session.scalar(select(User).where(User.member_id == member.id))
    if existing is not None and not existing.disabled:
        raise Conflict(ALREADY_ENROLLED, field="body.member_number")
    taken = session.scalar(select(User.id).where(User.username == username))
    if taken is not None and (existing is None or taken != existing.id):
        raise Conflict(USERNAME_TAKEN, field="body.username")
    # The checks above cannot see an enrolment running at the same moment (PostgreSQL, read
    # committed): the unique indexes on users.member_id and users.username decide, and the
    # SAVEPOINT keeps the request's transaction usable after the refused write.
    try:
        with session.begin_nested():
            if existing is None:
                user = create_user(
                    session,
                    settings,
                    ctx,
                    username=username,
                    display_name=username,  # the users table is not encrypted: no member name
                    role=Role.MEMBER,
                    password=password,
                    member_id=member.id,
                )
            else:
                user = _take_over(session, existing, username, new_hash)
    except IntegrityError as exc:
        raise _clash(exc) from None
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
