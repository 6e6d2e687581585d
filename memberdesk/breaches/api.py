"""JSON routes of the breach register: incidents (record, read, list, assess, decide, notices),
the HHS log report (JSON and CSV) and the incident-response plan. Reads are audited here;
changes by the services. Reading needs ``audit.read``; changing, ``breach.write``."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from memberdesk.breaches import plan, report, service, views
from memberdesk.breaches.clocks import zone
from memberdesk.breaches.schemas import (
    AssessmentIn,
    DecisionIn,
    IncidentIn,
    IncidentOut,
    LogRow,
    NoticeIn,
    NoticeOut,
    PlanIn,
    PlanOut,
)
from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import AuditAction, Permission
from memberdesk.db import DbRoute, ReadingSessionDep, SessionDep
from memberdesk.errors import NotFound
from memberdesk.schemas import LimitQ, OffsetQ, Page, id_path

router = APIRouter(prefix="/api", route_class=DbRoute)
TAGS: list[str | Enum] = ["breaches"]
IncidentId = Annotated[int, id_path("incident")]
Reader = Annotated[Principal, requires(Permission.AUDIT_READ)]
Writer = Annotated[Principal, requires(Permission.BREACH_WRITE)]
YearQ = Annotated[
    int | None,
    Query(ge=2000, le=2199, description="Calendar year of discovery [default: this year]"),
]


class HhsLog(BaseModel):
    year: int = Field(description="Calendar year of discovery")
    rows: list[LogRow] = Field(description="One row per breach discovered that year")


def _year(year: int | None) -> int:
    return year or now().astimezone(zone()).year


def _log(
    session: ReadingSessionDep, request: Request, principal: Principal, year: int
) -> list[LogRow]:
    rows = report.hhs_log(session, year, now())
    audit.record(
        session,
        audit_ctx(request, principal),
        AuditAction.BREACH_REPORT,
        object_type="breach_report",
        object_id=f"hhs-log-{year}",
        detail={"rows": len(rows), "incidents": [r.incident_id for r in rows][:200]},
    )
    session.commit()
    return rows


@router.post(
    "/breaches",
    response_model=IncidentOut,
    status_code=201,
    summary="Record an incident",
    tags=TAGS,
)
def record_incident(
    body: IncidentIn, session: SessionDep, request: Request, principal: Writer
) -> IncidentOut:
    """An incident as discovered: when (the notice clocks start there), by whom, what PHI, how
    many people and their states, the members known. 422 naming the field for a discovery in
    the future or without an offset, a negative count, or states adding up to more than the
    people affected."""
    at = now()
    incident = service.record_incident(session, audit_ctx(request, principal), body, at)
    out = views.incident_out(session, incident, at)
    session.commit()
    return out


@router.get("/breaches", response_model=Page[IncidentOut], summary="The register", tags=TAGS)
def list_incidents(
    session: ReadingSessionDep,
    request: Request,
    principal: Reader,
    open_only: Annotated[
        bool, Query(description="Only incidents still being assessed or notified")
    ] = False,
    limit: LimitQ = 50,
    offset: OffsetQ = 0,
) -> Page[IncidentOut]:
    """Most recently discovered first, each with its clocks; the read is audited."""
    at = now()
    rows = service.list_incidents(session, open_only=open_only, limit=limit, offset=offset)
    total = service.count_incidents(session, open_only=open_only)
    items = [views.incident_out(session, i, at) for i in rows]
    audit.record(
        session,
        audit_ctx(request, principal),
        AuditAction.BREACH_LISTED,
        object_type="breach_incident",
        member_ids=sorted({m for i in items for m in i.member_ids}),
        detail={"incidents": [i.id for i in items][:200]},
    )
    session.commit()
    return Page[IncidentOut](items=items, total=total, limit=limit, offset=offset)


@router.get("/breaches/hhs-log", response_model=HhsLog, summary="The HHS log", tags=TAGS)
def hhs_log(
    session: ReadingSessionDep, request: Request, principal: Reader, year: YearQ = None
) -> HhsLog:
    """The year's breaches for the HHS log (164.408(c)); the report is audited."""
    y = _year(year)
    return HhsLog(year=y, rows=_log(session, request, principal, y))


