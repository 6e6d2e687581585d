"""The reports page: the quarterly aging report, open appeals by deadline and deadlines met per
month, in words, with their CSV downloads (the API's own routes)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from memberdesk.appeals import reports, rules, words
from memberdesk.appeals.api_reports import last_quarter, month_range
from memberdesk.appeals.enums import AppealKind, Urgency
from memberdesk.clock import now
from memberdesk.compliance import audit
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import AuditAction, Permission
from memberdesk.contacts import timewords
from memberdesk.db import DbRoute, ReadingSessionDep
from memberdesk.sla.packs import zone_of
from memberdesk.web.pages import render

router = APIRouter(include_in_schema=False, route_class=DbRoute)
Reader = Annotated[Principal, requires(Permission.APPEAL_READ)]


def _open_row(r: reports.OpenRow, at: datetime) -> dict[str, Any]:
    due = datetime.fromisoformat(r.due_at) if r.due_at else None
    return {
        **r.__dict__,
        "pack_words": words.pack(r.pack),
        "title": words.title(AppealKind(r.kind), Urgency(r.urgency)),
        "standing_words": words.STANDING[r.standing],
        "target_words": words.clock(r.next_target) if r.next_target else "None running",
        "due_words": timewords.local_time(due, zone_of(r.pack), at) if due else "",
    }


MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def month_words(month: str) -> str:
    """``2026-12`` -> ``December 2026`` (written out here: pages never follow the locale)."""
    year, _, m = month.partition("-")
    return f"{MONTHS[int(m) - 1]} {year}"


@router.get("/appeals/reports")
def reports_page(
    request: Request,
    session: ReadingSessionDep,
    principal: Reader,
    quarter: str | None = None,
) -> HTMLResponse:
    """The three Tier 3 reports (counts and appeal numbers only)."""
    at = now()
    error, typed = "", (quarter or "")[:8]
    try:
        year, q = rules.quarter_bounds((quarter or last_quarter(at))[:8])
    except ValueError:
        error = "Enter a quarter such as 2026-Q4."
        year, q = rules.quarter_bounds(last_quarter(at))
    start, end = month_range(None, None, at)
    aging = reports.aging(session, year, q)
    open_rows = reports.open_by_deadline(session, at)
    months = [r for r in reports.met_per_month(session, start, end, at) if r.due]
    audit.record(
        session,
        audit_ctx(request, principal),
        AuditAction.APPEAL_REPORT,
        object_type="appeal_report",
        object_id="page",
        detail={"quarter": f"{year}-Q{q}"},
    )
    session.commit()
    return render(
        request,
        "appeals/reports.html",
        principal,
        quarter=f"{year}-Q{q}",
        typed=typed if error else f"{year}-Q{q}",
        error=error,
        aging=[{**r.__dict__, "pack_words": words.pack(r.pack)} for r in aging],
        open_rows=[_open_row(r, at) for r in open_rows],
        months=[
            {
                **r.__dict__,
                "pack_words": words.pack(r.pack),
                "month_words": month_words(r.month),
                "share": "—" if r.share_met is None else f"{r.share_met:.0%}",
            }
            for r in months
        ],
        first=f"{start[0]:04d}-{start[1]:02d}",
        last=f"{end[0]:04d}-{end[1]:02d}",
    )
