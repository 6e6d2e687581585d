"""Case logic: open, read, move through the life cycle, escalate, note, link and tick.

Takes a session and never commits (the route, command or sweeper does, once). Every change is
audited here, so whoever calls it (a route, a page, the sweeper) cannot forget to.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from memberdesk.cases import clocks, routing
from memberdesk.cases.checklists import template_for
from memberdesk.cases.enums import (
    HANDOFF_DEADLINE,
    CaseState,
    CaseType,
    ClockState,
    EscalationReason,
    HandoffKind,
    Priority,
)
from memberdesk.cases.models import (
    Case,
    CaseClock,
    CaseContact,
    CaseHandoff,
    CaseNote,
    ChecklistStep,
)
from memberdesk.cases.states import (
    MET_ON_RESOLVE,
    MET_ON_WAITING_FOR_MEMBER,
    OPEN_STATES,
    TIER_CLOCK,
    TransitionError,
    check_transition,
    clocks_at_open,
    deescalation_target,
    escalation_target,
    missing_steps,
)
from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction
from memberdesk.contacts.enums import Channel
from memberdesk.contacts.models import Contact
from memberdesk.errors import Conflict, InvalidInput, NotFound
from memberdesk.members.models import Member
from memberdesk.members.packs import pack_for

# Channels whose contacts owe the member a written reply (the pack's email_reply clock).
WRITTEN = frozenset({Channel.EMAIL, Channel.PORTAL})


def record_change(
    session: Session, ctx: AuditContext, action: AuditAction, case: Case, **kw: Any
) -> None:
    """Audit a change of ``case`` (with its member)."""
    audit.record(
        session,
        ctx,
        action,
        object_type="case",
        object_id=case.id,
        member_ids=[case.member_id],
        **kw,
    )


def get_case(session: Session, case_id: int, *, lock: bool = False) -> Case:
    """A case by id (locked for update when ``lock``: writers of one case take turns)."""
    stmt = select(Case).where(Case.id == case_id)
    if lock:
        stmt = stmt.with_for_update(of=Case)
    found = session.scalars(stmt).first()
    if found is None:
        raise NotFound("no case with this id", field="path.case_id")
    return found


def member_contact(session: Session, contact_id: int, member_id: int, field: str) -> Contact:
    """A contact of the member (or of an unidentified caller), else 422 naming ``field``."""
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise InvalidInput("no contact with this id", field=field)
    if contact.member_id is not None and contact.member_id != member_id:
        raise InvalidInput("the contact is another member's", field=field)
    return contact


def create_case(
    session: Session,
    ctx: AuditContext,
    *,
    member_id: int,
    case_type: CaseType,
    summary: str,
    priority: Priority,
    contact_id: int | None,
    at: datetime,
    tier: int = 1,
    pack: str | None = None,
) -> Case:
    """Open a case in its tier's queue (Tier 1 unless a Tier 3 record such as an appeal opens it
    there) with its checklist and the pack's clocks started; ``pack`` defaults to the member's."""
    member = session.get(Member, member_id)
    if member is None:
        raise InvalidInput("no member with this id", field="body.member_id")
    contact = (
        member_contact(session, contact_id, member_id, "body.contact_id") if contact_id else None
    )
    language = member.spoken_language or "en"
    queue = routing.route_queue(session, tier, case_type, language)
    template = template_for(case_type)
    case = Case(
        member_id=member.id,
        case_type=case_type,
        priority=priority,
        summary=summary,
        state=CaseState.NEW,
        tier=tier,
        queue_id=queue.id,
        queue=queue,
        language=language,
        pack=pack or pack_for(member),
        checklist=template.name if template else None,
        created_by_id=ctx.actor_id,
        created_at=at,
        updated_at=at,
        queued_at=at,
    )
    session.add(case)
    written = contact is not None and contact.channel in WRITTEN
    if tier == 1:
        targets = clocks_at_open(case_type, written)
    else:  # opened higher up: only that tier's obligation (Tier 3: a case manager assigned)
        targets = [TIER_CLOCK[tier]] if tier in TIER_CLOCK else []
    for target in targets:
        # A reply is owed from when the message arrived, not from when the case was opened.
        start = contact.started_at if target == "email_reply" and contact else at
        clocks.start(case, target, min(start, at))
    session.flush()
    if template is not None:
        session.add_all(
            ChecklistStep(
                case_id=case.id,
                step_id=step.id,
                label=step.label,
                required=step.required,
                position=i,
            )
            for i, step in enumerate(template.steps)
        )
    if contact is not None:
        session.add(CaseContact(case_id=case.id, contact_id=contact.id, linked_by_id=ctx.actor_id))
    session.flush()
    record_change(
        session,
        ctx,
        AuditAction.CASE_CREATED,
        case,
        changes={"new": {"case_type": case_type.value, "priority": priority.value}},
        detail={"queue_id": queue.id, "contact_id": contact_id},
    )
    return case


def append_note(
    session: Session, case: Case, ctx: AuditContext, kind: str, text: str, at: datetime
) -> CaseNote:
    """A new note on the case (notes are only ever added)."""
    note = CaseNote(case_id=case.id, author_id=ctx.actor_id, kind=kind, text=text, created_at=at)
    session.add(note)
    return note


def steps_of(session: Session, case_id: int) -> list[ChecklistStep]:
    """The case's checklist steps in template order."""
    return list(
        session.scalars(
            select(ChecklistStep)
            .where(ChecklistStep.case_id == case_id)
            .order_by(ChecklistStep.position)
        )
    )


