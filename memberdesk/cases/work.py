"""Get-next and warm transfers: who works what next, and handing a case to someone else."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.cases import routing, service
from memberdesk.cases.enums import HandoffKind, TransferStatus
from memberdesk.cases.models import Case, CaseHandoff, Transfer
from memberdesk.cases.states import OPEN_STATES
from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.deps import Forbidden
from memberdesk.compliance.enums import AuditAction, Role
from memberdesk.compliance.models import User
from memberdesk.contacts import callbacks
from memberdesk.contacts.models import Callback
from memberdesk.errors import Conflict, InvalidInput, NotFound
from memberdesk.navigators import offers


@dataclass
class WorkItem:
    """What get-next handed out: a callback (as its JSON) or a case."""

    kind: str
    id: int
    case: Case | None = None
    callback: dict[str, Any] | None = None


def _callback_item(session: Session, ctx: AuditContext, cb: Callback) -> WorkItem:
    audit.record(
        session,
        ctx,
        AuditAction.CALLBACK_CLAIMED,
        object_type="callback",
        object_id=cb.id,
        member_ids=[cb.member_id] if cb.member_id else [],
    )
    return WorkItem("callback", cb.id, callback=callbacks.callback_out(cb))


def _case_item(
    session: Session, ctx: AuditContext, user: User, case_id: int, at: datetime
) -> WorkItem:
    case = service.get_case(session, case_id)
    service.assign(session, ctx, case, user.id, at, via="work_next")
    return WorkItem("case", case.id, case=case)


def next_item(
    session: Session, ctx: AuditContext, user: User, at: datetime, default_capacity: int
) -> WorkItem | None:
    """Voicemail callbacks first (members are waiting on the phone line), then the best case
    the caller's skills allow within their capacity; None when nothing waits for them.

    A navigator gets their own members' callbacks, then (within capacity) their own members'
    cases, before anyone else's work; other agents leave a navigated member's new work to its
    navigator for a while (``navigators.offers``)."""
    skills = routing.skills_of(session, user, default_capacity)
    if user.role is Role.NAVIGATOR and offers.owns_any(session, user.id):
        cb = callbacks.claim_own(session, user.id, at)
        if cb is not None:
            return _callback_item(session, ctx, cb)
        if skills.tiers and routing.held(session, user.id) < skills.capacity:
            own = routing.pick_own_case(session, skills, user.id)
            if own is not None:
                return _case_item(session, ctx, user, own, at)
    cb = callbacks.claim_next(session, user.id, at)
    if cb is not None:
        return _callback_item(session, ctx, cb)
    if not skills.tiers:
        return None
    holding = routing.held(session, user.id)
    if holding >= skills.capacity:
        raise Conflict(
            f"you hold {holding} open cases, your capacity of {skills.capacity}: resolve or "
            "hand one over first"
        )
    case_id = routing.pick_case(session, skills, user_id=user.id, at=at)
    if case_id is None:
        return None
    return _case_item(session, ctx, user, case_id, at)


def _transfer(session: Session, transfer_id: int) -> Transfer:
    found = session.get(Transfer, transfer_id)
    if found is None:
        raise NotFound("no transfer with this id", field="path.transfer_id")
    return found


def request_transfer(
    session: Session,
    ctx: AuditContext,
    case: Case,
    *,
    to_user_id: int | None,
    to_queue_id: int | None,
    context_summary: str,
    member_question: str | None,
    warm: bool,
    at: datetime,
) -> Transfer:
    """Offer the case to a person or a queue; it moves when the receiver accepts."""
    if case.state not in OPEN_STATES:
        raise Conflict(f"a {case.state} case cannot be transferred", field="path.case_id")
    if to_user_id is not None:
        routing.get_staff(session, to_user_id, "body.to_user_id")
        if to_user_id == ctx.actor_id:
            raise InvalidInput("a case cannot be transferred to yourself", field="body.to_user_id")
    if to_queue_id is not None:
        queue = routing.get_queue(session, to_queue_id, "body.to_queue_id")
        if queue.tier != case.tier:
            raise InvalidInput(
                f"the queue serves Tier {queue.tier} and the case is at Tier {case.tier}: "
                "escalate or de-escalate to change tiers",
                field="body.to_queue_id",
            )
    pending = session.scalar(
        select(func.count())
        .select_from(Transfer)
        .where(Transfer.case_id == case.id, Transfer.status == TransferStatus.PENDING)
    )
    if pending:
        raise Conflict(
            "the case already has a transfer waiting for an answer", field="path.case_id"
        )
    transfer = Transfer(
        case_id=case.id,
        from_user_id=ctx.actor_id,
        to_user_id=to_user_id,
        to_queue_id=to_queue_id,
        warm=warm,
        context_summary=context_summary,
        member_question=member_question,
        status=TransferStatus.PENDING,
        created_at=at,
    )
    session.add(transfer)
    session.flush()
    audit.record(
        session,
        ctx,
        AuditAction.CASE_TRANSFER_REQUESTED,
        object_type="case_transfer",
        object_id=transfer.id,
        member_ids=[case.member_id],
        detail={
            "case_id": case.id,
            "warm": warm,
            "to_user_id": to_user_id,
            "to_queue_id": to_queue_id,
        },
    )
    return transfer


def _receiver_check(
    session: Session, transfer: Transfer, user: User, default_capacity: int
) -> None:
    if transfer.status is not TransferStatus.PENDING:
        raise Conflict(f"the transfer is already {transfer.status}", field="path.transfer_id")
    if transfer.to_user_id is not None and transfer.to_user_id != user.id:
        raise Forbidden("the transfer is offered to another staff member")
    if transfer.to_queue_id is not None:
        queue = routing.get_queue(session, transfer.to_queue_id, "path.transfer_id")
        skills = routing.skills_of(session, user, default_capacity)
        if queue.tier not in skills.tiers or (
            queue.language is not None and queue.language not in skills.languages
        ):
            raise Forbidden("the transfer is offered to a queue you do not work")


def accept_transfer(
    session: Session,
    ctx: AuditContext,
    transfer_id: int,
    user: User,
    at: datetime,
    default_capacity: int,
) -> Transfer:
    """The receiver takes the case: it is theirs (and in the receiving queue) from now."""
    transfer = _transfer(session, transfer_id)
    _receiver_check(session, transfer, user, default_capacity)
    case = service.get_case(session, transfer.case_id, lock=True)
    if case.state not in OPEN_STATES:
        raise Conflict(f"the case is {case.state} now", field="path.transfer_id")
    before_user, before_queue = case.assignee_id, case.queue_id
    if transfer.to_queue_id is not None:
        queue = routing.get_queue(session, transfer.to_queue_id, "path.transfer_id")
        case.queue_id, case.queue, case.queued_at = queue.id, queue, at
    routing.take(case, user.id, at)
    transfer.status, transfer.decided_at, transfer.decided_by_id = (
        TransferStatus.ACCEPTED,
        at,
        user.id,
    )
    session.add(
        CaseHandoff(
            case_id=case.id,
            kind=HandoffKind.TRANSFERRED,
            actor_id=user.id,
            from_tier=case.tier,
            to_tier=case.tier,
            from_queue_id=before_queue,
            to_queue_id=case.queue_id,
            from_user_id=before_user,
            to_user_id=user.id,
            reason="warm_transfer" if transfer.warm else "cold_transfer",
            rationale=transfer.context_summary,
            at=at,
        )
    )
    session.flush()
    _decided(session, ctx, transfer, case.member_id)
    return transfer


def decline_transfer(
    session: Session,
    ctx: AuditContext,
    transfer_id: int,
    user: User,
    reason: str,
    at: datetime,
    default_capacity: int,
) -> Transfer:
    """The receiver says no, with the reason; the case stays where it was."""
    transfer = _transfer(session, transfer_id)
    _receiver_check(session, transfer, user, default_capacity)
    transfer.status, transfer.decided_at, transfer.decided_by_id = (
        TransferStatus.DECLINED,
        at,
        user.id,
    )
    transfer.decline_reason = reason
    session.flush()
    case = service.get_case(session, transfer.case_id)
    _decided(session, ctx, transfer, case.member_id)
    return transfer


def _decided(session: Session, ctx: AuditContext, transfer: Transfer, member_id: int) -> None:
    audit.record(
        session,
        ctx,
        AuditAction.CASE_TRANSFER_DECIDED,
        object_type="case_transfer",
        object_id=transfer.id,
        member_ids=[member_id],
        detail={"case_id": transfer.case_id, "status": transfer.status.value},
    )


def get_transfer(session: Session, transfer_id: int) -> Transfer:
    """A transfer by id, else 404."""
    return _transfer(session, transfer_id)


@dataclass(frozen=True)
class Stats:
    total: int
    warm: int
    cold: int
    accepted: int
    declined: int
    pending: int


def transfer_stats(session: Session, start: datetime, end: datetime) -> Stats:
    """Transfers requested in [start, end): warm vs cold, accepted vs declined."""
    row = session.execute(
        select(
            func.count(),
            func.count().filter(Transfer.warm.is_(True)),
            func.count().filter(Transfer.status == TransferStatus.ACCEPTED),
            func.count().filter(Transfer.status == TransferStatus.DECLINED),
        ).where(Transfer.created_at >= start, Transfer.created_at < end)
    ).one()
    total, warm, accepted, declined = (int(v or 0) for v in row)
    return Stats(total, warm, total - warm, accepted, declined, total - accepted - declined)
