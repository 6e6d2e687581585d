"""Legal holds and retention as pages: place a hold on a member's records or a whole record type,
list holds, release one with a reason; retention's dry run as counts per record type, then the
run itself only with its confirmation ticked (``retention.place_hold``, ``release_hold``,
``run``). Forms post with the CSRF token and answer Post/Redirect/Get; a refusal is said beside
its field, nothing changed."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberdesk.cases.ui_forms import sentence
from memberdesk.clock import now
from memberdesk.compliance import retention, words
from memberdesk.compliance.auth import Principal
from memberdesk.compliance.deps import audit_ctx, requires
from memberdesk.compliance.enums import Permission
from memberdesk.compliance.models import LegalHold
from memberdesk.compliance.ui_access import member_by_number
from memberdesk.contacts.timewords import local_time
from memberdesk.db import DbRoute, ReadingSessionDep, SessionDep
from memberdesk.errors import MemberdeskError
from memberdesk.members.models import Member
from memberdesk.schemas import id_path
from memberdesk.sla.packs import zone_of
from memberdesk.web.pages import render

router = APIRouter(include_in_schema=False, route_class=DbRoute)
HoldManager = Annotated[Principal, requires(Permission.LEGAL_HOLD_MANAGE)]
RetentionManager = Annotated[Principal, requires(Permission.RETENTION_MANAGE)]
ZONE = zone_of("compliance")
FormText = Annotated[str, Form(max_length=2000)]
CONFIRM_WORDS = "Yes, purge and de-identify these records"
DONE = {
    "placed": "Legal hold placed. The records it covers are kept until it is released.",
    "released": "Legal hold released. Retention applies to those records from its next run.",
}


def _holds(session: Session, at: datetime) -> list[dict[str, Any]]:
    holds = list(session.scalars(select(LegalHold).order_by(LegalHold.id.desc())))
    ids = {h.member_id for h in holds if h.member_id}
    numbers = (
        {m.id: m.member_number for m in session.scalars(select(Member).where(Member.id.in_(ids)))}
        if ids
        else {}
    )
    out = []
    for h in holds:
        what = (
            f"Member {numbers.get(h.member_id) or h.member_id}"
            if h.member_id
            else f"Every record of this kind: {words.record_type(h.record_type or '')}"
        )
        out.append(
            {
                "id": h.id,
                "matter": h.matter,
                "what": what,
                "reason": h.reason or "",
                "placed": f"{local_time(h.placed_at, ZONE, at)} by {h.placed_by}",
                "released": f"{local_time(h.released_at, ZONE, at)} by {h.released_by}"
                if h.released_at
                else "",
                "release_reason": h.release_reason or "",
            }
        )
    return out


def _holds_page(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    status: int = 200,
    done: str | None = None,
    errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
    failed_release: int | None = None,
) -> HTMLResponse:
    holds = _holds(session, now())
    session.commit()
    return render(
        request,
        "compliance/holds.html",
        principal,
        status=status,
        done=DONE.get(done or ""),
        errors=errors or {},
        typed=typed or {},
        active=[h for h in holds if not h.get("released")],
        released=[h for h in holds if h.get("released")],
        record_types={rt.value: words.record_type(rt.value) for rt in retention.RecordType},
        failed_release=failed_release,
    )


@router.get("/compliance/holds", response_class=HTMLResponse)
def holds_page(
    request: Request, session: ReadingSessionDep, principal: HoldManager, done: str | None = None
) -> HTMLResponse:
    """Holds in force and released, and the form to place one."""
    return _holds_page(request, session, principal, done=done)


@router.post("/compliance/holds")
def place_hold(
    request: Request,
    session: SessionDep,
    principal: HoldManager,
    matter: Annotated[str, Form(max_length=120)] = "",
    scope: Annotated[str, Form(max_length=16)] = "member",
    member: Annotated[str, Form(max_length=64)] = "",
    record_type: Annotated[str, Form(max_length=32)] = "",
    reason: FormText = "",
) -> Response:
    """Place a hold on one member's records or on a whole record type."""
    typed = {"matter": matter, "scope": scope, "member": member, "record_type": record_type}
    typed["reason"] = reason
    errors: dict[str, str] = {}
    if not matter.strip():
        errors["matter"] = "Name the matter (the lawsuit, investigation or request)."
    member_id = None
    if scope == "member":
        member_id = member_by_number(session, member) if member.strip() else None
        if member_id is None:
            errors["member"] = (
                "No member has this member ID. Type it as on the ID card."
                if member.strip()
                else "Type the member ID of the member whose records to keep."
            )
    elif record_type not in {rt.value for rt in retention.RecordType}:
        errors["record_type"] = "Choose the kind of records to keep."
    if not errors:
        try:
            retention.place_hold(
                session,
                audit_ctx(request, principal),
                matter=matter.strip(),
                member_id=member_id,
                record_type=None if scope == "member" else record_type,
                reason=reason.strip() or None,
            )
        except MemberdeskError as exc:
            errors[""] = sentence(exc.message)
        else:
            session.commit()
            return RedirectResponse("/compliance/holds?done=placed", status_code=303)
    session.rollback()
    return _holds_page(request, session, principal, status=422, errors=errors, typed=typed)