def change_state(
    session: Session,
    ctx: AuditContext,
    case: Case,
    wanted: CaseState,
    rationale: str | None,
    at: datetime,
    *,
    by_record: bool = False,
) -> Case:
    """Move the case through its life cycle; clocks pause, resume, are met or stop with it.

    A case worked for a Tier 3 record (an appeal, a regulatory inquiry, a legal referral) is
    resolved or closed by that record's own decision (``by_record``), which also decides whether
    its checklist applies (a withdrawn appeal needs no decision letter)."""
    current = case.state
    try:
        check_transition(current, wanted)
    except TransitionError as exc:
        raise Conflict(str(exc), field="body.state") from None
    if wanted in (CaseState.RESOLVED, CaseState.CLOSED) and not by_record:
        from memberdesk.appeals.links import blocking_record  # appeals builds on cases

        blocked = blocking_record(session, case.id)
        if blocked:
            raise Conflict(blocked, field="body.state")
    if wanted is CaseState.RESOLVED and not by_record:
        if not rationale:
            raise InvalidInput(
                "resolving a case needs a decision rationale", field="body.rationale"
            )
        missing = missing_steps(
            (s.step_id, s.required, s.done_at is not None) for s in steps_of(session, case.id)
        )
        if missing:
            raise Conflict(
                "required checklist steps are not done: " + ", ".join(missing),
                field="body.state",
            )
    if current is CaseState.WAITING_ON_MEMBER:
        clocks.resume(case, at)
    if wanted is CaseState.WAITING_ON_MEMBER:
        clocks.close(case, MET_ON_WAITING_FOR_MEMBER, at, met=True)
        clocks.pause(case, at, "waiting on the member")
    elif wanted is CaseState.RESOLVED:
        clocks.close(case, MET_ON_RESOLVE, at, met=True)
        clocks.close(case, None, at, met=False)
        case.resolved_at = at
    elif wanted is CaseState.CLOSED:
        clocks.close(case, None, at, met=False)
        case.closed_at = at
    elif wanted is CaseState.REOPENED:
        case.resolved_at = case.closed_at = None
        if case.tier == 1:  # an unresolved Tier 1 item again: its hand-off clock restarts
            clocks.start(case, TIER_CLOCK[1], at)
    case.state = wanted
    case.updated_at = at
    if rationale:
        kind = "resolution" if wanted is CaseState.RESOLVED else "state_change"
        append_note(session, case, ctx, kind, rationale, at)
    session.flush()
    record_change(
        session,
        ctx,
        AuditAction.CASE_STATE_CHANGED,
        case,
        changes={"old": {"state": current.value}, "new": {"state": wanted.value}},
    )
    return case


