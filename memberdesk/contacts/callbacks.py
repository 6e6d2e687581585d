"""Voicemail callbacks: a task per voicemail, due by the pack's ``voicemail_return``, claimed by
one agent at a time, worked by attempts, and turned into a letter task when calls fail.

Never commits: the route, command or work queue owns the transaction.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, not_, or_, select
from sqlalchemy.orm import Session

from memberdesk.calendars import get_calendar
from memberdesk.contacts import service
from memberdesk.contacts.enums import (
    AttemptOutcome,
    CallbackState,
    Channel,
    Direction,
    Disposition,
    LetterState,
    Reason,
)
from memberdesk.contacts.models import Callback, CallbackAttempt, Contact, LetterTask
from memberdesk.contacts.schemas import (
    AttemptIn,
    AttemptOut,
    CallbackDetail,
    CallbackOut,
    ContactIn,
    LetterTaskOut,
)
from memberdesk.errors import Conflict, NotFound
from memberdesk.members.models import Member
from memberdesk.members.packs import pack_for
from memberdesk.navigators import offers
from memberdesk.sla.clocks import Clock
from memberdesk.sla.packs import get_target, zone_of

TARGET = "voicemail_return"
FAILED = frozenset(
    {AttemptOutcome.NO_ANSWER, AttemptOutcome.LEFT_MESSAGE, AttemptOutcome.WRONG_NUMBER}
)


def record_voicemail(
    session: Session,
    *,
    member: Member | None,
    phone: str,
    received_at: datetime,
    created_by_id: int | None,
) -> Callback:
    """A callback task for a voicemail, its deadline and warning computed from the pack."""
    pack = pack_for(member)
    on = received_at.astimezone(get_calendar(get_target(pack, TARGET).calendar).tz).date()
    clock = Clock.for_target(get_target(pack, TARGET, on), received_at)
    assert clock.due is not None  # a clock just started is running, never paused
    cb = Callback(
        member_id=member.id if member else None,
        phone=phone,
        received_at=received_at,
        pack=pack,
        # Clocks answer in the calendar's zone; rows and API answers are in UTC.
        due_at=clock.due.astimezone(UTC),
        warn_at=clock.warning_at.astimezone(UTC) if clock.warning_at else None,
        state=CallbackState.OPEN,
        attempt_count=0,
        failed_attempts=0,
        created_by_id=created_by_id,
    )
    session.add(cb)
    session.flush()
    return cb


def claim_own(session: Session, navigator_id: int, now: datetime) -> Callback | None:
    """The open, unassigned callback of a member this navigator owns that is due first, now
    assigned to them (None if none)."""
    mine = _waiting().where(Callback.member_id.in_(offers.navigated_by(navigator_id)))
    return _claim(session, _first(session, mine), navigator_id, now)


def claim_next(session: Session, user_id: int, now: datetime) -> Callback | None:
    """The open, unassigned callback due first, now assigned to ``user_id`` (None if none).

    A navigator's own members' callbacks come first; a callback of a member whose navigator is
    someone else is left to that navigator for ``offers.FIRST_OFFER``, and never past its
    warning time (a voicemail is returned the same day, whoever returns it).

    On PostgreSQL the row is locked with ``FOR UPDATE SKIP LOCKED``: concurrent agents each
    skip rows another transaction is claiming, so no two get the same callback. On SQLite the
    writing session already holds the database's write lock (BEGIN IMMEDIATE)."""
    if offers.owns_any(session, user_id):
        own = claim_own(session, user_id, now)
        if own is not None:
            return own
    held = and_(
        # An unknown caller's callback (no member) is held for nobody; NULL IN (...) is NULL,
        # so say so, or NOT (...) would hide it from everyone.
        Callback.member_id.is_not(None),
        Callback.member_id.in_(offers.held_for_others(user_id)),
        Callback.created_at > now - offers.FIRST_OFFER,
        or_(Callback.warn_at.is_(None), Callback.warn_at > now),
    )
    return _claim(session, _first(session, _waiting().where(not_(held))), user_id, now)