@router.post("/compliance/holds/{hold_id}/release")
def release_hold(
    hold_id: Annotated[int, id_path("legal hold")],
    request: Request,
    session: SessionDep,
    principal: HoldManager,
    reason: FormText = "",
) -> Response:
    """Release a hold, saying why (kept encrypted and in the audit log)."""
    errors: dict[str, str] = {}
    status = 422
    if not reason.strip():
        errors["release_reason"] = "Say why the hold is released (for example, the case settled)."
    else:
        try:
            retention.release_hold(session, audit_ctx(request, principal), hold_id, reason.strip())
        except MemberdeskError as exc:  # gone, or released meanwhile: said above the list
            errors["hold"], status = sentence(exc.message), exc.status_code
        else:
            session.commit()
            return RedirectResponse("/compliance/holds?done=released", status_code=303)
    session.rollback()
    return _holds_page(
        request, session, principal, status=status, errors=errors, failed_release=hold_id
    )


def _retention_page(
    request: Request,
    principal: Principal,
    report: retention.RetentionReport | None,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    rows = []
    if report is not None:
        rows = [
            {
                "type": words.record_type(rt),
                "count": report.counts.get(rt, 0),
                "held": report.held.get(rt, 0),
                "whole": rt in report.held_types,
                "cutoff": report.cutoffs.get(rt, ""),
            }
            for rt in report.counts
        ]
    return render(
        request,
        "compliance/retention.html",
        principal,
        status=status,
        report=report,
        rows=rows,
        total=sum(r["count"] for r in rows),
        errors=errors or {},
        confirm_words=CONFIRM_WORDS,
    )


@router.get("/compliance/retention", response_class=HTMLResponse)
def retention_page(request: Request, principal: RetentionManager) -> HTMLResponse:
    """What retention does, and the dry run's button."""
    return _retention_page(request, principal, None)


def _run(request: Request, session: Session, principal: Principal, dry: bool) -> Any:
    return retention.run(
        session, audit_ctx(request, principal), request.app.state.settings.retention_years, dry
    )


@router.post("/compliance/retention/dry-run", response_class=HTMLResponse)
def dry_run(request: Request, session: SessionDep, principal: RetentionManager) -> HTMLResponse:
    """Count what a run would purge or de-identify, per record type; nothing changes."""
    report = _run(request, session, principal, True)
    session.commit()
    return _retention_page(request, principal, report)


@router.post("/compliance/retention/run", response_class=HTMLResponse)
def confirmed_run(
    request: Request,
    session: SessionDep,
    principal: RetentionManager,
    confirm: Annotated[str, Form(max_length=8)] = "",
) -> HTMLResponse:
    """Run retention for real, only with the confirmation ticked; without it, nothing is
    deleted and the dry run is shown again with the field named."""
    if confirm != "yes":
        report = _run(request, session, principal, True)
        session.commit()
        return _retention_page(
            request,
            principal,
            report,
            status=422,
            errors={
                "confirm": f"Nothing was deleted: tick “{CONFIRM_WORDS}” (the confirmation) "
                "to run retention."
            },
        )
    report = _run(request, session, principal, False)
    session.commit()
    return _retention_page(request, principal, report)