def _move(
    session: Session,
    ctx: AuditContext,
    case: Case,
    to_tier: int,
    kind: HandoffKind,
    reason: str | None,
    rationale: str,
    at: datetime,
) -> CaseHandoff:
    """Move the case to ``to_tier``'s queue, unassigned; close the old tier's clock, start the
    new tier's, and record the hand-off."""
    from_tier, from_queue, from_user = case.tier, case.queue_id, case.assignee_id
    queue = routing.route_queue(session, to_tier, case.case_type, case.language)
    old_clock = TIER_CLOCK.get(from_tier)
    if old_clock:
        # Moving up meets the hand-off obligation; moving down makes it moot.
        clocks.close(case, [old_clock], at, met=to_tier > from_tier)
    new_clock = TIER_CLOCK.get(to_tier)
    if new_clock and not clocks.open_clocks(case, [new_clock]):
        clocks.start(case, new_clock, at)
    case.tier, case.queue_id, case.queue = to_tier, queue.id, queue
    case.assignee, case.assignee_id = None, None
    case.queued_at = case.updated_at = at
    handoff = CaseHandoff(
        case_id=case.id,
        kind=kind,
        actor_id=ctx.actor_id,
        from_tier=from_tier,
        to_tier=to_tier,
        from_queue_id=from_queue,
        to_queue_id=queue.id,
        from_user_id=from_user,
        reason=reason,
        rationale=rationale,
        at=at,
    )
    session.add(handoff)
    session.flush()
    return handoff


def escalate(
    session: Session,
    ctx: AuditContext,
    case: Case,
    reason: EscalationReason,
    rationale: str,
    at: datetime,
) -> CaseHandoff:
    """One tier up, into that tier's queue, with its clock started."""
    try:
        to_tier = escalation_target(case.tier, case.state, reason, case.case_type)
    except TransitionError as exc:
        raise Conflict(str(exc), field="body.reason") from None
    handoff = _move(session, ctx, case, to_tier, HandoffKind.ESCALATED, reason.value, rationale, at)
    record_change(
        session,
        ctx,
        AuditAction.CASE_ESCALATED,
        case,
        changes={"old": {"tier": handoff.from_tier}, "new": {"tier": to_tier}},
        detail={"reason": reason.value},
    )
    return handoff


def deescalate(
    session: Session, ctx: AuditContext, case: Case, rationale: str, at: datetime
) -> CaseHandoff:
    """One tier down (back to the queue of that tier)."""
    try:
        to_tier = deescalation_target(case.tier, case.state)
    except TransitionError as exc:
        raise Conflict(str(exc), field="path.case_id") from None
    handoff = _move(session, ctx, case, to_tier, HandoffKind.DEESCALATED, None, rationale, at)
    record_change(
        session,
        ctx,
        AuditAction.CASE_DEESCALATED,
        case,
        changes={"old": {"tier": handoff.from_tier}, "new": {"tier": to_tier}},
    )
    return handoff