@router.get("/breaches/hhs-log.csv", summary="The HHS log as CSV", tags=TAGS)
def hhs_log_csv(
    session: ReadingSessionDep, request: Request, principal: Reader, year: YearQ = None
) -> Response:
    """The same rows as CSV, to open in a spreadsheet."""
    y = _year(year)
    text = report.to_csv(_log(session, request, principal, y))
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="hhs-breach-log-{y}.csv"'},
    )


@router.post(
    "/breaches/plan",
    response_model=PlanOut,
    status_code=201,
    summary="Upload the incident-response plan",
    tags=TAGS,
)
def upload_plan(body: PlanIn, session: SessionDep, request: Request, principal: Writer) -> PlanOut:
    """A new version (PDF or plain text, stored encrypted) with its review date."""
    at = now()
    p = plan.add(session, audit_ctx(request, principal), body, at)
    out = views.plan_out(p, at.astimezone(zone()).date())
    session.commit()
    return out


@router.get("/breaches/plan", response_model=PlanOut, summary="The current plan", tags=TAGS)
def current_plan(session: ReadingSessionDep, principal: Reader) -> PlanOut:
    """The current version's facts and whether its review is overdue (404: none uploaded)."""
    p = plan.current(session)
    if p is None:
        raise NotFound("no incident-response plan has been uploaded")
    return views.plan_out(p, now().astimezone(zone()).date())


@router.get("/breaches/plan/document", summary="Download the current plan", tags=TAGS)
def plan_document(session: ReadingSessionDep, request: Request, principal: Reader) -> Response:
    """The document itself; the download is audited."""
    p, data = plan.download(session, audit_ctx(request, principal))
    session.commit()
    return Response(
        data,
        media_type=p.content_type,
        headers={"Content-Disposition": f'attachment; filename="response-plan-{p.id}"'},
    )


@router.get("/breaches/{incident_id}", response_model=IncidentOut, summary="An incident", tags=TAGS)
def read_incident(
    incident_id: IncidentId, session: ReadingSessionDep, request: Request, principal: Reader
) -> IncidentOut:
    """The incident in full with its clocks and notices; the read is audited."""
    incident = service.get(session, incident_id)
    out = views.incident_out(session, incident, now())
    service.record(session, audit_ctx(request, principal), AuditAction.BREACH_READ, incident)
    session.commit()
    return out


@router.put(
    "/breaches/{incident_id}/assessment",
    response_model=IncidentOut,
    summary="Record the risk assessment",
    tags=TAGS,
)
def assess(
    incident_id: IncidentId,
    body: AssessmentIn,
    session: SessionDep,
    request: Request,
    principal: Writer,
) -> IncidentOut:
    """The four factors of 164.402(2), each with a finding; 409 once the incident is decided."""
    at = now()
    incident = service.assess(session, audit_ctx(request, principal), incident_id, body, at)
    out = views.incident_out(session, incident, at)
    session.commit()
    return out


@router.post(
    "/breaches/{incident_id}/decision",
    response_model=IncidentOut,
    summary="Decide: breach or not",
    tags=TAGS,
)
def decide(
    incident_id: IncidentId,
    body: DecisionIn,
    session: SessionDep,
    request: Request,
    principal: Writer,
) -> IncidentOut:
    """Once per incident (409 after). Not a breach on a low probability of compromise needs the
    four-factor assessment done (422 naming ``basis``)."""
    at = now()
    incident = service.decide(session, audit_ctx(request, principal), incident_id, body, at)
    out = views.incident_out(session, incident, at)
    session.commit()
    return out


@router.post(
    "/breaches/{incident_id}/notices",
    response_model=NoticeOut,
    status_code=201,
    summary="Record a notice sent",
    tags=TAGS,
)
def add_notice(
    incident_id: IncidentId,
    body: NoticeIn,
    session: SessionDep,
    request: Request,
    principal: Writer,
) -> NoticeOut:
    """To individuals, California residents, HHS or a state's media, with its date and method.
    422 naming the field for a date before discovery or in the future."""
    at = now()
    n = service.add_notice(session, audit_ctx(request, principal), incident_id, body, at)
    out = NoticeOut(
        id=n.id,
        recipient=n.recipient,
        state=n.state,
        sent_at=n.sent_at,
        method=n.method,
        people=n.people,
    )
    session.commit()
    return out
