"""The breach register's pages: the register with its clocks and the response plan, recording
an incident, the incident page (assessment, decision, notices) and the year's HHS log.
The same services as the JSON routes; problems are said beside their field, nothing saved.
The incident page's form posts are in ``ui_incident``."""

from __future__ import annotations

import base64
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from memberdesk.breaches import plan, report, service, ui_incident, words
from memberdesk.breaches.clocks import zone
from memberdesk.breaches.forms import errors_of, typed_time
from memberdesk.breaches.pages import DONE, HELP, clock_rows, incident_page, plan_card
from memberdesk.breaches.schemas import IncidentIn, PlanIn
from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import AuditAction, Permission
from memberdesk.db import DbRoute, ReadingSessionDep, SessionDep
from memberdesk.errors import MemberdeskError
from memberdesk.schemas import id_path
from memberdesk.web.pages import render

router = APIRouter(include_in_schema=False, route_class=DbRoute)
# The incident page's form posts (their paths never clash with the pages below).
router.include_router(ui_incident.router)
Reader = Annotated[Principal, requires(Permission.AUDIT_READ)]
Writer = Annotated[Principal, requires(Permission.BREACH_WRITE)]
IncidentId = Annotated[int, id_path("incident")]


@router.get("/breaches")
def register(
    request: Request,
    session: ReadingSessionDep,
    principal: Reader,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    """The register: every incident with its nearest notice clock, and the response plan."""
    at = now()
    rows = []
    for inc in service.list_incidents(session):
        clocks = [c for c in clock_rows(session, inc, at) if c["live"]]
        nearest = min(clocks, key=lambda c: c["due_at"]) if clocks else None
        rows.append(
            {
                "id": inc.id,
                "discovered": words.when(inc.discovered_at, at),
                "state": words.STATES[inc.state],
                "affected": inc.affected_count,
                "next": nearest,
                "overdue": sum(1 for c in clocks if c["late"]),
            }
        )
    if rows:
        audit.record(
            session,
            audit_ctx(request, principal),
            AuditAction.BREACH_LISTED,
            object_type="breach_incident",
            detail={"incidents": [r["id"] for r in rows][:200]},
        )
        session.commit()
    return render(
        request,
        "breaches/register.html",
        principal,
        incidents=rows,
        plan=plan_card(session),
        done=DONE.get(done or ""),
        errors={},
        typed={},
        year=at.astimezone(zone()).year,
    )


def _new_form(
    request: Request, principal: Principal, status: int = 200, **ctx: Any
) -> HTMLResponse:
    return render(
        request,
        "breaches/new.html",
        principal,
        status=status,
        kinds={k.value: v for k, v in words.PHI_KINDS.items()},
        **{"errors": {}, "typed": {}, "chosen": [], **ctx},
    )


@router.get("/breaches/new")
def new_form(request: Request, principal: Writer) -> HTMLResponse:
    """The form to record an incident."""
    return _new_form(request, principal)


def _states(text: str) -> dict[str, Any] | None:
    """``CA 120, OR 4`` -> {"CA": 120, "OR": 4}; None when it cannot be read."""
    found: dict[str, Any] = {}
    for part in text.replace(";", ",").split(","):
        bits = part.split()
        if not bits:
            continue
        if len(bits) != 2:
            return None
        found[bits[0].upper()] = bits[1]
    return found


@router.post("/breaches/new")
async def record(
    request: Request,
    session: SessionDep,
    principal: Writer,
    discovered_at: Annotated[str, Form()] = "",
    discovered_by: Annotated[str, Form()] = "",
    summary: Annotated[str, Form()] = "",
    affected_count: Annotated[str, Form()] = "",
    residents_by_state: Annotated[str, Form()] = "",
) -> Response:
    """Record it; on success the incident page, else the form again with each problem."""
    form = await request.form()
    chosen = [str(v) for v in form.getlist("phi_kinds")]
    typed = {
        "discovered_at": discovered_at,
        "discovered_by": discovered_by,
        "summary": summary,
        "affected_count": affected_count,
        "residents_by_state": residents_by_state,
    }
    errors: dict[str, str] = {}
    when = typed_time(discovered_at)
    if when is None:
        errors["discovered_at"] = HELP["discovered_at"]
    states = _states(residents_by_state)
    if states is None:
        errors["residents_by_state"] = HELP["residents_by_state"]
    incident = None
    try:
        body = IncidentIn.model_validate(
            {
                "discovered_at": when or now().isoformat(),
                "discovered_by": discovered_by,
                "summary": summary,
                "phi_kinds": chosen,
                "affected_count": affected_count.strip().replace(",", "") or None,
                "residents_by_state": states or {},
            }
        )
        if not errors:
            incident = service.record_incident(session, audit_ctx(request, principal), body, now())
    except (ValidationError, MemberdeskError) as exc:
        for k, v in errors_of(exc, HELP).items():
            errors.setdefault(k, v)
    if incident is None:
        session.rollback()
        return _new_form(request, principal, 422, errors=errors, typed=typed, chosen=chosen)
    session.commit()
    return RedirectResponse(f"/breaches/{incident.id}?done=recorded", status_code=303)


@router.get("/breaches/hhs-log")
def hhs_log(
    request: Request,
    session: ReadingSessionDep,
    principal: Reader,
    year: Annotated[int | None, Query(ge=2000, le=2199)] = None,
) -> HTMLResponse:
    """The year's breaches for the HHS log, with the CSV to download."""
    at = now()
    y = year or at.astimezone(zone()).year
    rows = report.hhs_log(session, y, at)
    audit.record(
        session,
        audit_ctx(request, principal),
        AuditAction.BREACH_REPORT,
        object_type="breach_report",
        object_id=f"hhs-log-{y}",
        detail={"rows": len(rows)},
    )
    session.commit()
    return render(
        request,
        "breaches/hhs_log.html",
        principal,
        year=y,
        rows=[
            {
                "row": r,
                "route": "With the notices to individuals"
                if r.hhs_route == "with_individuals"
                else "In the year's log",
                "due": words.when(r.hhs_due, at),
                "kinds": words.phi_kinds(r.phi_kinds.split("; ")) if r.phi_kinds else "",
            }
            for r in rows
        ],
        log_due=words.when(report.clocks.annual_log_due(report.year_bounds(y)[0]), at),
    )


@router.get("/breaches/hhs-log.csv")
def hhs_log_csv(
    request: Request,
    session: ReadingSessionDep,
    principal: Reader,
    year: Annotated[int | None, Query(ge=2000, le=2199)] = None,
) -> Response:
    """The same rows as CSV."""
    y = year or now().astimezone(zone()).year
    rows = report.hhs_log(session, y, now())
    audit.record(
        session,
        audit_ctx(request, principal),
        AuditAction.BREACH_REPORT,
        object_type="breach_report",
        object_id=f"hhs-log-{y}",
        detail={"rows": len(rows), "csv": True},
    )
    session.commit()
    return Response(
        report.to_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="hhs-breach-log-{y}.csv"'},
    )


@router.post("/breaches/plan")
def upload_plan(
    request: Request,
    session: SessionDep,
    principal: Writer,
    title: Annotated[str, Form()] = "",
    version: Annotated[str, Form()] = "",
    adopted_on: Annotated[str, Form()] = "",
    review_due: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """A new version of the incident-response plan (stored encrypted)."""
    data = file.file.read(plan.MAX_BYTES + 1) if file is not None else b""
    typed = {"title": title, "version": version, "adopted_on": adopted_on, "review_due": review_due}
    try:
        body = PlanIn.model_validate(
            {
                **typed,
                "filename": ((file.filename if file else None) or "plan").strip()[:200] or "plan",
                "content_base64": base64.b64encode(data).decode("ascii") or "",
            }
        )
        plan.add(session, audit_ctx(request, principal), body, now())
    except (ValidationError, MemberdeskError) as exc:
        session.rollback()
        errors = errors_of(exc, HELP)
        if "content_base64" in errors:
            errors["file"] = errors.pop("content_base64")
        return render(
            request,
            "breaches/register.html",
            principal,
            status=422,
            incidents=[],
            plan=plan_card(session),
            done=None,
            errors=errors,
            typed=typed,
            year=now().astimezone(zone()).year,
        )
    session.commit()
    return RedirectResponse("/breaches?done=plan", status_code=303)


@router.get("/breaches/plan/document")
def plan_document(request: Request, session: ReadingSessionDep, principal: Reader) -> Response:
    """The current plan's document; the download is audited."""
    p, data = plan.download(session, audit_ctx(request, principal))
    session.commit()
    return Response(
        data,
        media_type=p.content_type,
        headers={"Content-Disposition": f'attachment; filename="response-plan-{p.id}"'},
    )


@router.get("/breaches/{incident_id}")
def read(
    incident_id: IncidentId,
    request: Request,
    session: ReadingSessionDep,
    principal: Reader,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    """An incident; the read is audited."""
    incident = service.get(session, incident_id)
    page = incident_page(request, session, principal, incident, done=DONE.get(done or ""))
    service.record(session, audit_ctx(request, principal), AuditAction.BREACH_READ, incident)
    session.commit()
    return page
