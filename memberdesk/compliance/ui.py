"""The compliance console: pages for a compliance officer who never uses a terminal. This module
holds the console's start page and the audit search; the chain, the access reports, legal holds
and retention have their own ``ui_*`` modules, included here so the site mounts one router.

Every page reads through the same services as the API (``reports.search_audit``,
``reports.member_access``, ``verify``, ``retention``) and is audited like the API's routes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberdesk.clock import now
from memberdesk.compliance import audit, chainrun, reports, words
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import AuditAction, Permission
from memberdesk.compliance.models import AuditEntry, AuditMemberAccess, LegalHold, User
from memberdesk.compliance.permissions import policy
from memberdesk.compliance.ui_access import member_by_number
from memberdesk.compliance.ui_access import router as access_router
from memberdesk.compliance.ui_chain import router as chain_router
from memberdesk.compliance.ui_holds import router as holds_router
from memberdesk.contacts.timewords import local_time
from memberdesk.db import DbRoute, ReadingSessionDep
from memberdesk.members.models import Member
from memberdesk.sla.packs import zone_of
from memberdesk.web.pages import day_field, render

router = APIRouter(include_in_schema=False, route_class=DbRoute)
router.include_router(chain_router)
router.include_router(access_router)
router.include_router(holds_router)
Auditor = Annotated[Principal, requires(Permission.AUDIT_READ)]
PAGE_SIZE = 50
# Times are shown in the zone of the compliance pack's calendar (the plan's own office zone).
ZONE = zone_of("compliance")
Text = Annotated[str, Query(max_length=64)]


@router.get("/compliance", response_class=HTMLResponse)
def console(request: Request, session: ReadingSessionDep, principal: Auditor) -> HTMLResponse:
    """The console's start page: where each task is, the chain's standing, holds in force."""
    at = now()
    runs = chainrun.recent_runs(session, 1)
    holds = (
        session.scalar(
            select(func.count()).select_from(LegalHold).where(LegalHold.released_at.is_(None))
        )
        or 0
    )
    signoffs = None
    if policy(principal.role).allows(Permission.KB_APPROVE):
        from memberdesk.kb.ui_signoff import rows  # the knowledge base's own words

        signoffs = rows(session, at)
    session.commit()
    return render(
        request,
        "compliance/index.html",
        principal,
        signoffs=signoffs,
        last_run=runs[0] if runs else None,
        run_words=words.RUN_STATES,
        when=lambda t: local_time(t, ZONE, at),
        holds=holds,
    )


@dataclass
class SearchForm:
    """The audit search as typed, checked into the API's filter."""

    typed: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    member_id: int | None = None
    start: date | None = None
    end: date | None = None


def check_form(session: Session, typed: dict[str, str]) -> SearchForm:
    """Each filter checked, with the reason in words beside the field when it does not pass."""
    form = SearchForm(typed)
    if typed["from"]:
        form.start = day_field(typed["from"], "from", form.errors)
    if typed["to"]:
        form.end = day_field(typed["to"], "to", form.errors)
    if form.start and form.end and form.end < form.start:
        form.errors["to"] = "The last day is before the first day."
    if typed["member"]:
        form.member_id = member_by_number(session, typed["member"])
        if form.member_id is None:
            form.errors["member"] = "No member has this member ID. Type it as on the ID card."
    known = select(User.id).where(User.username == typed["user"])
    if typed["user"] and session.scalar(known) is None:
        form.errors["user"] = "No account has this username."
    if typed["action"] and typed["action"] not in {a.value for a in words.ACTIONS}:
        form.errors["action"] = "Choose what was done from the list."
    if typed["object_type"] and typed["object_type"] not in words.OBJECTS:
        form.errors["object_type"] = "Choose the kind of record from the list."
    if typed["object_id"] and not typed["object_type"]:
        form.errors["object_type"] = "Choose the kind of record the number belongs to."
    return form