def _waiting() -> Select[Callback]:
    return select(Callback).where(
        Callback.state == CallbackState.OPEN, Callback.assigned_to_id.is_(None)
    )


def _claim(session: Session, cb: Callback | None, user_id: int, now: datetime) -> Callback | None:
    if cb is None:
        return None
    cb.assigned_to_id = user_id
    cb.assigned_at = now
    session.flush()
    return cb


def _first(session: Session, query: Select[Callback]) -> Callback | None:
    query = query.order_by(Callback.due_at, Callback.id).limit(1)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return session.scalars(query).first()


def _letter_id(cb: Callback) -> int | None:
    # Only a callback handed over to a letter has one (an open one never loads the relation).
    if cb.state != CallbackState.LETTER or cb.letter is None:
        return None
    return cb.letter.id


def _out(cb: Callback) -> CallbackOut:
    tz = zone_of(cb.pack)  # times read in the pack's zone, as the case clocks do
    return CallbackOut(
        kind="callback",
        id=cb.id,
        member_id=cb.member_id,
        received_at=cb.received_at.astimezone(tz),
        pack=cb.pack,
        due_at=cb.due_at.astimezone(tz),
        warn_at=cb.warn_at.astimezone(tz) if cb.warn_at else None,
        state=cb.state,
        assigned_to_id=cb.assigned_to_id,
        attempts=cb.attempt_count,
        failed_attempts=cb.failed_attempts,
        contact_id=cb.contact_id,
        letter_task_id=_letter_id(cb),
    )


def callback_out(cb: Callback) -> dict[str, Any]:
    """The callback as work/next and the callback list return it: ids, deadlines and state
    only (no phone number; ``GET /api/callbacks/{id}`` discloses it, audited)."""
    return _out(cb).model_dump(mode="json")


def callback_detail(cb: Callback) -> CallbackDetail:
    """The callback with the number to call and its attempts (PHI: audit the read)."""
    return CallbackDetail(
        **_out(cb).model_dump(),
        phone=cb.phone,
        attempt_log=[
            AttemptOut(id=a.id, at=a.at, outcome=a.outcome, user_id=a.user_id) for a in cb.attempts
        ],
    )


def get_callback(session: Session, callback_id: int) -> Callback:
    """The callback with internal id ``callback_id`` (404 naming the path parameter)."""
    cb = session.get(Callback, callback_id)
    if cb is None:
        raise NotFound("no callback with this id", field="path.callback_id")
    return cb


def _business_days_spanned(cb: Callback, ats: list[datetime]) -> int:
    cal = get_calendar(get_target(cb.pack, TARGET).calendar)
    days: set[date] = set()
    for at in ats:
        # An attempt on a closed day counts towards the next working day.
        days.add(cal.next_working_day(at.astimezone(cal.tz).date(), include=True))
    return len(days)