def assign(
    session: Session, ctx: AuditContext, case: Case, user_id: int, at: datetime, via: str
) -> Case:
    """Give the case to a staff member (a supervisor's reassignment, or get-next)."""
    if case.state not in OPEN_STATES:
        raise Conflict(
            f"a {case.state} case cannot be assigned (reopen it first)", field="path.case_id"
        )
    routing.get_staff(session, user_id, "body.user_id")
    before = case.assignee_id
    routing.take(case, user_id, at)
    if case.state in (CaseState.NEW, CaseState.REOPENED) and via == "work_next":
        case.state = CaseState.IN_PROGRESS  # the agent has started on it
    session.add(
        CaseHandoff(
            case_id=case.id,
            kind=HandoffKind.ASSIGNED,
            actor_id=ctx.actor_id,
            from_tier=case.tier,
            to_tier=case.tier,
            from_queue_id=case.queue_id,
            to_queue_id=case.queue_id,
            from_user_id=before,
            to_user_id=user_id,
            reason=via,
            at=at,
        )
    )
    session.flush()
    record_change(
        session,
        ctx,
        AuditAction.CASE_ASSIGNED,
        case,
        changes={"old": {"assignee_id": before}, "new": {"assignee_id": user_id}},
        detail={"via": via},
    )
    return case


def overdue_handoffs(session: Session, now: datetime, limit: int = 1000) -> list[int]:
    """Ids of Tier 1 cases whose hand-off clock has run out, by deadline (for the sweeper;
    uses the (state, due_at) index of case_clocks). Pass each to ``escalate_overdue``."""
    return list(
        session.scalars(
            select(CaseClock.case_id)
            .where(
                CaseClock.state.in_((ClockState.RUNNING, ClockState.BREACHED)),
                CaseClock.due_at <= now,
                CaseClock.target == TIER_CLOCK[1],
            )
            .order_by(CaseClock.due_at)
            .limit(limit)
        )
    )


def escalate_overdue(session: Session, case_id: int, now: datetime, actor: AuditContext) -> bool:
    """The automatic Tier 1 -> 2 move when the case's ``tier1_handoff`` clock has run out.

    Idempotent and safe with several sweepers: one conditional UPDATE, guarded on the tier and
    the hand-off clock's stored state and deadline, decides; on PostgreSQL a second worker waits
    on the row lock and then finds the guard false. Returns whether this call moved the case.
    """
    case = session.get(Case, case_id)
    if case is None or case.tier != 1 or case.state not in OPEN_STATES:
        return False
    from_queue, from_user, loaded = case.queue_id, case.assignee_id, list(case.clocks)
    queue = routing.route_queue(session, 2, case.case_type, case.language)
    overdue = exists().where(
        CaseClock.case_id == Case.id,
        CaseClock.target == TIER_CLOCK[1],
        CaseClock.state.in_((ClockState.RUNNING, ClockState.BREACHED)),
        CaseClock.due_at <= now,
    )
    moved = session.execute(
        update(Case)
        .where(Case.id == case_id, Case.tier == 1, Case.state.in_(OPEN_STATES), overdue)
        .values(tier=2, queue_id=queue.id, assignee_id=None, queued_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        return False
    session.execute(
        update(CaseClock)
        .where(
            CaseClock.case_id == case_id,
            CaseClock.target == TIER_CLOCK[1],
            CaseClock.state.in_((ClockState.RUNNING, ClockState.BREACHED)),
        )
        .values(state=ClockState.MET, closed_at=now)
        .execution_options(synchronize_session=False)
    )
    # The ORM copies are stale after the Core updates: reload them on next use.
    for obj in (case, *loaded):
        session.expire(obj)
    session.add(
        CaseHandoff(
            case_id=case_id,
            kind=HandoffKind.AUTO_ESCALATED,
            actor_id=actor.actor_id,
            from_tier=1,
            to_tier=2,
            from_queue_id=from_queue,
            to_queue_id=queue.id,
            from_user_id=from_user,
            reason=HANDOFF_DEADLINE,
            rationale="the Tier 1 hand-off deadline passed with the case unresolved",
            at=now,
        )
    )
    session.flush()
    audit.record(
        session,
        actor,
        AuditAction.CASE_AUTO_ESCALATED,
        object_type="case",
        object_id=case_id,
        changes={"old": {"tier": 1}, "new": {"tier": 2}},
        detail={"reason": HANDOFF_DEADLINE, "queue_id": queue.id},
    )
    return True
