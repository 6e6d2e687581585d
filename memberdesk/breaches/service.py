"""The breach register's changes: record an incident, assess it, decide, record notices.

Takes a session and never commits (the route or command does, once). Every change is audited
here with the members it names and counts only, never the free text (it may be PHI).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.breaches import clocks
from memberdesk.breaches.enums import Basis, Factor, IncidentState, Outcome, Recipient
from memberdesk.breaches.models import BreachNotice, Incident, IncidentMember
from memberdesk.breaches.schemas import AssessmentIn, DecisionIn, IncidentIn, NoticeIn
from memberdesk.compliance import audit
from memberdesk.compliance.audit import AuditContext
from memberdesk.compliance.enums import AuditAction
from memberdesk.errors import Conflict, InvalidInput, NotFound
from memberdesk.members.models import Member

PEOPLE_COUNTED = (Recipient.INDIVIDUALS, Recipient.CALIFORNIA)


def member_ids(session: Session, incident_id: int) -> list[int]:
    """Members linked to the incident, in id order."""
    return list(
        session.scalars(
            select(IncidentMember.member_id)
            .where(IncidentMember.incident_id == incident_id)
            .order_by(IncidentMember.member_id)
        )
    )


def notices(session: Session, incident_id: int) -> list[BreachNotice]:
    """The incident's notices, oldest first."""
    return list(
        session.scalars(
            select(BreachNotice)
            .where(BreachNotice.incident_id == incident_id)
            .order_by(BreachNotice.sent_at, BreachNotice.id)
        )
    )


def record(
    session: Session, ctx: AuditContext, action: AuditAction, incident: Incident, **detail: Any
) -> None:
    """Audit a change or read of ``incident`` (with the members it names; counts only)."""
    audit.record(
        session,
        ctx,
        action,
        object_type="breach_incident",
        object_id=incident.id,
        member_ids=member_ids(session, incident.id),
        detail=detail or None,
    )


def get(session: Session, incident_id: int, *, lock: bool = False) -> Incident:
    """An incident by id (locked for update when ``lock``: writers of one incident take turns)."""
    stmt = select(Incident).where(Incident.id == incident_id)
    if lock:
        stmt = stmt.with_for_update()
    found = session.scalars(stmt).first()
    if found is None:
        raise NotFound("no incident with this id", field="path.incident_id")
    return found


def check_discovery(discovered_at: datetime, at: datetime, field: str) -> None:
    """Aware and not in the future, else a 422 naming ``field``."""
    if discovered_at.tzinfo is None or discovered_at.utcoffset() is None:
        raise InvalidInput("must be an ISO 8601 time with an offset", field=field)
    if discovered_at > at:
        raise InvalidInput("is in the future; give the time it was discovered", field=field)


def record_incident(
    session: Session, ctx: AuditContext, body: IncidentIn, at: datetime
) -> Incident:
    """Record an incident: check it, link the members named, audit it."""
    check_discovery(body.discovered_at, at, "body.discovered_at")
    if sum(body.residents_by_state.values()) > body.affected_count:
        raise InvalidInput(
            "the residents by state add up to more than the people affected",
            field="body.residents_by_state",
        )
    wanted = sorted(set(body.member_ids))
    if wanted:
        known = set(session.scalars(select(Member.id).where(Member.id.in_(wanted))))
        if len(known) != len(wanted):
            raise InvalidInput("names a member who does not exist", field="body.member_ids")
        if len(wanted) > body.affected_count:
            raise InvalidInput(
                "more members are linked than people affected", field="body.member_ids"
            )
    incident = Incident(
        discovered_at=body.discovered_at,
        discovered_by=body.discovered_by,
        summary=body.summary,
        phi_kinds=[k.value for k in dict.fromkeys(body.phi_kinds)],
        affected_count=body.affected_count,
        residents_by_state=dict(sorted(body.residents_by_state.items())),
        state=IncidentState.ASSESSING,
        policy_version=clocks.policy_version(),
        created_at=at,
        created_by_id=ctx.actor_id,
    )
    session.add(incident)
    session.flush()
    session.add_all(IncidentMember(incident_id=incident.id, member_id=m) for m in wanted)
    session.flush()
    record(
        session,
        ctx,
        AuditAction.BREACH_RECORDED,
        incident,
        affected=incident.affected_count,
        members_linked=len(wanted),
    )
    return incident


def _open(incident: Incident, what: str) -> None:
    if incident.state is not IncidentState.ASSESSING:
        raise Conflict(f"the incident is already decided; {what} no longer changes", field=None)


def assessment_complete(incident: Incident) -> bool:
    """All four factors have a finding and a judgement."""
    return all(getattr(incident, f.value) and getattr(incident, f"{f.value}_risk") for f in Factor)