def _members_touched(session: Session, ids: list[int]) -> dict[int, list[str]]:
    """Member IDs (as on the card) each entry touched, for the page's entries only."""
    if not ids:
        return {}
    found = session.execute(
        select(AuditMemberAccess.audit_id, AuditMemberAccess.member_id).where(
            AuditMemberAccess.audit_id.in_(ids)
        )
    ).all()
    numbers = {
        m.id: m.member_number
        for m in session.scalars(select(Member).where(Member.id.in_({mid for _, mid in found})))
    }
    out: dict[int, list[str]] = {}
    for audit_id, mid in found:
        out.setdefault(audit_id, []).append(numbers.get(mid) or f"record {mid}")
    return out


def entry_view(e: AuditEntry, members: list[str], at: datetime) -> dict[str, Any]:
    """One entry as a person reads it: when (the plan's zone), who, what, which record, why."""
    record = words.object_kind(e.object_type)
    if e.object_id and e.object_type != "member":
        record = f"{record} {e.object_id}"
    return {
        "id": e.id,
        "when": local_time(e.at, ZONE, at),
        "who": e.actor,
        "role": words.role(e.role),
        "what": words.action(e.action),
        "record": record,
        "members": members,
        "why": words.purpose(e.purpose),
        "where": e.client_addr or "",
    }


@router.get("/compliance/audit", response_class=HTMLResponse)
def audit_search(
    request: Request,
    session: ReadingSessionDep,
    principal: Auditor,
    first: Annotated[str, Query(alias="from", max_length=10)] = "",
    last: Annotated[str, Query(alias="to", max_length=10)] = "",
    member: Text = "",
    user: Text = "",
    action: Annotated[str, Query(max_length=48)] = "",
    object_type: Annotated[str, Query(max_length=32)] = "",
    object_id: Text = "",
    before: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> HTMLResponse:
    """Search the audit log with the API's filters, newest first, 50 a page (keyset paging:
    "Older entries" carries the last id shown, so a page deep in millions is as quick)."""
    typed = {
        "from": first.strip(),
        "to": last.strip(),
        "member": member.strip(),
        "user": user.strip(),
        "action": action,
        "object_type": object_type,
        "object_id": object_id.strip(),
    }
    form = check_form(session, typed)
    at, entries, next_before = now(), [], None
    if not form.errors:
        window = reports.optional_window(form.start, form.end)
        audit.seal_all(session)
        filters = reports.AuditFilter(
            action=typed["action"] or None,
            username=typed["user"] or None,
            member_id=form.member_id,
            object_type=typed["object_type"] or None,
            object_id=typed["object_id"] or None,
            start=window[0],
            end=window[1],
        )
        rows = reports.search_audit(session, filters, PAGE_SIZE, before)
        more = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
        touched = _members_touched(session, [e.id for e in rows])
        entries = [entry_view(e, touched.get(e.id, []), at) for e in rows]
        next_before = rows[-1].id if more and rows else None
        audit.record(
            session,
            audit_ctx(request, principal),
            AuditAction.ACCESS_REPORT,
            object_type="audit_log",
            member_ids=[form.member_id] if form.member_id else [],
            detail={"report": "audit_page", "rows": len(entries), "filters": filters.used()},
        )
    session.commit()
    query = {k: v for k, v in typed.items() if v}
    return render(
        request,
        "compliance/audit.html",
        principal,
        status=422 if form.errors else 200,
        typed=typed,
        errors=form.errors,
        entries=entries,
        searched=not form.errors,
        paged=before is not None,
        older=f"/compliance/audit?{urlencode({**query, 'before': next_before})}"
        if next_before
        else None,
        newest=f"/compliance/audit?{urlencode(query)}",
        actions=sorted(((a.value, w) for a, w in words.ACTIONS.items()), key=lambda p: p[1]),
        objects=sorted(words.OBJECTS.items(), key=lambda p: p[1]),
    )
