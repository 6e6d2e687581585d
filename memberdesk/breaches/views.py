"""API views of incidents and the plan, built from the rows and the clocks."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from memberdesk.breaches import plan, service
from memberdesk.breaches.enums import Factor
from memberdesk.breaches.models import Incident, ResponsePlan
from memberdesk.breaches.schemas import ClockOut, FactorOut, IncidentOut, NoticeOut, PlanOut


def clock_outs(session: Session, incident: Incident, at: datetime) -> list[ClockOut]:
    """The incident's notice clocks and where each stands."""
    return [
        ClockOut(
            recipient=s.clock.recipient,
            state=s.clock.state,
            target=s.clock.target,
            due_at=s.clock.due,
            rule=s.clock.rule,
            citation=s.clock.citation,
            annual_log=s.clock.annual_log,
            owed=s.clock.owed,
            reached=s.reached,
            status=s.status,
            met_at=s.met_at,
        )
        for s in service.standings(session, incident, at)
    ]


def incident_out(session: Session, incident: Incident, at: datetime) -> IncidentOut:
    """The incident in full: facts, assessment, decision, clocks and notices."""
    return IncidentOut(
        id=incident.id,
        discovered_at=incident.discovered_at,
        discovered_by=incident.discovered_by,
        summary=incident.summary,
        phi_kinds=incident.phi_kinds,  # type: ignore[arg-type]
        affected_count=incident.affected_count,
        residents_by_state=incident.residents_by_state,
        member_ids=service.member_ids(session, incident.id),
        state=incident.state,
        policy_version=incident.policy_version,
        assessment={
            f.value: FactorOut(
                finding=getattr(incident, f.value), risk=getattr(incident, f"{f.value}_risk")
            )
            for f in Factor
        },
        assessment_complete=service.assessment_complete(incident),
        outcome=incident.outcome,
        basis=incident.basis,
        rationale=incident.rationale,
        decided_at=incident.decided_at,
        clocks=clock_outs(session, incident, at),
        notices=[
            NoticeOut(
                id=n.id,
                recipient=n.recipient,
                state=n.state,
                sent_at=n.sent_at,
                method=n.method,
                people=n.people,
            )
            for n in service.notices(session, incident.id)
        ],
        created_at=incident.created_at,
    )


def plan_out(p: ResponsePlan, today: date) -> PlanOut:
    """A plan version's facts (never its content)."""
    return PlanOut(
        id=p.id,
        title=p.title,
        version=p.version,
        adopted_on=p.adopted_on,
        review_due=p.review_due,
        review_overdue=plan.review_overdue(p, today),
        filename=p.filename,
        content_type=p.content_type,
        size_bytes=p.size_bytes,
        sha256=p.sha256,
        uploaded_at=p.uploaded_at,
    )
