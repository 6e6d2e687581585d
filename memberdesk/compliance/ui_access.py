"""PHI access reports as a page: who saw or changed one member's data between two days, or
every member one user saw (``reports.member_access`` / ``user_access``, 45 CFR 164.528), with a
link to the same report as CSV from the API (its cells neutralised by ``csvsafe``)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance import audit, reports, words
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.crypto import bidx_member_number
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import AuditAction, Permission
from memberdesk.compliance.models import User
from memberdesk.contacts.timewords import local_time
from memberdesk.db import DbRoute, ReadingSessionDep
from memberdesk.errors import InvalidInput
from memberdesk.members.models import Member
from memberdesk.sla.packs import zone_of
from memberdesk.web.pages import day_field, render

router = APIRouter(include_in_schema=False, route_class=DbRoute)
Reporter = Annotated[Principal, requires(Permission.ACCESS_REPORT_READ)]
ZONE = zone_of("compliance")
Text = Annotated[str, Query(max_length=64)]
BY = {"member": "A member: everyone who saw their data", "user": "A user: every member they saw"}


def member_by_number(session: Session, typed: str) -> int | None:
    """The member with this member ID (as on the card), through its blind index."""
    try:
        bidx = bidx_member_number(typed)
    except (ValueError, InvalidInput):
        return None
    return session.scalar(select(Member.id).where(Member.member_number_bidx == bidx))


def _last_month(today: date) -> tuple[date, date]:
    """The whole previous calendar month: the usual question ("who looked last month?")."""
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


@router.get("/compliance/access", response_class=HTMLResponse)
def access_page(
    request: Request,
    session: ReadingSessionDep,
    principal: Reporter,
    by: Annotated[str, Query(max_length=8)] = "member",
    member: Text = "",
    user: Text = "",
    first: Annotated[str, Query(alias="from", max_length=10)] = "",
    last: Annotated[str, Query(alias="to", max_length=10)] = "",
) -> HTMLResponse:
    """The form, and once a member or user is given, the report in words with its CSV link."""
    at = now()
    default_from, default_to = _last_month(at.astimezone(ZONE).date())
    typed = {
        "by": by if by in BY else "member",
        "member": member.strip(),
        "user": user.strip(),
        "from": first.strip() or default_from.isoformat(),
        "to": last.strip() or default_to.isoformat(),
    }
    errors: dict[str, str] = {}
    start = day_field(typed["from"], "from", errors)
    end = day_field(typed["to"], "to", errors)
    if start and end and end < start:
        errors["to"] = "The last day is before the first day."
    who = typed[typed["by"]]
    asked = bool(who)
    subject_id: int | None = None
    if asked and typed["by"] == "member":
        subject_id = member_by_number(session, who)
        if subject_id is None:
            errors["member"] = "No member has this member ID. Type it as on the ID card."
    elif asked:
        subject_id = session.scalar(select(User.id).where(User.username == who))
        if subject_id is None:
            errors["user"] = "No account has this username."
    rows: list[dict[str, Any]] = []
    csv_link = None
    if asked and not errors and start and end and subject_id is not None:
        lo, hi = reports.day_window(start, end)
        audit.seal_all(session)
        found = (
            reports.member_access(session, subject_id, lo, hi)
            if typed["by"] == "member"
            else reports.user_access(session, subject_id, lo, hi)
        )
        rows = [_row(r, at) for r in found]
        audit.record(
            session,
            audit_ctx(request, principal),
            AuditAction.ACCESS_REPORT,
            object_type=typed["by"],
            object_id=subject_id,
            member_ids=[subject_id] if typed["by"] == "member" else [],
            detail={"report": f"by_{typed['by']}", "rows": len(rows), "format": "page"},
        )
        window = urlencode({"start": start.isoformat(), "end": end.isoformat(), "format": "csv"})
        csv_link = f"/api/compliance/access/{typed['by']}/{subject_id}?{window}"
    session.commit()
    return render(
        request,
        "compliance/access.html",
        principal,
        status=422 if errors else 200,
        typed=typed,
        errors=errors,
        kinds=BY,
        asked=asked and not errors,
        rows=rows,
        csv_link=csv_link,
    )


def _row(r: reports.AccessRow, at: datetime) -> dict[str, Any]:
    return {
        "when": local_time(datetime.fromisoformat(r.at), ZONE, at),
        "who": r.actor,
        "role": words.role(r.role),
        "what": words.action(r.action),
        "why": words.purpose(r.purpose),
        "member": r.member_number or "Removed under retention",
        "name": r.member_name or "",
        "where": r.client_addr or "",
        "entry": r.audit_id,
    }