def record_attempt(
    session: Session,
    cb: Callback,
    body: AttemptIn,
    *,
    user_id: int,
    at: datetime,
    max_attempts: int,
    min_business_days: int,
) -> tuple[CallbackAttempt, Contact | None, LetterTask | None]:
    """Log an attempt. ``reached`` completes the callback and records the outbound phone call;
    after ``max_attempts`` failed attempts over ``min_business_days`` business days a letter
    task takes over. 409 once the callback is no longer open."""
    if cb.state != CallbackState.OPEN:
        raise Conflict(
            f"this callback is {cb.state.value}; attempts are closed", field="path.callback_id"
        )
    attempt = CallbackAttempt(user_id=user_id, at=at, outcome=body.outcome, note=body.note)
    cb.attempts.append(attempt)  # through the relation, so the loaded list includes it
    cb.attempt_count += 1
    if cb.assigned_to_id is None:
        cb.assigned_to_id, cb.assigned_at = user_id, at
    contact: Contact | None = None
    letter: LetterTask | None = None
    if body.outcome == AttemptOutcome.REACHED:
        member = session.get(Member, cb.member_id) if cb.member_id else None
        contact = service.log_contact(
            session,
            ContactIn(
                member_id=cb.member_id,
                channel=Channel.PHONE,
                direction=Direction.OUTBOUND,
                reasons=body.reasons,
                started_at=at,
                resolved=body.resolved,
                disposition=Disposition.RESOLVED if body.resolved else None,
                notes=body.note,
            ),
            agent_id=user_id,
            member=member,
        )
        cb.state, cb.completed_at, cb.contact_id = CallbackState.COMPLETED, at, contact.id
    else:
        cb.failed_attempts += 1
        failed_at = [a.at for a in cb.attempts if a.outcome in FAILED]
        if (
            cb.failed_attempts >= max_attempts
            and _business_days_spanned(cb, failed_at) >= min_business_days
        ):
            letter = LetterTask(callback=cb, member_id=cb.member_id, state=LetterState.OPEN)
            session.add(letter)
            cb.state, cb.completed_at = CallbackState.LETTER, at
    session.flush()
    return attempt, contact, letter


def list_callbacks(
    session: Session,
    *,
    state: CallbackState | None,
    assigned_to: int | None,
    due_before: datetime | None,
    limit: int,
    offset: int,
) -> tuple[list[Callback], int]:
    """Callbacks by deadline, earliest first, with optional filters."""
    where: list[Any] = []
    if state is not None:
        where.append(Callback.state == state)
    if assigned_to is not None:
        where.append(Callback.assigned_to_id == assigned_to)
    if due_before is not None:
        where.append(Callback.due_at < due_before)
    total = session.scalar(select(func.count()).select_from(Callback).where(*where)) or 0
    rows = session.scalars(
        select(Callback)
        .where(*where)
        .order_by(Callback.due_at, Callback.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


def end_of_local_day(at: datetime, pack: str) -> datetime:
    """The first instant of the next local day in the pack's calendar (for "due today")."""
    tz = get_calendar(get_target(pack, TARGET).calendar).tz
    local = at.astimezone(tz).date() + timedelta(days=1)
    return datetime.combine(local, time(0), tzinfo=tz)


def letter_out(letter: LetterTask) -> LetterTaskOut:
    """The API view of a letter task."""
    return LetterTaskOut.model_validate(letter, from_attributes=True)


def list_letters(
    session: Session, *, state: LetterState | None, limit: int, offset: int
) -> tuple[list[LetterTask], int]:
    """Letter tasks, oldest first."""
    where = [LetterTask.state == state] if state is not None else []
    total = session.scalar(select(func.count()).select_from(LetterTask).where(*where)) or 0
    rows = session.scalars(
        select(LetterTask)
        .where(*where)
        .order_by(LetterTask.created_at, LetterTask.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


def complete_letter(session: Session, letter_id: int, *, user_id: int, at: datetime) -> LetterTask:
    """Mark a letter sent and record it as an outbound letter contact (409 if already sent)."""
    letter = session.get(LetterTask, letter_id)
    if letter is None:
        raise NotFound("no letter task with this id", field="path.letter_id")
    if letter.state != LetterState.OPEN:
        raise Conflict("this letter was already sent", field="path.letter_id")
    member = session.get(Member, letter.member_id) if letter.member_id else None
    contact = service.log_contact(
        session,
        ContactIn(
            member_id=letter.member_id,
            channel=Channel.LETTER,
            direction=Direction.OUTBOUND,
            reasons=[Reason.OTHER],
            started_at=at,
            disposition=Disposition.INFO_SENT,
        ),
        agent_id=user_id,
        member=member,
    )
    letter.state, letter.completed_at, letter.completed_by_id = LetterState.SENT, at, user_id
    letter.contact_id = contact.id
    session.flush()
    return letter