def assess(
    session: Session, ctx: AuditContext, incident_id: int, body: AssessmentIn, at: datetime
) -> Incident:
    """Record the factors given (the others are kept) while the incident is undecided."""
    incident = get(session, incident_id, lock=True)
    _open(incident, "the assessment")
    given = [f for f in Factor if getattr(body, f.value) is not None]
    if not given:
        raise InvalidInput("give at least one of the four factors", field="body")
    for f in given:
        factor = getattr(body, f.value)
        setattr(incident, f.value, factor.finding)
        setattr(incident, f"{f.value}_risk", factor.risk)
    incident.assessed_at, incident.assessed_by_id = at, ctx.actor_id
    session.flush()
    record(
        session,
        ctx,
        AuditAction.BREACH_ASSESSED,
        incident,
        factors=[f.value for f in given],
        complete=assessment_complete(incident),
    )
    return incident


def decide(
    session: Session, ctx: AuditContext, incident_id: int, body: DecisionIn, at: datetime
) -> Incident:
    """Decide once: a breach (its notices are now owed) or not (with its basis)."""
    incident = get(session, incident_id, lock=True)
    _open(incident, "the decision")
    if body.outcome is Outcome.BREACH:
        if body.basis is not None:
            raise InvalidInput("a basis is given only for not_a_breach", field="body.basis")
        incident.state = IncidentState.NOTIFYING
    else:
        if body.basis is None:
            raise InvalidInput(
                "say why it is not a breach: low_probability or one of the exclusions",
                field="body.basis",
            )
        if body.basis is Basis.LOW_PROBABILITY and not assessment_complete(incident):
            raise InvalidInput(
                "a low probability of compromise needs the four-factor risk assessment done "
                "first (all four factors)",
                field="body.basis",
            )
        incident.state = IncidentState.NOT_A_BREACH
    incident.outcome, incident.basis, incident.rationale = body.outcome, body.basis, body.rationale
    incident.decided_at, incident.decided_by_id = at, ctx.actor_id
    session.flush()
    _maybe_complete(session, incident, at)
    record(
        session,
        ctx,
        AuditAction.BREACH_DECIDED,
        incident,
        outcome=body.outcome.value,
        basis=body.basis.value if body.basis else None,
    )
    return incident


def standings(session: Session, incident: Incident, at: datetime) -> list[clocks.Standing]:
    """Every notice clock of the incident and where it stands at ``at``."""
    sent = [
        clocks.Sent(n.recipient, n.sent_at, n.people, n.state)
        for n in notices(session, incident.id)
    ]
    return [
        clocks.standing(c, sent, incident.outcome, at)
        for c in clocks.notice_clocks(
            incident.discovered_at, incident.affected_count, incident.residents_by_state
        )
    ]


def _maybe_complete(session: Session, incident: Incident, at: datetime) -> None:
    if incident.state is not IncidentState.NOTIFYING:
        return
    from memberdesk.breaches.enums import ClockStatus

    done = (ClockStatus.MET, ClockStatus.MET_LATE)
    if all(s.status in done for s in standings(session, incident, at)):
        incident.state, incident.completed_at = IncidentState.COMPLETE, at


def add_notice(
    session: Session, ctx: AuditContext, incident_id: int, body: NoticeIn, at: datetime
) -> BreachNotice:
    """Record a notice sent (its date not before discovery nor in the future)."""
    incident = get(session, incident_id, lock=True)
    if incident.state is IncidentState.NOT_A_BREACH:
        raise Conflict("the incident was decided not to be a breach: no notices are owed")
    if body.sent_at < incident.discovered_at:
        raise InvalidInput(
            "is before the incident was discovered; notices follow discovery",
            field="body.sent_at",
        )
    if body.sent_at > at:
        raise InvalidInput(
            "is in the future; record a notice once it is sent", field="body.sent_at"
        )
    if body.recipient in PEOPLE_COUNTED and body.people is None:
        raise InvalidInput("say how many people this notice reached", field="body.people")
    if (body.recipient is Recipient.MEDIA) != (body.state is not None):
        raise InvalidInput(
            "name the state for a media notice, and only for one", field="body.state"
        )
    notice = BreachNotice(
        incident_id=incident.id,
        recipient=body.recipient,
        state=body.state,
        sent_at=body.sent_at,
        method=body.method,
        people=body.people,
        recorded_at=at,
        recorded_by_id=ctx.actor_id,
    )
    session.add(notice)
    session.flush()
    _maybe_complete(session, incident, at)
    record(
        session,
        ctx,
        AuditAction.BREACH_NOTICE_RECORDED,
        incident,
        recipient=body.recipient.value,
        people=body.people,
    )
    return notice


OPEN = (IncidentState.ASSESSING, IncidentState.NOTIFYING)


def list_incidents(
    session: Session, *, open_only: bool = False, limit: int = 200, offset: int = 0
) -> list[Incident]:
    """Incidents, most recently discovered first (``open_only``: still assessing or notifying)."""
    stmt = (
        select(Incident)
        .order_by(Incident.discovered_at.desc(), Incident.id.desc())
        .limit(limit)
        .offset(offset)
    )
    if open_only:
        stmt = stmt.where(Incident.state.in_(OPEN))
    return list(session.scalars(stmt))


def count_incidents(session: Session, *, open_only: bool = False) -> int:
    """How many incidents ``list_incidents`` pages over."""
    stmt = select(func.count()).select_from(Incident)
    if open_only:
        stmt = stmt.where(Incident.state.in_(OPEN))
    return session.scalar(stmt) or 0
